"""Getting into the portal: facts, links, the lockout per reference, the idle session, and staff separation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import crypto
from app.accounts.models import Activity, ActivityKind
from app.audit.models import AuditEvent
from app.pg import rls
from app.portal import access
from app.portal.models import PortalLink
from tests import factories as f

REFUSED_TEXT = "We could not match these details"
LOCKED_TEXT = "Too many attempts"


def actions(db, agency) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def test_matching_facts_open_a_session_on_the_debtors_accounts(portal, debtor_account, db, agency):
    response = portal.sign_in(debtor_account.external_ref)
    assert response.status_code == 303 and response.location.endswith(f"/portal/{agency.slug}/accounts/")
    assert portal.cookie() is not None and portal.cookie().http_only
    page = portal.get()
    assert page.status_code == 200 and debtor_account.external_ref in page.get_data(as_text=True)
    assert "portal.signed_in" in actions(db, agency)


@pytest.mark.parametrize(
    "last_name", ["lopez", "García López", "LÓPEZ", "  Lopez "], ids=["case", "double", "accents", "spaces"]
)
def test_the_last_name_matches_without_case_accents_or_with_both_surnames(portal, debtor_account, last_name):
    assert portal.sign_in(debtor_account.external_ref, last_name=last_name).status_code == 303


@pytest.mark.parametrize(
    "change",
    [
        {"last_name": "Garcia"},
        {"last_name": "Maria Garcia Lopez Ruiz"},
        {"postal_code": "10002"},
        {"postal_code": "1000"},
        {"date_of_birth": "1980-04-24"},
        {"date_of_birth": ""},
        {"reference": "NO-SUCH-REF"},
    ],
    ids=["wrong-last-name", "longer-name", "wrong-zip", "short-zip", "wrong-birth-date", "no-birth-date", "unknown"],
)
def test_each_wrong_fact_is_refused_with_one_message_and_audited(portal, debtor_account, db, agency, change):
    facts = {"reference": debtor_account.external_ref, **change}
    response = portal.sign_in(**facts)
    assert response.status_code == 422 and REFUSED_TEXT in response.get_data(as_text=True)
    assert portal.cookie() is None
    assert actions(db, agency)[-1] == "portal.sign_in_failed"


def test_the_ssn_last_four_proves_identity_where_it_is_on_file_instead_of_a_birth_date(portal, agency, db):
    debtor = f.DebtorFactory(agency_id=agency.id, full_name="Ann Smith", postal_code="30301")
    account = f.AccountFactory(agency=agency, debtor=debtor)
    debtor.ssn_last4 = "6789"
    db.session.commit()
    assert portal.sign_in(account.external_ref, "Smith", "30301", "", "1234").status_code == 422
    assert portal.sign_in(account.external_ref, "Smith", "30301", "", "6789").status_code == 303


def test_with_neither_birth_date_nor_ssn_on_file_name_and_zip_suffice(portal, agency):
    debtor = f.DebtorFactory(agency_id=agency.id, full_name="Bo Chen", postal_code="94110")
    account = f.AccountFactory(agency=agency, debtor=debtor)
    assert portal.sign_in(account.external_ref, "Chen", "94110", "").status_code == 303


def test_a_debtor_without_a_zip_on_file_cannot_sign_in_with_facts(portal, agency):
    debtor = f.DebtorFactory(agency_id=agency.id, full_name="Bo Chen", postal_code=None)
    account = f.AccountFactory(agency=agency, debtor=debtor)
    assert portal.sign_in(account.external_ref, "Chen", "", "").status_code == 422


def test_five_failures_lock_the_reference_for_fifteen_minutes_even_with_the_right_facts(
    portal, debtor_account, clock, db, agency
):
    clock.freeze()
    ref = debtor_account.external_ref
    for _ in range(4):
        assert REFUSED_TEXT in portal.sign_in(ref, last_name="Wrong").get_data(as_text=True)
    assert LOCKED_TEXT in portal.sign_in(ref, last_name="Wrong").get_data(as_text=True)
    refused = portal.sign_in(ref)
    assert refused.status_code == 422 and LOCKED_TEXT in refused.get_data(as_text=True)
    assert "portal.locked" in actions(db, agency)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert LOCKED_TEXT in portal.sign_in(ref).get_data(as_text=True)
    clock.advance(timedelta(seconds=1))
    assert portal.sign_in(ref).status_code == 303


def test_a_reference_nobody_has_locks_alike_so_a_lock_reveals_nothing(portal, agency, clock):
    clock.freeze()
    for _ in range(5):
        portal.sign_in("GHOST-1", last_name="Anyone")
    assert LOCKED_TEXT in portal.sign_in("GHOST-1", last_name="Anyone").get_data(as_text=True)


def test_failures_on_one_reference_leave_other_references_and_agencies_alone(portal, debtor_account, agency, clock):
    clock.freeze()
    for _ in range(5):
        portal.sign_in("OTHER-REF", last_name="Wrong")
    assert portal.sign_in(debtor_account.external_ref).status_code == 303


def test_a_success_clears_earlier_failures(portal, debtor_account, clock):
    clock.freeze()
    ref = debtor_account.external_ref
    for _ in range(4):
        portal.sign_in(ref, last_name="Wrong")
    assert portal.sign_in(ref).status_code == 303
    portal.forget()
    for _ in range(4):
        assert REFUSED_TEXT in portal.sign_in(ref, last_name="Wrong").get_data(as_text=True)


def test_missing_and_malformed_fields_are_422_with_field_messages(portal, debtor_account):
    response = portal.sign_in("", last_name="", postal_code="", date_of_birth="23/04/1980", ssn="12a4")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in body and "Enter exactly 4 digits." in body and "Not a valid date" in body


@pytest.mark.parametrize(
    "data",
    [{"reference": "x" * 5000}, {"date_of_birth": "99999-01-01"}, {"date_of_birth": "0001-01-01"}],
    ids=["oversized", "absurd-year", "year-one"],
)
def test_absurd_input_is_a_4xx_that_writes_nothing(portal, debtor_account, db, agency, data):
    before = actions(db, agency)
    response = portal.sign_in(**{"reference": debtor_account.external_ref, **data})
    assert response.status_code == 422 and actions(db, agency) == before


def test_a_nul_byte_is_refused_before_anything_is_read(portal, debtor_account):
    assert portal.sign_in(debtor_account.external_ref, last_name="Lo\x00pez").status_code == 400


def test_staff_create_a_link_from_the_account_page_and_it_signs_the_debtor_in(
    web, admin, portal, debtor_account, db, agency
):
    web.login(admin)
    response = web.post(f"/accounts/{debtor_account.id}/portal-link")
    assert response.status_code == 303
    link = db.session.scalars(select(PortalLink).where(PortalLink.account_id == debtor_account.id)).one()
    page = web.get(f"/accounts/{debtor_account.id}").get_data(as_text=True)
    url = f"/portal/{agency.slug}/link/{access.link_token(link)}"
    assert url in page and link.token_digest == crypto.token_digest(access.link_token(link))
    entered = web.get(url)
    assert entered.status_code == 303 and entered.location.endswith("/accounts/")
    assert debtor_account.external_ref in portal.get().get_data(as_text=True)


def test_a_collector_cannot_make_a_link_for_an_account_not_theirs(web, collector, debtor_account):
    web.login(collector)
    assert web.post(f"/accounts/{debtor_account.id}/portal-link").status_code == 404


def test_an_expired_link_is_refused_and_offers_the_facts_form(portal, admin, debtor_account, clock, db, agency):
    link = access.create_link(debtor_account.id, actor=admin)
    clock.advance(access.LINK_TTL)
    response = portal.get(f"/link/{access.link_token(link)}")
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert portal.cookie() is None and actions(db, agency)[-1] == "portal.sign_in_failed"


def test_a_tampered_link_is_a_404_like_any_missing_page(portal, admin, debtor_account):
    token = access.link_token(access.create_link(debtor_account.id, actor=admin))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert portal.get(f"/link/{tampered}").status_code == 404
    assert portal.get("/link/").status_code == 404
    assert portal.cookie() is None


def test_a_link_of_one_agency_opens_nothing_at_another(web, admin, debtor_account, foreign):
    token = access.link_token(access.create_link(debtor_account.id, actor=admin))
    assert web.get(f"/portal/{foreign.agency.slug}/link/{token}").status_code == 404


def test_the_session_ends_after_fifteen_idle_minutes(portal, debtor_account, clock):
    clock.freeze()
    portal.sign_in(debtor_account.external_ref)
    clock.advance(timedelta(minutes=14))
    assert portal.get().status_code == 200  # activity keeps it alive
    clock.advance(timedelta(minutes=15))
    assert portal.get().status_code == 200
    clock.advance(timedelta(minutes=15, seconds=1))
    response = portal.get()
    assert response.status_code == 303 and "note=ended" in response.location


def test_signing_out_ends_the_session_for_a_copied_cookie_too(portal, debtor_account, web):
    portal.sign_in(debtor_account.external_ref)
    token = portal.cookie().value
    assert portal.post("/sign-out").status_code == 303
    web.client.set_cookie("debtflow_portal", token, path="/portal/")
    assert portal.get().status_code == 303


def test_a_staff_session_grants_no_portal_access(web, admin, portal, debtor_account):
    web.login(admin)
    response = portal.get()
    assert response.status_code == 303 and "/accounts/" not in response.location


def test_a_portal_session_grants_no_staff_access(web, portal, debtor_account):
    portal.sign_in(debtor_account.external_ref)
    response = web.get(f"/accounts/{debtor_account.id}")
    assert response.status_code in (302, 303) and "/login" in response.location
    assert web.get("/api/v1/accounts/").status_code == 401


def test_a_staff_sign_in_in_the_same_browser_neither_ends_nor_narrows_the_portal_session(
    app_role, web, foreign, portal, debtor_account, db
):
    """Staff of another agency signing in beside the debtor: the portal keeps its own session, and on PostgreSQL
    (as the app's role, under row security) its requests stay scoped to the debtor's agency, not the staff one."""
    ref, account_id, staff_account_id = debtor_account.external_ref, debtor_account.id, foreign.account.id
    assert portal.sign_in(ref).status_code == 303
    web.login(foreign.admin)
    assert web.get(f"/accounts/{staff_account_id}").status_code == 200
    if app_role:  # the staff request's transaction ended there in production; here the test's one goes on
        db.session.execute(rls.SET_AGENCY, {"agency": ""})
    assert ref in portal.get().get_data(as_text=True)
    assert portal.get(f"/accounts/{account_id}").status_code == 200


@pytest.mark.parametrize("path", ["/", "/sign-out"], ids=["sign-in", "sign-out"])
def test_portal_forms_without_a_csrf_token_are_refused(portal, client, debtor_account, agency, path):
    portal.sign_in(debtor_account.external_ref)
    data = {"reference": debtor_account.external_ref, "last_name": "Lopez", "postal_code": "10001"}
    response = client.post(f"/portal/{agency.slug}{path}", data=data)
    assert response.status_code == 400
    assert portal.get().status_code == 200  # neither signed out nor signed in again by the forged post


def test_a_payment_without_a_csrf_token_is_refused(portal, client, debtor_account, agency, db):
    portal.sign_in(debtor_account.external_ref)
    response = client.post(f"/portal/{agency.slug}/accounts/{debtor_account.id}/pay", data={"amount": "5.00"})
    assert response.status_code == 400


def test_staff_see_the_link_and_the_debtors_sign_ins_on_the_timeline(portal, admin, debtor_account, db):
    link = access.create_link(debtor_account.id, actor=admin)
    portal.get(f"/link/{access.link_token(link)}")
    portal.forget()
    portal.sign_in(debtor_account.external_ref)
    stmt = select(Activity).where(Activity.account_id == debtor_account.id, Activity.kind == ActivityKind.PORTAL)
    entries = [(a.body, a.actor_id) for a in db.session.scalars(stmt.order_by(Activity.id))]
    assert entries[0][0].startswith("Portal link created (valid until ") and entries[0][1] == admin.id
    assert entries[1:] == [
        ("Debtor signed in to the portal with a link", None),
        ("Debtor signed in to the portal with their account details", None),
    ]
