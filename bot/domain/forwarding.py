"""Beyond local authority (R3, 001 §II.2.4 "kiến nghị cấp có thẩm quyền giải quyết và trả lời cho Nhân
dân"): the office or the department forwards a question to a named competent authority, with the
forwarding document's number and date, and the citizen is told where it went and why.

Forwarded is not the end: the office follows it up after ``follow_up_days`` working days (the
authority's own, else the deployment's, else 30), and when the authority's answer arrives — typed
or sent by the office or the department, or by the authority itself in its own group when it uses
this bot — it is recorded and relayed to every asker. The reports count "forwarded, answered by the
higher level" and "forwarded, awaiting" apart, never as settled on time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.deadlines import load_calendar
from bot.domain.directory import get_config
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.queries import get_submission
from bot.domain.triage import clean
from bot.i18n import local_date
from storage.models import Authority, ExtensionRequest, Submission, SubmissionStatus

S = SubmissionStatus
FOLLOW_UP_DAYS = 30  # working days, when neither the authority nor the deployment sets one
ANSWER_MAX = 3500
_NUMBER = re.compile(r"^(?:số|so|no\.?)?\s*:?\s*(\d+[\w./\-đĐ]*)$", re.I)
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[,;.]?$")


def parse_reference(text: str) -> tuple[str | None, date | None, str]:
    """A document's number and date of issue at the start of ``text``, and what follows:
    ``Số 12/UBND-VP ngày 20/12/2026; vượt thẩm quyền cấp xã`` → ("12/UBND-VP", 20/12/2026, "vượt…").
    Either may be missing (None)."""
    words = (text or "").strip().split()
    number = day = None
    used = 0
    for i, word in enumerate(words[:6]):
        bare = word.strip(",;")
        if bare.lower() in ("số", "so", "số:", "so:", "ngày", "ngay", "ngày:", "ngay:"):
            used = i + 1
            continue
        m = _DATE.match(bare)
        if m and day is None:
            try:
                day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                return number, None, " ".join(words[used:])
            used = i + 1
            continue
        n = _NUMBER.match(bare)
        if n and number is None and ("/" in bare or "-" in bare):
            number = n.group(1)[:64]
            used = i + 1
            continue
        break
    rest = " ".join(words[used:]).strip(" ,;:-–")
    return number, day, rest


async def authorities(db: AsyncSession) -> list[Authority]:
    return list(await db.scalars(select(Authority).where(Authority.active).order_by(Authority.id)))


async def authority_for_chat(db: AsyncSession, chat_id: int) -> Authority | None:
    return await db.scalar(select(Authority).where(Authority.chat_id == chat_id, Authority.active))


async def follow_up_days(db: AsyncSession, authority: Authority | None) -> int:
    if authority is not None and authority.follow_up_days:
        return authority.follow_up_days
    configured = await get_config(db, "forward_follow_up_days")
    return int(configured) if configured and configured.isdigit() else FOLLOW_UP_DAYS


async def forward(
    db: AsyncSession,
    submission_id: int,
    *,
    reason: str,
    actor: str,
    now: datetime,
    authority_id: int | None = None,
    authority_name: str | None = None,
    doc_no: str | None = None,
    doc_date: date | None = None,
    department_id: int | None = None,
) -> Submission:
    """To a competent authority from the directory (``authority_id``) or named (``authority_name``).
    A department forwards only what it holds (``department_id``); the office, any open question."""
    sub = await get_submission(db, submission_id)
    if department_id is not None and sub.department_id != department_id:
        raise NotAllowed("not assigned to this department")
    authority = None
    if authority_id is not None:
        authority = await db.get(Authority, authority_id)
        if authority is None or not authority.active:
            raise NotFound("no such authority")
        name = authority.name_vi
    else:
        name = clean(authority_name, "authority", 300)
    reason = clean(reason, "reason")
    if doc_date is not None and doc_date > local_date(now):
        raise InvalidInput("the document's date is in the future")
    cal = await load_calendar(db, sub.unit_id)  # the unit's own days off count
    follow_up = cal.add_working_days(local_date(now), await follow_up_days(db, authority))
    where = [Submission.department_id == department_id] if department_id is not None else []
    await lifecycle.move(
        db,
        sub,
        "forward",
        actor,
        now,
        to=S.FORWARDED,
        where=where,
        detail={
            "to": name,
            "reason": reason,
            "doc": doc_no,
            "date": doc_date.isoformat() if doc_date else None,
        },
        event={"authority_id": authority.id if authority else None, "department_id": sub.department_id},
        forwarded_to=name,
        forward_reason=reason,
        forward_authority_id=authority.id if authority else None,
        forward_doc_no=doc_no,
        forward_doc_date=doc_date,
        forwarded_at=now,
        forward_follow_up=follow_up,
        awaiting_clarification=False,
    )
    for req in await db.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.submission_id == sub.id, ExtensionRequest.status == "pending"
        )
    ):
        req.status, req.decided_at = "lapsed", now
    return sub


async def record_answer(
    db: AsyncSession,
    submission_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
    *,
    authority_id: int | None = None,
) -> Submission:
    """The competent authority's answer, relayed to every asker. ``authority_id``: it came from that
    authority's own group, which may answer only what was forwarded to it."""
    sub = await get_submission(db, submission_id)
    if authority_id is not None and sub.forward_authority_id != authority_id:
        raise NotAllowed("not forwarded to this authority")
    body = (text or "").strip() or None
    if body is None and not file_id:
        raise InvalidInput("an answer needs text or a document")
    if body and len(body) > ANSWER_MAX:
        raise InvalidInput("the answer is too long", max=ANSWER_MAX)
    return await lifecycle.move(
        db,
        sub,
        "answer_from_above",
        actor,
        now,
        to=S.ANSWERED_ABOVE,
        detail={"text": (body or "")[:200], "file": bool(file_id)},
        above_answer_text=body,
        above_answer_file_id=file_id,
        above_answered_at=now,
    )


async def awaiting(db: AsyncSession, limit: int = 30) -> list[Submission]:
    """Forwarded questions still awaiting the authority's answer, the longest waiting first."""
    rows = await db.scalars(
        select(Submission)
        .where(Submission.status == S.FORWARDED)
        .order_by(Submission.forwarded_at, Submission.id)
        .limit(limit)
    )
    return list(rows)
