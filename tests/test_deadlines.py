"""Deadline arithmetic; every expected date is worked out by hand in the comments."""

from datetime import date, timedelta

from bot.domain.deadlines import WorkCalendar, conclusion_due, response_due

CAL = WorkCalendar()


def test_response_due_skips_new_year_and_tet_2027():
    # Notice Mon 28/12/2026. Working days: 29, 30, 31/12 (3); Fri 1/1/2027 is New Year's Day.
    # January 2027 from Mon 4/1: 4 full weeks to Fri 29/1 = 20 → 23. Mon 1/2–Wed 3/2 = 26.
    # Tết 4/2–10/2 (Thu–Wed) is off. Thu 11/2, Fri 12/2 = 28; Mon 15/2 = 29; Tue 16/2 = 30.
    assert response_due(date(2026, 12, 28), CAL) == date(2027, 2, 16)


def test_conclusion_due_rolls_forward_when_the_tenth_day_is_a_weekend():
    # Session Wed 2/12/2026 + 10 days = Sat 12/12 → Mon 14/12.
    assert conclusion_due(date(2026, 12, 2), CAL) == date(2026, 12, 14)
    # Session Tue 1/12/2026 + 10 = Fri 11/12, a working day: no roll.
    assert conclusion_due(date(2026, 12, 1), CAL) == date(2026, 12, 11)


def test_conclusion_due_rolls_over_tet():
    # Session Tue 26/1/2027 + 10 = Fri 5/2/2027, inside Tết (4–10/2) → Thu 11/2/2027.
    assert conclusion_due(date(2027, 1, 26), CAL) == date(2027, 2, 11)


def test_national_day_and_the_2026_substitution():
    # Fri 28/8/2026 + 1 working day: Mon 31/8 is a substituted day off, Tue 1/9 and Wed 2/9
    # are National Day → Thu 3/9/2026.
    assert CAL.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    # Sat 22/8/2026 is the make-up working day for it.
    assert CAL.is_working_day(date(2026, 8, 22))


def test_a_deployments_own_days_off_and_make_up_saturdays():
    local = WorkCalendar(extra_days_off={date(2026, 12, 29)}, extra_working_days={date(2026, 12, 26)})
    # Thu 24/12/2026 + 2 working days: Fri 25 (1), Sat 26 declared working (2).
    assert local.add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 26)
    # Mon 28/12 + 1: Tue 29 is a local day off → Wed 30/12.
    assert local.add_working_days(date(2026, 12, 28), 1) == date(2026, 12, 30)
    # The same notice as above ends one working day later with the local day off.
    assert response_due(date(2026, 12, 28), local) == date(2027, 2, 17)


def test_working_days_between_counts_forward_and_backward():
    assert CAL.working_days_between(date(2026, 12, 28), date(2027, 2, 16)) == 30
    assert CAL.working_days_between(date(2027, 2, 16), date(2026, 12, 28)) == -30


def test_working_days_between_equals_the_days_counted_one_by_one():
    """Spans counted from a running total (what reports ask about 100,000 times) against the days
    counted one by one, with a day off and a make-up Saturday, forward and backward, across years."""
    import random

    cal = WorkCalendar({date(2026, 5, 4)}, {date(2026, 5, 9)})
    plain = WorkCalendar({date(2026, 5, 4)}, {date(2026, 5, 9)})

    def one_by_one(start: date, end: date) -> int:
        if end < start:
            return -one_by_one(end, start)
        return sum(plain.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    rng = random.Random(15)
    for _ in range(2000):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1500))
        end = start + timedelta(days=rng.randint(-400, 400))
        assert cal.working_days_between(start, end) == one_by_one(start, end), (start, end)
    assert cal.working_days_between(date(2026, 5, 1), date(2026, 5, 8)) == 4  # Monday 4 May off
    assert cal.working_days_between(date(2026, 5, 8), date(2026, 5, 11)) == 2  # Saturday 9 May worked
