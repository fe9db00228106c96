"""The debtor's contact preferences in the portal, and the contact guard obeying them at once."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.compliance import guard
from app.compliance.models import ConsumerRequest, InconvenientTime, RequestKind
from app.extensions import db

MONDAY_NOON_NY = datetime(2027, 1, 4, 17, 30, tzinfo=UTC)  # Monday 12:30 in New York (the debtor's ZIP 10001)
EMAIL = "maria@example.com"


@pytest.fixture
def signed_in(portal, debtor_account):
    debtor_account.debtor.email = EMAIL
    db.session.commit()
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    return portal


def rules(account, channel: str, **point) -> set[str]:
    return {r.rule for r in guard.check(account, channel, MONDAY_NOON_NY, **point).reasons}


def form(**changes) -> dict:
    data = {f"spans-{i}-{part}": "" for i in range(4) for part in ("weekday", "starts", "ends")}
    return data | changes


def test_preferences_change_what_the_guard_allows(signed_in, debtor_account, agency):
    assert rules(debtor_account, "call") == set() and rules(debtor_account, "email", email=EMAIL) == set()
    data = form(**{"spans-0-weekday": "0", "spans-0-starts": "12:00", "spans-0-ends": "13:00"})
    data |= {"no_calls_at_work": "y", "email_opt_out": EMAIL}
    response = signed_in.post("/preferences", data)
    assert response.status_code == 303 and "note=saved" in response.location
    assert "inconvenient_time" in rules(debtor_account, "call")
    assert "opted_out" in rules(debtor_account, "email", email=EMAIL)
    assert debtor_account.debtor.no_calls_at_work is True
    changed = select(AuditEvent.action, AuditEvent.changes).where(AuditEvent.agency_id == agency.id)
    events = {action: changes for action, changes in db.session.execute(changed)}
    assert events["debtor.preferences_changed"]["via"] == "portal" and "contact_point.added" in events
    page = signed_in.get("/preferences?note=saved").get_data(as_text=True)
    assert "Your preferences are saved." in page and 'value="12:00"' in page and "checked" in page


def test_opting_back_in_and_clearing_the_times(signed_in, debtor_account):
    signed_in.post(
        "/preferences",
        form(**{"spans-1-weekday": "4", "spans-1-starts": "09:00", "spans-1-ends": "17:00"}, email_opt_out=EMAIL),
    )
    assert signed_in.post("/preferences", form()).status_code == 303
    assert rules(debtor_account, "email", email=EMAIL) == set()
    assert not db.session.scalars(
        select(InconvenientTime).where(InconvenientTime.debtor_id == debtor_account.debtor_id)
    ).all()


@pytest.mark.parametrize(
    "changes",
    [
        {"spans-0-weekday": "9", "spans-0-starts": "12:00", "spans-0-ends": "13:00"},
        {"spans-0-weekday": "0", "spans-0-starts": "13:00", "spans-0-ends": "12:00"},
        {"spans-0-weekday": "0", "spans-0-starts": "12:00"},
        {"spans-0-weekday": "0", "spans-0-starts": "25:00", "spans-0-ends": "26:00"},
        {"email_opt_out": "someone-else@example.com"},
        {"spans-0-weekday": "0\x00"},
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(signed_in, debtor_account, changes):
    response = signed_in.post("/preferences", form(**changes))
    assert response.status_code in (400, 422)
    assert rules(debtor_account, "call") == set() and not debtor_account.debtor.no_calls_at_work


def test_a_request_to_stop_contact_blocks_every_call(signed_in, debtor_account):
    response = signed_in.post(f"/accounts/{debtor_account.id}/dispute", {"kind": "cease"})
    assert response.status_code == 303
    [request] = db.session.scalars(select(ConsumerRequest).where(ConsumerRequest.account_id == debtor_account.id))
    assert request.kind == RequestKind.CEASE and request.written
    assert "cease" in rules(debtor_account, "call")


def test_the_page_is_in_spanish_too(signed_in):
    page = signed_in.get("/preferences?lang=es").get_data(as_text=True)
    assert "Cómo nos comunicamos con usted" in page and "Lunes" in page and "No enviar más correos a" in page
