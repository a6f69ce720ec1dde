"""The figures the public website adds to bot/reports/metrics.py, against a hand count over the fixture
of tests/report_fixture.py: working days to respond (as R5 counts them) and the by-month groups."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.deadlines import WorkCalendar
from bot.reports import metrics
from bot.reports.periods import half_period
from tests import report_fixture as rf


async def h1(sessionmaker) -> tuple[metrics.Report, dict[str, int]]:
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 1), rf.NOW)
        await db.commit()
    return report, ids


async def test_working_days_to_respond_skip_weekends_and_the_april_holidays(sessionmaker):
    # By hand, working days after the day received up to the day settled (2026):
    #   item 2:  01/03 → 20/04: 7 weeks and Monday 20/04                                 = 36
    #   item 3:  02/03 → 04/05: 4 + 7 weeks + 28–29/04 + 04/05 (27/04 observed Hùng Kings
    #            day, 30/04 and 01/05 off)                                               = 42
    #   item 4:  03/03 → 10/05 (a Sunday): 3 + 7 weeks + 28–29/04 + 04–08/05              = 45
    #   item 6:  04/03 → 10/04: 2 + 5 weeks                                             = 27
    #   item 10: 05/03 → 25/04 (a Saturday): 1 + 7 weeks                                 = 36
    report, ids = await h1(sessionmaker)
    t = report.totals
    assert (t.response_working_days_sum, t.response_working_days_n) == (186, 5)
    assert t.avg_working_days_to_respond == pytest.approx(37.2)
    a, b, none = (g.counts for g in report.by_department)
    assert a.avg_working_days_to_respond == pytest.approx((36 + 42 + 36) / 3)
    assert b.avg_working_days_to_respond == pytest.approx((45 + 27) / 2)
    assert none.avg_working_days_to_respond is None  # nothing settled in writing there
    # calendar days are unchanged beside them
    assert t.avg_days_to_respond == pytest.approx(53.8)
    # answered at the session, open and excluded questions carry no figure
    by_status = {f.status: f for f in report.facts}
    assert by_status["answered_at_session"].working_days_to_respond is None
    assert by_status["merged"].working_days_to_respond is None


def test_a_deployments_own_day_off_counts_as_no_working_day():
    plain = WorkCalendar()
    with_day_off = WorkCalendar(extra_days_off={date(2026, 3, 16)})
    assert plain.working_days_between(date(2026, 3, 4), date(2026, 4, 10)) == 27
    assert with_day_off.working_days_between(date(2026, 3, 4), date(2026, 4, 10)) == 26


async def test_by_month_groups_follow_the_session_month(sessionmaker):
    report, _ = await h1(sessionmaker)
    assert [(g.id, str(g.name), g.counts.received) for g in report.by_month] == [
        (202603, "03/2026", 11),
        (202605, "05/2026", 2),
        (202606, "06/2026", 1),
    ]
    march = report.by_month[0].counts
    assert (march.on_time, march.late, march.overdue) == (4, 1, 1)  # the forwarded one is not judged
    # the months add up to the totals
    assert sum(g.counts.received for g in report.by_month) == report.totals.received
    assert sum(g.counts.judged for g in report.by_month) == report.totals.judged
