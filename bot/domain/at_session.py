"""At and right after the session: answers given in the hall (R3), and the chair's conclusion notice
(R4), which starts the 30-working-day clock of the written responses (R5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.deadlines import load_calendar, response_due
from bot.domain.department import ANSWER_MAX
from bot.domain.errors import InvalidInput, WrongState
from bot.domain.queries import get_submission
from bot.domain.sessions import get_session, start_response_clock
from bot.domain.triage import clean, follow
from bot.i18n import local_date
from storage.models import DialogueSession, SessionStatus, Submission, SubmissionStatus


async def answer_at_session(
    db: AsyncSession, submission_id: int, answer: str, actor: str, now: datetime
) -> Submission:
    """R3: the answer given at the session; every asker gets it."""
    sub = await get_submission(db, submission_id)
    answer = clean(answer, "answer", ANSWER_MAX)
    session = await get_session(db, sub.session_id)
    if session.status != SessionStatus.HELD:
        raise WrongState("the session is not marked as held", session_status=session.status)
    await lifecycle.move(
        db,
        sub,
        "answer_at_session",
        actor,
        now,
        to=SubmissionStatus.ANSWERED_AT_SESSION,
        detail={"answer": answer[:200]},
        session_answer=answer,
        answered_at=now,
        awaiting_clarification=False,
    )
    await follow(db, sub, now, session_answer=answer, answered_at=now)
    return sub


async def issue_conclusion_notice(
    db: AsyncSession,
    session_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
) -> tuple[DialogueSession, list[int]]:
    """R4/R5: the chair's conclusion notice goes to the departments concerned and to every citizen with
    an open question; each one's written response is due 30 working days later (an approved later
    date is kept). Issued once. Returns the session and the ids of the questions still open."""
    body = (text or "").strip() or None
    if body is None and not file_id:
        raise InvalidInput("the notice needs text or a document")
    session = await get_session(db, session_id)
    due = response_due(local_date(now), await load_calendar(db, session.unit_id))
    session = await lifecycle.move_session(
        db,
        session,
        "issue_notice",
        actor,
        now,
        to=SessionStatus.CONCLUDED,
        notice_at=now,
        notice_text=body,
        notice_file_id=file_id,
    )
    ids = await start_response_clock(db, session, "conclusion_notice", due, actor, now, {})
    await lifecycle.close_if_settled(db, session.id, now)
    return session, ids
