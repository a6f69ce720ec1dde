"""Up the ladder inside the system (R3 on a deployment of many units, issue #15).

A commune's office hands a question beyond its authority to the unit above it (the province) on the
same deployment: the question keeps its code, its asker and its history, and becomes the province's —
``received`` at the province's office, which triages, routes and answers it as its own. The commune
is remembered (``origin_unit_id``): it hears the outcome, and so does every unit that handed it on
(a district between the commune and the province: ``handed_up_by``). A written-response deadline
already running is set again by the receiving unit's calendar (its days off), from the day it was
handed up; one that starts later (the session's conclusion notice) follows that unit's calendar too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle, units
from bot.domain.deadlines import load_calendar, response_due
from bot.domain.errors import NotAllowed
from bot.domain.queries import get_submission
from bot.domain.triage import clean
from bot.i18n import local_date
from storage.models import Submission, SubmissionEvent, SubmissionStatus


async def forward_up(
    db: AsyncSession, submission_id: int, *, note: str, actor: str, now: datetime, unit_id: int | None
) -> Submission:
    """``unit_id``: the unit whose office acts (the question must be its own, and it must have a unit
    above it). ``note``: why, for the office above (it also sees the history)."""
    sub = await get_submission(db, submission_id)
    if unit_id is None or sub.unit_id != unit_id:
        raise NotAllowed("not this unit's question")
    above = await units.parent_of(db, unit_id)
    if above is None:
        raise NotAllowed("no unit above this one")
    note = clean(note, "reason")
    due = None
    if sub.response_due is not None:  # the clock was running: the receiving unit's days, from today
        due = response_due(local_date(now), await load_calendar(db, above.id))
    below = await units.get(db, unit_id)
    with units.unscoped():  # the question leaves this unit: read it back wherever it now is
        return await lifecycle.move(
            db,
            sub,
            "forward_up",
            actor,
            now,
            to=SubmissionStatus.RECEIVED,
            detail={"from": below.code if below else None, "to": above.code, "note": note},
            event={"from_unit_id": unit_id, "note": note, "department_id": sub.department_id},
            unit_id=above.id,
            origin_unit_id=sub.origin_unit_id or unit_id,
            department_id=None,
            routed_at=None,
            accepted_at=None,
            response_due=due,
            original_due=None,
            extension_reason=None,
        )


async def handed_up_by(db: AsyncSession, sub: Submission) -> list[int]:
    """The units that handed ``sub`` up, in the order they did (a commune, then the district above
    it), but the one holding it now: each was told it would hear the outcome. ``origin_unit_id`` keeps
    only the first; the history's ``forward_up`` rows name every unit it came from."""
    if sub.origin_unit_id is None:
        return []
    found = [sub.origin_unit_id]
    details = await db.scalars(
        select(SubmissionEvent.detail)
        .where(SubmissionEvent.submission_id == sub.id, SubmissionEvent.action == "forward_up")
        .order_by(SubmissionEvent.id)
    )
    for detail in details:
        unit = await units.by_code(db, str((detail or {}).get("from") or ""))
        if unit is not None and unit.id not in found:
            found.append(unit.id)
    return [unit_id for unit_id in found if unit_id != sub.unit_id]
