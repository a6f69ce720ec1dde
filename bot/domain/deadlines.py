"""Where deadlines are computed: the working-day calendar and the procedure's due dates.

Working days are Monday–Friday minus Vietnamese public holidays (the ``holidays`` package: Tết and
the other lunar holidays, substituted days off) plus the Saturdays declared make-up working days,
and the deployment's own extra days off and make-up days (table ``calendar_days``).

- R4: conclusion notice due = session day + 10 calendar days; a period whose last day is not a
  working day ends at the end of the next working day (Civil Code 2015, art. 148(5)).
- R5: written response due = notice day + 30 working days.
- R6: an approved extension replaces the response due date (stored on the submission).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import units
from storage import readcache
from storage.models import CalendarDay

CONCLUSION_DAYS = 10  # R4, calendar days
RESPONSE_WORKING_DAYS = 30  # R5
ANNOUNCE_DAYS = 7  # R1, calendar days


@functools.cache
def _national() -> holidays.HolidayBase:
    """Vietnam's public holidays (one per process: building it and each year's days costs
    milliseconds, and a calendar is made again whenever the directory's own days are re-read)."""
    return holidays.Vietnam()


def warm_up(today: date) -> None:
    """Build the national holidays of this year and the next now (at start-up) rather than at the
    first question confirmed: the ``holidays`` package loads every country's module and works out
    the lunar holidays then, a tenth of a second that the first citizen would otherwise wait."""
    for year in (today.year, today.year + 1):
        _national().is_working_day(date(year, 1, 2))


class WorkCalendar:
    def __init__(
        self, extra_days_off: set[date] | None = None, extra_working_days: set[date] | None = None
    ) -> None:
        self.extra_days_off = set(extra_days_off or ())
        self.extra_working_days = set(extra_working_days or ())
        self._national = _national()
        self._days: dict[date, bool] = {}  # answers already worked out (reports ask about many days)
        self._origin: date | None = None  # working days counted from here: _counted[i] is how many
        self._counted: list[int] = []  # there are in [origin, origin + i] (reports ask about many spans)

    def is_working_day(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            if day in self.extra_working_days:
                known = True
            elif day in self.extra_days_off:
                known = False
            else:
                known = self._national.is_working_day(day)
            self._days[day] = known
        return known

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is not counted)."""
        day = start
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        return self._through(end) - self._through(start)

    def _through(self, day: date) -> int:
        """Working days from the origin up to and including ``day`` (counted once, then looked up)."""
        if self._origin is None or day < self._origin:
            self._origin = date(day.year - 1, 1, 1)
            self._counted = []
        index = (day - self._origin).days
        if index > 20_000:  # decades away (a mistyped year): counted, not kept
            return sum(self.is_working_day(self._origin + timedelta(days=i)) for i in range(index + 1))
        counted = self._counted
        while len(counted) <= index:
            before = counted[-1] if counted else 0
            counted.append(before + self.is_working_day(self._origin + timedelta(days=len(counted))))
        return counted[index]


async def load_calendar(db: AsyncSession, unit_id: int | None = None) -> WorkCalendar:
    """The working-day calendar with the directory's own days (a short-lived copy: read-only); with
    ``unit_id``, that unit's own days off too (a deployment of many units: deadlines follow the unit
    that holds the question or the session)."""
    return (await load_calendars(db)).of(unit_id)


class Calendars:
    """The deployment's calendar and, for each unit with days off of its own, the unit's (made once,
    when first asked for: a tick asks about many questions of a few units)."""

    def __init__(self, base: WorkCalendar, days_off: dict[int, tuple[date, ...]]) -> None:
        self.base = base
        self._days_off = days_off
        self._made: dict[int, WorkCalendar] = {}

    def of(self, unit_id: int | None) -> WorkCalendar:
        own = self._days_off.get(unit_id) if unit_id is not None else None
        if not own:
            return self.base
        made = self._made.get(unit_id)
        if made is None:
            made = self._made[unit_id] = WorkCalendar(
                extra_days_off=self.base.extra_days_off | set(own),
                extra_working_days=self.base.extra_working_days,
            )
        return made

    def distinct(self) -> list[WorkCalendar]:
        """Every calendar in use: the deployment's, then each unit's own."""
        return [self.base, *(self.of(unit_id) for unit_id in sorted(self._days_off))]


async def load_calendars(db: AsyncSession) -> Calendars:
    """Every unit's calendar (the deployment's days, and each unit's own days off)."""

    async def load() -> WorkCalendar:
        rows = list(await db.scalars(select(CalendarDay)))
        return WorkCalendar(
            extra_days_off={r.day for r in rows if r.kind == "off"},
            extra_working_days={r.day for r in rows if r.kind == "work"},
        )

    base = await readcache.cached(db.bind, "calendar", load)
    return Calendars(base, {u.id: u.days_off for u in await units.all_units(db) if u.days_off})


def calendar_period_end(start: date, days: int, cal: WorkCalendar) -> date:
    """A period of ``days`` calendar days from ``start``; rolled to a working day (art. 148(5))."""
    return cal.next_working_day(start + timedelta(days=days))


def conclusion_due(held_on: date, cal: WorkCalendar) -> date:
    """R4: the conclusion notice is due within 10 days after the session."""
    return calendar_period_end(held_on, CONCLUSION_DAYS, cal)


def response_due(notice_on: date, cal: WorkCalendar) -> date:
    """R5: the written response is due 30 working days after the conclusion notice."""
    return cal.add_working_days(notice_on, RESPONSE_WORKING_DAYS)
