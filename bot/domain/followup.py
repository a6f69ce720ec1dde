"""The citizen's side after asking: more information the office asked for, and, after an answer, a
rating (1–5) or "not resolved", which reopens the question to the office.

A merged asker rates the answer they received on their own question; "not resolved" from any asker
reopens the question whose answer they share. A reopened question is at the office again (no
department); when the written-response clock was running, it gets a new due date 30 working days
after the reopening.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.deadlines import load_calendar, response_due
from bot.domain.errors import DomainError
from bot.domain.queries import get_submission, target_of
from bot.domain.sessions import get_session
from bot.domain.triage import clean, follow
from bot.i18n import local_date
from storage.models import Citizen, SessionStatus, Submission, SubmissionStatus

S = SubmissionStatus
NOT_RESOLVED = 0


def rating_key(code: str, answered_at: datetime) -> str:
    """The outbox key of the rating question about the answer given at ``answered_at`` (one per answer:
    a question answered again after reopening is asked again)."""
    return f"rate:{code}:{answered_at:%Y%m%d%H%M%S}"


class RatingRefused(DomainError):
    code = "rating_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "not_yours" | "already" | "not_answered" | "too_late"


async def clarify(db: AsyncSession, submission: Submission, text: str, now: datetime) -> Submission:
    """The citizen's answer to the office's question: back to the office group (and the department)."""
    text = clean(text, "clarification", 3000)
    return await lifecycle.move(
        db,
        submission,
        "clarify",
        "citizen",
        now,
        detail={"text": text},
        event={"text": text},
        awaiting_clarification=False,
    )


async def _own(db: AsyncSession, submission_id: int, channel: str, chat_id: str) -> Submission:
    try:
        sub = await get_submission(db, submission_id)
    except DomainError:
        raise RatingRefused("unknown") from None
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is None or citizen.channel != channel or citizen.chat_id != str(chat_id):
        raise RatingRefused("not_yours")
    return sub


async def rate(
    db: AsyncSession, submission_id: int, channel: str, chat_id: str, value: int, now: datetime
) -> Submission:
    """Record the citizen's rating (1–5) of the answer to their question, or reopen the question to
    the office (``value == NOT_RESOLVED``)."""
    if value not in range(0, 6):
        raise RatingRefused("unknown")
    sub = await _own(db, submission_id, channel, chat_id)
    target = await target_of(db, sub)
    answered = target.answered_at  # a rating before it was of an earlier answer: rate the new one
    rated = sub.rated_at is not None and (answered is None or sub.rated_at >= answered)
    if target.status not in lifecycle.RATEABLE:
        raise RatingRefused("already" if rated else "not_answered")
    if rated:
        raise RatingRefused("already")
    if value == NOT_RESOLVED:
        if not lifecycle.may_reopen(target, now):  # an answer at the session: within 7 days
            raise RatingRefused("too_late")
        await reopen(db, target, now, by=sub)
        return sub
    unrated = Submission.rated_at.is_(None)
    await lifecycle.move(
        db,
        sub,
        "rate",
        "citizen",
        now,
        where=[unrated if answered is None else (unrated | (Submission.rated_at < answered))],
        detail={"value": value},
        event={"value": value},
        satisfaction=value,
        rated_at=now,
    )
    return sub


async def reopen(db: AsyncSession, target: Submission, now: datetime, *, by: Submission) -> Submission:
    """ "Not resolved": the question goes back to the office, with no department. Its session, if
    closed, is open again."""
    session = await get_session(db, target.session_id)
    new_due = None
    if session.notice_at is not None or session.status == SessionStatus.CANCELLED:
        new_due = response_due(local_date(now), await load_calendar(db, target.unit_id))
    await lifecycle.move(
        db,
        target,
        "reopen",
        "citizen",
        now,
        to=S.RECEIVED,
        detail={"by": by.code},
        event={
            "by_id": by.id,
            "due": new_due.isoformat() if new_due else None,
            "department_id": target.department_id,
        },
        department_id=None,
        accepted_at=None,
        reopened_count=Submission.reopened_count + 1,
        response_due=new_due,
        original_due=new_due,
        extension_reason=None,
    )
    await follow(db, target, now, department_id=None, response_due=new_due, original_due=new_due)
    if session.status == SessionStatus.CLOSED:
        await lifecycle.move_session(db, session, "reopen", "citizen", now, to=SessionStatus.CONCLUDED)
    await db.refresh(target)
    return target
