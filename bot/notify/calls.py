"""Askers no chat can reach — questions the office recorded (on paper, by phone, from the floor, from the
Front) whose asker has not linked a chat — still get every answer and deadline status: the office is
told what they would have read, with the phone number to call.

``note(db, …)`` is called where a citizen's message finds no chat (bot/notify/notifier.py
``to_citizen``, also used by the ticks); it keeps one ``CallNote`` per message (its outbox key, so a
message is never noted twice) and ``flush(db, now)``, at the end of the notifier's publication and
of the tick, gives each unit's office one list of its calls still to make.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import units
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.notify.outbox import enqueue_many, row
from bot.texts import office_extra as tx
from storage.db import insert_for
from storage.models import CallNote, Citizen, Submission

KEY = "call_notes"
# what is worth a phone call: answers, decisions and deadline statuses (not ratings or reminders)
PURPOSES = frozenset(
    {
        "session_answer",
        "response",
        "forwarded",
        "above_answer",
        "set_aside",
        "rejected",
        "extended",
        "reopened",
        "conclusion_notice",
        "r4_status",
        "r5_status",
        "session_cancelled",
        "session_postponed",
        "clarification_request",
    }
)
PER_MESSAGE = 12  # calls listed in one message to the office
_TAG = re.compile(r"<[^>]+>")


def callable_asker(citizen: Any) -> bool:
    """No chat, not deleted, a phone number: somebody the office can phone."""
    return (
        getattr(citizen, "chat_id", None) is None
        and getattr(citizen, "deleted_at", None) is None
        and bool(getattr(citizen, "phone", None))
    )


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text or ""))


def note(
    db: AsyncSession,
    citizen: Any,
    item: Any,
    key: str,
    purpose: str,
    now: datetime,
    render: Callable[[Any], str],
) -> None:
    """Remember a message ``citizen`` could not be sent (``render(item)``), for the office to phone in."""
    if purpose not in PURPOSES or not callable_asker(citizen):
        return
    with use_locale(DEFAULT_LOCALE):
        text = plain(render(item))
    db.info.setdefault(KEY, []).append(
        {"key": key, "submission_id": item.id, "purpose": purpose, "text": text[:2000], "created_at": now}
    )


async def flush(db: AsyncSession, now: datetime) -> int:
    """Store the noted calls (once per message) and give each office the list of its own unit's calls
    not yet listed — the unit of the question: a phone number goes to no other unit's group; the calls
    of a unit without an office group stay unlisted, for a later flush once it has one. Returns how
    many were listed."""
    noted = db.info.pop(KEY, None) or []
    if not noted:
        return 0
    statement = insert_for(db)(CallNote.__table__).on_conflict_do_nothing(index_elements=["key"])
    await (await db.connection()).execute(statement, noted)
    groups = await units.office_groups(db)
    if not groups:
        return 0
    ids = [u for u in groups if u is not None]
    mine = or_(
        *([Submission.unit_id.in_(ids)] if ids else []),
        *([Submission.unit_id.is_(None)] if None in groups else []),
    )
    with units.unscoped():
        waiting = (
            await db.execute(
                select(CallNote, Submission)
                .join(Submission, Submission.id == CallNote.submission_id)
                .where(CallNote.listed_at.is_(None), mine)
                .order_by(CallNote.id)
                .limit(500)
            )
        ).all()
    if not waiting:
        return 0
    by_office: dict[int, list[tuple[Submission, CallNote]]] = defaultdict(list)
    for call, sub in waiting:
        by_office[groups[sub.unit_id]].append((sub, call))
    rows = []
    for office, items in by_office.items():
        for i in range(0, len(items), PER_MESSAGE):
            chunk = items[i : i + PER_MESSAGE]
            with use_locale(DEFAULT_LOCALE):
                text = tx.calls_to_make(chunk)
            rows.append(
                row(
                    key=f"calls:{chunk[0][1].id}-{chunk[-1][1].id}",
                    chat_id=office,
                    purpose="calls",
                    text=text,
                    now=now,
                )
            )
    await enqueue_many(db, rows)
    await db.execute(
        update(CallNote)
        .where(CallNote.id.in_([call.id for call, _sub in waiting]))
        .values(listed_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(waiting)


async def phone_to_call(
    db: AsyncSession, channel: str, chat_id: str, submission_id: int | None
) -> str | None:
    """A message no channel could take (blocked, outside the Zalo OA's window with no template or phone
    number…): the phone number the office can call instead — the question's, else the citizen's."""
    phone = None
    if submission_id is not None:
        phone = await db.scalar(select(Submission.phone).where(Submission.id == submission_id))
    if not phone:
        phone = await db.scalar(
            select(Citizen.phone).where(
                Citizen.channel == channel, Citizen.chat_id == chat_id, Citizen.deleted_at.is_(None)
            )
        )
    return phone or None
