"""Where Flask-Limiter counts: Redis, and the database while Redis is unreachable.

Flask-Limiter's own fallback is an in-memory counter per process, so with Redis down each of N gunicorn workers
would allow N times the limit, and a restart would forget it. This storage (scheme ``debtflow://``, registered
with ``limits`` by subclassing) keeps counting in ``rate_limit_counters`` instead, so the limits hold. After a
Redis error it stays on the database for ``RETRY_REDIS_AFTER`` seconds rather than paying a failed connection
on every request. The Redis URL is read from the current app at each call: the storage is shared by every app
the one ``limiter`` serves.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from flask import current_app
from limits.storage import Storage
from redis import Redis, RedisError
from sqlalchemy import case, delete, literal, select

from app import pg
from app.auth.models import RateLimitCounter
from app.extensions import db, limiter
from app.queue import redis_connection
from app.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)
PREFIX = "debtflow:ratelimit:"
RETRY_REDIS_AFTER = 30.0


class RedisOrDatabaseStorage(Storage):
    """A fixed-window counter store for ``limits``: Redis first, ``rate_limit_counters`` while it is down."""

    STORAGE_SCHEME = ["debtflow"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self._redis_down_until: dict[str, float] = {}

    @property
    def base_exceptions(self):
        return RedisError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._either(lambda r: _redis_incr(r, key, expiry, amount), lambda: _db_incr(key, expiry, amount))

    def get(self, key: str) -> int:
        return self._either(lambda r: int(r.get(PREFIX + key) or 0), lambda: _db_read(key)[0])

    def get_expiry(self, key: str) -> float:
        return self._either(lambda r: time.time() + max(r.ttl(PREFIX + key), 0), lambda: _db_read(key)[1])

    def check(self) -> bool:
        return self._either(lambda r: bool(r.ping()), lambda: True)

    def reset(self) -> int | None:
        """Forget every counter, in Redis (when reachable) and in the database."""
        removed = self._either(_redis_reset, lambda: 0)
        db.session.execute(delete(RateLimitCounter))
        db.session.commit()
        return removed

    def clear(self, key: str) -> None:
        self._either(lambda r: r.delete(PREFIX + key), lambda: None)
        db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))
        db.session.commit()

    def _either(self, on_redis: Callable[[Redis], object], on_database: Callable[[], object]):
        url = current_app.config.get("REDIS_URL", "")
        # Embedded (no Redis, one process): the database is the store. Tests without a Redis use fakeredis, as
        # the job queue does, so the Redis path runs in every test run.
        has_redis = bool(url) or current_app.config.get("TESTING", False)
        if has_redis and time.monotonic() >= self._redis_down_until.get(url, 0.0):
            try:
                return on_redis(_client(url))
            except RedisError as exc:
                log.warning("rate limits count in the database: Redis unreachable (%s)", exc)
                self._redis_down_until[url] = time.monotonic() + RETRY_REDIS_AFTER
        return on_database()


@cache
def _client(url: str) -> Redis:
    """One client per URL, with short timeouts: a hung Redis must not hold up the login page."""
    if not url:
        return redis_connection()  # fakeredis (tests only)
    return Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis_incr(redis: Redis, key: str, expiry: int, amount: int) -> int:
    pipe = redis.pipeline()
    pipe.set(PREFIX + key, 0, ex=expiry, nx=True)  # the window starts at its first hit
    pipe.incrby(PREFIX + key, amount)
    return int(pipe.execute()[1])


def _redis_reset(redis: Redis) -> int:
    keys = list(redis.scan_iter(match=PREFIX + "*"))
    return redis.delete(*keys) if keys else 0


def _db_incr(key: str, expiry: int, amount: int) -> int:
    """Add ``amount`` in one upsert (concurrent workers can't lose a hit); a lapsed window starts again."""
    now = utcnow()
    expires = literal(now + timedelta(seconds=expiry), UTCDateTime())
    lapsed = RateLimitCounter.expires_at <= now
    stmt = pg.insert(RateLimitCounter).values(key=key, hits=amount, expires_at=expires)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "hits": case((lapsed, amount), else_=RateLimitCounter.hits + amount),
            "expires_at": case((lapsed, expires), else_=RateLimitCounter.expires_at),
        },
    ).returning(RateLimitCounter.hits)
    hits = db.session.execute(stmt).scalar_one()
    db.session.commit()
    return hits


def _db_read(key: str) -> tuple[int, float]:
    """(hits, window end as a timestamp) of a live counter; (0, now) when there is none."""
    now = utcnow()
    stmt = select(RateLimitCounter.hits, RateLimitCounter.expires_at).where(
        RateLimitCounter.key == key, RateLimitCounter.expires_at > now
    )
    row = db.session.execute(stmt).first()
    return (row.hits, row.expires_at.timestamp()) if row else (0, now.timestamp())


TOO_MANY_ATTEMPTS = "Too many failed sign-ins from your address. Wait a few minutes, then try again."


def _sign_in_failed(response) -> bool:
    """Only failures use up the allowance: a sign-in that works answers 303, everything else is a refusal."""
    return response.status_code != 303


login_ip_limit = limiter.limit(
    lambda: current_app.config["LOGIN_IP_LIMIT"],
    methods=["POST"],
    deduct_when=_sign_in_failed,
    error_message=TOO_MANY_ATTEMPTS,
)
