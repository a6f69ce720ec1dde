"""Publishing answered questions on the public website ("📢 Công khai").

The office chooses what is published: only an answered question (answered at the session, or
answered in writing) can be, and the office may first edit the question's text — and the answer —
to take out names, phone numbers and addresses. What the site shows is ``published_text`` and
``published_answer`` (or, when that is empty, the answer as given); the asker's name only where the
asker allowed it (``public_name``), never a phone number, an address or a chat id.

    await publish(db, sub_id, actor, now)                          # as it is
    await publish(db, sub_id, actor, now, text="…", answer="…")    # edited first
    await edit(db, sub_id, actor, now, text="…", answer=None)      # already published: new wording
    await unpublish(db, sub_id, actor, now)

Each operation is a conditional UPDATE (two staff pressing at once: one wins, the other gets a
``WrongState``) and writes a ``SubmissionEvent``. It does not touch ``updated_at``: publishing
changes what the public sees, not the case. Domain errors say what went wrong; nothing has changed
when one is raised.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import InvalidInput, NotFound, WrongState
from storage.models import Submission, SubmissionEvent, SubmissionStatus

S = SubmissionStatus
PUBLISHABLE = (S.RESPONDED, S.ANSWERED_AT_SESSION)
TEXT_MAX = 3000
ANSWER_MAX = 3500
SEPARATOR = re.compile(r"^\s*-{3,}\s*$", re.M)  # a line of dashes between the question and the answer


class NotAnswered(WrongState):
    """Only a question answered at the session or in writing can be published."""

    code = "not_answered"


class AlreadyPublished(WrongState):
    code = "already_published"


class NotPublished(WrongState):
    code = "not_published"


def is_published(sub: Submission) -> bool:
    return sub.published_at is not None


def can_publish(sub: Submission) -> bool:
    return sub.status in PUBLISHABLE and not is_published(sub)


def given_answer(sub: Submission) -> str | None:
    """The answer as it was given: at the session, or the written response's text."""
    if sub.status == S.ANSWERED_AT_SESSION:
        return sub.session_answer
    return sub.response_text or sub.session_answer


def public_answer(sub: Submission) -> str | None:
    """What the site shows as the answer: the office's edited wording, else the answer as given."""
    return sub.published_answer or given_answer(sub)


def split_edit(text: str) -> tuple[str, str | None]:
    """What the office types to edit: the question, and optionally, after a line of dashes (---), the
    answer. ``"Câu hỏi\\n---\\nTrả lời"`` → ("Câu hỏi", "Trả lời")."""
    parts = SEPARATOR.split(text or "", maxsplit=1)
    question = parts[0].strip()
    answer = parts[1].strip() if len(parts) > 1 else ""
    return question, answer or None


def _clean(value: str | None, what: str, max_len: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"the {what} is empty")
    if len(text) > max_len:
        raise InvalidInput(f"the {what} is too long", max=max_len)
    return text


async def _get(db: AsyncSession, submission_id: int) -> Submission:
    sub = await db.get(Submission, submission_id)
    if sub is None:
        raise NotFound("no such submission")
    return sub


async def _log(
    db: AsyncSession, sub: Submission, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    db.add(SubmissionEvent(submission_id=sub.id, at=now, actor=actor, action=action, detail=detail))
    await db.flush()


async def _refused(db: AsyncSession, sub: Submission) -> WrongState:
    """Why a conditional update found nothing to change (the row as it is now)."""
    await db.refresh(sub)
    if is_published(sub):
        return AlreadyPublished("already published", status=sub.status)
    if sub.status not in PUBLISHABLE:
        return NotAnswered("not answered", status=sub.status)
    return NotPublished("not published", status=sub.status)


async def publish(
    db: AsyncSession,
    submission_id: int,
    actor: str,
    now: datetime,
    *,
    text: str | None = None,
    answer: str | None = None,
) -> Submission:
    """Publish an answered question, as it is or with the office's edited ``text`` (and ``answer``)."""
    sub = await _get(db, submission_id)
    if is_published(sub):
        raise AlreadyPublished("already published", status=sub.status)
    if sub.status not in PUBLISHABLE:
        raise NotAnswered("not answered", status=sub.status)
    question = _clean(sub.text if text is None else text, "question", TEXT_MAX)
    edited_answer = _clean(answer, "answer", ANSWER_MAX) if answer is not None else None
    result = await db.execute(
        update(Submission)
        .where(
            Submission.id == sub.id,
            Submission.status.in_([str(s) for s in PUBLISHABLE]),
            Submission.published_at.is_(None),
        )
        .values(published_at=now, published_text=question, published_answer=edited_answer, published_by=actor)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise await _refused(db, sub)
    await db.refresh(sub)
    await _log(db, sub, actor, "published", now, edited=text is not None, answer_edited=answer is not None)
    return sub


async def edit(
    db: AsyncSession, submission_id: int, actor: str, now: datetime, *, text: str, answer: str | None = None
) -> Submission:
    """New wording for a published question; ``answer=None`` shows the answer as given again."""
    sub = await _get(db, submission_id)
    if not is_published(sub):
        raise NotPublished("not published", status=sub.status)
    question = _clean(text, "question", TEXT_MAX)
    edited_answer = _clean(answer, "answer", ANSWER_MAX) if answer is not None else None
    result = await db.execute(
        update(Submission)
        .where(Submission.id == sub.id, Submission.published_at.is_not(None))
        .values(published_text=question, published_answer=edited_answer, published_by=actor)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NotPublished("unpublished meanwhile", status=sub.status)
    await db.refresh(sub)
    await _log(db, sub, actor, "publication_edited", now, answer_edited=answer is not None)
    return sub


async def unpublish(db: AsyncSession, submission_id: int, actor: str, now: datetime) -> Submission:
    """Take a question off the website (what was published is forgotten; publish again to show it)."""
    sub = await _get(db, submission_id)
    result = await db.execute(
        update(Submission)
        .where(Submission.id == sub.id, Submission.published_at.is_not(None))
        .values(published_at=None, published_text=None, published_answer=None, published_by=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(sub)
        raise NotPublished("not published", status=sub.status)
    await db.refresh(sub)
    await _log(db, sub, actor, "unpublished", now)
    return sub
