"""What a department does with a question routed to it: accept it, answer it in writing (R5), ask
for more time (R6), forward it to the competent level (R3), or hand it back to the office.

Every operation checks that the question is this department's (``NotAllowed`` otherwise) and makes
one move of the lifecycle table; duplicates merged into the question follow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.deadlines import load_calendar
from bot.domain.errors import DeadlineInPast, InvalidInput, NotAllowed, WrongState
from bot.domain.queries import get_submission
from bot.domain.triage import clean, follow
from bot.i18n import local_date
from storage.models import ExtensionRequest, Submission, SubmissionStatus

S = SubmissionStatus
ANSWER_MAX = 3500


def _mine(sub: Submission, department_id: int) -> None:
    if sub.department_id != department_id:
        raise NotAllowed("not assigned to this department")


async def _ours(db: AsyncSession, submission_id: int, department_id: int) -> Submission:
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    return sub


async def accept(
    db: AsyncSession, submission_id: int, department_id: int, actor: str, now: datetime
) -> Submission:
    sub = await _ours(db, submission_id, department_id)
    if sub.accepted_at is not None:
        raise WrongState("already accepted", status=sub.status)
    return await lifecycle.move(
        db,
        sub,
        "accept",
        actor,
        now,
        where=[Submission.department_id == department_id, Submission.accepted_at.is_(None)],
        accepted_at=now,
    )


async def hand_back(
    db: AsyncSession, submission_id: int, department_id: int, reason: str, actor: str, now: datetime
) -> Submission:
    """Back to the office with a reason: it is ``received`` again, with no department (its due date,
    if the notice set one, stays); the office routes it anew. A pending extension request lapses."""
    sub = await _ours(db, submission_id, department_id)
    reason = clean(reason, "reason")
    dept = sub.department
    await lifecycle.move(
        db,
        sub,
        "hand_back",
        actor,
        now,
        to=S.RECEIVED,
        where=[Submission.department_id == department_id],
        detail={"department": dept.code if dept else None, "reason": reason},
        event={"department_id": department_id, "reason": reason},
        department_id=None,
        accepted_at=None,
    )
    await follow(db, sub, now, department_id=None)
    for req in await db.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.submission_id == sub.id, ExtensionRequest.status == "pending"
        )
    ):
        req.status, req.decided_at = "lapsed", now
    return sub


async def respond(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
    **document: object,
) -> Submission:
    """The written response (R5): every asker gets it; the office is told. ``document``: the response
    document's ``response_doc_no``, ``response_doc_date`` and ``response_file_name``
    (bot/domain/written.py); a text-only answer has none."""
    sub = await _ours(db, submission_id, department_id)
    body = (text or "").strip()
    if not body and not file_id:
        raise InvalidInput("an answer needs text or a document")
    if len(body) > ANSWER_MAX:
        raise InvalidInput("the answer is too long", max=ANSWER_MAX)
    answer = {
        "response_text": body or None,
        "response_file_id": file_id,
        "responded_at": now,
        "answered_at": now,
        "response_doc_no": None,
        "response_doc_date": None,
        "response_file_name": None,
        **document,
    }
    await lifecycle.move(
        db,
        sub,
        "respond",
        actor,
        now,
        to=S.RESPONDED,
        where=[Submission.department_id == department_id],
        detail={"text": body[:200], "file": bool(file_id)},
        accepted_at=sub.accepted_at or now,
        **answer,
    )
    await follow(db, sub, now, **answer)
    return sub


@dataclass
class ExtensionAsked:
    request: ExtensionRequest
    asked_for: date  # what the department typed
    moved: bool  # the date was not a working day: moved to the next one


async def request_extension(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    new_due: date,
    reason: str,
    requested_by: int,
    actor: str,
    now: datetime,
) -> ExtensionAsked:
    """R6: more time. The date must be later than today and than the current due date; a date that
    is not a working day is moved to the next working day (the department is told)."""
    sub = await _ours(db, submission_id, department_id)
    reason = clean(reason, "reason")
    lifecycle.check("request_extension", sub.status, actor)
    today = local_date(now)
    if new_due <= today:
        raise DeadlineInPast("the new date must be in the future", today=today)
    if sub.response_due is not None and new_due <= sub.response_due:
        raise InvalidInput("the new date must be after the current due date", due=sub.response_due)
    working = (await load_calendar(db, sub.unit_id)).next_working_day(new_due)
    pending = await db.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.submission_id == sub.id, ExtensionRequest.status == "pending"
        )
    )
    if pending is not None:
        raise WrongState("an extension request is already waiting for the office")
    req = ExtensionRequest(
        submission_id=sub.id,
        requested_by=requested_by,
        new_due=working,
        reason=reason,
        status="pending",
        created_at=now,
    )
    db.add(req)
    await db.flush()
    await lifecycle.move(
        db,
        sub,
        "request_extension",
        actor,
        now,
        where=[Submission.department_id == department_id],
        detail={"new_due": working.isoformat(), "reason": reason},
        event={"request_id": req.id},
    )
    return ExtensionAsked(req, new_due, working != new_due)


async def forward(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    authority: str,
    reason: str,
    actor: str,
    now: datetime,
) -> Submission:
    """R3: beyond local authority: forwarded to a competent level named in words (the directory's
    authorities, with the forwarding document: bot/domain/forwarding.py), and the citizen is told."""
    from bot.domain.forwarding import forward as forward_to

    return await forward_to(
        db,
        submission_id,
        reason=reason,
        actor=actor,
        now=now,
        authority_name=authority,
        department_id=department_id,
    )


def parse_date(text: str) -> date | None:
    """``15/03/2027``, ``15-3-2027``, ``2027-03-15``."""
    value = text.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def split_date_and_reason(text: str) -> tuple[date | None, str]:
    """``15/03/2027 Cần khảo sát thực địa`` → (date, reason)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return None, ""
    return parse_date(parts[0].rstrip(",;:")), (parts[1].strip(" ,;:-–") if len(parts) > 1 else "")


def split_authority_and_reason(text: str) -> tuple[str, str]:
    """``Sở Tài nguyên và Môi trường; vượt thẩm quyền cấp xã`` (or two lines) → (authority, reason)."""
    value = text.strip()
    for sep in ("\n", ";", " - ", " – ", ":"):
        if sep in value:
            a, r = value.split(sep, 1)
            return a.strip(), r.strip()
    return value, ""
