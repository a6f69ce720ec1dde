"""What the public website reads, and nothing more: plain values built from ``storage.models`` and the
figures of ``bot.reports.metrics`` (no counting rule is repeated here).

Public by construction: sessions other than drafts (their title, time, place, the conclusion notice),
counts, the questions the office published (``published_text`` and the answer as published), the
asker's name only where the asker allowed it, and tracking codes with their state and due dates.
Never a phone number, an address, a chat id, an unpublished question, an attachment or a reason typed
by staff. A question whose asker has since deleted their personal data is no longer shown, published
or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.codes import normalize_code
from bot.domain.deadlines import WorkCalendar, conclusion_due, load_calendar, load_calendars, response_due
from bot.domain.directory import get_config
from bot.domain.publication import public_answer
from bot.domain.sessions import is_open_for_questions
from bot.i18n import local_date
from bot.reports import metrics
from bot.reports.metrics import Fact, Group, Name, Report
from bot.reports.periods import Period
from storage.models import (
    Citizen,
    Department,
    DialogueSession,
    SessionStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Topic,
)

S = SubmissionStatus
PRIVATE = (S.WITHDRAWN, S.REJECTED)  # a look-up answers as for an unknown code
HELD = (SessionStatus.HELD, SessionStatus.CONCLUDED, SessionStatus.CLOSED)
LATEST_SHOWN = 3  # published answers of the last session shown on the home page


@dataclass
class SessionView:
    id: int
    title: str
    starts_at: datetime
    day: date
    place: str
    kind: str
    level: str
    status: str
    announced_at: datetime | None
    questions_close_at: datetime | None
    open_for_questions: bool
    upcoming: bool
    held: bool
    notice_at: datetime | None
    notice_text: str | None
    has_notice_file: bool
    participants: int | None
    conclusion_due: date | None  # R4: set once the session is held
    response_due: date | None  # R5: set once the notice is issued
    announced_days_before: int | None  # R1: at least 7

    @property
    def notice_late(self) -> bool:
        if self.conclusion_due is None:
            return False
        issued = local_date(self.notice_at) if self.notice_at else None
        return issued > self.conclusion_due if issued else False


def session_view(s: DialogueSession, now: datetime, cal: WorkCalendar) -> SessionView:
    day = local_date(s.starts_at)
    held = s.held_at is not None or s.status in HELD
    return SessionView(
        id=s.id,
        title=s.title,
        starts_at=s.starts_at,
        day=day,
        place=s.place,
        kind=s.kind,
        level=s.level,
        status=s.status,
        announced_at=s.announced_at,
        questions_close_at=s.questions_close_at or s.starts_at,
        open_for_questions=is_open_for_questions(s, now),
        upcoming=not held and day >= local_date(now),
        held=held,
        notice_at=s.notice_at,
        notice_text=s.notice_text,
        has_notice_file=bool(s.notice_file_id),
        participants=s.participants,
        conclusion_due=conclusion_due(day, cal) if held else None,
        response_due=response_due(local_date(s.notice_at), cal) if s.notice_at else None,
        announced_days_before=(day - local_date(s.announced_at)).days if s.announced_at else None,
    )


async def public_sessions(db: AsyncSession, now: datetime) -> list[SessionView]:
    """Every session but drafts, the soonest upcoming first, then the most recent past ones."""
    cals = await load_calendars(db)  # each session's dates by its unit's calendar
    rows = await db.scalars(
        select(DialogueSession)
        .where(DialogueSession.status != SessionStatus.DRAFT)
        .order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())
    )
    return [session_view(s, now, cals.of(s.unit_id)) for s in rows]


async def public_session(db: AsyncSession, session_id: int, now: datetime) -> SessionView | None:
    s = await db.get(DialogueSession, session_id)
    if s is None or s.status == SessionStatus.DRAFT:
        return None
    return session_view(s, now, await load_calendar(db, s.unit_id))


# --- published questions --------------------------------------------------------------------------------


@dataclass
class PublishedItem:
    code: str
    session_id: int
    topic: Name | None
    department: Name | None
    question: str
    answer: str | None  # None: answered in writing to the asker only (a document)
    at_session: bool
    answered_on: date | None
    asker: str | None  # only where the asker allowed it
    status: str
    reopened: bool
    published_at: datetime


def _published(session_id: int):
    return (
        select(Submission)
        .join(Citizen, Citizen.id == Submission.citizen_id)
        .where(
            Submission.session_id == session_id,
            Submission.published_at.is_not(None),
            Citizen.deleted_at.is_(None),
        )
    )


def _item(sub: Submission) -> PublishedItem:
    at_session = sub.responded_at is None and sub.session_answer is not None
    answered = (sub.session.held_at or sub.session.starts_at) if at_session else sub.responded_at
    return PublishedItem(
        code=sub.code,
        session_id=sub.session_id,
        topic=Name(sub.topic.name_vi, sub.topic.name_en) if sub.topic else None,
        department=Name(sub.department.name_vi, sub.department.name_en) if sub.department else None,
        question=sub.published_text or "",
        answer=public_answer(sub),
        at_session=at_session,
        answered_on=local_date(answered) if answered else None,
        asker=sub.asker_name if sub.public_name and sub.asker_name else None,
        status=sub.status,
        reopened=(sub.reopened_count or 0) > 0 and sub.status not in (S.RESPONDED, S.ANSWERED_AT_SESSION),
        published_at=sub.published_at,
    )


async def published_count(db: AsyncSession, session_id: int) -> int:
    return (
        await db.scalar(
            select(func.count()).select_from(
                _published(session_id).with_only_columns(Submission.id).subquery()
            )
        )
        or 0
    )


async def published_page(db: AsyncSession, session_id: int, offset: int, limit: int) -> list[PublishedItem]:
    rows = await db.scalars(
        _published(session_id).order_by(Submission.published_at, Submission.id).offset(offset).limit(limit)
    )
    return [_item(s) for s in rows]


async def published_item(db: AsyncSession, session_id: int, code: str) -> PublishedItem | None:
    sub = await db.scalar(_published(session_id).where(Submission.code == code))
    return _item(sub) if sub is not None else None


async def published_position(db: AsyncSession, session_id: int, code: str) -> int | None:
    """The 0-based place of a published question in its session's list (for the page it is on)."""
    sub = await db.scalar(_published(session_id).where(Submission.code == code))
    if sub is None:
        return None
    before = _published(session_id).where(
        (Submission.published_at < sub.published_at)
        | ((Submission.published_at == sub.published_at) & (Submission.id < sub.id))
    )
    return await db.scalar(
        select(func.count()).select_from(before.with_only_columns(Submission.id).subquery())
    )


# --- pages ----------------------------------------------------------------------------------------------


async def unit_name(db: AsyncSession) -> Name:
    """The unit's names, from the short-lived copy of the settings (as ``metrics.unit_name`` reads them)."""
    vi = await get_config(db, "unit_name_vi") or ""
    return Name(vi, await get_config(db, "unit_name_en") or vi)


async def topics(db: AsyncSession) -> list[Name]:
    """The topics questions can be asked on (the directory's), in their order."""
    rows = await db.scalars(select(Topic).where(Topic.active).order_by(Topic.sort_order, Topic.id))
    return [Name(t.name_vi, t.name_en) for t in rows]


@dataclass
class HomeData:
    unit: Name
    upcoming: list[SessionView]
    past: list[SessionView]
    latest: SessionView | None  # the last session held with published answers
    latest_items: list[PublishedItem] = field(default_factory=list)
    latest_total: int = 0
    topics: list[Name] = field(default_factory=list)


async def home(db: AsyncSession, now: datetime) -> HomeData:
    sessions = await public_sessions(db, now)
    upcoming = sorted((s for s in sessions if s.upcoming), key=lambda s: (s.starts_at, s.id))
    past = [s for s in sessions if not s.upcoming]
    data = HomeData(
        unit=await unit_name(db), upcoming=upcoming, past=past, latest=None, topics=await topics(db)
    )
    for s in past:
        total = await published_count(db, s.id)
        if total:
            data.latest, data.latest_total = s, total
            data.latest_items = await published_page(db, s.id, 0, LATEST_SHOWN)
            break
    return data


@dataclass
class SessionPage:
    unit: Name
    session: SessionView
    report: Report
    items: list[PublishedItem]
    total: int
    page: int
    pages: int
    topics: list[Name] = field(default_factory=list)


async def session_page(
    db: AsyncSession, session_id: int, now: datetime, page: int, per_page: int
) -> SessionPage | None:
    view = await public_session(db, session_id, now)
    if view is None:
        return None
    report = await metrics.for_session(db, session_id, now)
    total = await published_count(db, session_id)
    pages = max(1, -(-total // per_page))
    if page < 1 or page > pages:
        return None
    items = await published_page(db, session_id, (page - 1) * per_page, per_page)
    asked_on = await topics(db) if view.open_for_questions else []
    return SessionPage(await unit_name(db), view, report, items, total, page, pages, asked_on)


@dataclass
class DepartmentFigures:
    group: Group
    overdue: list[Fact]  # codes, due dates and days late only are shown


@dataclass
class AccountabilityPage:
    unit: Name
    report: Report
    departments: list[DepartmentFigures]


async def accountability(db: AsyncSession, period: Period, now: datetime) -> AccountabilityPage:
    report = await metrics.for_period(db, period, now)
    overdue = report.overdue
    departments = [
        DepartmentFigures(group, [f for f in overdue if f.department_id == group.id])
        for group in report.by_department
        if group.counts.received
    ]
    return AccountabilityPage(report.unit, report, departments)


@dataclass
class Lookup:
    code: str
    session: SessionView
    fact: Fact
    published: bool
    merged_into: str | None


async def lookup(db: AsyncSession, text: str, now: datetime) -> Lookup | None:
    """A tracking code's state and due dates; None for an unknown code and for a private one alike
    (withdrawn, rejected, its asker's data deleted, or in a session not announced)."""
    code = normalize_code(text)
    if code is None:
        return None
    sub = await db.scalar(select(Submission).where(Submission.code == code))
    if sub is None or sub.status in PRIVATE:
        return None
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is None or citizen.deleted_at is not None:
        return None
    session = await db.get(DialogueSession, sub.session_id)
    if session is None or session.status == SessionStatus.DRAFT:
        return None
    cal = await load_calendar(db, sub.unit_id)
    forwarded_at = await db.scalar(
        select(func.max(SubmissionEvent.at)).where(
            SubmissionEvent.submission_id == sub.id, SubmissionEvent.action == "forwarded"
        )
    )
    codes: dict[int, str] = {}
    if sub.merged_into_id:
        target = await db.get(Submission, sub.merged_into_id)
        if target is not None:
            codes[target.id] = target.code
    departments = {
        d.id: d for d in await db.scalars(select(Department).where(Department.id == sub.department_id))
    }
    topic_rows = {t.id: t for t in await db.scalars(select(Topic).where(Topic.id == sub.topic_id))}
    fact = metrics.make_fact(sub, session, local_date(now), forwarded_at, codes, departments, topic_rows, cal)
    return Lookup(
        code=code,
        session=session_view(session, now, cal),
        fact=fact,
        published=sub.published_at is not None,
        merged_into=fact.merged_into,
    )


async def sitemap_entries(db: AsyncSession) -> list[tuple[str, int | None, datetime | None]]:
    """(kind, session id, last change) for sessions and (code, session id, published_at) for questions."""
    out: list[tuple[str, int | None, datetime | None]] = []
    for s in await db.scalars(
        select(DialogueSession)
        .where(DialogueSession.status != SessionStatus.DRAFT)
        .order_by(DialogueSession.id)
    ):
        out.append(("session", s.id, s.notice_at or s.held_at or s.announced_at))
    rows = await db.execute(
        select(Submission.code, Submission.session_id, Submission.published_at)
        .join(Citizen, Citizen.id == Submission.citizen_id)
        .join(DialogueSession, DialogueSession.id == Submission.session_id)
        .where(
            Submission.published_at.is_not(None),
            Citizen.deleted_at.is_(None),
            DialogueSession.status != SessionStatus.DRAFT,
        )
        .order_by(Submission.session_id, Submission.id)
    )
    out += [(code, sid, at) for code, sid, at in rows]
    return out
