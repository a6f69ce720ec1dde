"""A question that involves several departments: the lead department (the one it is routed to)
answers; the office adds coordinating departments, which see it and send their part to the lead
(001 §II.2.3 "các ban, ngành… phối hợp"; §II.2.7 "liên quan đến nhiều ngành")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.errors import InvalidInput, NotAllowed, WrongState
from bot.domain.queries import department, get_submission
from storage.models import Coordination, Department, Submission

PART_MAX = 3000


async def coordinators(db: AsyncSession, submission_id: int) -> list[tuple[Coordination, Department]]:
    rows = await db.execute(
        select(Coordination, Department)
        .join(Department, Department.id == Coordination.department_id)
        .where(Coordination.submission_id == submission_id)
        .order_by(Coordination.id)
    )
    return [(c, d) for c, d in rows.all()]


async def add(
    db: AsyncSession, submission_id: int, department_id: int, actor: str, now: datetime
) -> tuple[Submission, Coordination]:
    """The office adds a coordinating department (not the lead, not twice)."""
    sub = await get_submission(db, submission_id)
    dept = await department(db, department_id)
    if sub.department_id == dept.id:
        raise InvalidInput("the lead department cannot also coordinate")
    if await db.scalar(
        select(Coordination.id).where(
            Coordination.submission_id == sub.id, Coordination.department_id == dept.id
        )
    ):
        raise WrongState("already coordinating")
    row = Coordination(submission_id=sub.id, department_id=dept.id, added_at=now)
    db.add(row)
    await db.flush()
    await lifecycle.move(
        db,
        sub,
        "coordinate",
        actor,
        now,
        detail={"department": dept.code},
        event={"department_id": dept.id, "coordination_id": row.id},
    )
    return sub, row


async def contribute(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
) -> tuple[Submission, Coordination]:
    """A coordinating department's part, for the lead department (and the office)."""
    sub = await get_submission(db, submission_id)
    row = await db.scalar(
        select(Coordination).where(
            Coordination.submission_id == sub.id, Coordination.department_id == department_id
        )
    )
    if row is None:
        raise NotAllowed("this department does not coordinate on it")
    body = (text or "").strip() or None
    if body is None and not file_id:
        raise InvalidInput("the part needs text or a document")
    if body and len(body) > PART_MAX:
        raise InvalidInput("too long", max=PART_MAX)
    row.part_text, row.part_file_id, row.part_at = body, file_id, now
    await lifecycle.move(
        db,
        sub,
        "contribute",
        actor,
        now,
        detail={"department_id": department_id, "text": (body or "")[:200]},
        event={"department_id": department_id, "coordination_id": row.id},
    )
    return sub, row


async def coordinating_on(db: AsyncSession, department_id: int) -> list[Submission]:
    """The open questions a department coordinates on (not leads)."""
    rows = await db.scalars(
        select(Submission)
        .join(Coordination, Coordination.submission_id == Submission.id)
        .where(
            Coordination.department_id == department_id,
            Submission.status.in_(sorted(lifecycle.OPEN)),
        )
        .order_by(Submission.id)
    )
    return list(rows)
