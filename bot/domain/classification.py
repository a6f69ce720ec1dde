"""The office classifies each question by its nature — kiến nghị (a proposal), phản ánh (feedback),
hỏi đáp chính sách (a policy question), khiếu nại (a complaint), tố cáo (a denunciation) — and sets
complaints and denunciations aside: they follow their own laws (Luật Khiếu nại, Luật Tố cáo), not
the dialogue's, so they leave its deadlines and figures and are counted apart. The citizen is told
how it will be handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.errors import InvalidInput, WrongState
from bot.domain.queries import get_submission
from bot.domain.recording import NATURES
from bot.domain.triage import follow
from storage.models import ExtensionRequest, Submission, SubmissionStatus

NOTE_MAX = 1000


async def classify(
    db: AsyncSession, submission_id: int, nature: str, actor: str, now: datetime
) -> Submission:
    if nature not in NATURES:
        raise InvalidInput("unknown nature", value=nature)
    sub = await get_submission(db, submission_id)
    await lifecycle.move(db, sub, "classify", actor, now, detail={"nature": nature}, nature=nature)
    await follow(db, sub, now, nature=nature)
    return sub


async def set_aside(db: AsyncSession, submission_id: int, note: str, actor: str, now: datetime) -> Submission:
    """A complaint or a denunciation handed to its own procedure ("chuyển xử lý theo quy định về khiếu
    nại, tố cáo"); ``note``: who handles it, as the citizen will read it."""
    sub = await get_submission(db, submission_id)
    if sub.nature not in lifecycle.SET_ASIDE_NATURES:
        raise WrongState("only a complaint or a denunciation is set aside", nature=sub.nature)
    note = (note or "").strip()
    if not note or len(note) > NOTE_MAX:
        raise InvalidInput("a note is needed", max=NOTE_MAX)
    await lifecycle.move(
        db,
        sub,
        "set_aside",
        actor,
        now,
        to=SubmissionStatus.SET_ASIDE,
        detail={"nature": sub.nature, "note": note[:200]},
        set_aside_at=now,
        set_aside_note=note,
        awaiting_clarification=False,
    )
    for req in await db.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.submission_id == sub.id, ExtensionRequest.status == "pending"
        )
    ):
        req.status, req.decided_at = "lapsed", now
    return sub
