"""On PostgreSQL the dashboard reads trigger-kept rollups: they must equal the live aggregates after every write.

(On SQLite both sides are live, so there the tests only check that every write path runs.)
"""

from dataclasses import asdict
from datetime import date, timedelta

from sqlalchemy import select, update

from app.accounts import services as account_services
from app.accounts.models import Activity, ActivityKind
from app.agencies.models import Agency
from app.analytics import queries
from app.analytics.periods import Range
from app.auth.models import Role, User
from app.demo import seed_demo
from app.payments.models import Payment
from app.payments.services import refunds
from app.settings import services as agency_services
from app.timeutil import utcnow
from tests import factories as f
from tests.factories import db
from tests.imports.conftest import import_csv  # noqa: F401  (fixture)
from tests.payments.helpers import key, pay

CSV = "external_ref,debtor_name,original_amount,debtor_email,due_date,creditor_name\n"
# Collector performance periods, as (first, last) days before today: single days, ranges that cut an account's
# events in two, the default 30 days, and more than a year.
PERIODS = ((0, 0), (1, 1), (3, 0), (5, 3), (6, 2), (12, 4), (29, 0), (13, 12), (400, 0))


def assert_exact(admin):
    db.session.expire_all()
    assert asdict(queries.get_dashboard_figures(admin)) == asdict(queries.get_dashboard_figures(admin, live=True))
    assert queries.get_aging(admin) == queries.get_aging(admin, live=True)
    today = queries.periods.local_today(admin.agency.timezone)
    for first, last in PERIODS:
        rng = Range(today - timedelta(days=first), today - timedelta(days=last))
        assert performance(admin, rng) == performance(admin, rng, live=True), rng


def performance(admin, rng, live=False):
    """Every figure of every collector row, in a comparable form."""
    rows = queries.get_collector_performance(admin, rng, live=live)
    fields = ("assigned", "contacted", "paying", "converted", "collected", "settled", "commission")
    return [(r.collector.id, *(getattr(r, n) for n in fields), r.avg_days_to_first_payment) for r in rows]


def days_ago(days: int, model, *where):
    """Move rows back in time (raw SQL, as any writer might): activities by creation, payments by completion."""
    if days:
        column = model.completed_at if model is Payment else model.created_at
        db.session.execute(update(model).where(*where).values({column: utcnow() - timedelta(days=days, hours=1)}))


def trend(admin):
    today = queries.periods.local_today(admin.agency.timezone)
    points = queries.get_payment_trend(admin, Range(date(today.year, 1, 1), today), "day")
    return {p.start: (p.net, p.count) for p in points if p.count}


def test_rollups_are_exact_right_after_each_payment_refund_and_import(import_csv, agency, admin, collector):  # noqa: F811
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.IN_CONTACT, admin=admin, collector=collector)
    assert_exact(admin)
    payment = pay(account, "250.00", admin)
    assert_exact(admin)
    refunds.refund_payment(payment.id, "50.00", "partial", key(), actor=admin)
    assert_exact(admin)
    pay(account, "750.00", admin)  # the rest: the account settles
    assert_exact(admin)
    import_csv(agency, CSV + "R1,Ann Lee,1000.00,ann@example.com,2026-01-31,Acme\nR2,Bo Li,300.00,,,Acme\n")
    assert_exact(admin)
    import_csv(agency, CSV + "R1,Ann Lee,1200.00,ann@example.com,,Acme\n")  # placed amount moves, due date goes
    assert_exact(admin)
    figures = queries.get_dashboard_figures(admin)
    assert (figures.placed, figures.collected_all) == (f.Decimal("2500.00"), f.Decimal("950.00"))


def test_rollups_follow_status_changes_and_a_timezone_change(agency, admin, collector, other_collector):
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    pay(account, "100.00", admin)
    account_services.change_status(account.id, "closed", actor=admin)
    assert_exact(admin)
    before = trend(admin)
    agency_services.update_profile(
        {"name": agency.name, "timezone": "Pacific/Kiritimati", "currency": "USD"}, actor=admin
    )
    assert_exact(admin)
    assert sum(n for _, n in trend(admin).values()) == sum(n for _, n in before.values()) == 1


def test_rollups_stay_exact_through_a_demo_seed_and_reset():
    seed_demo()
    seed_demo(reset=True)
    for agency_id in db.session.scalars(select(Agency.id)):
        admin = db.session.scalars(select(User).where(User.agency_id == agency_id, User.role == Role.ADMIN)).first()
        if admin is not None:
            assert_exact(admin)


def _latest(account, kind):
    return (
        Activity.id
        == db.session.scalars(
            select(Activity.id)
            .where(Activity.account_id == account.id, Activity.kind == kind)
            .order_by(Activity.id.desc())
        ).first()
    )


def test_collector_rollups_are_exact_after_notes_payments_refunds_and_assignments(
    agency, admin, collector, other_collector
):
    a = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=1000), f.Status.IN_CONTACT, admin=admin, collector=collector
    )
    days_ago(12, Activity, Activity.account_id == a.id)  # assigned 12 days ago
    assert_exact(admin)
    for back in (5, 3, 0):  # notes on three days, the last one today
        account_services.add_note(a.id, "called", actor=collector)
        days_ago(back, Activity, _latest(a, ActivityKind.NOTE))
        assert_exact(admin)
    first = pay(a, "100.00", admin)
    days_ago(6, Payment, Payment.id == first.id)
    assert_exact(admin)
    second = pay(a, "200.00", admin)
    assert_exact(admin)
    refunds.refund_payment(second.id, "50.00", "partial", key(), actor=admin)
    assert_exact(admin)
    refunds.refund_payment(first.id, "100.00", "in full", key(), actor=admin)  # the first paid day is gone
    assert_exact(admin)
    account_services.assign_collector(a.id, other_collector.id, actor=admin)
    days_ago(2, Activity, _latest(a, ActivityKind.ASSIGNMENT))
    assert_exact(admin)
    account_services.assign_collector(a.id, collector.id, actor=admin)  # back to the first collector, today
    pay(a, "100.00", admin)
    assert_exact(admin)
    rng = Range(*(queries.periods.local_today(agency.timezone) - timedelta(days=d) for d in (29, 0)))
    figures = {row[0]: row[1:] for row in performance(admin, rng)}
    assert figures[collector.id][:4] == (1, 1, 1, 1)  # assigned, contacted, paying, converted: one account each
    assert figures[collector.id][4] == f.Decimal("250.00")  # 0 (refunded in full) + 150 + 100 today


def test_collector_rollups_are_exact_after_settlements_reassignment_and_an_import(
    import_csv,  # noqa: F811
    agency,
    admin,
    collector,
    other_collector,
):
    a = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=500), f.Status.NEGOTIATING, admin=admin, collector=collector
    )
    b = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=300), f.Status.IN_CONTACT, admin=admin, collector=collector
    )
    account_services.change_status(a.id, "settled", actor=admin)
    days_ago(4, Activity, _latest(a, ActivityKind.STATUS_CHANGE))
    assert_exact(admin)
    pay(b, "300.00", admin)  # pays the balance: settles b
    assert_exact(admin)
    account_services.assign_collector(
        a.id, other_collector.id, actor=admin
    )  # a's settlement moves to the new collector
    assert_exact(admin)
    import_csv(agency, CSV + "R1,Ann Lee,1000.00,ann@example.com,2026-01-31,Acme\nR2,Bo Li,300.00,,,Acme\n")
    assert_exact(admin)
    imported = db.session.scalars(select(f.Account).where(f.Account.external_ref == "R1")).one()
    account_services.assign_collector(imported.id, other_collector.id, actor=admin)
    account_services.add_note(imported.id, "called", actor=other_collector)
    pay(imported, "1000.00", admin)
    assert_exact(admin)
    settled = {row[0]: row[6] for row in performance(admin, Range(date(2000, 1, 1), date(2100, 1, 1)))}
    assert settled == {collector.id: 1, other_collector.id: 2}  # b; a (moved over) and the imported account
