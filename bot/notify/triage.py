"""Triage: what the office sees when a submission arrives.

``on_new_submission`` is called by the citizen intake in the transaction that stores a submission: it
queues the full triage card (code, session, topic, text, the asker's contact — the office group may
see it —, a suggested department, likely duplicates, and the action buttons), then each attachment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.directory import office_chat_id
from bot.domain.routing import likely_duplicates, suggest_department
from bot.i18n import use_locale
from bot.notify import cards
from bot.notify.outbox import enqueue
from bot.texts import office as to
from storage.models import Submission


async def on_new_submission(db: AsyncSession, submission: Submission, now: datetime) -> None:
    """Called in the transaction that stores a new submission: queue its card for the office group."""
    chat = await office_chat_id(db)
    if chat is None:
        return
    suggested = await suggest_department(db, submission)
    duplicates = await likely_duplicates(db, submission)
    text, buttons = cards.render_triage_card(submission, suggested, duplicates)
    await enqueue(
        db,
        key=f"new:{submission.code}",
        chat_id=chat,
        purpose="triage_card",
        text=text,
        buttons=buttons,
        submission_id=submission.id,
        now=now,
    )
    for att in submission.attachments:
        with use_locale(cards.GROUP_LOCALE):
            caption = to.attachment_caption(submission, att)
        document = {"file_id": att.file_id, "caption": caption}
        if att.kind == "photo":
            document["kind"] = "photo"
        await enqueue(
            db,
            key=f"new:{submission.code}:att:{att.id}",
            chat_id=chat,
            purpose="triage_attachment",
            text=caption,
            document=document,
            submission_id=submission.id,
            now=now,
        )
