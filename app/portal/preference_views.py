"""The portal's contact preferences page: inconvenient times, no calls at work, email opt-outs (a plain form)."""

from flask import g, redirect, request, url_for

from app.compliance import points
from app.errors import ValidationFailed
from app.htmx import render
from app.portal import preferences
from app.portal.forms import PreferencesForm
from app.portal.i18n import current_language
from app.portal.templating import gettext
from app.portal.views import bp, signed_in


@bp.route("/<slug>/preferences", methods=["GET", "POST"])
@signed_in
def preferences_page():
    """Show the debtor's preferences; save them (the contact guard obeys them from then on)."""
    debtor = preferences.visit_debtor(g.portal_visit)
    emails = preferences.emails(debtor)
    form = PreferencesForm(data=None if request.method == "POST" else _stored(debtor, emails))
    form.email_opt_out.choices = [(p.value, p.value) for p in emails]
    if form.validate_on_submit():
        try:
            spans = form.chosen_spans()
            opted_out = set(form.email_opt_out.data)
            preferences.save(debtor, spans, form.no_calls_at_work.data, opted_out, current_language())
            return redirect(url_for("portal.preferences_page", note="saved"), 303)
        except ValidationFailed as exc:
            form.form_errors.append(gettext(exc.message))
    status = 422 if request.method == "POST" else 200
    return render("portal/preferences.html", status=status, form=form, saved=request.args.get("note") == "saved")


def _stored(debtor, emails) -> dict:
    spans = [
        {"weekday": str(s.weekday), "starts": s.starts, "ends": s.ends} for s in points.list_inconvenient_times(debtor)
    ]
    return {
        "spans": spans,
        "no_calls_at_work": debtor.no_calls_at_work,
        "email_opt_out": [p.value for p in emails if p.opted_out_at is not None],
    }
