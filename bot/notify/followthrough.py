"""What time makes happen for issue #13, one step of the deadline tick (bot/notify/ticks.py calls
``tick(t)`` before it stores what it queued):

- Forwarded questions: once the follow-up date passes (``forward_follow_up``: the authority's
  working days, else the deployment's, else 30), the office is reminded to follow up, then again each
  5 working days until the authority's answer is recorded — with the button to record it.
- The day before a session, each department group receives the list of its questions for it (those
  it leads and those it coordinates on): it is invited to answer them there.
- Five working days before each reporting window's due date, each unit's office is reminded (by its
  own calendar), with the button that builds that window's report.
- The calls the office is to make for askers no chat can reach (bot/notify/calls.py).

Keys name the event (and the period), so minute ticks send nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.domain import lifecycle, reporting
from bot.i18n import DEFAULT_LOCALE, local_date, use_locale
from bot.notify import calls, extra_cards
from bot.texts import department_extra as tde
from bot.texts import office_extra as tox
from storage.models import Coordination, Department, DialogueSession, Submission, SubmissionStatus

REMIND_EVERY = 5  # working days between follow-up reminders of a forwarded question


async def tick(t: Any) -> None:
    """``t``: the deadline tick's ``Tick`` (db, now, today, cal, office, queue, missing)."""
    await _forward_follow_ups(t)  # where the question's unit has a working day
    await _report_reminders(t)  # where each unit has a working day
    await _invitations(t)
    await calls.flush(t.db, t.now)


async def _forward_follow_ups(t: Any) -> None:
    due = [
        sub
        for sub in await t.db.scalars(
            select(Submission)
            .where(Submission.status == SubmissionStatus.FORWARDED, Submission.forward_follow_up <= t.today)
            .order_by(Submission.forward_follow_up, Submission.id)
        )
        if t.working(sub.unit_id)
    ]
    keys = {}
    for sub in due:
        cal = t.cals.of(sub.unit_id)
        block = max(0, cal.working_days_between(sub.forward_follow_up, t.today)) // REMIND_EVERY
        keys[sub.id] = f"fwd:{sub.code}:{sub.forward_follow_up}:{block}"
    todo = await t.missing(list(keys.values()))
    for sub in due:
        if keys[sub.id] in todo:
            text, actions = extra_cards.follow_up_card(sub)
            office = t.office_for(sub.unit_id)
            t.to_group(office, keys[sub.id], "forward_follow_up", text, actions=actions, submission_id=sub.id)


async def _invitations(t: Any) -> None:
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
        subs = list(
            await t.db.scalars(
                select(Submission)
                .where(
                    Submission.session_id == session.id,
                    Submission.merged_into_id.is_(None),
                    Submission.status.in_(sorted(lifecycle.OPEN)),
                )
                .order_by(Submission.id)
            )
        )
        leads: dict[int, list[Submission]] = defaultdict(list)
        helps: dict[int, list[Submission]] = defaultdict(list)
        for sub in subs:
            if sub.department_id is not None:
                leads[sub.department_id].append(sub)
        if subs:
            found = await t.db.execute(
                select(Coordination.department_id, Coordination.submission_id).where(
                    Coordination.submission_id.in_([s.id for s in subs])
                )
            )
            by_id = {s.id: s for s in subs}
            for dept_id, sub_id in found.all():
                helps[dept_id].append(by_id[sub_id])
        depts = {d.id: d for d in await t.db.scalars(select(Department).where(Department.active))}
        keys = {d: f"invite:{session.id}:{d}" for d in set(leads) | set(helps) if d in depts}
        todo = await t.missing(list(keys.values()))
        with use_locale(DEFAULT_LOCALE):
            for dept_id, key in keys.items():
                dept = depts[dept_id]
                if key in todo and dept.chat_id is not None:
                    text = tde.invitation(session, dept, leads.get(dept_id, []), helps.get(dept_id, []))
                    t.to_group(dept.chat_id, key, "session_invitation", text)


async def _report_reminders(t: Any) -> None:
    """Each office whose report is due soon, on its unit's working days, counted by its calendar."""
    found = await reporting.load(t.db)
    windows = found.windows_due_in(t.today.year) + found.windows_due_in(t.today.year + 1)
    due: dict[str, tuple[int, Any, int]] = {}
    for unit_id, office in _reporting_offices(t):
        if not t.working(unit_id):
            continue
        cal = t.cals.of(unit_id)
        for window in windows:
            left = cal.working_days_between(t.today, window.due)
            if t.today < window.due and left <= reporting.REMIND_WORKING_DAYS:
                key = f"report:{window.code}:{window.year}" + (f":{unit_id}" if unit_id is not None else "")
                due[key] = (office, window, left)
    todo = await t.missing(list(due)) if due else set()
    for key, (office, window, left) in due.items():
        if key in todo:
            with use_locale(DEFAULT_LOCALE):
                text = tox.report_reminder(window, left)
            t.to_group(office, key, "report_reminder", text, actions=extra_cards.window_choice([window]))


def _reporting_offices(t: Any) -> list[tuple[int | None, int]]:
    """(unit, its office group) of everyone who reports: on a deployment of many units each unit with
    an office group (its report covers its own sessions; one without a group is reminded nowhere
    else); the deployment's office group when it is none of theirs (one unit, or linked on its own)."""
    out = [(unit_id, chat) for unit_id, chat in t.offices.items() if unit_id is not None] if t.many else []
    if t.office is not None and all(chat != t.office for _unit, chat in out):
        out.append((None, t.office))
    return out
