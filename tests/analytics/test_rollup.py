"""On PostgreSQL the dashboard reads trigger-kept rollups: they must equal the live aggregates after every write."""

from dataclasses import asdict
from datetime import date

from sqlalchemy import select

from app.accounts import services as account_services
from app.agencies import services as agency_services
from app.agencies.models import Agency
from app.analytics import queries
from app.analytics.periods import Range
from app.auth.models import Role, User
from app.demo import seed_demo
from app.payments.services import refunds
from tests import factories as f
from tests.factories import db
from tests.imports.conftest import import_csv  # noqa: F401  (fixture)
from tests.payments.helpers import key, pay

CSV = "external_ref,debtor_name,original_amount,debtor_email,due_date,creditor_name\n"


def assert_exact(admin):
    db.session.expire_all()
    assert asdict(queries.get_dashboard_figures(admin)) == asdict(queries.get_dashboard_figures(admin, live=True))
    assert queries.get_aging(admin) == queries.get_aging(admin, live=True)


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
