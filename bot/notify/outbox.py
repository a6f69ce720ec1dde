"""Writing to the outbox: every message that must not be lost goes through here.

Rows are written inside the database transaction of the change that causes them (the notifier runs
when that transaction commits); the dispatcher (bot/notify/dispatcher.py) delivers them later. The
payload is channel-neutral:

    {"text": "<b>HTML</b> text",                            # Telegram HTML; Zalo strips the tags
     "actions": [[{"label": …, "action": "route", "id": 42, "arg": 3}]],   # bot/notify/actions.py
     "document": {"file_id": "...", "caption": "...", "kind": "photo"?}}   # optional, a file id

The idempotency ``key`` names the event, e.g. ``"route:HT-26-0042:…"`` or
``"r5:HT-26-0042:2027-02-16"``: enqueueing the same key twice stores one message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.notify.actions import Actions
from storage.db import insert_for
from storage.models import Channel, Citizen, Outbox, OutboxStatus


def row(
    *,
    key: str,
    chat_id: int | str,
    purpose: str,
    text: str,
    now: datetime,
    channel: str = Channel.TELEGRAM,
    actions: Actions | None = None,
    document: dict[str, str] | None = None,
    submission_id: int | None = None,
    available_at: datetime | None = None,
) -> dict[str, Any]:
    """One outbox row's values."""
    payload: dict[str, Any] = {"text": text}
    if actions:
        payload["actions"] = actions
    if document:
        payload["document"] = document
    return {
        "key": key,
        "channel": channel,
        "chat_id": str(chat_id),
        "purpose": purpose,
        "payload": payload,
        "submission_id": submission_id,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "available_at": available_at or now,
        "created_at": now,
    }


async def enqueue(db: AsyncSession, **values: Any) -> int | None:
    """Add a message to the outbox unless one with the same key exists; returns the new row's id or
    None. One statement (insert, or nothing on a key already there), so two transactions enqueueing
    the same event at once store one message and neither fails. Arguments: as ``row``."""
    statement = (
        insert_for(db)(Outbox)
        .values(**row(**values))
        .on_conflict_do_nothing(index_elements=[Outbox.key])
        .returning(Outbox.id)
    )
    return await db.scalar(statement)


async def enqueue_many(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many rows (``row(...)`` each) in one statement (the driver's executemany, not the ORM's
    per-row bookkeeping); keys already there are skipped."""
    if rows:
        statement = insert_for(db)(Outbox.__table__).on_conflict_do_nothing(index_elements=["key"])
        await (await db.connection()).execute(statement, rows)


def reachable(citizen: Citizen) -> bool:
    """Nothing is sent to a citizen who deleted their data (no chat id left)."""
    return citizen.chat_id is not None and citizen.deleted_at is None


async def enqueue_to_citizen(
    db: AsyncSession, citizen: Citizen, *, key: str, purpose: str, text: str, now: datetime, **kw: Any
) -> int | None:
    """Enqueue for a citizen on whatever channel they use; nothing for a deleted citizen."""
    if not reachable(citizen):
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
