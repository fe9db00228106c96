"""Configuration read from the environment.

Two modes share one code base (see README "Configuration"):

* **embedded** (no ``DATABASE_URL``): SQLite under ``instance/``, in-process jobs, and demo secrets
  generated once into ``instance/secrets.json``.
* **production** (``DATABASE_URL`` set): every secret must come from the environment; a missing one stops
  the app at start-up instead of falling back to a default.
"""

import json
import os
import secrets
import tempfile
from pathlib import Path

from argon2 import PasswordHasher
from cryptography.fernet import Fernet

from app.netguard import parse_networks

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DEBTFLOW_ENCRYPTION_KEYS",
    "DEBTFLOW_AUDIT_KEY",
    "DEBTFLOW_METRICS_TOKEN",
)


class ConfigError(RuntimeError):
    """Raised at start-up when the environment lacks a required setting."""


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def split_keys(raw: str) -> list[str]:
    """Split a comma-separated key list; the first key encrypts, all of them decrypt."""
    return [k.strip() for k in raw.split(",") if k.strip()]


def outbound_allowed_networks() -> list:
    """``OUTBOUND_ALLOWED_NETWORKS``: CIDRs outbound connections may reach although they are not public."""
    raw = os.environ.get("OUTBOUND_ALLOWED_NETWORKS", "")
    try:
        return parse_networks(raw)
    except ValueError as exc:
        raise ConfigError(f"OUTBOUND_ALLOWED_NETWORKS is not a list of CIDRs: {exc}") from None


def database_uri(url: str) -> str:
    """``url`` with the psycopg 3 driver named when it names none (``postgres://`` and ``postgresql://``, as
    hosting platforms and our docs write them), so the app never falls back to SQLAlchemy's psycopg2 default."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if sep and scheme in ("postgres", "postgresql") else url


def embedded_secrets(instance_path: Path) -> dict:
    """Load (or create on first run) the demo's secret key, encryption key and audit key under ``instance/``.

    A file from an older version gains the keys it lacks (the audit key came later); existing ones are kept.
    """
    path = instance_path / "secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    wanted = {"SECRET_KEY": lambda: secrets.token_hex(32), "ENCRYPTION_KEY": lambda: Fernet.generate_key().decode()}
    wanted["AUDIT_KEY"] = lambda: secrets.token_hex(32)
    missing = {name: make() for name, make in wanted.items() if name not in values}
    if missing:
        values.update(missing)
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
        path.chmod(0o600)
    return values


def mail_settings() -> dict:
    """Outgoing email (any provider's SMTP relay); off when ``MAIL_SERVER`` is unset: nothing is sent."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", ""),
        # Where the links in an email lead (the opt-out page), as the debtor's browser reaches this app
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000"),
    }


def stripe_settings() -> dict:
    """Stripe settings from the environment; card payments are off without a secret key (never a default key).

    With a secret key, the webhook secret and publishable key are required too: a half-configured Stripe would
    take card payments whose confirmations could never be verified.
    """
    values = {
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "https://api.stripe.com"),
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "PAY_LINK_TTL_HOURS": env_int("PAY_LINK_TTL_HOURS", 72),
    }
    missing = [k for k in ("STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET") if not values[k]]
    if values["STRIPE_SECRET_KEY"] and missing:
        raise ConfigError(f"STRIPE_SECRET_KEY is set but these are missing: {', '.join(missing)}")
    return values


def session_cookie(secure: bool) -> dict:
    """Cookie settings; over HTTPS the session cookie takes the ``__Host-`` prefix, so the browser accepts it only
    when Secure, for Path=/ and without a Domain: a sibling subdomain can then neither set nor shadow it."""
    if not secure:
        return {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}
    return {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-session",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_SECURE": True,
    }


class Config:
    """Settings shared by every mode; built from the environment by :meth:`from_env`."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 25
    TESTING = False
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # the upload form's limit; bigger files go through SFTP or the CLI
    IMPORT_BATCH_SIZE = 5000
    IMPORT_WRITERS = 2  # PostgreSQL: writer threads (connections) applying batches; 0 = inline (SQLite always)
    DATABASE_PREPARED_STATEMENTS = True  # PostgreSQL: the worklist page as a prepared statement (app.pg.prepare)
    SESSION_IDLE_MINUTES = 30  # a session unused this long ends (checked on the server at every request)
    SESSION_MAX_HOURS = 12  # and any session ends this long after sign-in, used or not
    SECURITY_EVENT_RETENTION_DAYS = 90  # the platform's security log is pruned past this (app.auth.retention)
    # Failed sign-ins per client IP (the per-account lockout is app.auth.lockout); Flask-Limiter's notation.
    LOGIN_IP_LIMIT = "20 per minute; 100 per hour"
    # The JSON API's limits, per credential (a login, a personal token) and per client address.
    API_TOKEN_LIMIT = "600 per minute"  # noqa: S105  (a rate, not a secret)
    API_IP_LIMIT = "1200 per minute"
    RATELIMIT_STORAGE_URI = "debtflow://"
    RATELIMIT_HEADERS_ENABLED = False

    @classmethod
    def from_env(cls, instance_path: Path) -> dict:
        """Return the settings for this process, failing fast on a missing production secret."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        database_url = os.environ.get("DATABASE_URL", "")
        embedded = not database_url
        if embedded:
            demo = embedded_secrets(instance_path)
            values.update(
                SECRET_KEY=demo["SECRET_KEY"],
                SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance_path / 'debtflow.db'}",
                ENCRYPTION_KEYS=[demo["ENCRYPTION_KEY"]],
                AUDIT_KEY=demo["AUDIT_KEY"],
                REDIS_URL=os.environ.get("REDIS_URL", ""),
            )
        else:
            missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
            if missing:
                raise ConfigError(f"missing required environment variables: {', '.join(missing)}")
            values.update(
                SECRET_KEY=os.environ["SECRET_KEY"],
                SQLALCHEMY_DATABASE_URI=database_uri(database_url),
                ENCRYPTION_KEYS=split_keys(os.environ["DEBTFLOW_ENCRYPTION_KEYS"]),
                AUDIT_KEY=os.environ["DEBTFLOW_AUDIT_KEY"],
                REDIS_URL=os.environ["REDIS_URL"],
            )
        values.update(session_cookie(env_bool("SESSION_COOKIE_SECURE", not embedded)))
        values.update(
            EMBEDDED=embedded,
            TRUSTED_PROXY_COUNT=env_int("TRUSTED_PROXY_COUNT", 0),
            TRUST_REQUEST_ID=env_bool("TRUST_REQUEST_ID", env_int("TRUSTED_PROXY_COUNT", 0) > 0),
            METRICS_TOKEN=os.environ.get("DEBTFLOW_METRICS_TOKEN", ""),
            PAGE_SIZE=env_int("PAGE_SIZE", cls.PAGE_SIZE),
            IMPORT_STORAGE_DIR=os.environ.get("IMPORT_STORAGE_DIR", str(instance_path / "imports")),
            IMPORT_DEMO_DIR=os.environ.get("IMPORT_DEMO_DIR", str(instance_path / "demo-drop")),
            AUDIT_CHECKPOINT_DIR=os.environ.get("AUDIT_CHECKPOINT_DIR", str(instance_path / "audit-checkpoints")),
            IMPORT_BATCH_SIZE=env_int("IMPORT_BATCH_SIZE", cls.IMPORT_BATCH_SIZE),
            IMPORT_WRITERS=env_int("IMPORT_WRITERS", cls.IMPORT_WRITERS),
            DATABASE_PREPARED_STATEMENTS=env_bool("DATABASE_PREPARED_STATEMENTS", cls.DATABASE_PREPARED_STATEMENTS),
            MAX_CONTENT_LENGTH=env_int("MAX_UPLOAD_MB", 50) * 1024 * 1024,
            SESSION_IDLE_MINUTES=env_int("SESSION_IDLE_MINUTES", cls.SESSION_IDLE_MINUTES),
            SESSION_MAX_HOURS=env_int("SESSION_MAX_HOURS", cls.SESSION_MAX_HOURS),
            SECURITY_EVENT_RETENTION_DAYS=env_int("SECURITY_EVENT_RETENTION_DAYS", cls.SECURITY_EVENT_RETENTION_DAYS),
            LOGIN_IP_LIMIT=os.environ.get("LOGIN_IP_LIMIT") or cls.LOGIN_IP_LIMIT,
            API_TOKEN_LIMIT=os.environ.get("API_TOKEN_LIMIT") or cls.API_TOKEN_LIMIT,
            API_IP_LIMIT=os.environ.get("API_IP_LIMIT") or cls.API_IP_LIMIT,
            OUTBOUND_ALLOWED_NETWORKS=outbound_allowed_networks(),
        )
        values.update(stripe_settings())
        values.update(mail_settings())
        return values


def test_config(database_url: str) -> dict:
    """Settings for the test suite: a given database, CSRF on (tests send tokens), fixed keys."""
    values = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    values.update(
        TESTING=True,
        EMBEDDED=database_url.startswith("sqlite"),
        SECRET_KEY=secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=database_uri(database_url),
        ENCRYPTION_KEYS=[Fernet.generate_key().decode()],
        AUDIT_KEY=secrets.token_hex(32),
        AUDIT_CHECKPOINT_DIR=tempfile.mkdtemp(prefix="debtflow-audit-checkpoints-"),
        REDIS_URL=os.environ.get("TEST_REDIS_URL", ""),
        JOBS_SYNC=True,
        SESSION_COOKIE_SECURE=False,
        TRUSTED_PROXY_COUNT=0,
        TRUST_REQUEST_ID=False,
        METRICS_TOKEN="",
        WTF_CSRF_ENABLED=True,
        # argon2id still, at about a millisecond a hash: the suite signs in about a thousand times per run
        PASSWORD_HASHER=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        # Card payments off by default; tests/payments/conftest.py points them at localstripe.
        STRIPE_SECRET_KEY="",
        STRIPE_PUBLISHABLE_KEY="",
        STRIPE_WEBHOOK_SECRET="",
        STRIPE_API_BASE="http://127.0.0.1:9",
        STRIPE_JS_URL="",
        PAY_LINK_TTL_HOURS=72,
        # Mail off; tests/reminders/conftest.py points it at an SMTP server on loopback.
        MAIL_SERVER="",
        MAIL_PORT=25,
        MAIL_USERNAME="",
        MAIL_PASSWORD="",
        MAIL_USE_TLS=False,
        MAIL_FROM="reminders@agency.test",
        PUBLIC_BASE_URL="http://debtflow.test",
        IMPORT_STORAGE_DIR=tempfile.mkdtemp(prefix="debtflow-imports-"),
        IMPORT_DEMO_DIR=tempfile.mkdtemp(prefix="debtflow-demo-drop-"),
        IMPORT_BATCH_SIZE=50,
        IMPORT_WRITERS=0,  # the suite runs each test inside one transaction, which writer threads cannot see
        IMPORT_SETTLE_SECONDS=0,
        SFTP_CONNECT_TIMEOUT=5,
        SFTP_BACKOFF=0.05,
        # The SFTP test server listens on loopback, which outbound connections otherwise refuse.
        OUTBOUND_ALLOWED_NETWORKS=parse_networks("127.0.0.0/8, ::1/128"),
    )
    return values
