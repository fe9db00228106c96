"""The demo's drop folder: three sample files that import with exactly one bad row on "Check now"."""

from sqlalchemy import func, select

from app.accounts.models import Account
from app.agencies.models import Agency
from app.compliance.models import Itemization
from app.demo import seed_demo
from app.extensions import db
from app.imports.models import ImportJob, ImportSource, JobStatus
from app.imports.services import sources
from tests.imports.conftest import errors_of


def test_demo_check_now_imports_the_three_sample_files(app):
    seed_demo()
    agency = db.session.scalars(select(Agency).where(Agency.slug == "apex-recovery")).one()
    source = db.session.scalars(select(ImportSource).where(ImportSource.agency_id == agency.id)).one()
    admin = next(u for u in agency_users(agency) if u.is_admin)
    seeded = db.session.scalars(select(ImportJob.id).where(ImportJob.agency_id == agency.id)).all()  # its history
    sources.check_now(source, actor=admin)
    new = select(ImportJob).where(ImportJob.agency_id == agency.id, ImportJob.id.not_in(seeded))
    jobs = db.session.scalars(new.order_by(ImportJob.id)).all()
    assert len(jobs) == 3
    assert sum(j.created for j in jobs) == 29 and sum(j.errors for j in jobs) == 1
    bad = next(j for j in jobs if j.errors)
    assert bad.status == JobStatus.COMPLETED_WITH_ERRORS
    assert [line for line, _, _ in errors_of(bad)] == [6, 6, 6]
    sources.check_now(source, actor=admin)  # nothing new: the files were moved to processed/
    assert len(db.session.scalars(new).all()) == 3


def test_the_demo_refresh_files_carry_itemizations_but_for_every_tenth_account(app):
    seed_demo()
    agency = db.session.scalars(select(Agency).where(Agency.slug == "apex-recovery")).one()
    count = select(func.count()).where(Account.agency_id == agency.id)
    accounts = db.session.scalar(count.select_from(Account))
    itemized = db.session.scalar(count.select_from(Itemization).join(Account, Account.id == Itemization.account_id))
    assert 0 < accounts - itemized < accounts // 5


def agency_users(agency):
    from app.auth.models import User

    return db.session.scalars(select(User).where(User.agency_id == agency.id)).all()
