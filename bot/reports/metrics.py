"""The figures, defined once. /stats, the workbook, the document and the chart all read a ``Report``.

What is counted (a period covers the sessions whose date falls in it; a session, its own questions):

- A submission belongs to its session; a session's date is the local date it starts (``starts_at``).
  Statuses, due dates and overdue are taken **as of** ``today`` (the deployment's local date), so a
  report for a closed period also shows what was settled after it ended.
- **received**: every submission, whatever became of it (merged, withdrawn and rejected included).
- **source**: where it came from — the chat, the floor of the session, the Fatherland Front or a mass
  organisation (by name), paper, phone — and **nature** (kiến nghị, phản ánh, hỏi đáp chính sách,
  khiếu nại, tố cáo) as the office classified it; both counted over every submission received.
- **set aside**: a complaint or denunciation handed to its own procedure. Counted apart, and, like
  withdrawn and rejected ones, excluded from the cases and from every on-time figure.
- **merged**: a duplicate merged into another submission. It shares its target's answer, so it is
  counted as received (and its asker as reached) but not as a separate case, answer or late item.
- **withdrawn** (by the citizen) and **rejected** (with a reason) are counted, and excluded from the
  cases and from every on-time figure.
- **cases** = received − merged − withdrawn − rejected: the questions the office had to settle.
  Every case has exactly one outcome: answered at the session, responded (in writing, after the
  session), forwarded upward, or still open.
- **forwarded**: beyond local authority, sent to a competent authority; counted as "answered by the
  higher level" once its answer was recorded and relayed, else "awaiting". Never judged on time or
  late (the local level no longer holds it), so it is outside the on-time rate.
- **written responses**: with a document (its number and date of issue: the reports list them) or in
  text only.
- **conclusion notice on time** (per session): issued within R4's 10 days of the session's day.
- **settled on time**: answered at the session (always on time), or responded on or
  before ``response_due`` (the R5 date, moved by an approved extension — so an answer after the
  original date but within the extension is on time), or with no due date yet. **late**: settled after
  ``response_due``; days late = settled date − ``response_due``.
- **overdue**: still open and ``today`` is after ``response_due`` (derived, never stored); days late =
  today − ``response_due``. **open within time**: still open, not overdue.
- **on-time rate** = on time / (on time + late + overdue): of the cases whose timeliness is known.
  Cases still open within their time are not yet judged.
- **extended**: an extension was approved (``extension_reason`` set, or ``original_due`` differs).
- **reopened**: ``reopened_count`` > 0 (the citizen reopened it after an answer); the case is counted
  once, with its current outcome.
- **days to respond**: for responded and forwarded cases, calendar days from the day the question was
  received to the day it was settled; the average is over those cases.
- **working days to respond**: the same cases, counted as R5 counts: the working days after the day
  the question was received, up to and including the day it was settled (the calendar of the
  question's unit: weekends, public holidays, the deployment's and the unit's own days off, make-up
  days); 0 when settled the day it arrived.
- **satisfaction**: every rating 1–5 given in scope (merged askers rate the shared answer too), on
  either channel; asked after every answer, at the session or in writing. Per department (the
  question's), and per staff member who answered (the actor of the question's latest answer at the
  session or written response — a merged asker's rating counts for whoever answered the question it
  was merged into), named as the directory names them — in a unit's own report (a province-wide one
  would name hundreds of people: each commune's report has its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle, reporting
from bot.domain.deadlines import Calendars, WorkCalendar, conclusion_due, load_calendars
from bot.domain.reporting import Issuer
from bot.i18n import current_locale, local_date
from bot.reports.sums import ANSWERER, ANSWERS, counts_by, exception_ids, fixed_offset
from bot.reports.sums import supported as summed_in_database
from storage.models import (
    AppConfig,
    Department,
    DialogueSession,
    Staff,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Topic,
)
from storage.unitscope import current as current_unit
from storage.unitscope import unscoped

if TYPE_CHECKING:  # bot.reports imports this module
    from bot.reports.periods import Period

S = SubmissionStatus
OPEN = lifecycle.OPEN
SETTLED = lifecycle.ANSWERED
EXCLUDED = lifecycle.EXCLUDED
HELD = lifecycle.SESSION_HELD

# outcome of one case (None for merged / withdrawn / rejected)
AT_SESSION, RESPONDED, FORWARDED, OPEN_OUTCOME = "at_session", "responded", "forwarded", "open"
# timeliness of one case
ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
# Which questions a report carries as ``Fact`` records (``Report.facts``): all of them (the workbook and
# the document list them), or only those settled late or overdue (``Report.late``, ``Report.overdue``:
# /stats, which shows the figures and the overdue list). The figures are the same either way.
ALL_FACTS, EXCEPTIONS = "all", "exceptions"


@dataclass(frozen=True)
class Name:
    vi: str
    en: str

    def __str__(self) -> str:
        return self.en if current_locale() == "en" and self.en else self.vi


@dataclass
class Fact:
    """One submission as the reports see it."""

    id: int
    code: str
    session_id: int
    session_title: str
    session_date: date
    received_on: date
    topic: Name | None
    department: Name | None
    department_id: int | None
    topic_id: int | None
    asker: str | None  # None when the citizen did not allow the name to be shown
    text: str
    status: str
    outcome: str | None
    timeliness: str | None
    settled_on: date | None
    original_due: date | None
    response_due: date | None
    extended: bool
    extension_reason: str | None
    days_late: int | None
    days_to_respond: int | None
    forwarded_to: str | None
    merged_into: str | None  # the target's code
    satisfaction: int | None
    reopened: int
    working_days_to_respond: int | None = None
    source: str = "chat"
    source_org: str | None = None
    nature: str | None = None
    answered_above: bool = False  # forwarded, and the competent authority's answer relayed
    forward_doc_no: str | None = None
    forward_doc_date: date | None = None
    response_doc_no: str | None = None  # the written response's document number and date of issue
    response_doc_date: date | None = None
    response_kind: str | None = None  # document | file | text (a written response)
    answered_by: str | None = None  # who gave the answer: "office:<user id>" | "dept:<user id>"

    @property
    def is_case(self) -> bool:
        return self.outcome is not None

    @property
    def overdue(self) -> bool:
        return self.timeliness == OVERDUE


@dataclass
class Counts:
    received: int = 0
    merged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    cases: int = 0
    answered_at_session: int = 0
    responded: int = 0
    responded_on_time: int = 0
    responded_late: int = 0
    forwarded: int = 0
    forwarded_answered: int = 0  # answered by the higher level (relayed)
    forwarded_awaiting: int = 0
    responded_document: int = 0  # with a numbered document
    responded_text: int = 0  # in text only
    set_aside: int = 0  # complaints and denunciations handed to their own procedure
    by_source: dict[str, int] = field(default_factory=dict)  # chat, floor, front, paper, phone
    by_org: dict[str, int] = field(default_factory=dict)  # the Front and mass organisations, by name
    by_nature: dict[str, int] = field(default_factory=dict)  # "" when not classified
    open: int = 0
    overdue: int = 0
    on_time: int = 0
    late: int = 0
    extended: int = 0
    extended_on_time: int = 0
    extended_late: int = 0  # settled late or overdue despite the extension
    reopened: int = 0
    rated: int = 0
    satisfaction_sum: int = 0
    satisfied: int = 0  # rated 4 or 5
    ratings: dict[int, int] = field(default_factory=lambda: {k: 0 for k in range(1, 6)})
    response_days_sum: int = 0
    response_days_n: int = 0
    response_working_days_sum: int = 0
    response_working_days_n: int = 0

    @property
    def settled(self) -> int:
        return self.answered_at_session + self.responded + self.forwarded

    @property
    def open_in_time(self) -> int:
        return self.open - self.overdue

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """0–1, or None when nothing can be judged yet."""
        return self.on_time / self.judged if self.judged else None

    @property
    def avg_days_to_respond(self) -> float | None:
        return self.response_days_sum / self.response_days_n if self.response_days_n else None

    @property
    def avg_working_days_to_respond(self) -> float | None:
        if not self.response_working_days_n:
            return None
        return self.response_working_days_sum / self.response_working_days_n

    @property
    def avg_satisfaction(self) -> float | None:
        return self.satisfaction_sum / self.rated if self.rated else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    def add(self, f: Fact) -> None:
        self.received += 1
        self.by_source[f.source] = self.by_source.get(f.source, 0) + 1
        if f.source_org:
            self.by_org[f.source_org] = self.by_org.get(f.source_org, 0) + 1
        self.by_nature[f.nature or ""] = self.by_nature.get(f.nature or "", 0) + 1
        if f.satisfaction is not None and 1 <= f.satisfaction <= 5:
            self.rated += 1
            self.satisfaction_sum += f.satisfaction
            self.satisfied += f.satisfaction >= 4
            self.ratings[f.satisfaction] += 1
        if f.status == S.MERGED:
            self.merged += 1
        elif f.status == S.WITHDRAWN:
            self.withdrawn += 1
        elif f.status == S.REJECTED:
            self.rejected += 1
        elif f.status == S.SET_ASIDE:
            self.set_aside += 1
        if not f.is_case:
            return
        self.cases += 1
        self.reopened += f.reopened > 0
        on_time = f.timeliness == ON_TIME
        if f.outcome == AT_SESSION:
            self.answered_at_session += 1
        elif f.outcome == RESPONDED:
            self.responded += 1
            self.responded_on_time += on_time
            self.responded_late += f.timeliness == LATE
            self.responded_document += f.response_kind == "document"
            self.responded_text += f.response_kind == "text"
        elif f.outcome == FORWARDED:
            self.forwarded += 1
            self.forwarded_answered += f.answered_above
            self.forwarded_awaiting += not f.answered_above
        else:
            self.open += 1
            self.overdue += f.timeliness == OVERDUE
        self.on_time += on_time
        self.late += f.timeliness == LATE
        if f.extended:
            self.extended += 1
            self.extended_on_time += on_time
            self.extended_late += f.timeliness in (LATE, OVERDUE)
        if f.days_to_respond is not None:
            self.response_days_sum += f.days_to_respond
            self.response_days_n += 1
        if f.working_days_to_respond is not None:
            self.response_working_days_sum += f.working_days_to_respond
            self.response_working_days_n += 1


@dataclass
class Group:
    """Figures for one department or one topic (``id`` and ``name`` None: not assigned / no topic)."""

    id: int | None
    name: Name | None
    counts: Counts = field(default_factory=Counts)


@dataclass
class SessionFigures:
    id: int
    title: str
    day: date
    kind: str
    level: str
    status: str
    place: str
    held: bool
    participants: int | None
    notice_on: date | None
    notice_due: date | None = None  # R4: 10 days after the session's day (rolled to a working day)
    counts: Counts = field(default_factory=Counts)

    @property
    def notice_on_time(self) -> bool | None:
        """Whether the conclusion notice came within its 10 days (None: not due yet, nothing to judge)."""
        if self.notice_due is None:
            return None
        if self.notice_on is not None:
            return self.notice_on <= self.notice_due
        return None

    def notice_late_as_of(self, today: date) -> bool:
        """Held, no notice, and its 10 days are over."""
        return self.notice_on is None and self.notice_due is not None and today > self.notice_due


@dataclass
class Report:
    """Everything one report needs, for a period or for one session."""

    today: date
    unit: Name
    period: Period | None = None
    session: SessionFigures | None = None  # set when the report is about one session
    sessions: list[SessionFigures] = field(default_factory=list)
    totals: Counts = field(default_factory=Counts)
    by_department: list[Group] = field(default_factory=list)
    by_topic: list[Group] = field(default_factory=list)
    by_year: list[Group] = field(default_factory=list)  # by the year of the session (multi-year reviews)
    by_month: list[Group] = field(default_factory=list)  # by the session's month: id 202611, name "11/2026"
    by_answerer: list[Group] = field(default_factory=list)  # by the staff member who answered (user id)
    facts: list[Fact] = field(default_factory=list)
    issuer: Issuer = field(default_factory=Issuer)  # who issues and signs it (the directory's [reporting])
    by_unit: list[Group] = field(default_factory=list)  # a province's report: one row per unit (#15)
    names_unit: bool = False  # a deployment of many units: the figures' heading names ``unit`` (its own)

    @property
    def sessions_held(self) -> int:
        return sum(s.held for s in self.sessions)

    @property
    def participants(self) -> int:
        """Participants of the sessions held, where recorded."""
        return sum(s.participants or 0 for s in self.sessions if s.held)

    @property
    def sessions_with_participants(self) -> int:
        return sum(1 for s in self.sessions if s.held and s.participants is not None)

    @property
    def overdue(self) -> list[Fact]:
        """Open and past their due date, most days late first."""
        return sorted((f for f in self.facts if f.overdue), key=lambda f: (-(f.days_late or 0), f.code))

    @property
    def responses(self) -> list[Fact]:
        """The written responses, in the order they were settled (the response list)."""
        return sorted(
            (f for f in self.facts if f.outcome == RESPONDED),
            key=lambda f: (f.settled_on or self.today, f.code),
        )

    @property
    def forwarded(self) -> list[Fact]:
        return sorted((f for f in self.facts if f.outcome == FORWARDED), key=lambda f: f.code)

    @property
    def set_aside(self) -> list[Fact]:
        return sorted((f for f in self.facts if f.status == S.SET_ASIDE), key=lambda f: f.code)

    @property
    def late(self) -> list[Fact]:
        return sorted(
            (f for f in self.facts if f.timeliness == LATE), key=lambda f: (-(f.days_late or 0), f.code)
        )


async def unit_name(db: AsyncSession, unit_ids: list[int] | None = None) -> Name:
    if unit_ids:
        from bot.domain import units

        unit = await units.get(db, unit_ids[0])  # the unit the report is for comes first
        if unit is not None:
            return Name(unit.name_vi, unit.name_en)
    rows = dict(
        (
            await db.execute(select(AppConfig.key, AppConfig.value).where(AppConfig.key.like("unit_name_%")))
        ).all()
    )
    vi = rows.get("unit_name_vi") or ""
    return Name(vi, rows.get("unit_name_en") or vi)


def session_day(session: DialogueSession) -> date:
    return local_date(session.starts_at)


async def for_period(
    db: AsyncSession,
    period: Period,
    now: datetime,
    unit_ids: list[int] | None = None,
    *,
    facts: str = ALL_FACTS,
    summed: bool = True,
) -> Report:
    """``facts``: which questions ``Report.facts`` holds (``ALL_FACTS`` or ``EXCEPTIONS``); ``summed``
    False: the figures counted question by question (the reference the database's sums are tested
    against).
    ``unit_ids``: the sessions of these units only (a deployment of many units: a commune's own, or
    a province's and its communes'); the report then has a row per unit. Inside a staff action confined
    to a unit, that unit and those below it by default."""
    unit_ids = await _scope_units(db, unit_ids)
    with unscoped():
        query = select(DialogueSession).order_by(DialogueSession.starts_at)
        if unit_ids is not None:
            query = query.where(DialogueSession.unit_id.in_(unit_ids))
        sessions = [s for s in await db.scalars(query) if period.contains(session_day(s))]
        report = Report(
            today=local_date(now),
            unit=await unit_name(db, unit_ids),
            period=period,
            names_unit=unit_ids is not None,
        )
        report.issuer = (await reporting.load(db)).issuer
        # per staff member who answered: a unit's own report (a province's names hundreds of people;
        # each commune's report has its own)
        staff = unit_ids is None or len(unit_ids) <= 1
        await _fill(db, report, sessions, facts, summed, staff=staff)
        if unit_ids is not None:
            await _by_unit(db, report, sessions, unit_ids)
    return report


async def _by_unit(
    db: AsyncSession, report: Report, sessions: list[DialogueSession], unit_ids: list[int]
) -> None:
    """The figures of each unit (its own sessions' questions), in the order of ``unit_ids``."""
    from bot.domain import units

    unit_of = {s.id: s.unit_id for s in sessions}
    groups: dict[int, Group] = {}
    for unit_id in unit_ids:
        unit = await units.get(db, unit_id)
        if unit is not None:
            groups[unit_id] = Group(unit_id, Name(unit.name_vi, unit.name_en))
    for figures in report.sessions:  # a unit's figures are its sessions' (summed, not counted again)
        group = groups.get(unit_of.get(figures.id))
        if group is not None:
            _add_counts(group.counts, figures.counts)
    report.by_unit = list(groups.values())
    if len(groups) > 1:  # the communes' departments and topics of one code are one row (5 kinds, not 500)
        codes = dict((await db.execute(select(Department.id, Department.code))).all())
        report.by_department = _merged(report.by_department, codes)
        codes = dict((await db.execute(select(Topic.id, Topic.code))).all())
        report.by_topic = _merged(report.by_topic, codes)


def _merged(groups: list[Group], code_of: dict[int, str]) -> list[Group]:
    """Groups of the same code summed into the first of them (its id and name)."""
    out: dict[str | None, Group] = {}
    for group in groups:
        key = code_of.get(group.id) if group.id is not None else None
        if key not in out:
            out[key] = Group(group.id, group.name)
        _add_counts(out[key].counts, group.counts)
    return list(out.values())


def _add_counts(into: Counts, other: Counts) -> None:
    for item in fields(Counts):
        mine, theirs = getattr(into, item.name), getattr(other, item.name)
        if isinstance(mine, dict):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        else:
            setattr(into, item.name, mine + theirs)


async def _scope_units(db: AsyncSession, unit_ids: list[int] | None) -> list[int] | None:
    if unit_ids is None and current_unit() is not None:
        from bot.domain import units

        return await units.subtree(db, current_unit())
    return unit_ids


async def for_session(
    db: AsyncSession,
    session_id: int,
    now: datetime,
    unit_ids: list[int] | None = None,
    *,
    facts: str = ALL_FACTS,
    summed: bool = True,
) -> Report | None:
    unit_ids = await _scope_units(db, unit_ids)
    with unscoped():
        session = await db.get(DialogueSession, session_id)
    if session is None or (unit_ids is not None and session.unit_id not in unit_ids):
        return None
    name = await unit_name(db, unit_ids)
    report = Report(today=local_date(now), unit=name, names_unit=unit_ids is not None)
    report.issuer = (await reporting.load(db)).issuer
    with unscoped():
        await _fill(db, report, [session], facts, summed)
    report.session = report.sessions[0]
    return report


def _held(s: DialogueSession) -> bool:
    return s.held_at is not None or s.status in HELD


async def _fill(
    db: AsyncSession,
    report: Report,
    sessions: list[DialogueSession],
    facts: str = ALL_FACTS,
    summed: bool = True,
    *,
    staff: bool = True,
) -> None:
    """The figures of ``sessions``: summed in the database (``bot.reports.sums``) or, with ``summed``
    False or where the database cannot give local dates, question by question from the facts.
    ``staff``: with the figures per staff member who answered."""
    cals = await load_calendars(db)  # each question's unit's (its own days off)
    figures = {
        s.id: SessionFigures(
            id=s.id,
            title=s.title,
            day=session_day(s),
            kind=s.kind,
            level=s.level,
            status=s.status,
            place=s.place,
            held=_held(s),
            participants=s.participants,
            notice_on=local_date(s.notice_at) if s.notice_at else None,
            notice_due=conclusion_due(session_day(s), cals.of(s.unit_id)) if _held(s) else None,
        )
        for s in sessions
    }
    report.sessions = list(figures.values())
    if not sessions:
        return
    departments = {d.id: d for d in await db.scalars(select(Department))}
    topics = {t.id: t for t in await db.scalars(select(Topic))}
    if summed and summed_in_database(db.bind.dialect.name, report.today):
        await _sum_in_database(db, report, figures, departments, topics, cals, staff)
        day = _local_day_function(report.today)
        ids = None if facts == ALL_FACTS else await exception_ids(db, list(figures), report.today)
        report.facts = await _facts(db, report.today, sessions, departments, topics, cals, ids, day)
        return
    report.facts = await _facts(db, report.today, sessions, departments, topics, cals)
    dept_groups: dict[int | None, Group] = {}
    topic_groups: dict[int | None, Group] = {}
    staff_names = await _staff_names(db)
    answerer_groups: dict[int, Group] = {}
    for fact in report.facts:
        report.totals.add(fact)
        figures[fact.session_id].counts.add(fact)
        _group(dept_groups, fact.department_id, departments).counts.add(fact)
        _group(topic_groups, fact.topic_id, topics).counts.add(fact)
        if staff and (uid := _user_id(fact.answered_by)) is not None:
            _answerer_group(answerer_groups, uid, fact.answered_by, staff_names).counts.add(fact)
    _by_session_date(report)
    _order_groups(report, dept_groups, topic_groups, topics)
    report.by_answerer = _ordered_answerers(answerer_groups)


async def _sum_in_database(
    db: AsyncSession,
    report: Report,
    figures: dict[int, SessionFigures],
    departments: dict[int, Department],
    topics: dict[int, Topic],
    cals: Calendars,
    staff: bool = True,
) -> None:
    """``Counts`` per session, department and topic from GROUP BY queries; the totals, years and months
    summed from the sessions'. Another grouping (e.g. per staff member) is one more key."""
    keys = {"session": Submission.session_id, "department": Submission.department_id}
    keys["topic"] = Submission.topic_id
    if staff:
        keys["answerer"] = ANSWERER
    summed = await counts_by(db, keys, list(figures), report.today, cals)
    staff_names = await _staff_names(db)
    answerer_groups: dict[int, Group] = {}
    for actor, values in summed.get("answerer", {}).items():
        if (uid := _user_id(actor)) is not None:
            _add_counts(_answerer_group(answerer_groups, uid, actor, staff_names).counts, Counts(**values))
    report.by_answerer = _ordered_answerers(answerer_groups)
    for session_id, values in summed["session"].items():
        figures[session_id].counts = Counts(**values)
    for session in report.sessions:
        _add_counts(report.totals, session.counts)
    _by_session_date(report)
    dept_groups: dict[int | None, Group] = {}
    for key, values in summed["department"].items():
        _add_counts(_group(dept_groups, key, departments).counts, Counts(**values))
    topic_groups: dict[int | None, Group] = {}
    for key, values in summed["topic"].items():
        _add_counts(_group(topic_groups, key, topics).counts, Counts(**values))
    _order_groups(report, dept_groups, topic_groups, topics)


def _group(groups: dict[int | None, Group], key: int | None, rows: dict) -> Group:
    """The group of a department or topic id (made when its first question comes; an unknown or no id:
    the group ``None``)."""
    row = rows.get(key) if key else None
    key = key if row is not None else None
    if key not in groups:
        groups[key] = Group(row.id, Name(row.name_vi, row.name_en)) if row is not None else Group(None, None)
    return groups[key]


def _by_session_date(report: Report) -> None:
    """The year and month groups: the sessions' figures (of those with questions) by the session's day."""
    years: dict[int, Group] = {}
    months: dict[int, Group] = {}
    for session in report.sessions:
        if not session.counts.received:
            continue
        year = session.day.year
        if year not in years:
            years[year] = Group(year, Name(str(year), str(year)))
        _add_counts(years[year].counts, session.counts)
        month = year * 100 + session.day.month
        if month not in months:
            label = f"{session.day.month:02d}/{year}"
            months[month] = Group(month, Name(label, label))
        _add_counts(months[month].counts, session.counts)
    report.by_year = [years[y] for y in sorted(years)]
    report.by_month = [months[m] for m in sorted(months)]


def _order_groups(
    report: Report,
    dept_groups: dict[int | None, Group],
    topic_groups: dict[int | None, Group],
    topics: dict[int, Topic],
) -> None:
    def order(groups: dict[int | None, Group], sort_key) -> list[Group]:
        named = sorted((g for k, g in groups.items() if k is not None), key=sort_key)
        return named + ([groups[None]] if None in groups else [])

    report.by_department = order(dept_groups, lambda g: g.id)
    report.by_topic = order(topic_groups, lambda g: (topics[g.id].sort_order, g.id))


async def _facts(
    db: AsyncSession,
    today: date,
    sessions: list[DialogueSession],
    departments: dict[int, Department],
    topics: dict[int, Topic],
    cals: Calendars,
    only: list[int] | None = None,
    day: Callable[[datetime], date] = local_date,
) -> list[Fact]:
    """The questions of ``sessions`` (or only those of ids ``only``) as facts, in the order of their id."""
    by_id = {s.id: s for s in sessions}
    # Plain rows (the columns, read like a Submission): no ORM objects to build for every question,
    # departments and topics are read once by the caller.
    if only is None:
        subs = (
            await db.execute(
                select(*FACT_COLUMNS).where(Submission.session_id.in_(list(by_id))).order_by(Submission.id)
            )
        ).all()
    else:
        subs = []
        for i in range(0, len(only), 10_000):  # more ids than a statement may carry
            part = only[i : i + 10_000]
            subs += (
                await db.execute(select(*FACT_COLUMNS).where(Submission.id.in_(part)).order_by(Submission.id))
            ).all()
    if not subs:
        return []
    targets = {s.merged_into_id for s in subs if s.merged_into_id}
    codes: dict[int, str] = {}
    chunks = sorted(targets)
    for i in range(0, len(chunks), 10_000):  # a province's year: more ids than a statement may carry
        part = chunks[i : i + 10_000]
        codes.update(
            (await db.execute(select(Submission.id, Submission.code).where(Submission.id.in_(part)))).all()
        )
    forwarded_at: dict[int, datetime] = {}
    in_scope = select(Submission.id).where(Submission.session_id.in_(list(by_id)))
    for sid, at in await db.execute(
        select(SubmissionEvent.submission_id, SubmissionEvent.at)
        .where(SubmissionEvent.action == "forward", SubmissionEvent.submission_id.in_(in_scope))
        .order_by(SubmissionEvent.at)
    ):
        forwarded_at[sid] = at  # the latest one wins
    # plain copies of the few fields read per question (an ORM attribute costs more to read)
    plain_sessions = {
        s.id: SimpleNamespace(id=s.id, title=s.title, starts_at=s.starts_at, held_at=s.held_at)
        for s in sessions
    }
    plain_depts = {d.id: SimpleNamespace(name_vi=d.name_vi, name_en=d.name_en) for d in departments.values()}
    plain_topics = {t.id: SimpleNamespace(name_vi=t.name_vi, name_en=t.name_en) for t in topics.values()}
    made = [
        make_fact(
            sub,
            plain_sessions[sub.session_id],
            today,
            forwarded_at.get(sub.id),
            codes,
            plain_depts,
            plain_topics,
            cals.of(sub.unit_id),
            day,
        )
        for sub in subs
    ]
    # who answered (a merged question: whoever answered the one it was merged into)
    found = await _answerers(db, sorted({sub.id for sub in subs} | targets))
    for fact, sub in zip(made, subs, strict=True):
        fact.answered_by = found.get(sub.merged_into_id if sub.status == S.MERGED else sub.id)
    return made


async def _answerers(db: AsyncSession, ids: list[int]) -> dict[int, str]:
    """Question id → the actor of its latest answer (at the session, or the written response)."""
    found: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        for sid, actor in await db.execute(
            select(SubmissionEvent.submission_id, SubmissionEvent.actor)
            .where(SubmissionEvent.action.in_(ANSWERS), SubmissionEvent.submission_id.in_(ids[i : i + 5000]))
            .order_by(SubmissionEvent.id)
        ):
            found[sid] = actor  # the latest one wins (a reopened question answered again)
    return found


async def _staff_names(db: AsyncSession) -> dict[int, str]:
    names: dict[int, str] = {}
    for uid, name in await db.execute(select(Staff.user_id, Staff.name).order_by(Staff.id)):
        if name and uid not in names:
            names[uid] = name
    return names


def _user_id(actor: str | None) -> int | None:
    """``office:123`` / ``dept:123`` → 123 (a person); anything else None."""
    if not actor or ":" not in actor:
        return None
    kind, _, rest = actor.partition(":")
    return int(rest) if kind in ("office", "dept") and rest.lstrip("-").isdigit() else None


def _answerer_group(groups: dict[int, Group], uid: int, actor: str, names: dict[int, str]) -> Group:
    if uid not in groups:
        label = names.get(uid) or actor
        groups[uid] = Group(uid, Name(label, label))
    return groups[uid]


def _ordered_answerers(groups: dict[int, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (str(g.name), g.id or 0))


def _local_day_function(today: date) -> Callable[[datetime], date]:
    """``local_date``, or where the zone keeps one offset all year the same by adding it (a province's
    year: 300,000 dates)."""
    offset = fixed_offset(today)
    if offset is None:
        return local_date
    delta = timedelta(seconds=offset)
    return lambda value: (value + delta).date()


# The columns a Fact is made of (read as plain rows: a province's year is 100,000 of them).
FACT_COLUMNS = tuple(
    Submission.__table__.c[name]
    for name in [
        "id",
        "code",
        "session_id",
        "created_at",
        "updated_at",
        "status",
        "response_due",
        "original_due",
        "extension_reason",
        "responded_at",
        "forwarded_at",
        "department_id",
        "topic_id",
        "unit_id",
        "public_name",
        "asker_name",
        "text",
        "forwarded_to",
        "merged_into_id",
        "satisfaction",
        "reopened_count",
        "source",
        "source_org",
        "nature",
        "forward_doc_no",
        "forward_doc_date",
        "response_doc_no",
        "response_doc_date",
        "response_file_id",
    ]
)


def make_fact(
    sub: Submission,
    session: DialogueSession,
    today: date,
    forwarded_at: datetime | None,
    codes: dict[int, str],
    departments: dict[int, Department],
    topics: dict[int, Topic],
    cal: WorkCalendar | None = None,
    day: Callable[[datetime], date] = local_date,
) -> Fact:
    """``day``: the local date of an instant (``local_date``, or the same by a fixed offset, faster)."""
    status = sub.status
    received_on = day(sub.created_at)
    due = sub.response_due
    extended = bool(sub.extension_reason) or (
        sub.original_due is not None and due is not None and sub.original_due != due
    )
    outcome: str | None
    settled_on: date | None = None
    if status in EXCLUDED:
        outcome = None
    elif status == S.ANSWERED_AT_SESSION:
        outcome = AT_SESSION
        settled_on = day(session.held_at or session.starts_at)
    elif status == S.RESPONDED:
        outcome = RESPONDED
        settled_on = day(sub.responded_at or sub.updated_at)
    elif status in lifecycle.FORWARDED_ALL:
        outcome = FORWARDED
        settled_on = day(sub.forwarded_at or forwarded_at or sub.updated_at)
    else:
        outcome = OPEN_OUTCOME

    timeliness: str | None = None
    days_late: int | None = None
    if outcome == AT_SESSION:
        timeliness = ON_TIME
    elif outcome == RESPONDED:
        if due is not None and settled_on is not None and settled_on > due:
            timeliness, days_late = LATE, (settled_on - due).days
        else:
            timeliness = ON_TIME
    elif outcome == OPEN_OUTCOME:
        if due is not None and today > due:
            timeliness, days_late = OVERDUE, (today - due).days
        else:
            timeliness = PENDING
    days_to_respond = (
        max(0, (settled_on - received_on).days)
        if outcome in (RESPONDED, FORWARDED) and settled_on is not None
        else None
    )
    working_days_to_respond = (
        max(0, cal.working_days_between(received_on, settled_on))
        if cal is not None and days_to_respond is not None and settled_on is not None
        else None
    )
    dept = departments.get(sub.department_id) if sub.department_id else None
    topic = topics.get(sub.topic_id) if sub.topic_id else None
    return Fact(
        id=sub.id,
        code=sub.code,
        session_id=session.id,
        session_title=session.title,
        session_date=day(session.starts_at),
        received_on=received_on,
        topic=Name(topic.name_vi, topic.name_en) if topic else None,
        department=Name(dept.name_vi, dept.name_en) if dept else None,
        department_id=sub.department_id,
        topic_id=sub.topic_id,
        asker=sub.asker_name if sub.public_name and sub.asker_name else None,
        text=sub.text,
        status=status,
        outcome=outcome,
        timeliness=timeliness,
        settled_on=settled_on,
        original_due=sub.original_due or due,
        response_due=due,
        extended=extended,
        extension_reason=sub.extension_reason,
        days_late=days_late,
        days_to_respond=days_to_respond,
        forwarded_to=sub.forwarded_to,
        merged_into=codes.get(sub.merged_into_id) if sub.merged_into_id else None,
        satisfaction=sub.satisfaction,
        reopened=sub.reopened_count or 0,
        working_days_to_respond=working_days_to_respond,
        source=sub.source or "chat",
        source_org=sub.source_org if sub.source == "front" else None,
        nature=sub.nature,
        answered_above=status == S.ANSWERED_ABOVE,
        forward_doc_no=sub.forward_doc_no,
        forward_doc_date=sub.forward_doc_date,
        response_doc_no=sub.response_doc_no,
        response_doc_date=sub.response_doc_date,
        response_kind=_response_kind(sub) if outcome == RESPONDED else None,
    )


def _response_kind(sub: Submission) -> str:
    if sub.response_doc_no:
        return "document"
    return "file" if sub.response_file_id else "text"
