"""The trigger SQL in ``app/pg/sql`` is what the database runs, and its shared values are the Python ones.

On PostgreSQL the installed function bodies must equal today's rendering of the files, and each shared value
is checked by behaviour (a payment in each status, an account in each status, the detail keys the services
write). SQLite has no such triggers: there the same behavioural checks run against the live aggregation,
which reads the same Python definitions, and the rendering itself is checked.
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from app.accounts import services as account_services
from app.accounts.models import Activity, ActivityDetail, ActivityKind
from app.accounts.states import OPEN_STATUSES, Status
from app.analytics import queries, rollup
from app.analytics.models import CollectorPaymentDay, PaymentDay
from app.analytics.periods import Range, local_today
from app.payments.models import APPLIED_STATUSES, Payment, PaymentMethod, PaymentStatus
from app.pg import rls, triggers
from app.timeutil import utcnow
from tests import factories as f
from tests.factories import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
INSTALLED_FUNCTIONS = """
SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'public'::regnamespace AND l.lanname IN ('plpgsql', 'sql')
"""
INSTALLED_TRIGGERS = "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"


def test_installed_functions_are_todays_rendering(is_postgres):
    if not is_postgres:
        assert triggers.functions() and all("{{" not in body for body in triggers.functions().values())
        return
    # Besides the triggers' functions: row-level security's setting reader (migration 0019, app.pg.rls).
    expected = triggers.functions() | {rls.FUNCTION_NAME: rls.FUNCTION_BODY}
    assert dict(db.session.execute(text(INSTALLED_FUNCTIONS)).all()) == expected


def test_installed_triggers_are_the_files_triggers(is_postgres):
    rendered = triggers.triggers()
    called = {s.rsplit("EXECUTE FUNCTION ", 1)[1].rstrip("()") for s in triggers.statements() if "TRIGGER" in s[:30]}
    assert called <= set(triggers.functions())  # every trigger runs a function of the files
    if is_postgres:
        assert set(db.session.execute(text(INSTALLED_TRIGGERS)).all()) == rendered


def test_the_newest_installing_migration_records_todays_rendering():
    """A changed .sql file or shared enum fails here until a new migration installs the triggers again."""
    recorded = next(
        s.module.TRIGGERS_FINGERPRINT
        for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()
        if hasattr(s.module, "TRIGGERS_FINGERPRINT")
    )
    assert recorded == triggers.fingerprint(), "add a migration that calls app.pg.triggers.install (decisions.md)"


def test_every_statement_replaces_and_every_placeholder_is_filled():
    for statement in triggers.statements():
        assert statement.startswith("CREATE OR REPLACE ") and "{{" not in statement
    assert "status IN ('completed', 'partially_refunded', 'refunded')" in triggers.render("payment_rollups")


def test_literals_are_quoted_and_refused_where_unsafe():
    assert triggers.literal("it's") == "'it''s'"
    assert triggers.literal([Status.NEW, Status.CLOSED]) == "'new', 'closed'"
    assert triggers.literal(date(1, 1, 1)) == "DATE '0001-01-01'"
    with pytest.raises(ValueError):
        triggers.literal("$$; DROP TABLE accounts; $$")


def _payment(account, collector, status: PaymentStatus) -> Payment:
    """A payment written straight to the table, as any writer might, completed now and credited to ``collector``."""
    payment = Payment(
        agency_id=account.agency_id,
        account_id=account.id,
        amount=Decimal("100.00"),
        method=PaymentMethod.CHECK,
        status=status,
        idempotency_key=f"status-{status}",
        collector_id=collector.id,
        commission_amount=Decimal("10.00"),
        completed_at=utcnow() - timedelta(minutes=5),
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _today(admin) -> Range:
    today = local_today(admin.agency.timezone)
    return Range(today, today)


def _collector_row(admin, collector):
    return next(r for r in queries.get_collector_performance(admin, _today(admin)) if r.collector.id == collector.id)


@pytest.mark.parametrize("status", list(PaymentStatus))
def test_a_payment_counts_in_the_rollups_iff_its_status_is_applied(status, account, admin, collector, is_postgres):
    _payment(account, collector, status)
    applied = status in APPLIED_STATUSES
    for rebuilt in (False, True):  # as the triggers keep them, and as payment_days_rebuild re-derives them
        if rebuilt:
            rollup.rebuild_local_days(account.agency_id)
        db.session.expire_all()
        assert queries.get_dashboard_figures(admin).collected_all == (Decimal("100.00") if applied else 0)
        row = _collector_row(admin, collector)
        assert (row.paying, row.collected, row.commission) == ((1, 100, 10) if applied else (0, 0, 0))
        if is_postgres:
            days = db.session.scalars(select(PaymentDay.payments).where(PaymentDay.agency_id == account.agency_id))
            money = select(CollectorPaymentDay.net).where(CollectorPaymentDay.agency_id == account.agency_id)
            assert (sum(days), sum(db.session.scalars(money))) == ((1, 100) if applied else (0, 0))


@pytest.mark.parametrize("status", list(Status))
def test_an_account_counts_as_open_in_the_rollups_iff_its_status_is_open(status, agency, admin):
    account = f.AccountFactory(agency=agency, due_date=local_today(agency.timezone) - timedelta(days=10))
    account.status = status  # straight to the table: every status, whatever path leads there
    db.session.flush()
    opened = status in OPEN_STATUSES
    db.session.expire_all()
    assert sum(row.count for row in queries.get_aging(admin)) == int(opened)
    figures = queries.get_dashboard_figures(admin)
    assert (figures.active_accounts, figures.by_status) == (int(opened), {status: 1})


def test_the_detail_keys_the_services_write_are_the_ones_the_rollups_read(account, admin, collector):
    f.walk_to(account, Status.SETTLED, admin=admin, collector=collector)
    entries = db.session.scalars(select(Activity).where(Activity.account_id == account.id)).all()
    assert [e.details[ActivityDetail.NEW] for e in entries if e.kind == ActivityKind.ASSIGNMENT] == [collector.id]
    assert Status.SETTLED in [e.details[ActivityDetail.NEW] for e in entries if e.kind == ActivityKind.STATUS_CHANGE]
    row = _collector_row(admin, collector)
    assert (row.assigned, row.settled) == (1, 1)


def test_an_assignment_without_the_new_key_credits_nobody(account, admin, collector):
    account_services.add_timeline_entry(account, ActivityKind.ASSIGNMENT, "by hand", admin, to=collector.id)
    db.session.flush()
    assert _collector_row(admin, collector).assigned == 0
