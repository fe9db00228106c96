"""What the signed-in debtor sees: their own accounts only, the disclosures, Spanish, the agency's branding."""

import hashlib
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.compliance.models import Itemization, ReferenceDate
from app.compliance.notices import send_notice
from app.portal import i18n, spanish
from app.portal.settings import text_color
from tests import factories as f
from tests.compliance.notices_support import freeze_today, itemize

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "portal"
APP = Path(__file__).resolve().parents[2] / "app" / "portal"


@pytest.fixture
def signed_in(portal, debtor_account):
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    return portal


def body(response) -> str:
    return response.get_data(as_text=True)


def without_nonce(response) -> str:
    """The page but for its per-response CSP nonce and CSRF token (signed with the second it was made)."""
    page = re.sub(r'nonce="[^"]+"', 'nonce=""', body(response))
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r'\1""', page)


def upload(data: dict) -> dict:
    """Form data with a file given as (bytes, name) turned into what the test client uploads."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def test_the_accounts_page_shows_the_agency_licence_disclosures_and_balance(signed_in, agency, db):
    agency.license_number = "NY-12345"
    db.session.commit()
    page = body(signed_in.get())
    assert agency.name in page and "NY-12345" in page
    assert "This is a communication from a debt collector." in page
    assert "$400.00" in page


def test_the_debtor_sees_every_account_of_theirs_and_no_one_elses(signed_in, debtor_account, agency):
    same = f.AccountFactory(agency=agency, debtor=debtor_account.debtor, external_ref="SECOND-1")
    other = f.AccountFactory(agency=agency, external_ref="STRANGER-1")
    page = body(signed_in.get())
    assert debtor_account.external_ref in page and same.external_ref in page and other.external_ref not in page


def test_another_debtors_and_another_agencys_account_are_404_like_a_missing_one(signed_in, agency, foreign):
    other = f.AccountFactory(agency=agency)
    missing = signed_in.get("/accounts/999999")
    assert missing.status_code == 404
    for account in (other, foreign.account):
        response = signed_in.get(f"/accounts/{account.id}")
        page = without_nonce(response).replace(f"/accounts/{account.id}?", "/accounts/999999?")  # the switch link
        assert response.status_code == 404 and page == without_nonce(missing)
        assert signed_in.post(f"/accounts/{account.id}/pay", {"amount": "5.00"}).status_code == 404


def test_a_session_at_one_agency_is_nothing_at_another(signed_in, web, foreign):
    response = web.get(f"/portal/{foreign.agency.slug}/accounts/")
    assert response.status_code == 303
    assert web.get(f"/portal/{foreign.agency.slug}/accounts/{foreign.account.id}").status_code == 303


def test_an_unknown_agency_is_a_404(web):
    assert web.get("/portal/no-such-agency/").status_code == 404
    assert web.get("/portal/").status_code == 200


def test_the_account_page_shows_the_itemization_and_payment_history(signed_in, debtor_account, admin, db):
    itemization = Itemization(account_id=debtor_account.id, agency_id=debtor_account.agency_id)
    itemization.reference, itemization.itemization_date = ReferenceDate.CHARGE_OFF, date(2025, 1, 31)
    itemization.amount_on_date, itemization.interest, itemization.fees = Decimal("380.00"), Decimal("15.00"), 5
    itemization.creditor_on_date, itemization.original_creditor = "Acme Bank", "Acme Bank NA"
    db.session.add(itemization)
    db.session.commit()
    f.walk_to(debtor_account, f.Status.IN_CONTACT, admin=admin, collector=f.CollectorFactory(agency=admin.agency))
    from app.payments.services.record import record_manual_payment

    record_manual_payment(debtor_account.id, "25.00", "check", "", None, "k" * 20, actor=admin)
    page = body(signed_in.get(f"/accounts/{debtor_account.id}"))
    assert "Amount owed on 2025-01-31" in page and "$380.00" in page and "Acme Bank NA" in page
    assert "$25.00" in page and "check" in page and "$375.00" in page


def test_spanish_is_chosen_on_any_page_and_remembered(signed_in, debtor_account):
    page = body(signed_in.get("/accounts/?lang=es"))
    assert '<html lang="es">' in page and "Sus cuentas" in page
    assert "Esta es una comunicación de un cobrador de deudas." in page
    assert "Sus cuentas" in body(signed_in.get())
    assert "Saldo actual" in body(signed_in.get(f"/accounts/{debtor_account.id}"))
    assert "Your accounts" in body(signed_in.get("/accounts/?lang=en"))


def test_sign_in_errors_are_in_the_debtors_language(portal, debtor_account):
    portal.get("/?lang=es")
    page = body(portal.sign_in(debtor_account.external_ref, last_name="Nadie"))
    assert "No pudimos encontrar una cuenta con estos datos." in page


def test_every_portal_string_has_its_spanish(app):
    """Every ``_("...")`` of the portal's templates and every message key of its code is in the catalogue."""
    literal = re.compile(r'_\(\s*"((?:[^"\\]|\\.)+)"')
    keys = {
        m
        for path in TEMPLATES.glob("*.html")
        if path.name != "settings.html"
        for m in literal.findall(path.read_text())
    }
    from app.portal import access, forms, payments, plans, templating

    keys |= {access.REFUSED, access.LOCKED, access.LINK_EXPIRED, payments.AMOUNT_RANGE, payments.CARDS_OFF}
    keys |= {plans.AUTHORIZATION, plans.NO_ACTIVE_PLAN, forms.CHOOSE_CARD, forms.AGREE_FIRST}
    keys |= {
        choice.label for field in (forms.PlanForm.kind, forms.PlanForm.frequency) for choice in field.kwargs["choices"]
    }
    keys |= set(templating.PLAN_KINDS.values()) | {"scheduled", "paid", "partly paid", "missed", "Not a valid choice."}
    keys |= {forms.REQUIRED, forms.TOO_LONG, forms.FOUR_DIGITS, spanish.PLAUSIBLE_DATE}
    keys |= {"open", "payment plan", "settled", "closed", "disputed", "card", "check", "cash", "bank transfer"}
    keys |= {"pending", "completed", "failed", "refunded", "partially refunded"}
    missing = sorted(k for k in keys if k not in i18n.SPANISH)
    assert len(keys) > 60 and missing == []


def test_the_admin_sets_colours_minimum_and_logo_audited(web, admin, agency, db):
    web.login(admin)
    data = {"min_payment": "10.00", "brand_color": "#FFCC00", "accent_color": "#123456", "logo": (PNG, "logo.png")}
    response = web.client.post(
        "/settings/portal", data=upload({**data, "csrf_token": web.csrf()}), content_type="multipart/form-data"
    )
    assert response.status_code == 303
    page = body(web.get(f"/portal/{agency.slug}/"))
    assert "--brand:#ffcc00; --on-brand:#000000; --accent:#123456; --on-accent:#ffffff;" in page
    logo = web.get(f"/portal/{agency.slug}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    stmt = select(AuditEvent).where(AuditEvent.action == "portal.settings_updated")
    event = db.session.scalars(stmt).one()
    assert event.actor_id == admin.id and event.changes["min_payment"]["new"] == "10.00"


def test_the_admin_removes_the_logo(web, admin, agency):
    web.login(admin)
    form = {"min_payment": "5.00", "logo": (PNG, "logo.png")}
    web.client.post(
        "/settings/portal", data=upload({**form, "csrf_token": web.csrf()}), content_type="multipart/form-data"
    )
    assert web.get(f"/portal/{agency.slug}/logo").status_code == 200
    removal = {"min_payment": "5.00", "remove_logo": "y", "csrf_token": web.csrf()}
    assert web.client.post("/settings/portal", data=removal).status_code == 303
    assert web.get(f"/portal/{agency.slug}/logo").status_code == 404


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"brand_color": "red"}, "Write the colour as #rrggbb"),
        ({"brand_color": "#12345g"}, "Write the colour as #rrggbb"),
        ({"accent_color": "#fff;}body{x"}, "Write the colour as #rrggbb"),
        ({"min_payment": "0"}, "Enter a positive amount"),
        ({"min_payment": "1e9"}, "Enter a positive amount"),
        ({"min_payment": "99999999.00"}, "At most 10,000.00"),
        ({"logo": (b"<svg onload=alert(1)></svg>", "x.svg")}, "Upload a PNG or JPEG image"),
        ({"logo": (PNG + b"\x00" * 300_000, "big.png")}, "at most 200 KB"),
    ],
    ids=["word", "not-hex", "css-injection", "zero", "exponent", "absurd", "svg", "too-large"],
)
def test_bad_settings_are_refused_with_the_reason_and_nothing_saved(web, admin, agency, data, field_message):
    web.login(admin)
    payload = upload({"min_payment": "5.00", "csrf_token": web.csrf(), **data})
    response = web.client.post("/settings/portal", data=payload, content_type="multipart/form-data")
    assert response.status_code == 422 and field_message in body(response)
    assert web.get(f"/portal/{agency.slug}/logo").status_code == 404


def test_collectors_cannot_open_the_portal_settings(web, collector):
    web.login(collector)
    assert web.get("/settings/portal").status_code == 403


def test_the_portal_keeps_the_strict_content_security_policy(signed_in):
    policy = signed_in.get().headers["Content-Security-Policy"]
    assert "style-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "colour, text", [("#ffffff", "#000000"), ("#000000", "#ffffff"), ("#1a4f8b", "#ffffff"), ("#f5a100", "#000000")]
)
def test_text_on_a_brand_colour_is_whichever_of_black_and_white_reads_better(colour, text):
    assert text_color(colour) == text


def test_the_debtor_downloads_the_validation_notice_exactly_as_sent(clock, portal, debtor_account, admin, agency):
    freeze_today()
    other = f.AccountFactory(agency=agency, original_amount=Decimal("400.00"))
    for account in (debtor_account, other):
        account.creditor = f.CreditorFactory(agency=agency)
        itemize(account)
    sent = send_notice(admin, debtor_account.id, sent_on=date(2026, 12, 30), channel="mail", language="es")
    foreign = send_notice(admin, other.id, sent_on=date(2026, 12, 30), channel="mail", language="en")
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    page = body(portal.get(f"/accounts/{debtor_account.id}"))
    assert "Notice sent on 2026-12-30 (PDF)" in page and f"until {sent.period_ends.isoformat()}" in page
    pdf = portal.get(f"/accounts/{debtor_account.id}/notices/{sent.id}")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == sent.document.sha256
    assert portal.get(f"/accounts/{debtor_account.id}/notices/{foreign.id}").status_code == 404
    assert portal.get(f"/accounts/{other.id}/notices/{foreign.id}").status_code == 404


def test_the_portal_language_becomes_the_debtors_email_language(portal, debtor_account):
    portal.get("/?lang=es")
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    assert debtor_account.debtor.language == "es"
    portal.get("/preferences?lang=en")
    portal.post("/preferences", {f"spans-{i}-{p}": "" for i in range(4) for p in ("weekday", "starts", "ends")})
    assert debtor_account.debtor.language == "en"
