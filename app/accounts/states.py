"""The account state machine: the one table every caller (UI, API, jobs) goes through."""

import enum

from app.words import words


class Status(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_CONTACT = "in_contact"
    NEGOTIATING = "negotiating"
    PAYMENT_PLAN = "payment_plan"
    SETTLED = "settled"
    CLOSED = "closed"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return words(self.value)


S = Status
# Transitions a user may ask for. System transitions (assignment, zero balance, Stripe dispute) are
# separate: see SYSTEM_TRANSITIONS.
USER_TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CLOSED}),
    S.ASSIGNED: frozenset({S.IN_CONTACT, S.CLOSED, S.DISPUTED}),
    S.IN_CONTACT: frozenset({S.NEGOTIATING, S.CLOSED, S.DISPUTED}),
    S.NEGOTIATING: frozenset({S.PAYMENT_PLAN, S.SETTLED, S.CLOSED, S.DISPUTED}),
    S.PAYMENT_PLAN: frozenset({S.SETTLED, S.CLOSED, S.DISPUTED}),
    S.SETTLED: frozenset({S.CLOSED}),
    S.DISPUTED: frozenset({S.IN_CONTACT, S.CLOSED}),
    S.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset(s for s in Status if s not in (S.SETTLED, S.CLOSED))
# Statuses that count against a collector's max open accounts.
WORKING_STATUSES = OPEN_STATUSES


def allowed_targets(current: Status) -> list[Status]:
    """The statuses a user may move an account to from ``current``, in the table's display order."""
    return [s for s in Status if s in USER_TRANSITIONS[current]]


def can_transition(current: Status, target: Status) -> bool:
    """Whether a user may move an account from ``current`` to ``target``."""
    return target in USER_TRANSITIONS[current]
