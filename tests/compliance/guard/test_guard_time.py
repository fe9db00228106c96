"""The guard's time rules: 8:00–21:00 at the consumer's location (zones from state, ZIP code and area code; DST
days; disagreeing zones; no location), and the consumer's inconvenient times."""

from datetime import UTC, datetime, time, timedelta

from app.compliance import guard, points
from app.compliance.zones import candidate_zones
from tests.compliance.guard.conftest import place


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_seven_fifty_nine_is_refused_and_eight_allowed_in_the_consumers_zone(west):
    early = guard.check(west, "call", utc(2026, 6, 1, 14, 59))  # 07:59 PDT
    assert [r.rule for r in early.reasons] == ["time_of_day"] and "07:59 PDT" in early.reasons[0].detail
    assert early.next_allowed_at == utc(2026, 6, 1, 15, 0)
    assert early.debtor_local_time.strftime("%H:%M %Z") == "07:59 PDT"
    assert guard.check(west, "call", utc(2026, 6, 1, 15, 0)).allowed
    assert guard.check(west, "sms", utc(2026, 6, 2, 3, 59)).allowed  # 20:59
    late = guard.check(west, "email", utc(2026, 6, 2, 4, 0))  # 21:00
    assert not late.allowed and late.next_allowed_at == utc(2026, 6, 2, 15, 0)
    assert guard.check(west, "letter", utc(2026, 6, 2, 4, 0)).allowed  # a letter has no hour


def test_the_day_clocks_spring_forward_and_fall_back(assigned_account):
    account = place(assigned_account, state="NY", postal_code="10001", phone="+1 212 555 0100")
    assert not guard.check(account, "call", utc(2026, 3, 8, 11, 59)).allowed  # 07:59 EDT, the first day of DST
    assert guard.check(account, "call", utc(2026, 3, 8, 12, 0)).allowed
    assert guard.check(account, "call", utc(2026, 3, 7, 13, 0)).allowed  # 08:00 EST the day before
    assert not guard.check(account, "call", utc(2026, 11, 1, 12, 59)).allowed  # 07:59 EST, DST has ended
    assert guard.check(account, "call", utc(2026, 11, 1, 13, 0)).next_allowed_at == utc(2026, 11, 1, 13, 0)


def test_an_address_and_an_area_code_that_disagree_allow_only_the_hours_good_in_both(assigned_account):
    account = place(assigned_account, state="HI", postal_code="96813", phone="+1 212 555 0100")
    morning_in_ny = guard.check(account, "call", utc(2026, 6, 1, 13, 0))  # 09:00 EDT, 03:00 HST
    assert not morning_in_ny.allowed and morning_in_ny.next_allowed_at == utc(2026, 6, 1, 18, 0)  # 08:00 HST
    assert morning_in_ny.debtor_local_time.strftime("%H:%M %Z") == "03:00 HST"  # the address's zone first
    assert guard.check(account, "call", utc(2026, 6, 1, 18, 0)).allowed
    assert guard.check(account, "call", utc(2026, 6, 2, 0, 59)).allowed  # 20:59 EDT
    assert guard.check(account, "call", utc(2026, 6, 2, 1, 0)).next_allowed_at == utc(2026, 6, 2, 18, 0)


def test_without_any_location_every_us_zone_from_eastern_to_hawaii_counts(assigned_account):
    account = place(assigned_account)
    assert len(candidate_zones(None, None, [None])) == 7
    assert not guard.check(account, "call", utc(2026, 6, 1, 17, 59)).allowed  # 07:59 in Honolulu
    assert guard.check(account, "call", utc(2026, 6, 1, 18, 0)).allowed
    assert not guard.check(account, "call", utc(2026, 6, 2, 1, 0)).allowed  # 21:00 in New York


def test_a_zip_code_pins_a_state_that_spans_zones(assigned_account):
    account = place(assigned_account, state="IN", postal_code="46204")  # Indianapolis: Eastern
    assert [z.key for z in candidate_zones("IN", "46204")] == ["America/Indiana/Indianapolis"]
    assert guard.check(account, "call", utc(2026, 6, 1, 12, 0)).allowed  # 08:00 EDT
    place(assigned_account, state="IN")  # without the ZIP code: Central Indiana too
    assert not guard.check(account, "call", utc(2026, 6, 1, 12, 0)).allowed


def test_the_consumers_inconvenient_times_and_no_calls_at_work(west):
    debtor = west.debtor
    points.set_preferences(debtor, [(0, time(12), time(13, 30))], True, via="portal")  # Mondays 12:00–13:30
    lunch = guard.check(west, "call", utc(2026, 6, 1, 19, 15))  # Monday 12:15 PDT
    assert [r.rule for r in lunch.reasons] == ["inconvenient_time"]
    assert lunch.next_allowed_at == utc(2026, 6, 1, 20, 30)
    assert guard.check(west, "call", utc(2026, 6, 1, 20, 30)).allowed
    assert guard.check(west, "call", utc(2026, 6, 2, 19, 15)).allowed  # Tuesday
    work = points.PointChange(kind=points.PointKind.WORK)
    points.save_point(debtor, "phone", "+1 415 555 0177", work, actor=None, via="portal")
    at_work = guard.check(west, "call", utc(2026, 6, 2, 19, 15), phone="415-555-0177")
    assert [r.rule for r in at_work.reasons] == ["no_calls_at_work"] and at_work.next_allowed_at is None
    assert guard.check(west, "call", utc(2026, 6, 2, 19, 15), phone="+1 415 555 0100").allowed


def test_do_not_use_and_opt_outs_hold_per_number_and_address(west, collector):
    debtor = west.debtor
    wrong = points.PointChange(do_not_use=True, do_not_use_reason="wrong number")
    points.save_point(debtor, "phone", "+1 415 555 0100", wrong, actor=collector)
    points.save_point(debtor, "email", debtor.email, points.PointChange(opted_out=True), actor=collector)
    noon = utc(2026, 6, 2, 19, 0)
    assert [r.rule for r in guard.check(west, "call", noon, phone="+1 415 555 0100").reasons] == ["do_not_use"]
    assert [r.rule for r in guard.check(west, "email", noon, email=debtor.email).reasons] == ["opted_out"]
    assert guard.check(west, "email", noon, email="other@mail.test").allowed
    assert guard.check(west, "call", noon + timedelta(hours=1), phone="+1 415 555 0101").allowed
