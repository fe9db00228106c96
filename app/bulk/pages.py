"""What the bulk page shows: the selection's size and statuses, and each action's form carrying the selection."""

from functools import reduce

from app.accounts import queries
from app.accounts.states import Status, allowed_targets
from app.auth.models import User
from app.bulk.forms import FORMS, SelectionForm
from app.bulk.selection import Selection, statuses_selected
from app.errors import ValidationFailed


def bulk_page(viewer: User, selection: Selection, forms: dict | None = None) -> dict:
    """The bulk page's context; ``forms`` holds a submitted form to show again with its errors."""
    statuses = statuses_selected(viewer, selection)
    forms = {
        name: (forms or {}).get(name) or action_form(viewer, name, cls(formdata=None)) for name, cls in FORMS.items()
    }
    for form in forms.values():
        _carry(form, selection)
    forms["status"].set_targets(common_targets(statuses))
    return dict(
        selection=selection,
        count=sum(statuses.values()),
        statuses=sorted(statuses.items()),
        forms=forms,
        status_words={s: s.label for s in Status},
    )


def common_targets(statuses: dict[Status, int]) -> list[Status]:
    """The status targets valid from every status present in the selection."""
    sets = [set(allowed_targets(s)) for s in statuses]
    common = reduce(set.intersection, sets) if sets else set()
    return [s for s in Status if s in common]


def action_form(viewer: User, name: str, form):
    """An action's form with its choices filled in (the collectors, for an assignment)."""
    if name == "assign":
        collectors = queries.list_collectors(viewer, active_only=True)
        form.set_collectors(collectors, queries.count_open_accounts_of([c.id for c in collectors]))
    if name == "follow_up":
        form.timezone = viewer.agency.timezone
    if name == "status" and not form.status.choices:
        form.set_targets(list(Status))
    return form


def _carry(form: SelectionForm, selection: Selection) -> None:
    form.scope.data = "all" if selection.query is not None else "ids"
    form.match.data = selection.query or ""
    form.ids.data = ",".join(str(i) for i in selection.ids)


def safe_selection(form: SelectionForm) -> Selection:
    """The form's selection, or nothing selected when it cannot be read (the page then says so)."""
    try:
        return form.selection()
    except ValidationFailed:
        return Selection()
