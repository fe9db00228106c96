"""Import every model so Alembic and ``db.create_all`` see the whole schema."""

from app.accounts.models import Account, Activity, ActivityKind, Creditor  # noqa: F401
from app.agencies.models import Agency  # noqa: F401
from app.analytics.models import (  # noqa: F401
    AccountTotal,
    CollectorAccountDay,
    CollectorDayCount,
    CollectorPaymentDay,
    OpenDueDate,
    PaymentDay,
)
from app.audit.models import AuditChainHead, AuditEvent, AuditLegacyBoundary  # noqa: F401
from app.auth.models import (  # noqa: F401
    LoginLockout,
    RateLimitCounter,
    RecoveryCode,
    Role,
    SecurityEvent,
    User,
    UserSession,
)
from app.auth.tokens import ApiToken, IdempotentResponse  # noqa: F401
from app.bulk.models import BulkOperation  # noqa: F401
from app.collectors.models import CollectorProfile  # noqa: F401
from app.compliance.models import (  # noqa: F401
    ConsumerRequest,
    ContactAttempt,
    ContactPoint,
    Document,
    InconvenientTime,
    Itemization,
    StateRule,
    ValidationNotice,
)
from app.debtors.models import Debtor  # noqa: F401
from app.imports.models import ImportJob, ImportRowError, ImportSource  # noqa: F401
from app.operators.models import Operator, SetupLink  # noqa: F401
from app.payments.models import Payment, Refund, StripeEvent  # noqa: F401
from app.plans.models import Allocation, Instalment, Plan, SavedCard, SettlementBounds  # noqa: F401
from app.portal.models import PortalLink, PortalLockout, PortalSession, PortalSettings  # noqa: F401
from app.reminders.models import Reminder  # noqa: F401
from app.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
