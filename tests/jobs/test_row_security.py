"""Work without a signed-in user, run as the app's role under row-level security (``app_role``; on SQLite the
same flows without it): an import job scopes itself to its agency, the cross-agency jobs and the CLI run
unscoped (the policies let an unset scope through), and none of them is refused a row it needs."""

from datetime import timedelta
from decimal import Decimal

import stripe
from sqlalchemy import func, select, text

from app.accounts.models import Account
from app.extensions import db
from app.imports.models import JobStatus
from app.payments.models import PaymentStatus
from app.payments.services import stripe_payments
from app.queue import enqueue
from app.timeutil import utcnow
from tests.jobs.test_imports import refs_of, upload
from tests.payments.helpers import balance, key
from tests.stripe_server import SECRET_KEY


def still_the_app_role(app_role) -> bool:
    return app_role is None or db.session.scalar(select(func.current_user())) == app_role


def test_an_import_job_run_by_the_worker_imports_into_its_agency(app_role, agency, admin, foreign, run_worker):
    job = upload(agency, admin)
    run_worker()
    db.session.refresh(job)
    assert job.status == JobStatus.COMPLETED_WITH_ERRORS and refs_of(agency) == ["J1", "J2"]
    assert still_the_app_role(app_role)


def test_the_reconciliation_job_settles_a_payment_unscoped(
    app_role, card_payments, assigned_account, collector, foreign, run_worker
):
    payment = stripe_payments.request_card_payment(assigned_account.id, "100.00", key(), actor=collector)
    payment.created_at = utcnow() - timedelta(minutes=31)
    debtor = stripe.StripeClient(SECRET_KEY, base_addresses={"api": card_payments})
    debtor.v1.payment_intents.update(payment.processor_ref, params={"payment_method": "pm_card_visa"})
    debtor.v1.payment_intents.confirm(payment.processor_ref)
    enqueue("jobs.payments.reconcile_pending_payments")
    run_worker()
    assert payment.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")
    assert still_the_app_role(app_role)


def test_the_checkpoint_job_and_the_cli_see_every_agency(
    app, app_role, assigned_account, foreign, tmp_path, monkeypatch
):
    from app.audit.checkpoint import load_checkpoint
    from jobs.audit import write_audit_checkpoint

    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_DIR", str(tmp_path))
    heads = load_checkpoint(write_audit_checkpoint())
    assert {assigned_account.agency_id, foreign.agency.id} <= set(heads)
    runner = app.test_cli_runner()
    verified = runner.invoke(args=["audit", "verify", "--agency", foreign.agency.slug])
    assert verified.exit_code == 0 and "OK" in verified.output
    swept = runner.invoke(args=["jobs", "sweep"])
    assert swept.exit_code == 0, swept.output
    assert db.session.scalar(text("SELECT count(*) FROM accounts")) >= 2  # unscoped: both agencies' accounts
    assert db.session.scalar(select(func.count()).select_from(Account)) >= 2
    assert still_the_app_role(app_role)
