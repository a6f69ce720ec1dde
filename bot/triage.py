"""Triage: what the office sees when a submission arrives (extended by the office workflow)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import office_chat_id
from bot.i18n import esc
from bot.outbox import enqueue
from storage.models import Submission


async def on_new_submission(db: AsyncSession, submission: Submission, now: datetime) -> None:
    """Called in the transaction that stores a new submission: queue its card for the office group."""
    chat = await office_chat_id(db)
    if chat is None:
        return
    await enqueue(
        db,
        key=f"new:{submission.code}",
        chat_id=chat,
        purpose="triage_card",
        text=f"<b>{esc(submission.code)}</b>\n{esc(submission.text)}",
        submission_id=submission.id,
        now=now,
    )
