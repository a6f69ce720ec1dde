"""What a scheduler tick does: everything that must happen on its own because time has passed.

``await deadline_tick(db, now, settings)`` looks at the state the office and departments leave
(sessions, submissions, due dates) and enqueues, in the caller's transaction, what is due:

- R4 passed (session day + 10 days, rolled to a working day): every citizen with a question in the
  session gets a status update — the conclusion if it was issued, otherwise that it is late and the
  office has been reminded; the office group is alerted. The office is also reminded one working
  day before.
- R5 passed (the response due date, moved by an approved extension): the citizen gets the response
  if it was given, otherwise that it is late, which agency is responsible and that it has been
  reminded; the department and the office are reminded every day until it is settled.
- Before R5: departments are reminded ``settings.reminder_working_days`` working days before
  (default 5 and 1), on working days.
- The day before a session: each citizen with a question there gets the time and place.
- After a written response: the citizen is asked to rate it (1–5) or say it is not resolved
  (buttons handled by handlers/followup.py).

Every message has an idempotency key naming the event (daily reminders key on the date), so ticks
can run every minute, twice, or from several processes without sending anything twice. Nothing is
stored to say "overdue": it is derived (``response_due < today`` and not settled).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.deadlines import conclusion_due, load_calendar
from bot.domain.directory import _set_config, get_config, office_chat_id
from bot.i18n import local_date, use_locale
from bot.notify.cards import GROUP_LOCALE
from bot.notify.outbox import enqueue, enqueue_to_citizen
from bot.notify.public import public_tick
from bot.texts import notifications as tn
from storage.models import (
    Citizen,
    Department,
    DialogueSession,
    Outbox,
    SessionStatus,
    Submission,
    SubmissionStatus,
)

S = SubmissionStatus
OPEN = (S.RECEIVED, S.ROUTED, S.AWAITING_RESPONSE)  # not settled: the agency still owes an answer
NOT_ASKED = (S.WITHDRAWN, S.REJECTED)  # no status update at the conclusion deadline
LOOKBACK_DAYS = 120  # how far back a missed tick (a stopped bot) still catches up
RATE_LOOKBACK_DAYS = 30
HELD = (SessionStatus.HELD, SessionStatus.CONCLUDED, SessionStatus.CLOSED)
RECHECK_DAYS = 3
R5_MARK = "ticks.r5_through"
RATE_PREFIX = "fu"  # handlers/followup.py: FollowUp(prefix="fu", sid, v)


@dataclass
class TickReport:
    today: date | None = None
    enqueued: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sent: int = 0
    skipped: bool = False  # another process held the lease

    def add(self, purpose: str, row: int | None) -> None:
        if row is not None:
            self.enqueued[purpose] += 1

    @property
    def total(self) -> int:
        return sum(self.enqueued.values())

    def __str__(self) -> str:
        if self.skipped:
            return "tick skipped: another process is running one"
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.enqueued.items())) or "nothing due"
        return f"tick {self.today}: enqueued {self.total} ({parts}); sent {self.sent}"


def rating_buttons(sub: Submission) -> list[list[dict[str, str]]]:
    stars = [{"text": f"{v}⭐", "data": f"{RATE_PREFIX}:{sub.id}:{v}"} for v in range(1, 6)]
    return [stars, [{"text": tn.btn_not_resolved(), "data": f"{RATE_PREFIX}:{sub.id}:0"}]]


async def _existing(db: AsyncSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(await db.scalars(select(Outbox.key).where(Outbox.key.in_(keys[i : i + 500]))))
    return found


async def _citizens(db: AsyncSession, ids: set[int]) -> dict[int, Citizen]:
    out: dict[int, Citizen] = {}
    ids_list = list(ids)
    for i in range(0, len(ids_list), 500):
        for c in await db.scalars(select(Citizen).where(Citizen.id.in_(ids_list[i : i + 500]))):
            out[c.id] = c
    return out


async def _to_chat(
    db: AsyncSession,
    report: TickReport,
    chat: int | None,
    key: str,
    purpose: str,
    text: str,
    now: datetime,
    **kw: Any,
) -> None:
    if chat is not None:
        report.add(
            purpose, await enqueue(db, key=key, chat_id=chat, purpose=purpose, text=text, now=now, **kw)
        )


async def deadline_tick(db: AsyncSession, now: datetime, settings: Any) -> TickReport:
    cal = await load_calendar(db)
    today = local_date(now)
    report = TickReport(today=today)
    office = await office_chat_id(db)
    await _conclusion_deadlines(db, now, today, cal, office, report)
    await _response_deadlines(db, now, today, office, report)
    await _response_reminders(
        db, now, today, cal, list(getattr(settings, "reminder_working_days", [5, 1])), report
    )
    await _session_eve(db, now, today, report)
    await _ratings(db, now, today, report)
    await public_tick(db, now, settings, report)  # the public channel's monthly summary, the oversight digest
    return report


async def _conclusion_deadlines(
    db: AsyncSession, now: datetime, today: date, cal: Any, office: int | None, report: TickReport
) -> None:
    sessions = list(
        await db.scalars(
            select(DialogueSession).where(
                or_(DialogueSession.held_at.is_not(None), DialogueSession.status.in_(HELD)),
                DialogueSession.starts_at >= now - timedelta(days=LOOKBACK_DAYS),
                DialogueSession.starts_at <= now,
            )
        )
    )
    for session in sessions:
        # The session's day is the day it was scheduled and held (as the citizen was told).
        due = conclusion_due(local_date(session.starts_at), cal)
        if session.notice_at is None and cal.is_working_day(today) and cal.add_working_days(today, 1) == due:
            with use_locale(GROUP_LOCALE):
                text = tn.office_conclusion_soon(session, due)
            await _to_chat(db, report, office, f"r4:{session.id}:soon", "r4_soon", text, now)
        if today <= due:
            continue
        marker = f"r4:{session.id}:office"
        if await db.scalar(select(Outbox.id).where(Outbox.key == marker)) is not None:
            continue
        subs = list(
            await db.scalars(
                select(Submission)
                .where(Submission.session_id == session.id, Submission.status.not_in(NOT_ASKED))
                .order_by(Submission.id)
            )
        )
        citizens = await _citizens(db, {s.citizen_id for s in subs})
        told = 0
        for sub in subs:
            citizen = citizens.get(sub.citizen_id)
            if citizen is None:
                continue
            with use_locale(citizen.locale):
                if session.notice_at is not None:
                    text = tn.citizen_conclusion_issued(sub, session)
                else:
                    text = tn.citizen_conclusion_late(sub, session, due)
            row = await enqueue_to_citizen(
                db,
                citizen,
                key=f"r4:{sub.code}",
                purpose="r4_status",
                text=text,
                now=now,
                submission_id=sub.id,
            )
            report.add("r4_status", row)
            told += row is not None
        with use_locale(GROUP_LOCALE):
            if session.notice_at is None:
                text = tn.office_conclusion_late(session, due, told)
            else:
                text = tn.office_conclusion_passed(session, due, told)
        await _to_chat(db, report, office, marker, "r4_office", text, now)


async def _response_deadlines(
    db: AsyncSession, now: datetime, today: date, office: int | None, report: TickReport
) -> None:
    # The day a due date passes: one status update per citizen (the key carries the due date, so an
    # extension's new date gets its own update when it passes). A watermark (app_config
    # ``ticks.r5_through``: every due date up to it has been handled) keeps the minute tick from
    # re-reading past due dates; the last RECHECK_DAYS are looked at again in case a date was
    # recorded late (the keys make that harmless).
    mark = await get_config(db, R5_MARK)
    since = today - timedelta(days=LOOKBACK_DAYS)
    if mark:
        since = min(date.fromisoformat(mark) + timedelta(days=1), today - timedelta(days=RECHECK_DAYS))
    candidates = (
        await db.execute(
            select(Submission.id, Submission.code, Submission.response_due).where(
                Submission.status.in_((*OPEN, S.RESPONDED)),
                Submission.response_due < today,
                Submission.response_due >= since,
            )
        )
    ).all()
    keys = {sid: f"r5:{code}:{due.isoformat()}" for sid, code, due in candidates}
    done = await _existing(db, list(keys.values()))
    todo_ids = [sid for sid, key in keys.items() if key not in done]
    todo: list[Submission] = []
    for i in range(0, len(todo_ids), 500):
        todo.extend(await db.scalars(select(Submission).where(Submission.id.in_(todo_ids[i : i + 500]))))
    todo.sort(key=lambda s: s.id)
    yesterday = (today - timedelta(days=1)).isoformat()
    if mark != yesterday:
        await _set_config(db, R5_MARK, yesterday)
    citizens = await _citizens(db, {s.citizen_id for s in todo})
    for sub in todo:
        citizen = citizens.get(sub.citizen_id)
        if citizen is None:
            continue
        with use_locale(citizen.locale):
            if sub.status == S.RESPONDED:
                text = tn.citizen_response_given(sub)
            else:
                text = tn.citizen_response_late(sub)
        report.add(
            "r5_status",
            await enqueue_to_citizen(
                db, citizen, key=keys[sub.id], purpose="r5_status", text=text, now=now, submission_id=sub.id
            ),
        )
    # Every day until settled: the department and the office.
    overdue = list(
        await db.scalars(
            select(Submission)
            .where(Submission.status.in_(OPEN), Submission.response_due < today)
            .order_by(Submission.response_due, Submission.id)
        )
    )
    if not overdue:
        return
    by_dept: dict[int | None, list[Submission]] = defaultdict(list)
    for sub in overdue:
        by_dept[sub.department_id].append(sub)
    depts = {
        d.id: d
        for d in await db.scalars(select(Department).where(Department.id.in_([k for k in by_dept if k])))
    }
    with use_locale(GROUP_LOCALE):
        for dept_id, subs in by_dept.items():
            dept = depts.get(dept_id) if dept_id else None
            if dept is not None and dept.chat_id is not None:
                text = tn.department_overdue(dept, subs, today)
                await _to_chat(
                    db, report, dept.chat_id, f"r5:remind:{dept.id}:{today}", "r5_remind", text, now
                )
        summary = [(depts.get(k) if k else None, v) for k, v in by_dept.items()]
        text = tn.office_overdue(summary, today)
        await _to_chat(db, report, office, f"r5:remind:office:{today}", "r5_remind_office", text, now)


async def _response_reminders(
    db: AsyncSession, now: datetime, today: date, cal: Any, days_before: list[int], report: TickReport
) -> None:
    if not cal.is_working_day(today):
        return
    for n in sorted(set(days_before)):
        if n <= 0:
            continue
        due = cal.add_working_days(today, n)
        subs = list(
            await db.scalars(
                select(Submission)
                .where(Submission.status.in_(OPEN), Submission.response_due == due)
                .order_by(Submission.id)
            )
        )
        by_dept: dict[int, list[Submission]] = defaultdict(list)
        for sub in subs:
            if sub.department is not None and sub.department.chat_id is not None:
                by_dept[sub.department_id].append(sub)
        with use_locale(GROUP_LOCALE):
            for _dept_id, items in by_dept.items():
                dept = items[0].department
                text = tn.department_due_soon(dept, items, due, n)
                key = f"r5:soon:{dept.id}:{due}:{n}"
                await _to_chat(db, report, dept.chat_id, key, "r5_soon", text, now)


async def _session_eve(db: AsyncSession, now: datetime, today: date, report: TickReport) -> None:
    tomorrow = today + timedelta(days=1)
    sessions = [
        s
        for s in await db.scalars(
            select(DialogueSession).where(
                DialogueSession.status.in_((SessionStatus.ANNOUNCED, SessionStatus.QUESTIONS_CLOSED)),
                DialogueSession.starts_at >= now,
                DialogueSession.starts_at <= now + timedelta(days=2),
            )
        )
        if local_date(s.starts_at) == tomorrow
    ]
    for session in sessions:
        subs = list(
            await db.scalars(
                select(Submission)
                .where(Submission.session_id == session.id, Submission.status.not_in((*NOT_ASKED, S.MERGED)))
                .order_by(Submission.id)
            )
        )
        codes: dict[int, list[str]] = defaultdict(list)
        for sub in subs:
            codes[sub.citizen_id].append(sub.code)
        citizens = await _citizens(db, set(codes))
        for citizen_id, items in codes.items():
            citizen = citizens.get(citizen_id)
            if citizen is None:
                continue
            with use_locale(citizen.locale):
                text = tn.citizen_session_tomorrow(session, items)
            row = await enqueue_to_citizen(
                db, citizen, key=f"eve:{session.id}:{citizen.id}", purpose="session_eve", text=text, now=now
            )
            report.add("session_eve", row)


async def _ratings(db: AsyncSession, now: datetime, today: date, report: TickReport) -> None:
    # Bounded by the due-date index: responses to questions due in the last months (or later).
    candidates = (
        await db.execute(
            select(Submission.id, Submission.code, Submission.reopened_count).where(
                Submission.status == S.RESPONDED,
                or_(
                    Submission.response_due >= today - timedelta(days=LOOKBACK_DAYS),
                    Submission.response_due.is_(None),  # answered before the notice set a due date
                ),
                Submission.satisfaction.is_(None),
                Submission.responded_at >= now - timedelta(days=RATE_LOOKBACK_DAYS),
                Submission.responded_at <= now,
            )
        )
    ).all()
    keys = {sid: f"rate:{code}:{reopened}" for sid, code, reopened in candidates}
    done = await _existing(db, list(keys.values()))
    todo_ids = [sid for sid, key in keys.items() if key not in done]
    todo: list[Submission] = []
    for i in range(0, len(todo_ids), 500):
        todo.extend(await db.scalars(select(Submission).where(Submission.id.in_(todo_ids[i : i + 500]))))
    todo.sort(key=lambda s: s.id)
    citizens = await _citizens(db, {s.citizen_id for s in todo})
    for sub in todo:
        citizen = citizens.get(sub.citizen_id)
        if citizen is None:
            continue
        with use_locale(citizen.locale):
            text, buttons = tn.citizen_rate(sub), rating_buttons(sub)
        row = await enqueue_to_citizen(
            db,
            citizen,
            key=keys[sub.id],
            purpose="rate",
            text=text,
            now=now,
            buttons=buttons,
            submission_id=sub.id,
        )
        report.add("rate", row)
