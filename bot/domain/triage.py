"""What the office does with a question at the office: route it to a department, merge a duplicate,
ask the citizen for more, reject it; and the office's decision on a department's extension request.

Each operation is one move of the lifecycle table (bot/domain/lifecycle.py): checked, conditional,
recorded in the question's history, and published as an event — who is told, and how, is the
notification layer's business (bot/notify/notifier.py). Duplicates merged into a question follow it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.errors import DeadlineInPast, InvalidInput, NotFound, WrongState
from bot.domain.queries import department, get_submission
from bot.i18n import local_date
from storage.models import ExtensionRequest, Submission, SubmissionEvent, SubmissionStatus

S = SubmissionStatus
REASON_MAX = 1000


def clean(text: str | None, what: str, max_len: int = REASON_MAX) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"{what} is empty")
    if len(value) > max_len:
        raise InvalidInput(f"{what} is too long", max=max_len)
    return value


async def follow(db: AsyncSession, sub: Submission, now: datetime, **values: object) -> None:
    """Duplicates merged into ``sub`` share its department, dates and answers."""
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


async def route(
    db: AsyncSession, submission_id: int, department_id: int, actor: str, now: datetime
) -> Submission:
    """To a department: before the conclusion notice it is ``routed``; after it (a due date is set) the
    department owes a written response at once (``awaiting_response``)."""
    sub = await get_submission(db, submission_id)
    dept = await department(db, department_id)
    to = S.AWAITING_RESPONSE if sub.response_due is not None else S.ROUTED
    await lifecycle.move(
        db,
        sub,
        "route",
        actor,
        now,
        to=to,
        where=[Submission.department_id.is_(None)],
        detail={"department": dept.code},
        event={"department_id": dept.id},
        department_id=dept.id,
        routed_at=now,
        accepted_at=None,
    )
    await follow(db, sub, now, department_id=dept.id)
    return sub


async def merge(
    db: AsyncSession, submission_id: int, target_id: int, actor: str, now: datetime
) -> Submission:
    """A duplicate into an earlier question of the same session: its asker shares every answer."""
    sub = await get_submission(db, submission_id)
    target = await get_submission(db, target_id)
    if target.id == sub.id or target.session_id != sub.session_id:
        raise InvalidInput("a question can only be merged into another one of the same session")
    if target.merged_into_id is not None or target.status in (S.MERGED, S.WITHDRAWN, S.REJECTED):
        raise WrongState("the target cannot take duplicates", status=target.status)
    await lifecycle.move(
        db,
        sub,
        "merge",
        actor,
        now,
        to=S.MERGED,
        detail={"into": target.code},
        event={"target_id": target.id},
        merged_into_id=target.id,
        department_id=target.department_id,
        response_due=target.response_due,
        original_due=target.original_due,
        awaiting_clarification=False,
    )
    # anything already merged into the duplicate now follows the target
    await follow(db, sub, now, merged_into_id=target.id, department_id=target.department_id)
    db.add(
        SubmissionEvent(
            **lifecycle.submission_event(target.id, actor, "duplicate_merged", now, {"duplicate": sub.code})
        )
    )
    return sub


async def ask_citizen(
    db: AsyncSession, submission_id: int, question: str, actor: str, now: datetime
) -> Submission:
    """The office needs more information: the citizen's next message comes back to the group."""
    sub = await get_submission(db, submission_id)
    question = clean(question, "question")
    return await lifecycle.move(
        db,
        sub,
        "ask_citizen",
        actor,
        now,
        detail={"question": question},
        event={"question": question},
        awaiting_clarification=True,
    )


async def reject(db: AsyncSession, submission_id: int, reason: str, actor: str, now: datetime) -> Submission:
    sub = await get_submission(db, submission_id)
    reason = clean(reason, "reason")
    return await lifecycle.move(
        db,
        sub,
        "reject",
        actor,
        now,
        to=S.REJECTED,
        detail={"reason": reason},
        rejection_reason=reason,
        awaiting_clarification=False,
    )


async def decide_extension(
    db: AsyncSession, request_id: int, approve: bool, actor: str, decided_by: int, now: datetime
) -> ExtensionRequest:
    """R6: the office approves (the citizen is told the new date and the agency) or refuses. An
    approved date must still be in the future and later than the question's current due date."""
    req = await db.get(ExtensionRequest, request_id)
    if req is None:
        raise NotFound("no such extension request")
    if req.status != "pending":
        raise WrongState("already decided", status=req.status)
    sub = await get_submission(db, req.submission_id)
    if approve:
        if req.new_due <= local_date(now):
            raise DeadlineInPast("the requested date has passed")
        if sub.response_due is not None and req.new_due <= sub.response_due:
            raise InvalidInput("not later than the current due date", due=sub.response_due)
    decision = "approved" if approve else "refused"
    result = await db.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == req.id, ExtensionRequest.status == "pending")
        .values(status=decision, decided_by=decided_by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(req)
        raise WrongState("already decided", status=req.status)
    await db.refresh(req)
    if approve:
        await lifecycle.move(
            db,
            sub,
            "extend",
            actor,
            now,
            detail={"new_due": req.new_due.isoformat(), "request": req.id},
            event={"request_id": req.id},
            response_due=req.new_due,
            original_due=sub.original_due or sub.response_due,
            extension_reason=req.reason,
        )
        await follow(db, sub, now, response_due=req.new_due, extension_reason=req.reason)
    else:
        await lifecycle.move(
            db,
            sub,
            "refuse_extension",
            actor,
            now,
            detail={"new_due": req.new_due.isoformat(), "request": req.id},
            event={"request_id": req.id},
        )
    return req
