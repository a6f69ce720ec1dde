"""Working through the agenda during the session (001 §II.2.4): the secretariat takes the session's
open questions one at a time, in the agenda's order (department, then topic), and marks each either
answered at the session (with the answer given, bot/domain/at_session.py) or needing follow-up —
it stays open, for the conclusion notice and the written response. A question marked needing
follow-up is not offered again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.errors import WrongState
from bot.domain.queries import get_submission
from bot.domain.sessions import get_session
from storage.models import Department, DialogueSession, SessionStatus, Submission, SubmissionStatus, Topic

S = SubmissionStatus


@dataclass
class Next:
    session: DialogueSession
    submission: Submission | None  # None: nothing left to go through
    position: int  # 1-based among the questions still to go through
    left: int  # how many are still to go through
    answered: int  # answered at the session so far
    follow_up: int  # marked needing follow-up so far


def _order(sub: Submission, depts: dict[int, Department], topics: dict[int, Topic]) -> tuple:
    dept = depts.get(sub.department_id) if sub.department_id else None
    topic = topics.get(sub.topic_id) if sub.topic_id else None
    return (
        dept is None,
        dept.name_vi if dept else "",
        topic.sort_order if topic else 10_000,
        sub.id,
    )


async def agenda_order(db: AsyncSession, session_id: int) -> list[Submission]:
    """The session's own questions (not merged duplicates) still open or answered here, agenda order."""
    subs = list(
        await db.scalars(
            select(Submission).where(
                Submission.session_id == session_id,
                Submission.merged_into_id.is_(None),
                Submission.status.in_(sorted(lifecycle.OPEN | {S.ANSWERED_AT_SESSION})),
            )
        )
    )
    depts = {d.id: d for d in await db.scalars(select(Department))}
    topics = {t.id: t for t in await db.scalars(select(Topic))}
    return sorted(subs, key=lambda s: _order(s, depts, topics))


async def next_question(db: AsyncSession, session_id: int, after: int = 0) -> Next:
    """The next question to go through after the one with id ``after`` (wrapping round)."""
    session = await get_session(db, session_id)
    if session.status != SessionStatus.HELD:
        raise WrongState("the session is not being held", status=session.status)
    items = await agenda_order(db, session_id)
    todo = [s for s in items if s.status in lifecycle.OPEN and s.follow_up_at is None]
    answered = sum(s.status == S.ANSWERED_AT_SESSION for s in items)
    follow_up = sum(s.status in lifecycle.OPEN and s.follow_up_at is not None for s in items)
    if not todo:
        return Next(session, None, 0, 0, answered, follow_up)
    ids = [s.id for s in items]
    start = ids.index(after) + 1 if after in ids else 0
    order = [s for s in items[start:] + items[:start] if s in todo]
    chosen = order[0]
    return Next(session, chosen, todo.index(chosen) + 1, len(todo), answered, follow_up)


async def needs_follow_up(db: AsyncSession, submission_id: int, actor: str, now: datetime) -> Submission:
    """Not answered at the session: it stays open for the conclusion notice."""
    sub = await get_submission(db, submission_id)
    session = await get_session(db, sub.session_id)
    if session.status != SessionStatus.HELD:
        raise WrongState("the session is not being held", status=session.status)
    return await lifecycle.move(
        db, sub, "follow_up", actor, now, where=[Submission.follow_up_at.is_(None)], follow_up_at=now
    )
