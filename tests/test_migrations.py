"""The migrations build the schema from empty, match the models exactly, and downgrade cleanly."""

from contextlib import contextmanager
from datetime import date

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import Column, MetaData, Table, inspect, select, text
from sqlalchemy.schema import CreateColumn

from app import create_app
from app.accounts import services as account_services
from app.analytics.periods import Range, local_today
from app.auth.models import User
from app.config import test_config as make_test_config
from app.payments.services import refunds
from tests import factories as f
from tests.analytics.test_rollup import performance
from tests.conftest import own_database, session_on
from tests.payments.helpers import key, pay


@pytest.fixture
def empty_database(tmp_path):
    with own_database(tmp_path, "fresh") as url:
        yield url


def test_upgrade_from_empty_matches_models_and_downgrades(empty_database):
    from app.extensions import db

    app = create_app(make_test_config(empty_database))
    with app.app_context():
        upgrade()
        check()  # raises (SystemExit) when the models and the migrated schema differ
        assert {"accounts", "audit_events", "debtors", "users"} <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


LATER_TABLES = ("webhook_endpoints", "webhook_deliveries")  # read by services an old revision's history uses
# Read by the payment services' receivers (app.plans), created bare: their keys name tables and unique keys an old
# revision lacks.
BARE_LATER_TABLES = ("plans", "instalments", "instalment_allocations")


@contextmanager
def later_columns(engine, metadata):
    """Add the columns that later revisions give to the tables already there, and the tables the services read
    that later revisions create (webhook endpoints); drop them all again after.

    The services load and write whole rows of today's models, so writing history at an old revision needs the
    columns added since (all nullable or with a server default); the upgrade then adds them for real.
    """
    added = []
    with engine.begin() as conn:
        inspector = inspect(conn)
        missing = [t for t in metadata.sorted_tables if t.name in LATER_TABLES and not inspector.has_table(t.name)]
        metadata.create_all(conn, tables=missing)
        bare = [
            _bare(t) for t in metadata.sorted_tables if t.name in BARE_LATER_TABLES and not inspector.has_table(t.name)
        ]
        for table in bare:
            table.create(conn)
        for table in (t for t in metadata.sorted_tables if inspector.has_table(t.name)):
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in (c for c in table.columns if c.name not in present):
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
                added.append((table.name, column.name))
    yield
    with engine.begin() as conn:
        for table, column in added:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        metadata.drop_all(conn, tables=missing)
        for table in reversed(bare):
            table.drop(conn)


def _bare(table: Table) -> Table:
    """A copy of ``table`` with its columns alone: no foreign keys, constraints or indexes."""
    columns = (Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in table.columns)
    return Table(table.name, MetaData(), *columns)


def _write_history(session):
    """Notes, payments, a partial and a full refund, a reassignment and a settlement, written before 0006."""
    agency = f.AgencyFactory()
    admin = f.AdminFactory(agency=agency)
    ann, bob = (f.CollectorFactory(agency=agency, full_name=name) for name in ("Ann", "Bob"))
    a = f.walk_to(f.AccountFactory(agency=agency, original_amount=900), f.Status.IN_CONTACT, admin=admin, collector=ann)
    b = f.walk_to(f.AccountFactory(agency=agency, original_amount=200), f.Status.IN_CONTACT, admin=admin, collector=bob)
    account_services.add_note(a.id, "called", actor=ann)
    first, second = pay(a, "100.00", admin), pay(a, "300.00", admin)
    refunds.refund_payment(first.id, "100.00", "bounced", key(), actor=admin)
    refunds.refund_payment(second.id, "50.00", "goodwill", key(), actor=admin)
    account_services.assign_collector(a.id, bob.id, actor=admin)
    pay(b, "200.00", admin)  # settles b
    session.commit()
    return admin.id


def test_upgrade_to_0006_backfills_the_collector_rollups(empty_database):
    """History written before migration 0006 is in its rollups right after the upgrade (PostgreSQL; SQLite is live)."""
    from app.extensions import db

    app = create_app(make_test_config(empty_database))
    with app.app_context():
        upgrade(revision="0005_import_batches")
        with later_columns(db.engine, db.metadata), session_on(db.engine) as session:
            admin_id = _write_history(session)
        upgrade()
        with session_on(db.engine) as session:
            admin = session.get(User, admin_id)
            every_day, today = Range(date(2000, 1, 1), date(2200, 1, 1)), local_today(admin.agency.timezone)
            for rng in (every_day, Range(today, today)):
                assert performance(admin, rng) == performance(admin, rng, live=True)
            # assigned, contacted, paying: Ann a, a, a (one refund was partial); Bob b and a, none, b
            assert [row[1:4] for row in performance(admin, every_day)] == [(1, 1, 1), (2, 0, 1)]
        db.engine.dispose()


def _write_secrets_before_0017(session, app) -> dict:
    """A Fernet SSN, a plain pay-link token and an unkeyed (SHA-256) audit event, as they were before 0017."""
    from cryptography.fernet import Fernet
    from sqlalchemy import update

    from app.audit import services as audit
    from app.audit.models import AuditChainHead, AuditEvent
    from app.debtors.models import Debtor
    from app.payments.models import Payment

    agency = f.AgencyFactory()
    admin = f.AdminFactory(agency=agency)
    account = f.AccountFactory(agency=agency, original_amount=900)
    payment = pay(account, "10.00", admin)
    fernet = Fernet(app.config["ENCRYPTION_KEYS"][0].encode()).encrypt(b"1234").decode()
    session.execute(update(Debtor).where(Debtor.id == account.debtor_id).values(ssn_last4_encrypted=fernet))
    session.execute(update(Payment).where(Payment.id == payment.id).values(pay_token="plain-token-from-before"))
    head = session.get(AuditChainHead, agency.id)
    legacy = AuditEvent(agency_id=agency.id, action="legacy.event", entity_type="agency", entity_id="1", changes={},
                        created_at=payment.created_at, prev_hash=head.last_hash)  # fmt: skip
    legacy.hash = audit.event_hash(legacy, keyed=False)
    session.add(legacy)
    session.flush()
    head.last_hash, head.last_event_id = legacy.hash, legacy.id
    session.commit()
    return {"agency": agency.id, "debtor": account.debtor_id, "payment": payment.id, "legacy": legacy.id}


def test_upgrade_to_0017_binds_secrets_hashes_pay_tokens_and_marks_the_legacy_chains(empty_database):
    from app import crypto
    from app.audit.models import AuditLegacyBoundary
    from app.audit.verify import verify_chain
    from app.debtors.models import Debtor
    from app.extensions import db
    from app.payments.models import Payment
    from app.payments.services.stripe_payments import get_pay_page

    app = create_app(make_test_config(empty_database))
    with app.app_context():
        upgrade(revision="0015_login_security")  # the revision before 0017
        with later_columns(db.engine, db.metadata), session_on(db.engine) as session:
            ids = _write_secrets_before_0017(session, app)
        upgrade()
        with session_on(db.engine) as session:
            debtor = session.get(Debtor, ids["debtor"])
            assert debtor.ssn_last4_encrypted.startswith("v2.") and debtor.masked_ssn == "***-**-1234"
            assert session.get(Payment, ids["payment"]).pay_token == crypto.token_digest("plain-token-from-before")
            assert get_pay_page("plain-token-from-before").payment.id == ids["payment"]
            assert session.get(AuditLegacyBoundary, ids["agency"]).last_legacy_event_id == ids["legacy"]
            assert verify_chain(ids["agency"]).ok
        db.engine.dispose()


def test_upgrade_to_0032_copies_every_account_for_the_search(empty_database):
    """Accounts written before migration 0032 are found by the search right after it (PostgreSQL searches the
    copy in ``account_search`` that 0032 fills; SQLite searches the accounts themselves)."""
    from app.accounts.models import Account
    from app.accounts.worklist_filters import CONDITIONS, like_pattern
    from app.extensions import db

    app = create_app(make_test_config(empty_database))
    with app.app_context():
        upgrade(revision="0031_reminders")
        with session_on(db.engine) as session:
            agency = f.AgencyFactory()
            ref = f.AccountFactory(agency=agency, debtor=f.DebtorFactory(agency_id=agency.id, full_name="Zed Quill"))
            ref = ref.external_ref
            session.commit()
        upgrade()
        with session_on(db.engine) as session:
            found = select(Account.external_ref).where(CONDITIONS["pattern"](Account, like_pattern("quill")))
            assert session.scalars(found).all() == [ref]
        db.engine.dispose()
