"""The guard's frequency rules at their boundaries: 7 call attempts in 7 days, 7 days after a conversation, the
agency's own limit and the Massachusetts rule."""

from datetime import UTC, datetime, timedelta

import pytest

from app.compliance import guard, state_rules
from app.compliance.models import PointKind
from app.errors import ValidationFailed
from tests.compliance.guard.conftest import add_point, place

MONDAY = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)  # 10:00 in San Francisco (PDT)


def rules_of(decision) -> list[str]:
    return [r.rule for r in decision.reasons]


def test_the_seventh_call_attempt_is_allowed_and_the_eighth_refused_until_the_first_leaves_the_window(west, log):
    for hour in range(6):
        log(west, MONDAY + timedelta(hours=hour))
    seventh = MONDAY + timedelta(days=1)
    assert guard.check(west, "call", seventh).allowed
    log(west, seventh)
    eighth = guard.check(west, "call", seventh + timedelta(hours=1))
    assert not eighth.allowed and rules_of(eighth) == ["call_frequency"]
    assert eighth.attempts_in_window == 7
    assert eighth.next_allowed_at == MONDAY + timedelta(days=7)  # the first attempt, seven days on
    assert "7 of 7 call attempts in 7 days, since Mon 1 Jun" in eighth.reasons[0].detail
    assert not guard.check(west, "call", MONDAY + timedelta(days=7, seconds=-1)).allowed
    assert guard.check(west, "call", MONDAY + timedelta(days=7)).allowed


def test_other_channels_and_inbound_calls_do_not_count_as_call_attempts(west, log):
    for hour in range(7):
        log(west, MONDAY + timedelta(hours=hour), channel="sms" if hour % 2 else "call")
    log(west, MONDAY + timedelta(hours=7), direction="inbound", outcome="no_answer")
    assert guard.check(west, "call", MONDAY + timedelta(hours=8)).allowed
    assert guard.check(west, "sms", MONDAY + timedelta(hours=8)).allowed


def test_no_call_on_day_seven_after_a_conversation_and_calls_again_on_day_eight(west, log):
    talk = datetime(2026, 6, 2, 3, 30, tzinfo=UTC)  # Monday 1 June 20:30 in San Francisco: day 1
    log(west, talk, direction="inbound", outcome="right_party")
    day7 = guard.check(west, "call", datetime(2026, 6, 7, 19, 0, tzinfo=UTC))  # Sunday 12:00 PDT
    assert rules_of(day7) == ["conversation"]
    day8_morning = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)  # Monday 8 June 08:00 PDT
    assert day7.next_allowed_at == day8_morning  # day 8 begins at midnight, and calls at 8:00
    assert guard.check(west, "call", datetime(2026, 6, 8, 7, 0, tzinfo=UTC)).reasons[0].rule == "time_of_day"
    assert guard.check(west, "call", day8_morning).allowed
    assert guard.check(west, "email", datetime(2026, 6, 3, 19, 0, tzinfo=UTC)).allowed  # calls only


def test_a_voicemail_is_no_conversation(west, log):
    log(west, MONDAY, outcome="voicemail")
    assert guard.check(west, "call", MONDAY + timedelta(hours=1)).allowed


def test_the_agencys_own_stricter_limit_applies_and_a_looser_one_is_refused(west, log, admin, agency):
    state_rules.set_own_limits(admin, 3, 7)
    for hour in range(3):
        log(west, MONDAY + timedelta(hours=hour))
    decision = guard.check(west, "call", MONDAY + timedelta(hours=4))
    assert rules_of(decision) == ["agency_limit"] and decision.next_allowed_at == MONDAY + timedelta(days=7)
    with pytest.raises(ValidationFailed):
        state_rules.set_own_limits(admin, 8, 7)
    with pytest.raises(ValidationFailed):
        state_rules.set_own_limits(admin, 7, 6)


def test_massachusetts_allows_two_calls_a_week_to_a_cell_and_two_a_month_to_a_work_number(assigned_account, log):
    account = place(assigned_account, state="MA", postal_code="02134", phone="+1 617 555 0100")
    state_rules.seed_state_rules(account.agency_id)
    add_point(account, "+16175550100", PointKind.CELL)
    add_point(account, "+16175550199", PointKind.WORK)
    start = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # 10:00 in Boston
    log(account, start, phone="+1 617 555 0100")
    log(account, start + timedelta(days=1), phone="+1 617 555 0100")
    third = guard.check(account, "call", start + timedelta(days=2), phone="+1 617 555 0100")
    assert rules_of(third) == ["state:MA"] and third.next_allowed_at == start + timedelta(days=7)
    assert "940 CMR 7.04(1)(f)" in third.reasons[0].detail
    assert guard.check(account, "call", start + timedelta(days=7), phone="+1 617 555 0100").allowed
    log(account, start + timedelta(days=2), phone="+1 617 555 0199")
    log(account, start + timedelta(days=3), phone="+1 617 555 0199")
    at_work = guard.check(account, "call", start + timedelta(days=10), phone="+1 617 555 0199")
    assert rules_of(at_work) == ["state:MA"] and at_work.next_allowed_at == start + timedelta(days=32)


def test_a_state_rule_the_admin_deactivates_no_longer_applies(assigned_account, log, admin):
    account = place(assigned_account, state="Massachusetts", postal_code="02134", phone="+1 617 555 0100")
    state_rules.seed_state_rules(account.agency_id)
    start = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    log(account, start)
    log(account, start + timedelta(hours=1))
    assert rules_of(guard.check(account, "call", start + timedelta(hours=2))) == ["state:MA", "state:MA"]
    for rule in state_rules.list_state_rules(admin):
        data = state_rules.RuleInput(rule.state, rule.channels.split(","), [], rule.max_count, rule.window_days)
        data.active = False
        state_rules.save_state_rule(admin, data, rule.id)
    assert guard.check(account, "call", start + timedelta(hours=2)).allowed
