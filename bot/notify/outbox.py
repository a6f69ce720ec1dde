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

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import use_locale
from bot.notify.actions import Actions
from bot.texts.zalo import use_channel
from storage.db import core_scalar, insert_for
from storage.models import Channel, Outbox, OutboxStatus


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
    if channel == Channel.ZALO:  # a Zalo OA may need a template for it (bot/channels/zalo/oa.py)
        payload["purpose"], payload["submission_id"] = purpose, submission_id
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
    table = Outbox.__table__  # Core: a plain row, none of the ORM's bulk-insert bookkeeping
    statement = (
        insert_for(db)(table)
        .values(**row(**values))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    return await core_scalar(db, statement)


async def enqueue_many(db: AsyncSession, rows: list[dict[str, Any] | None]) -> int:
    """Many rows (``row(...)`` each; None for a message nobody can receive) in one statement (the
    driver's executemany, not the ORM's per-row bookkeeping); keys already there are skipped.
    Returns how many rows were offered."""
    values = [r for r in rows if r is not None]
    if values:
        statement = insert_for(db)(Outbox.__table__).on_conflict_do_nothing(index_elements=["key"])
        await (await db.connection()).execute(statement, values)
    return len(values)


def reachable(citizen: Any) -> bool:
    """Nothing is sent to a citizen who deleted their data (no chat id left)."""
    return citizen.chat_id is not None and citizen.deleted_at is None


def for_citizen(
    citizen: Any,
    key: str,
    purpose: str,
    now: datetime,
    text: Callable[[], str],
    actions: Callable[[], Actions | None] | None = None,
    **kw: Any,
) -> dict[str, Any] | None:
    """A row for a citizen (a ``Citizen``, or any row with its channel, chat id, locale and
    deletion), on whatever channel they use, rendered in their language; None for one who deleted
    their data."""
    if not reachable(citizen):
        return None
    with use_locale(citizen.locale), use_channel(citizen.channel):  # Zalo's wording on Zalo
        body, buttons = text(), actions() if actions is not None else None
    return row(
        key=key,
        chat_id=citizen.chat_id,
        channel=citizen.channel,
        purpose=purpose,
        text=body,
        now=now,
        actions=buttons,
        **kw,
    )
