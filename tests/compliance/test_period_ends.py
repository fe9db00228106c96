"""The validation period's end: receipt assumed on the fifth day after sending that is not a Saturday, a Sunday
or a federal legal public holiday (observed date), then 30 calendar days. Each expected date is worked out by
hand in the comment beside it ("(n)" counts the days that count)."""

from datetime import date

import pytest

from app.compliance.validation import assumed_receipt, is_business_day, period_ends

CASES = [
    # An ordinary week. Sent Mon 2026-03-02: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), [Sat 7, Sun 8],
    # Mon 9 (5). Receipt 2026-03-09; + 30 days = 2026-04-08.
    (date(2026, 3, 2), date(2026, 3, 9), date(2026, 4, 8)),
    # Sent on a Saturday: [Sun 8], Mon 9 (1), Tue 10 (2), Wed 11 (3), Thu 12 (4), Fri 13 (5): receipt 03-13;
    # March has 31 days: 13 + 30 = April 12.
    (date(2026, 3, 7), date(2026, 3, 13), date(2026, 4, 12)),
    # Thanksgiving, Thu 2026-11-26. Sent Mon 11-23: Tue 24 (1), Wed 25 (2), [Thu 26 Thanksgiving], Fri 27 (3),
    # [Sat 28, Sun 29], Mon 30 (4), Tue 12-01 (5). Receipt 12-01; + 30 = 2026-12-31.
    (date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 31)),
    # Christmas, Fri 2026-12-25. Sent Tue 12-22: Wed 23 (1), Thu 24 (2), [Fri 25 Christmas, Sat 26, Sun 27],
    # Mon 28 (3), Tue 29 (4), Wed 30 (5). Receipt 12-30; + 30 = 2027-01-29 (1 day left in December + 29).
    (date(2026, 12, 22), date(2026, 12, 30), date(2027, 1, 29)),
    # New Year's Day, Fri 2027-01-01. Sent Tue 2026-12-29: Wed 30 (1), Thu 31 (2), [Fri 1 New Year, Sat 2,
    # Sun 3], Mon 4 (3), Tue 5 (4), Wed 6 (5). Receipt 2027-01-06; + 30 = 2027-02-05.
    (date(2026, 12, 29), date(2027, 1, 6), date(2027, 2, 5)),
    # New Year's Day 2022 fell on a Saturday and was observed on Fri 2021-12-31. Sent Wed 2021-12-29:
    # Thu 30 (1), [Fri 31 observed, Sat 1, Sun 2], Mon 3 (2), Tue 4 (3), Wed 5 (4), Thu 6 (5).
    # Receipt 2022-01-06; + 30 = 2022-02-05.
    (date(2021, 12, 29), date(2022, 1, 6), date(2022, 2, 5)),
    # Juneteenth, Fri 2026-06-19. Sent Wed 06-17: Thu 18 (1), [Fri 19 Juneteenth, Sat 20, Sun 21], Mon 22 (2),
    # Tue 23 (3), Wed 24 (4), Thu 25 (5). Receipt 06-25; June has 30 days: 25 + 30 = 2026-07-25.
    (date(2026, 6, 17), date(2026, 6, 25), date(2026, 7, 25)),
    # Juneteenth 2021 (its first year) fell on a Saturday, observed Fri 2021-06-18. Sent Wed 06-16: Thu 17 (1),
    # [Fri 18 observed, Sat 19, Sun 20], Mon 21 (2), Tue 22 (3), Wed 23 (4), Thu 24 (5). + 30 = 2021-07-24.
    (date(2021, 6, 16), date(2021, 6, 24), date(2021, 7, 24)),
    # Before 2021 June 19 was a working day: sent Wed 2020-06-17: Thu 18 (1), Fri 19 (2), [Sat, Sun],
    # Mon 22 (3), Tue 23 (4), Wed 24 (5). Receipt 2020-06-24; + 30 = 2020-07-24.
    (date(2020, 6, 17), date(2020, 6, 24), date(2020, 7, 24)),
    # The 4th of July 2026 is a Saturday, observed Fri 07-03. Sent Tue 06-30: Wed 07-01 (1), Thu 2 (2),
    # [Fri 3 observed, Sat 4, Sun 5], Mon 6 (3), Tue 7 (4), Wed 8 (5). Receipt 07-08; + 30 = 2026-08-07.
    (date(2026, 6, 30), date(2026, 7, 8), date(2026, 8, 7)),
    # The 4th of July 2027 is a Sunday, observed Mon 07-05. Sent Thu 2027-07-01: Fri 2 (1), [Sat 3, Sun 4,
    # Mon 5 observed], Tue 6 (2), Wed 7 (3), Thu 8 (4), Fri 9 (5). Receipt 07-09; + 30 = 2027-08-08.
    (date(2027, 7, 1), date(2027, 7, 9), date(2027, 8, 8)),
    # The example: sent Tue 2026-12-08: Wed 9 (1), Thu 10 (2), Fri 11 (3), [Sat, Sun], Mon 14 (4),
    # Tue 15 (5). Receipt 12-15; + 30 = 2027-01-14.
    (date(2026, 12, 8), date(2026, 12, 15), date(2027, 1, 14)),
]


@pytest.mark.parametrize(("sent_on", "receipt", "ends"), CASES, ids=[c[0].isoformat() for c in CASES])
def test_the_period_ends_thirty_days_after_the_fifth_business_day(sent_on, receipt, ends):
    assert assumed_receipt(sent_on) == receipt
    assert period_ends(sent_on) == ends


@pytest.mark.parametrize(
    ("day", "counts"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2027, 12, 24), False),  # Christmas 2027 is a Saturday: observed on Friday the 24th
        (date(2022, 12, 26), False),  # Christmas 2022 was a Sunday: observed on Monday the 26th
        (date(2026, 10, 12), False),  # Columbus Day
        (date(2026, 11, 11), False),  # Veterans Day
        (date(2026, 12, 24), True),  # Christmas Eve is a working day
        (date(2026, 11, 27), True),  # the day after Thanksgiving is not a federal holiday
        (date(2026, 3, 7), False),  # a Saturday
        (date(2026, 3, 8), False),  # a Sunday
    ],
)
def test_which_days_count(day, counts):
    assert is_business_day(day) is counts
