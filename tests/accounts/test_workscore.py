"""The work score: a hand-computed order on a small set, weights changed in Settings, the "why" line, the
open-accounts default, and "the next account" of a list with its filters."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts import followups
from app.accounts.queries import WorklistFilters, list_accounts, next_account_id
from app.accounts.states import Status
from app.accounts.workscore import priority_label
from app.audit.models import AuditEvent
from app.extensions import db
from app.timeutil import utcnow
from tests import factories as f


@pytest.fixture
def book(agency, admin, collector):
    """Four of the collector's open accounts and one settled, each fact chosen so the points are easy to add up.

    Default weights: follow-up due 40; 2 per $1,000 (to $25,000); 2 per 7 days without contact (to 90 days);
    1 per 30 days since placement (to 365 days); 5 per priority level.
    """
    now = utcnow()

    def account(balance, placed_days, contact_days, priority, status=Status.IN_CONTACT):
        a = f.AccountFactory(agency=agency, original_amount=Decimal("30000.00"), priority=priority)
        a = f.walk_to(a, status, admin=admin, collector=collector)
        a.current_balance = Decimal(balance)
        a.created_at = now - timedelta(days=placed_days)
        a.last_contact_at = None if contact_days is None else now - timedelta(days=contact_days)
        return a

    accounts = dict(
        a=account("8190.00", 10, 21, 1),  # + follow-up due today
        b=account("20000.00", 210, None, 0),  # never contacted: silence since placement, capped at 90 days
        c=account("500.00", 30, 1, 3),
        d=account("3000.00", 400, 7, 2),  # + follow-up two days overdue
        settled=account("0.00", 50, 3, 3, Status.SETTLED),
    )
    db.session.flush()
    followups.set_follow_up(collector, accounts["a"], now - timedelta(minutes=1), "call back")
    followups.set_follow_up(collector, accounts["d"], now - timedelta(days=2), "promised to pay")
    db.session.commit()
    return accounts


# By hand, default weights (days are "about": the clock moves a few ms between setting up and asking)
DEFAULT_SCORES = {
    "a": 40 + 2 * 8.19 + 2 * 21 / 7 + 10 / 30 + 5 * 1,  # 67.71
    "b": 0 + 2 * 20.0 + 2 * 90 / 7 + 210 / 30 + 0,  # 72.71
    "c": 0 + 2 * 0.5 + 2 * 1 / 7 + 30 / 30 + 5 * 3,  # 17.29
    "d": 40 + 2 * 3.0 + 2 * 7 / 7 + 365 / 30 + 5 * 2,  # 70.17
}
OPEN_BY_SCORE = ["b", "d", "a", "c"]


def refs(page, book) -> list[str]:
    names = {a.id: name for name, a in book.items()}
    return [names[row.id] for row in page.items]


def test_the_hand_computed_order_with_default_weights(collector, book):
    assert sorted(DEFAULT_SCORES, key=DEFAULT_SCORES.get, reverse=True) == OPEN_BY_SCORE
    page = list_accounts(collector, WorklistFilters(open_only=True, sort="score"))
    assert refs(page, book) == OPEN_BY_SCORE
    ascending = list_accounts(collector, WorklistFilters(open_only=True, sort="score", direction="asc"))
    assert refs(ascending, book) == OPEN_BY_SCORE[::-1]


def test_weights_changed_in_settings_change_the_order(login, admin, collector, book):
    weights = dict(follow_up=100, balance=0, no_contact=2, placed=1, priority=5, promise_plan=0)
    response = login(admin).post("/settings/work-score", weights)
    assert response.status_code == 303
    # d: 100 + 2 + 12.17 + 10 = 124.2; a: 100 + 6 + 0.33 + 5 = 111.3; b: 25.7 + 7 = 32.7; c: 0.29 + 1 + 15 = 16.3
    db.session.expire_all()
    assert refs(list_accounts(collector, WorklistFilters(open_only=True, sort="score")), book) == ["d", "a", "b", "c"]
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "agency.work_score_updated")).one()
    assert event.changes["weight_follow_up"] == {"old": 40, "new": 100}
    assert event.changes["weight_balance"] == {"old": 2, "new": 0}


@pytest.mark.parametrize("value", ["-1", "1001", "abc", ""])
def test_a_bad_weight_is_refused_and_nothing_changes(login, admin, agency, value):
    weights = dict(follow_up=value, balance=2, no_contact=2, placed=1, priority=5, promise_plan=0)
    response = login(admin).post("/settings/work-score", weights)
    assert response.status_code == 422
    db.session.expire_all()
    assert agency.work_score_weights is None


def test_collectors_cannot_change_the_weights(login, collector):
    assert login(collector).get("/settings/work-score").status_code == 403


def test_the_worklist_opens_on_open_accounts_by_score_and_says_why(login, collector, book):
    body = login(collector).get("/worklist").get_data(as_text=True)
    assert re.findall(r">(ACC-\d+)</a>", body) == [book[k].external_ref for k in OPEN_BY_SCORE]
    assert book["settled"].external_ref not in body
    whys = re.findall(r'<small class="why">(.*?)</small>', body)
    assert whys[2] == "follow-up due today · $8,190 · no contact for 21 days"
    assert whys[1] == "follow-up overdue · placed 400 days ago · P2 · high"
    assert whys[0] == "$20,000 · never contacted · placed 210 days ago"
    everything = login(collector).get("/worklist?status=all").get_data(as_text=True)
    assert book["settled"].external_ref in everything


def test_priority_is_shown_in_words(login, collector, book):
    body = login(collector).get(f"/accounts/{book['c'].id}").get_data(as_text=True)
    assert priority_label(3) == "P3 · urgent" and "P3 · urgent" in body


@pytest.mark.parametrize(
    "filters,start,expected",
    [
        (dict(open_only=True, sort="score"), "b", "d"),
        (dict(open_only=True, sort="score"), "d", "a"),
        (dict(open_only=True, sort="score"), "c", None),
        (dict(open_only=True, sort="score", direction="asc"), "a", "d"),
        (dict(open_only=True, sort="score", priority=2), "d", None),
        (dict(sort="balance"), "d", "c"),
        (dict(sort="last_contact", direction="asc"), "c", "b"),  # nulls last ascending
        (dict(sort="last_contact"), "b", "c"),  # nulls first descending
        (dict(open_only=True, sort="score", q="zzz"), "b", None),  # not in the list
    ],
)
def test_the_next_account_follows_the_lists_order_and_filters(collector, book, filters, start, expected):
    following = next_account_id(collector, WorklistFilters(**filters), book[start].id)
    assert following == (book[expected].id if expected else None)


def test_save_and_next_records_the_note_and_opens_the_next_account_with_the_list(login, collector, book):
    web = login(collector)
    list_qs = "status=open&sort=score"
    response = web.post(f"/accounts/{book['b'].id}/notes", {"body": "Left a message", "then": "next", "list": list_qs})
    assert response.status_code == 303
    location = f"/accounts/{book['d'].id}?list=status%3Dopen%26sort%3Dscore&seen={book['b'].id}"
    assert response.headers["Location"].endswith(location)
    db.session.expire_all()
    assert book["b"].last_contact_at is not None
    # b's note lowered its score, but "next" is taken in the order the collector was working through
    data = {"status": "negotiating", "then": "next", "list": list_qs, "seen": str(book["b"].id)}
    hx = web.post(f"/accounts/{book['d'].id}/status", data, htmx=True)
    assert hx.headers["HX-Redirect"].startswith(f"/accounts/{book['a'].id}?list=")
    assert hx.headers["HX-Redirect"].endswith(f"&seen={book['b'].id},{book['d'].id}")


def test_next_skips_the_accounts_already_worked_in_a_row(collector, book):
    filters = WorklistFilters(open_only=True, sort="score")
    assert next_account_id(collector, filters, book["b"].id, skip=[book["d"].id]) == book["a"].id


def test_save_and_next_at_the_end_of_the_list_returns_to_it(login, collector, book):
    web = login(collector)
    response = web.post(f"/accounts/{book['c'].id}/notes", {"body": "Done", "then": "next", "list": "status=open"})
    assert response.headers["Location"].endswith("/worklist?status=open")
    assert "last account of this list" in web.get("/worklist?status=open").get_data(as_text=True)


def test_the_next_account_link_of_an_admin_keeps_the_filters(login, admin, book):
    web = login(admin)
    response = web.get(f"/accounts/{book['d'].id}/next?list=sort%3Dbalance%26dir%3Ddesc")
    location = f"/accounts/{book['c'].id}?list=sort%3Dbalance%26dir%3Ddesc&seen={book['d'].id}"
    assert response.headers["Location"].endswith(location)


def test_the_next_account_of_another_collectors_account_is_404(login, other_collector, book):
    assert login(other_collector).get(f"/accounts/{book['a'].id}/next").status_code == 404


def test_an_admins_list_opens_on_open_accounts_by_priority_with_the_score_one_choice_away(login, admin, book):
    web = login(admin)
    body = web.get("/accounts/").get_data(as_text=True)
    by_priority = ["c", "d", "a", "b"]  # P3, P2, P1, P0; the settled one left out
    assert re.findall(r">(ACC-\d+)</a>", body) == [book[k].external_ref for k in by_priority]
    assert 'class="why"' not in body
    scored = web.get("/accounts/?sort=score").get_data(as_text=True)
    assert re.findall(r">(ACC-\d+)</a>", scored) == [book[k].external_ref for k in OPEN_BY_SCORE]
    assert 'class="why"' in scored


def test_an_account_the_contact_guard_blocks_comes_after_the_contactable_ones_and_says_until_when(
    login, collector, book, agency
):
    book["b"].contact_blocked_until = utcnow() + timedelta(days=2)
    book["d"].contact_blocked_until = utcnow() - timedelta(minutes=1)  # a block that has passed: no effect
    db.session.commit()
    page = list_accounts(collector, WorklistFilters(open_only=True, sort="score"))
    assert refs(page, book) == ["d", "a", "c", "b"]
    body = login(collector).get("/worklist").get_data(as_text=True)
    whys = re.findall(r'<small class="why">(.*?)</small>', body)
    assert whys[3].startswith("cannot be called until ") and whys[3].endswith(
        "$20,000 · never contacted · placed 210 days ago"
    )
