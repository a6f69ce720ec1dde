"""Reading questions for staff and for the notification layer: by id or code, the askers of a
question (it and every duplicate merged into it), history, the office's inbox, a department's queue,
search. Nothing here changes anything."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.codes import normalize_code
from bot.domain.errors import NotFound
from bot.domain.text import fold
from storage.models import (
    Citizen,
    Department,
    ExtensionRequest,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)


def office_actor(user_id: int) -> str:
    return f"office:{user_id}"


def dept_actor(user_id: int) -> str:
    return f"dept:{user_id}"


async def get_submission(db: AsyncSession, submission_id: int) -> Submission:
    """As stored now (bulk moves update rows behind the session's back: never a stale copy)."""
    sub = await db.get(Submission, submission_id, populate_existing=True)
    if sub is None:
        raise NotFound("no such submission")
    return sub


async def by_code(db: AsyncSession, code: str) -> Submission | None:
    return await db.scalar(select(Submission).where(Submission.code == code))


async def department(db: AsyncSession, department_id: int) -> Department:
    dept = await db.get(Department, department_id)
    if dept is None or not dept.active:
        raise NotFound("no such department")
    return dept


async def target_of(db: AsyncSession, sub: Submission) -> Submission:
    """The question whose answer ``sub`` shares: itself, or the one it was merged into."""
    if sub.status == SubmissionStatus.MERGED and sub.merged_into_id is not None:
        return await get_submission(db, sub.merged_into_id)
    return sub


async def askers(db: AsyncSession, sub: Submission) -> list[tuple[Submission, Citizen]]:
    """The question and every duplicate merged into it, each with its citizen (oldest first)."""
    rows = await db.execute(
        select(Submission, Citizen)
        .join(Citizen, Citizen.id == Submission.citizen_id)
        .where((Submission.id == sub.id) | (Submission.merged_into_id == sub.id))
        .order_by(Submission.id)
        .execution_options(populate_existing=True)  # bulk updates (merged ones follow) are seen
    )
    return [(item, citizen) for item, citizen in rows.all()]


async def history(db: AsyncSession, sub: Submission) -> list[SubmissionEvent]:
    rows = await db.scalars(
        select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == sub.id)
        .order_by(SubmissionEvent.at, SubmissionEvent.id)
    )
    return list(rows)


async def inbox(db: AsyncSession, limit: int = 20) -> list[Submission]:
    """What awaits the office, oldest first: questions at the office (new, handed back, reopened)."""
    rows = await db.scalars(
        select(Submission)
        .where(Submission.status == SubmissionStatus.RECEIVED)
        .order_by(Submission.created_at, Submission.id)
        .limit(limit)
    )
    return list(rows)


async def department_queue(db: AsyncSession, department_id: int) -> list[Submission]:
    """A department's open questions, the earliest due first."""
    rows = await db.scalars(
        select(Submission)
        .where(
            Submission.department_id == department_id,
            Submission.status.in_(sorted(lifecycle.AT_DEPARTMENT)),
        )
        .order_by(Submission.response_due.is_(None), Submission.response_due, Submission.id)
    )
    return list(rows)


async def pending_extensions(db: AsyncSession) -> list[ExtensionRequest]:
    """Extension requests awaiting the office. Selected with their question: a unit's scope confines
    questions (bot/domain/units.py), not requests, so a commune's /inbox counts only its own."""
    rows = await db.execute(
        select(ExtensionRequest, Submission)
        .join(Submission, Submission.id == ExtensionRequest.submission_id)
        .where(ExtensionRequest.status == "pending")
        .order_by(ExtensionRequest.id)
    )
    return [req for req, _sub in rows.all()]


async def find(db: AsyncSession, query: str, limit: int = 10) -> list[Submission]:
    """By tracking code, else by words (diacritics optional), newest first."""
    code = normalize_code(query)
    if code:
        found = await by_code(db, code)
        if found is not None:
            return [found]
    words = fold(query).split()
    if not words:
        return []
    rows = await db.scalars(select(Submission).order_by(Submission.id.desc()).limit(2000))
    out = []
    for sub in rows:
        hay = fold(f"{sub.text} {sub.asker_name or ''}")
        if all(w in hay for w in words):
            out.append(sub)
            if len(out) >= limit:
                break
    return out
