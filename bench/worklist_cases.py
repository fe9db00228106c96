"""The worklist cases the bench measures: every filter the page offers, every sort, and a few combinations."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from app.accounts.queries import SORTS, UNASSIGNED, WorklistFilters
from app.accounts.states import Status
from bench.worklist_data import SURNAMES, SYLLABLES_A, SYLLABLES_B, Facts

DEFAULT_SORT = ("priority", "desc")
# WorklistFilters field -> query-string parameter of the worklist form.
FORM_NAMES = {"collector_id": "collector", "direction": "dir"}


@dataclass
class Case:
    """One worklist request: filters and sort as the app's WorklistFilters and as the page's query string."""

    name: str
    params: dict = field(default_factory=dict)

    def filters(self) -> WorklistFilters:
        return WorklistFilters(**self.params)

    def query_string(self) -> str:
        pairs = {FORM_NAMES.get(k, k): v.value if isinstance(v, Status) else v for k, v in self.params.items()}
        return urlencode(pairs)


def filter_set(facts: Facts, admin: bool, today: date) -> dict[str, dict]:
    """Every filter the page offers (the collector filters only for admins), with realistic values."""
    filters = {
        "none": {},
        "status": {"status": Status.IN_CONTACT},
        "status_rare": {"status": Status.DISPUTED},
        "priority": {"priority": 3},
        "balance_range": {"balance_min": Decimal("1000"), "balance_max": Decimal("2000")},
        "balance_min": {"balance_min": Decimal("20000")},
        "due_next_30d": {"due_from": today, "due_to": today + timedelta(days=30)},
        "due_overdue_7d": {"due_from": today - timedelta(days=7), "due_to": today - timedelta(days=1)},
        "q_surname": {"q": SURNAMES[0]},
        "q_surname_rare": {"q": SYLLABLES_A[7] + SYLLABLES_B[3]},
        "q_ref": {"q": f"{facts.rows // 3 // 10:07d}"},
        "q_email": {"q": facts.email_fragment},
        "q_domain": {"q": "@northwind.test"},
    }
    if admin:
        filters["collector"] = {"collector_id": facts.collector_id}
        filters["unassigned"] = {"collector_id": UNASSIGNED}
        filters["aging_31_60"] = {"aging": "31_60"}
        filters["aging_no_due"] = {"aging": "no_due_date"}
    return filters


def combinations(facts: Facts, admin: bool, today: date) -> dict[str, dict]:
    """A few multi-filter requests a user would plausibly make."""
    combos = {
        "status+priority:priority_desc": {"status": Status.NEGOTIATING, "priority": 2},
        "status+balance_min:balance_desc": {
            "status": Status.PAYMENT_PLAN,
            "balance_min": Decimal("5000"),
            "sort": "balance",
            "direction": "desc",
        },
        "status+due_next_30d:due_date_asc": {
            "status": Status.IN_CONTACT,
            "due_from": today,
            "due_to": today + timedelta(days=30),
            "sort": "due_date",
            "direction": "asc",
        },
        "priority:last_contact_asc": {"priority": 3, "sort": "last_contact", "direction": "asc"},
        "q_surname+status:created_desc": {"q": SURNAMES[0], "status": Status.ASSIGNED, "sort": "created"},
        "balance_min+due_60d:balance_desc": {
            "balance_min": Decimal("5000"),
            "due_from": today,
            "due_to": today + timedelta(days=60),
            "sort": "balance",
            "direction": "desc",
        },
    }
    if admin:
        combos["collector+status:due_date_asc"] = {
            "collector_id": facts.collector_id,
            "status": Status.IN_CONTACT,
            "sort": "due_date",
            "direction": "asc",
        }
        combos["unassigned+priority:created_desc"] = {"collector_id": UNASSIGNED, "priority": 3, "sort": "created"}
    return combos


def sorts() -> list[tuple[str, str]]:
    """Every sort the index walks serve; the work score, computed over the scope, has its own bench
    (``workscore_bench.py``)."""
    return [(s, d) for s in SORTS if s != "score" for d in ("desc", "asc")]


def query_cases(facts: Facts, admin: bool, today: date) -> list[Case]:
    """The full matrix: every filter with every sort and direction, plus the combinations."""
    cases = [
        Case(f"{name}/{sort}_{direction}", {**params, "sort": sort, "direction": direction})
        for name, params in filter_set(facts, admin, today).items()
        for sort, direction in sorts()
    ]
    return cases + [Case(name, params) for name, params in combinations(facts, admin, today).items()]


def page_cases(facts: Facts, admin: bool, today: date) -> list[Case]:
    """Pages: every sort unfiltered, every filter with the default sort, and the combinations."""
    sort, direction = DEFAULT_SORT
    cases = [Case(f"none/{s}_{d}", {"sort": s, "direction": d}) for s, d in sorts()]
    cases += [
        Case(f"{name}/{sort}_{direction}", {**params, "sort": sort, "direction": direction})
        for name, params in filter_set(facts, admin, today).items()
        if name != "none"
    ]
    return cases + [Case(name, params) for name, params in combinations(facts, admin, today).items()]
