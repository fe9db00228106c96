"""The compliance dashboard: blocked attempts by rule this week (from the guard's audit events), open disputes
with their SLA, accounts on hold, state rules in force; each list as CSV; admins only, one agency's data."""

from datetime import timedelta

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.compliance import dashboard
from app.compliance.documents import store
from app.compliance.models import StateRule, ValidationNotice
from app.extensions import db
from tests import factories as f
from tests.compliance.conftest import dispute, set_policy, today
from tests.compliance.notices_support import NOW, TODAY, converse, freeze_today
from tests.exports import csv_rows


def blocked(agency_id: int, *rules: str) -> None:
    """A refused attempt as the contact guard audits it."""
    changes = {"channel": "call", "at": "2026-01-01T00:00:00+00:00", "rules": list(rules), "reasons": []}
    audit.record(None, agency_id, "contact.blocked", "account", 1, changes)
    db.session.commit()


def test_blocked_attempts_are_counted_by_rule_this_week_only(admin, agency, foreign, clock):
    clock.advance(-timedelta(days=8))
    blocked(agency.id, "call_frequency")  # last week
    clock.reset()
    blocked(agency.id, "call_frequency", "time_of_day")
    blocked(agency.id, "call_frequency")
    blocked(agency.id, "cease")
    blocked(foreign.agency.id, "cease")
    counts = dashboard.blocked_by_rule(admin, dashboard.week_start(admin))
    assert counts == [("call_frequency", 2), ("cease", 1), ("time_of_day", 1)]


def test_the_dashboard_shows_each_list_of_the_agency(login, admin, collector, working, agency, foreign):
    blocked(agency.id, "hold")
    late = dispute(working, collector, received_on=today(working) - timedelta(days=31))
    set_policy(agency, hold_oral_disputes=False)
    dispute(working, collector, kind="original_creditor", channel="phone", upload=None)
    dispute(foreign.account, foreign.admin)
    db.session.add_all(
        [
            StateRule(
                agency_id=agency.id,
                state="MA",
                channels="call,sms",
                point_kinds="home,cell",
                max_count=2,
                window_days=7,
                citation="940 CMR 7.04(1)(f)",
            ),
            StateRule(agency_id=agency.id, state="ZZ", max_count=1, window_days=1, active=False),
            StateRule(agency_id=foreign.agency.id, state="WA", max_count=3, window_days=7),
        ]
    )
    db.session.commit()
    page = login(admin).get("/compliance/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/compliance/"' in html
    assert '<td>Hold</td><td class="num">1</td>' in html
    assert "Open disputes (2)" in html and "Overdue by 1 d" in html and late.received_on.isoformat() in html
    assert "Accounts on hold (1)" in html and working.external_ref in html
    assert foreign.account.external_ref not in html
    assert "940 CMR 7.04(1)(f)" in html and "<td>ZZ</td>" not in html and "<td>WA</td>" not in html


def test_each_list_downloads_as_csv_and_the_export_is_audited(login, admin, collector, working, agency):
    blocked(agency.id, "attorney")
    req = dispute(working, collector)
    db.session.add(StateRule(agency_id=agency.id, state="MA", max_count=2, window_days=30, point_kinds="work"))
    db.session.commit()
    web = login(admin)
    assert csv_rows(web.get("/compliance/blocked.csv")) == [{"rule": "attorney", "blocked_attempts_this_week": "1"}]
    [row] = csv_rows(web.get("/compliance/disputes.csv"))
    assert row["account"] == working.external_ref and row["hold"] == "yes" and row["sla"] == "open"
    assert row["verification_due"] == (req.received_on + timedelta(days=30)).isoformat()
    [held] = csv_rows(web.get("/compliance/holds.csv"))
    assert held == {
        "account": working.external_ref,
        "status": "disputed",
        "balance": "1000.00",
        "held_since": req.received_on.isoformat(),
        "open_holds": "1",
    }
    [rule] = csv_rows(web.get("/compliance/state-rules.csv"))
    assert rule["state"] == "MA" and rule["point_kinds"] == "work" and rule["window_days"] == "30"
    assert web.get("/compliance/nothing.csv").status_code == 404
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.agency_id == agency.id))]
    assert "compliance_state_rules.exported" in actions and "compliance_disputes.exported" in actions


def test_collectors_do_not_see_the_dashboard(login, collector):
    web = login(collector)
    assert web.get("/compliance/").status_code == 403
    assert web.get("/compliance/disputes.csv").status_code == 403


def test_notices_due_and_overdue_are_listed_and_exported(login, admin, agency, foreign, clock):
    freeze_today()
    overdue, due, sent = (f.AccountFactory(agency=agency) for _ in range(3))
    converse(overdue, NOW - timedelta(days=7))
    converse(due, NOW - timedelta(days=2))
    converse(foreign.account, NOW - timedelta(days=7))
    converse(sent, NOW - timedelta(days=7))
    db.session.add(
        ValidationNotice(
            agency_id=agency.id,
            account_id=sent.id,
            sent_on=TODAY,
            channel="mail",
            language="en",
            period_ends=TODAY + timedelta(days=35),
            document_id=document(sent),
        )
    )
    db.session.commit()
    web = login(admin)
    html = web.get("/compliance/").get_data(as_text=True)
    assert "Validation notices due or overdue (2)" in html and "Overdue by 2 d" in html and "3 d left" in html
    assert foreign.account.external_ref not in html and sent.external_ref not in html
    rows = csv_rows(web.get("/compliance/notices.csv"))
    assert [(r["account"], r["state"], r["days_left"], r["days_overdue"]) for r in rows] == [
        (overdue.external_ref, "overdue", "0", "2"),
        (due.external_ref, "due", "3", "0"),
    ]


def document(account) -> int:
    return store(account, b"%PDF-1.4 sent", "notice.pdf", "application/pdf").id
