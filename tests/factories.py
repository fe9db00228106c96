"""factory_boy factories, one per model. Workflow states are reached through the services (see ``walk_to``)."""

import time
from datetime import timedelta
from decimal import Decimal
from functools import cache

import factory
import pyotp

from app.accounts import services as account_services
from app.accounts.models import Account, Creditor, build_search_text
from app.accounts.states import Status
from app.agencies.models import Agency
from app.auth import mfa, passwords
from app.auth.models import Role, User
from app.collectors.models import CollectorProfile
from app.debtors.models import Debtor
from app.extensions import db  # noqa: F401  (re-exported for tests)
from app.timeutil import utcnow

PASSWORD = "Correct-Horse-42"


@cache
def password_hash() -> str:
    """Hash the shared test password once: argon2id per user would dominate the suite's time."""
    return passwords.hash_password(PASSWORD)


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the per-test session)
        sqlalchemy_session_persistence = "flush"


class AgencyFactory(Base):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    timezone = "America/New_York"
    currency = "USD"
    # Off here so that tests sign in with a password alone; the MFA tests turn it on (the model's default).
    mfa_required = False


class UserFactory(Base):
    class Meta:
        model = User

    agency = factory.SubFactory(AgencyFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.ADMIN
    active = True
    password_hash = factory.LazyFunction(password_hash)


class AdminFactory(UserFactory):
    role = Role.ADMIN


class CollectorFactory(UserFactory):
    role = Role.COLLECTOR
    profile = factory.RelatedFactory(
        "tests.factories.CollectorProfileFactory",
        factory_related_name="user",
        agency_id=factory.SelfAttribute("..agency.id"),
    )


class CollectorProfileFactory(Base):
    class Meta:
        model = CollectorProfile

    commission_rate = Decimal("0.1000")
    max_open_accounts = 50
    active = True


class CreditorFactory(Base):
    class Meta:
        model = Creditor

    class Params:
        agency = factory.SubFactory(AgencyFactory)

    agency_id = factory.SelfAttribute("agency.id")
    name = factory.Sequence(lambda n: f"Creditor {n}")


class DebtorFactory(Base):
    class Meta:
        model = Debtor

    agency_id = factory.LazyAttribute(lambda _: AgencyFactory().id)
    full_name = factory.Sequence(lambda n: f"Debtor Person{n}")
    email = factory.Sequence(lambda n: f"debtor{n}@mail.test")
    phone = "+1 555 010 0000"


class AccountFactory(Base):
    """A new, unassigned account; use ``walk_to`` for later states."""

    class Meta:
        model = Account

    class Params:
        agency = factory.SubFactory(AgencyFactory)

    agency_id = factory.SelfAttribute("agency.id")
    debtor = factory.LazyAttribute(lambda a: DebtorFactory(agency_id=a.agency.id))
    external_ref = factory.Sequence(lambda n: f"ACC-{n:06d}")
    original_amount = Decimal("1000.00")
    current_balance = factory.LazyAttribute(lambda a: a.original_amount)
    status = Status.NEW
    priority = 1
    search_text = factory.LazyAttribute(lambda a: build_search_text(a.external_ref, a.debtor.full_name, a.debtor.email))


# The shortest user path from ``assigned`` to each status.
PATHS = {
    Status.NEW: [],
    Status.ASSIGNED: [],
    Status.IN_CONTACT: [Status.IN_CONTACT],
    Status.NEGOTIATING: [Status.IN_CONTACT, Status.NEGOTIATING],
    Status.PAYMENT_PLAN: [Status.IN_CONTACT, Status.NEGOTIATING, Status.PAYMENT_PLAN],
    Status.SETTLED: [Status.IN_CONTACT, Status.NEGOTIATING, Status.SETTLED],
    Status.DISPUTED: [Status.DISPUTED],
    Status.CLOSED: [Status.CLOSED],
}


def walk_to(account: Account, status: Status, *, admin: User, collector: User | None) -> Account:
    """Bring an account to ``status`` through the services, assigning it to ``collector`` first."""
    if status != Status.NEW and collector is not None:
        account_services.assign_collector(account.id, collector.id, actor=admin)
    for step in PATHS[status]:
        account_services.change_status(account.id, step.value, actor=admin)
    return account


def enrol_mfa(user: User, password: str = PASSWORD) -> str:
    """Turn MFA on for ``user`` through the services, as the set-up page does; return the TOTP secret.

    The set-up is confirmed with the previous step's code, so the current code is still unused: a test (or a
    browser test) can sign in with ``pyotp.TOTP(secret).now()`` right away.
    """
    secret = mfa.start_enrolment(user)
    away_from_step_end()
    previous = pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30))
    mfa.enable_mfa(user, password, previous, actor=user)
    return secret


def away_from_step_end(margin: float = 3.0) -> None:
    """Wait for the next 30-second TOTP step when this one ends within ``margin`` seconds.

    A code of the previous step stays valid only until the current step ends; the password check before it
    (argon2id, on a busy machine) must not carry the test over that edge.
    """
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
