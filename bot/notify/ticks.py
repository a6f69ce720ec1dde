"""What a scheduler tick does: everything that must happen on its own because time has passed.

``await deadline_tick(db, now, settings)`` looks at the state the office and departments leave and
enqueues, in the caller's transaction, what is due (every asker merged into a question is told
whatever its asker is told):

- A session past its date that nobody marked held: the office is asked, each working day, to mark it
  held, postpone it or cancel it (buttons).
- R4 (the conclusion notice, due 10 days after the session was held, rolled to a working day): the
  office is reminded the working day before; once it passes, each citizen with a question there gets
  one status update (the notice if issued, else that it is late and the office reminded) and, until
  the notice is issued, the office is alerted each working day.
- R5 (the written response, 30 working days after the notice, or an approved later date): the day
  it passes each asker gets one status update — the answer and whether it came in time, or that it
  is late, who is responsible and that they were reminded; the department and the office are
  reminded each working day until it is answered. Departments are also reminded
  ``settings.reminder_working_days`` working days before (default 5 and 1).
- The day before a session: each citizen with a question there gets the time and place.
- After an answer (at the session or in writing): each asker is asked to rate it (1–5) or say it is
  not resolved.

Every message's idempotency key names the event (daily ones carry the date), so ticks can run every
minute, twice, or from several processes without sending anything twice; the keys are looked up
before anything is loaded or rendered, so a minute tick with nothing new to say reads little.
"Overdue" is never stored: it is ``response_due < today`` and not settled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle, units
from bot.domain.deadlines import Calendars, WorkCalendar, conclusion_due, load_calendars
from bot.domain.directory import _set_config, get_config, office_chat_id
from bot.domain.followup import rating_key
from bot.domain.privacy import retention_tick
from bot.i18n import local_date, use_locale
from bot.notify import cards, followthrough
from bot.notify.actions import action
from bot.notify.notifier import to_citizen
from bot.notify.outbox import enqueue_many, for_citizen, row
from bot.notify.public import public_tick
from bot.texts import citizen as tc
from bot.texts import department as td
from bot.texts import office as to
from storage.models import Citizen, Department, DialogueSession, Outbox, Submission, SubmissionStatus

S = SubmissionStatus
LOOKBACK_DAYS = 120  # how far back a missed tick (a stopped bot) still catches up
RATE_LOOKBACK_DAYS = 30
RECHECK_DAYS = 3
R5_MARK = "ticks.r5_through"
NOT_TOLD = tuple(sorted(lifecycle.CLOSED_WITHOUT_ANSWER))  # no status update for these


@dataclass
class TickReport:
    today: date | None = None
    enqueued: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sent: int = 0
    skipped: bool = False  # another process held the lease

    def add(self, purpose: str, count: int = 1) -> None:
        self.enqueued[purpose] += count

    @property
    def total(self) -> int:
        return sum(self.enqueued.values())

    def __str__(self) -> str:
        if self.skipped:
            return "tick skipped: another process is running one"
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.enqueued.items())) or "nothing due"
        return f"tick {self.today}: enqueued {self.total} ({parts}); sent {self.sent}"


@dataclass
class Tick:
    db: AsyncSession
    now: datetime
    today: date
    cals: Calendars
    office: int | None
    report: TickReport
    queued: list[dict[str, Any]] = field(default_factory=list)
    offices: dict[int, int] = field(default_factory=dict)  # a deployment of many units: each one's office
    top: int | None = None  # its top unit (the deployment's office group is its office); None: one unit

    @property
    def cal(self) -> WorkCalendar:
        """The deployment's calendar (what is not a unit's: the report windows)."""
        return self.cals.base

    def working(self, unit_id: int | None) -> bool:
        """Whether today is a working day where the unit is (its own days off count)."""
        return self.cals.of(unit_id).is_working_day(self.today)

    def after_working_days(self, unit_id: int | None, n: int) -> date:
        return self.cals.of(unit_id).add_working_days(self.today, n)

    def office_for(self, unit_id: int | None) -> int | None:
        """The office group of the unit that holds a session or a question (else the deployment's, for
        the top unit only: a commune with no office group of its own gets no note in another's)."""
        if unit_id is not None and unit_id in self.offices:
            return self.offices[unit_id]
        return self.office if unit_id is None or self.top in (None, unit_id) else None

    async def missing(self, keys: list[str]) -> set[str]:
        """Which of these keys have not been queued yet (in the outbox or in this tick)."""
        found: set[str] = {r["key"] for r in self.queued}
        for i in range(0, len(keys), 500):
            found.update(await self.db.scalars(select(Outbox.key).where(Outbox.key.in_(keys[i : i + 500]))))
        return set(keys) - found

    def queue(self, values: dict[str, Any]) -> None:
        self.queued.append(values)
        self.report.add(values["purpose"])

    def to_group(self, chat: int | None, key: str, purpose: str, text: str, **kw: Any) -> None:
        if chat is not None:
            self.queue(row(key=key, chat_id=chat, purpose=purpose, text=text, now=self.now, **kw))

    def to_asker(
        self, citizen: Citizen | None, item: Submission, key: str, purpose: str, render: Callable, **kw: Any
    ) -> None:
        if citizen is not None and (
            values := to_citizen(citizen, item, key, purpose, self.now, render, db=self.db, **kw)
        ):
            self.queue(values)


async def deadline_tick(db: AsyncSession, now: datetime, settings: Any) -> TickReport:
    today = local_date(now)
    tick = Tick(db, now, today, await load_calendars(db), await office_chat_id(db), TickReport(today=today))
    tick.offices = {u.id: u.office_chat_id for u in await units.all_units(db) if u.office_chat_id}
    tick.top = (await units.top(db)).id if await units.many(db) else None
    await _held_checks(tick)
    await _conclusion_deadlines(tick)
    await _response_deadlines(tick)
    await _response_reminders(tick, list(getattr(settings, "reminder_working_days", [5, 1])))
    await _session_eve(tick)
    await _ratings(tick)
    await followthrough.tick(tick)  # forwarded follow-ups, invitations, report reminders, calls (#13)
    await enqueue_many(db, tick.queued)
    await retention_tick(db, now, settings)  # personal data kept too long (bot.domain.privacy)
    await public_tick(
        db, now, settings, tick.report
    )  # the public channel's monthly summary, the oversight digest
    return tick.report


async def _askers_of(db: AsyncSession, where: Any) -> list[tuple[Submission, Submission, Citizen]]:
    """(asker's question, the question whose state counts — itself or its merge target, citizen)."""
    found = await db.execute(
        select(Submission, Citizen)
        .join(Citizen, Citizen.id == Submission.citizen_id)
        .where(where)
        .order_by(Submission.id)
    )
    items = found.all()
    ids = sorted({item.merged_into_id for item, _citizen in items if item.merged_into_id})
    targets: dict[int, Submission] = {}
    for i in range(0, len(ids), 500):
        chunk = await db.scalars(select(Submission).where(Submission.id.in_(ids[i : i + 500])))
        targets.update({s.id: s for s in chunk})
    out = []
    for item, citizen in items:
        state = targets.get(item.merged_into_id or 0, item) if item.status == S.MERGED else item
        out.append((item, state, citizen))
    return out


# --- sessions nobody marked held ----------------------------------------------------------------------


async def _held_checks(t: Tick) -> None:
    sessions = [
        s
        for s in await t.db.scalars(
            select(DialogueSession).where(
                DialogueSession.status.in_(sorted(lifecycle.SESSION_ANNOUNCED)),
                DialogueSession.starts_at < t.now,
            )
        )
        if local_date(s.starts_at) < t.today and t.working(s.unit_id)
    ]
    keys = {s.id: f"held?:{s.id}:{t.today}" for s in sessions}
    todo = await t.missing(list(keys.values()))
    for session in sessions:
        if keys[session.id] in todo:
            text, actions = cards.held_check(session, t.now)
            t.to_group(t.office_for(session.unit_id), keys[session.id], "held_check", text, actions=actions)


# --- R4: the conclusion notice ---------------------------------------------------------------------------


async def _conclusion_deadlines(t: Tick) -> None:
    sessions = list(
        await t.db.scalars(
            select(DialogueSession).where(
                DialogueSession.status.in_(sorted(lifecycle.SESSION_HELD)),
                DialogueSession.starts_at >= t.now - timedelta(days=LOOKBACK_DAYS),
                DialogueSession.starts_at <= t.now,
            )
        )
    )
    for session in sessions:
        # R4 runs from the day the session was held (its date; a postponed session's new date)
        # (the session's unit's calendar: its own days off move the date too)
        cal = t.cals.of(session.unit_id)
        due = conclusion_due(local_date(session.starts_at), cal)
        issued = session.notice_at is not None
        working = cal.is_working_day(t.today)
        soon = f"r4:{session.id}:soon"
        if not issued and working and cal.add_working_days(t.today, 1) == due and await t.missing([soon]):
            with use_locale(cards.GROUP_LOCALE):
                t.to_group(t.office_for(session.unit_id), soon, "r4_soon", to.conclusion_soon(session, due))
        if t.today <= due:
            continue
        told_mark = f"ticks.r4_told:{session.id}"  # every citizen had their one R4 status update
        late_key = f"r4:{session.id}:late:{t.today}"
        if await get_config(t.db, told_mark) is None:
            told = await _conclusion_status(t, session, due)
            await _set_config(t.db, told_mark, t.today.isoformat())
            key = late_key if not issued and working else f"r4:{session.id}:office"
            with use_locale(cards.GROUP_LOCALE):
                text = (
                    to.conclusion_passed(session, due, told)
                    if issued
                    else to.conclusion_late(session, due, told)
                )
            t.to_group(t.office_for(session.unit_id), key, "r4_office", text)
        elif not issued and working and await t.missing([late_key]):  # each working day until issued
            with use_locale(cards.GROUP_LOCALE):
                late = to.conclusion_late(session, due, None)
                t.to_group(t.office_for(session.unit_id), late_key, "r4_office", late)


async def _conclusion_status(t: Tick, session: DialogueSession, due: date) -> int:
    """Each asker's one R4 status update; returns how many were told."""
    told = 0
    for item, _state, citizen in await _askers_of(
        t.db, (Submission.session_id == session.id) & Submission.status.not_in(NOT_TOLD)
    ):
        if session.notice_at is not None:
            render = lambda item: tc.conclusion_issued(item, session)  # noqa: E731
        else:
            render = lambda item: tc.conclusion_late(item, session, due)  # noqa: E731
        before = len(t.queued)
        t.to_asker(citizen, item, f"r4:{item.code}", "r4_status", render)
        told += len(t.queued) > before
    return told


# --- R5: the written response ----------------------------------------------------------------------------


async def _response_deadlines(t: Tick) -> None:
    # The day a due date passes: one status update per asker (the key carries the due date, so an
    # extension's new date gets its own update when it passes). A watermark (app_config
    # ``ticks.r5_through``: every due date up to it has been handled) keeps the minute tick from
    # re-reading past due dates; the last RECHECK_DAYS are looked at again in case a date was
    # recorded late (the keys make that harmless).
    db, today = t.db, t.today
    mark = await get_config(db, R5_MARK)
    since = today - timedelta(days=LOOKBACK_DAYS)
    if mark:
        since = min(date.fromisoformat(mark) + timedelta(days=1), today - timedelta(days=RECHECK_DAYS))
    candidates = (
        await db.execute(
            select(Submission.id, Submission.code, Submission.response_due).where(
                Submission.status.in_(sorted(lifecycle.OPEN | {S.RESPONDED, S.MERGED})),
                Submission.response_due < today,
                Submission.response_due >= since,
            )
        )
    ).all()
    keys = {sid: f"r5:{code}:{due.isoformat()}" for sid, code, due in candidates}
    todo = await t.missing(list(keys.values()))
    todo_ids = [sid for sid, key in keys.items() if key in todo]
    yesterday = (today - timedelta(days=1)).isoformat()
    if mark != yesterday:
        await _set_config(db, R5_MARK, yesterday)
    if todo_ids:
        departments = {d.id: d for d in await db.scalars(select(Department))}
        for item, state, citizen in await _askers_of(db, Submission.id.in_(todo_ids)):
            dept = departments.get(state.department_id) if state.department_id else None
            if state.status == S.RESPONDED and state.responded_at is not None:
                on = local_date(state.responded_at)
                render = lambda item, dept=dept, on=on: tc.response_given(  # noqa: E731
                    item, dept, on, item.response_due
                )
            elif state.status in lifecycle.OPEN:
                render = lambda item, dept=dept: tc.response_late(item, dept)  # noqa: E731
            else:
                continue
            t.to_asker(citizen, item, keys[item.id], "r5_status", render)
    await _overdue_reminders(t)


async def _overdue_reminders(t: Tick) -> None:
    """Each working day until answered (where the question's unit is): each department, and the
    office (a summary)."""
    db, today = t.db, t.today
    office_key = f"r5:remind:office:{today}"
    if not await t.missing([office_key]):
        return  # today's reminders are out
    overdue = [
        sub
        for sub in await db.scalars(
            select(Submission)
            .where(Submission.status.in_(sorted(lifecycle.OPEN)), Submission.response_due < today)
            .order_by(Submission.response_due, Submission.id)
        )
        if t.working(sub.unit_id)
    ]
    if not overdue:
        return
    by_dept: dict[int | None, list[Submission]] = defaultdict(list)
    for sub in overdue:
        by_dept[sub.department_id].append(sub)
    depts = {
        d.id: d
        for d in await db.scalars(select(Department).where(Department.id.in_([k for k in by_dept if k])))
    }
    with use_locale(cards.GROUP_LOCALE):
        for dept_id, subs in by_dept.items():
            dept = depts.get(dept_id) if dept_id else None
            if dept is not None and dept.chat_id is not None:
                key = f"r5:remind:{dept.id}:{today}"
                t.to_group(dept.chat_id, key, "r5_remind", td.overdue(dept, subs, today))
        by_unit: dict[int | None, list[tuple[Any, list[Submission]]]] = defaultdict(list)
        for k, v in by_dept.items():  # each office hears about its own unit's questions only
            for unit_id in sorted({sub.unit_id or 0 for sub in v}):
                mine = [sub for sub in v if (sub.unit_id or 0) == unit_id]
                by_unit[unit_id or None].append((depts.get(k) if k else None, mine))
        for unit_id, summary in by_unit.items():
            key = office_key if unit_id is None else f"{office_key}:{unit_id}"
            t.to_group(t.office_for(unit_id), key, "r5_remind_office", to.overdue(summary, today))


async def _response_reminders(t: Tick, days_before: list[int]) -> None:
    """A department hears, n working days before (where its question's unit is), which of its
    questions are due then."""
    for n in sorted({d for d in days_before if d > 0}):
        dues = {cal.add_working_days(t.today, n) for cal in t.cals.distinct() if cal.is_working_day(t.today)}
        if not dues:
            continue
        subs = [
            sub
            for sub in await t.db.scalars(
                select(Submission)
                .where(
                    Submission.status.in_(sorted(lifecycle.AT_DEPARTMENT)),
                    Submission.response_due.in_(sorted(dues)),
                )
                .order_by(Submission.id)
            )
            if t.working(sub.unit_id) and sub.response_due == t.after_working_days(sub.unit_id, n)
        ]
        by_dept: dict[tuple[int, date], list[Submission]] = defaultdict(list)
        for sub in subs:
            if sub.department is not None and sub.department.chat_id is not None:
                by_dept[sub.department_id, sub.response_due].append(sub)
        keys = {(dept_id, due): f"r5:soon:{dept_id}:{due}:{n}" for dept_id, due in by_dept}
        todo = await t.missing(list(keys.values()))
        with use_locale(cards.GROUP_LOCALE):
            for (dept_id, due), items in by_dept.items():
                if keys[dept_id, due] in todo:
                    dept = items[0].department
                    t.to_group(dept.chat_id, keys[dept_id, due], "r5_soon", td.due_soon(dept, items, due, n))


# --- the day before a session ------------------------------------------------------------------------------


async def _session_eve(t: Tick) -> None:
    tomorrow = t.today + timedelta(days=1)
    sessions = [
        s
        for s in await t.db.scalars(
            select(DialogueSession).where(
                DialogueSession.status.in_(sorted(lifecycle.SESSION_ANNOUNCED)),
                DialogueSession.starts_at >= t.now,
                DialogueSession.starts_at <= t.now + timedelta(days=2),
            )
        )
        if local_date(s.starts_at) == tomorrow
    ]
    for session in sessions:
        found = await _askers_of(
            t.db, (Submission.session_id == session.id) & Submission.status.not_in(NOT_TOLD)
        )
        codes: dict[int, list[str]] = defaultdict(list)
        citizens: dict[int, Citizen] = {}
        for item, _state, citizen in found:
            codes[citizen.id].append(item.code)
            citizens[citizen.id] = citizen
        keys = {cid: f"eve:{session.id}:{cid}" for cid in codes}
        todo = await t.missing(list(keys.values()))
        for citizen_id, items in codes.items():
            if keys[citizen_id] in todo:
                values = for_citizen(
                    citizens[citizen_id],
                    keys[citizen_id],
                    "session_eve",
                    t.now,
                    lambda items=items, session=session: tc.session_tomorrow(session, items),
                )
                if values is not None:
                    t.queue(values)


# --- ratings --------------------------------------------------------------------------------------------


def rating_actions(item: Submission) -> list[list[dict[str, Any]]]:
    stars = [action(tc.btn_rating(v), "rate", item.id, v) for v in range(1, 6)]
    return [stars, [action(tc.btn_not_resolved(), "not_resolved", item.id)]]


async def _ratings(t: Tick) -> None:
    """Every asker of an answer given in the last days who has not rated it."""
    candidates = (
        await t.db.execute(
            select(Submission.id, Submission.code, Submission.answered_at).where(
                Submission.status.in_(sorted(lifecycle.RATEABLE | {S.MERGED})),
                Submission.answered_at >= t.now - timedelta(days=RATE_LOOKBACK_DAYS),
                Submission.answered_at <= t.now,
                or_(Submission.rated_at.is_(None), Submission.rated_at < Submission.answered_at),
            )
        )
    ).all()
    keys = {sid: rating_key(code, answered) for sid, code, answered in candidates}
    todo = await t.missing(list(keys.values()))
    todo_ids = [sid for sid, key in keys.items() if key in todo]
    if not todo_ids:
        return
    for item, state, citizen in await _askers_of(t.db, Submission.id.in_(todo_ids)):
        if state.status in lifecycle.RATEABLE:
            t.to_asker(citizen, item, keys[item.id], "rate", tc.rate_request, actions=rating_actions)
