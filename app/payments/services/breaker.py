"""A circuit breaker around Stripe, its state shared by every process through Redis (in-process without Redis).

Closed: calls pass; ``FAILURE_THRESHOLD`` failures within ``WINDOW`` seconds open it. Open: calls fail fast
for ``COOLDOWN`` seconds; then exactly one caller gets a trial call (half-open) whose outcome closes or
re-opens it. Only outage-like errors count as failures (connection, 5xx, rate limit), never a declined card.
Unknown: Redis, which holds the state, cannot be reached; calls are refused (card payments briefly unavailable)
rather than let through unguarded, and pages that only show the state still render.
"""

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from app.errors import DomainError

FAILURE_THRESHOLD, WINDOW, COOLDOWN = 5, 60.0, 30.0
PREFIX = "debtflow:breaker:"


class ProcessorUnavailable(DomainError):
    """Stripe is unreachable or the breaker is open: fail fast, HTTP 503."""

    status, code = 503, "processor_unavailable"


class RedisStore:
    """Breaker state in Redis: a sorted set of failure times, the opening time, and the trial lock."""

    def __init__(self, redis: Redis, name: str):
        self.redis, self.key = redis, PREFIX + name

    def add_failure(self, now: float) -> int:
        pipe = self.redis.pipeline()
        pipe.zadd(self.key + ":failures", {f"{now!r}:{uuid.uuid4().hex}": now})  # one member per failure
        pipe.zremrangebyscore(self.key + ":failures", "-inf", now - WINDOW)
        pipe.zcard(self.key + ":failures")
        pipe.expire(self.key + ":failures", int(WINDOW) + 1)
        return pipe.execute()[2]

    def opened_at(self) -> float | None:
        raw = self.redis.get(self.key + ":opened_at")
        return float(raw) if raw is not None else None

    def open(self, now: float) -> None:
        self.redis.set(self.key + ":opened_at", repr(now))
        self.redis.delete(self.key + ":trial", self.key + ":failures")

    def take_trial(self) -> bool:
        return bool(self.redis.set(self.key + ":trial", "1", nx=True, ex=int(COOLDOWN)))

    def close(self) -> None:
        self.redis.delete(self.key + ":opened_at", self.key + ":trial", self.key + ":failures")


class MemoryStore:
    """The same state in this process only (embedded mode without Redis)."""

    def __init__(self):
        self.lock, self.failures, self.opened, self.trial = threading.Lock(), [], None, False

    def add_failure(self, now: float) -> int:
        with self.lock:
            self.failures = [t for t in self.failures if t > now - WINDOW] + [now]
            return len(self.failures)

    def opened_at(self) -> float | None:
        return self.opened

    def open(self, now: float) -> None:
        with self.lock:
            self.opened, self.trial, self.failures = now, False, []

    def take_trial(self) -> bool:
        with self.lock:
            taken, self.trial = self.trial, True
            return not taken

    def close(self) -> None:
        with self.lock:
            self.opened, self.trial, self.failures = None, False, []


_memory_stores: dict[str, MemoryStore] = {}


@cache
def _redis(url: str) -> Redis:
    return Redis.from_url(url)


@dataclass
class CircuitBreaker:
    store: RedisStore | MemoryStore
    clock: Callable[[], float] = time.time

    def state(self) -> str:
        """``closed``, ``open`` (failing fast), ``half_open`` (cool-down over, next call is the trial) or
        ``unknown`` (the state's store, Redis, is unreachable)."""
        try:
            opened = self.store.opened_at()
        except RedisError:
            return "unknown"
        if opened is None:
            return "closed"
        return "open" if self.clock() - opened < COOLDOWN else "half_open"

    def call(self, fn: Callable, *args, counts: tuple[type[Exception], ...] = (), **kwargs):
        """Run ``fn`` through the breaker; raise ProcessorUnavailable when open or when ``fn`` fails like an outage."""
        trial = self._admit()
        try:
            result = fn(*args, **kwargs)
        except counts as exc:
            self._record_failure(trial)
            raise ProcessorUnavailable("The card processor is not answering. Try again in a minute.") from exc
        if trial:
            self.store.close()
        return result

    def _admit(self) -> bool:
        """Whether this call is the half-open trial; raises ProcessorUnavailable while open."""
        state = self.state()
        if state == "closed":
            return False
        if state == "unknown":
            raise ProcessorUnavailable("Card payments are briefly unavailable. Please try again in a few minutes.")
        if state == "half_open" and self.store.take_trial():
            return True
        raise ProcessorUnavailable("Card payments are paused: the card processor is failing. Try again shortly.")

    def _record_failure(self, trial: bool) -> None:
        now = self.clock()
        if trial or self.store.add_failure(now) >= FAILURE_THRESHOLD:
            self.store.open(now)


def stripe_breaker(clock: Callable[[], float] = time.time) -> CircuitBreaker:
    """The breaker guarding Stripe, on this deployment's Redis when there is one."""
    url = current_app.config.get("REDIS_URL")
    if url:
        return CircuitBreaker(RedisStore(_redis(url), "stripe"), clock)
    return CircuitBreaker(_memory_stores.setdefault("stripe", MemoryStore()), clock)
