"""Writing to the outbox: every message that must not be lost goes through here.

Call ``enqueue`` inside the same database transaction as the change that causes the message;
the dispatcher (bot/dispatcher.py) delivers it later. The payload is channel-neutral:

    {"text": "<b>HTML</b> text",                     # Telegram HTML; the Zalo adapter strips tags
     "buttons": [[{"text": "label", "data": "cb"}]],  # optional rows of callback buttons
     "document": {"file_id": "...", "caption": "..."}}  # optional, Telegram file id

The idempotency ``key`` names the event, e.g. ``"routed:HT-26-0042"`` or
``"late:HT-26-0042:2027-02-16:citizen"``: enqueueing the same key twice stores one message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_for
from storage.models import Channel, Citizen, Outbox, OutboxStatus

Buttons = list[list[dict[str, str]]]


async def enqueue(
    db: AsyncSession,
    *,
    key: str,
    chat_id: int | str,
    purpose: str,
    text: str,
    now: datetime,
    channel: str = Channel.TELEGRAM,
    buttons: Buttons | None = None,
    document: dict[str, str] | None = None,
    submission_id: int | None = None,
    available_at: datetime | None = None,
) -> int | None:
    """Add a message to the outbox unless one with the same key exists; returns the new row's id or
    None. One statement (insert, or nothing on a key already there), so two transactions enqueueing
    the same event at once store one message and neither fails."""
    payload: dict[str, Any] = {"text": text}
    if buttons:
        payload["buttons"] = buttons
    if document:
        payload["document"] = document
    statement = (
        insert_for(db)(Outbox)
        .values(
            key=key,
            channel=channel,
            chat_id=str(chat_id),
            purpose=purpose,
            payload=payload,
            submission_id=submission_id,
            status=OutboxStatus.PENDING,
            attempts=0,
            available_at=available_at or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Outbox.key])
        .returning(Outbox.id)
    )
    return await db.scalar(statement)


async def enqueue_to_citizen(
    db: AsyncSession, citizen: Citizen, *, key: str, purpose: str, text: str, now: datetime, **kw: Any
) -> int | None:
    """Enqueue for a citizen on whatever channel they use; nothing for a deleted citizen."""
    if citizen.chat_id is None or citizen.deleted_at is not None:
        return None
    return await enqueue(
        db,
        key=key,
        chat_id=citizen.chat_id,
        channel=citizen.channel,
        purpose=purpose,
        text=text,
        now=now,
        **kw,
    )
