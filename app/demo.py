"""``flask seed-demo``: two demo agencies with staff, debtors, six months of account history and import jobs.

Everything random comes from ``random.Random(spec.seed)``, so every run builds the same data (timestamps are
the same offsets from the time of the run). The tables live in ``app.demo_data``, the portfolios are built by
``app.demo_portfolio``.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, select

from app import demo_data as data
from app.agencies.models import Agency
from app.audit import services as audit
from app.auth import passwords
from app.auth.models import Role, User, UserSession
from app.collectors.models import CollectorProfile
from app.compliance.state_rules import seed_state_rules
from app.demo_compliance import seed_compliance
from app.demo_followups import seed_follow_ups
from app.demo_portfolio import Run, build_portfolio
from app.errors import Conflict
from app.extensions import db
from app.imports.demo import seed_drop_folder
from app.imports.demo_files import run_demo_imports
from app.payments import demo as demo_payments
from app.timeutil import utcnow

# The agency and its staff predate the oldest placement, so every timeline starts after they exist.
AGENCY_AGE = timedelta(days=200)
# Reset cannot delete these: audit events are append-only and reference users (and so do their profiles).
# The analytics rollups and the search's copy are kept too: their triggers take the deleted accounts and payments
# out of them.
KEPT_ON_RESET = frozenset(
    {
        "users",
        "collector_profiles",
        "audit_events",
        "audit_chain_heads",
        "audit_legacy_boundaries",
        "account_totals",
        "payment_days",
        "open_due_dates",
        "collector_account_days",
        "collector_day_counts",
        "collector_payment_days",
        "account_search",
    }
)


def seed_demo(reset: bool = False) -> str:
    """Create the demo agencies (or rebuild them with ``reset``) in one transaction; return a summary."""
    hash_password = cache(passwords.hash_password)  # argon2id is slow: hash each distinct password once
    now = utcnow()
    lines = [_seed_agency(spec, reset, hash_password, now) for spec in data.AGENCIES]
    lines.append(seed_drop_folder(data.AGENCIES[0].slug, reset))
    db.session.commit()
    lines.append(_import_history(data.AGENCIES[0]))
    return _summary(lines)


def _import_history(spec: data.AgencySpec) -> str:
    """The agency's import jobs, by really importing its demo files (each run commits its own work)."""
    admin = db.session.scalars(select(User).where(User.username == spec.admin.username.lower())).one()
    return run_demo_imports(admin.agency_id, admin)


def _seed_agency(spec: data.AgencySpec, reset: bool, hash_password: Callable[[str], str], now: datetime) -> str:
    """Seed one agency unless it exists: then leave it alone, or rebuild it with ``reset``."""
    agency = db.session.scalars(select(Agency).where(Agency.slug == spec.slug)).first()
    if agency is not None and not reset:
        return f"{spec.name} ({spec.slug}): already present, left untouched (--reset rebuilds it)"
    if agency is None:
        agency, outcome = _create_agency(spec, now), "created"
    else:
        _reset_agency(agency, spec)
        outcome = "reset and rebuilt"
    admin = _upsert_user(agency, spec, spec.admin, Role.ADMIN, hash_password(data.ADMIN_PASSWORD))
    collector_hash = hash_password(data.COLLECTOR_PASSWORD)
    collectors = [_upsert_collector(agency, spec, staff, collector_hash) for staff in spec.collectors]
    run = Run(spec, agency, admin, collectors, random.Random(spec.seed), now)
    counts = {"users": 1 + len(collectors), **build_portfolio(run)}
    counts.update(demo_payments.seed_payments(agency.id, admin, run.rng, now))
    counts["follow_ups"] = seed_follow_ups(agency, collectors, now)
    counts.update(seed_compliance(agency, collectors, now))
    audit.record(None, agency.id, "demo.seeded", "agency", agency.id, counts)
    return f"{spec.name} ({spec.slug}): {outcome}, " + ", ".join(f"{n} {what}" for what, n in counts.items())


def _create_agency(spec: data.AgencySpec, now: datetime) -> Agency:
    """Insert the agency row, dated before the oldest account it will hold."""
    agency = Agency(slug=spec.slug, created_at=now - AGENCY_AGE)
    _apply_agency_profile(agency, spec)
    db.session.add(agency)
    db.session.flush()
    seed_state_rules(agency.id)
    return agency


def _apply_agency_profile(agency: Agency, spec: data.AgencySpec) -> None:
    """Set the agency's descriptive fields to the demo values."""
    agency.name, agency.license_number = spec.name, spec.license_number
    agency.timezone, agency.currency = spec.timezone, spec.currency
    agency.mfa_required = False  # the demo's printed logins work without a phone; real agencies start with it on


def _reset_agency(agency: Agency, spec: data.AgencySpec) -> None:
    """Delete the agency's data but keep the agency, its users and its audit trail; audit the reset."""
    deleted = _delete_agency_rows(agency.id)
    _apply_agency_profile(agency, spec)
    audit.record(None, agency.id, "demo.reset", "agency", agency.id, {f"deleted_{t}": n for t, n in deleted.items()})


def _delete_agency_rows(agency_id: int) -> dict[str, int]:
    """Delete the agency's sessions and every tenant-owned row outside ``KEPT_ON_RESET``; return counts per table.

    Every model with an ``agency_id`` is covered, so tables added later (payments, imports) are reset too; they
    are deleted children first, through the ORM so objects already in the session are dropped from it.
    """
    user_ids = select(User.id).where(User.agency_id == agency_id)
    result = db.session.execute(delete(UserSession).where(UserSession.user_id.in_(user_ids)))
    counts = {"user_sessions": result.rowcount}
    models = {mapper.local_table: mapper.class_ for mapper in db.Model.registry.mappers}
    for table in reversed(db.metadata.sorted_tables):
        if "agency_id" in table.c and table.name not in KEPT_ON_RESET and table in models:
            model = models[table]
            counts[table.name] = db.session.execute(delete(model).where(model.agency_id == agency_id)).rowcount
    return counts


def _upsert_user(agency: Agency, spec: data.AgencySpec, staff: data.StaffSpec, role: Role, password_hash: str) -> User:
    """Create the demo user, or restore an existing one to its demo name, role, password and active flag.

    Raises Conflict when the username belongs to a user of another agency.
    """
    username = staff.username.lower()
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, agency_id=agency.id, created_at=agency.created_at)
        db.session.add(user)
    elif user.agency_id != agency.id:
        raise Conflict(f"The username {username!r} belongs to another agency; the demo cannot use it.")
    user.email, user.full_name, user.role = f"{username}@{spec.email_domain}", staff.full_name, role
    user.password_hash, user.active, user.password_must_change = password_hash, True, False
    db.session.flush()
    return user


def _upsert_collector(agency: Agency, spec: data.AgencySpec, staff: data.StaffSpec, password_hash: str) -> User:
    """A demo collector with its profile set to the demo commission rate and capacity."""
    user = _upsert_user(agency, spec, staff, Role.COLLECTOR, password_hash)
    profile = user.collector_profile or CollectorProfile(user=user)
    profile.agency_id, profile.commission_rate = agency.id, staff.commission_rate
    profile.max_open_accounts, profile.active = staff.max_open_accounts, True
    db.session.add(profile)
    return user


def _summary(lines: list[str]) -> str:
    """What was done per agency, then the demo logins for ``make run`` to print."""
    out = ["Demo data:", *(f"  {line}" for line in lines), "", "Demo logins (username / password):"]
    for spec in data.AGENCIES:
        out.append(f"  {spec.name}")
        out.append(f"    admin      {spec.admin.username} / {data.ADMIN_PASSWORD}")
        out += [f"    collector  {staff.username} / {data.COLLECTOR_PASSWORD}" for staff in spec.collectors]
    out.append("  (flask seed-demo --reset restores these passwords if they were changed)")
    return "\n".join(out)
