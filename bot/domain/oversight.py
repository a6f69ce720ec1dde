"""The oversight group: a read-only Telegram group for the Fatherland Front and the People's Inspection
Board (``/link_oversight``). It gets figures and the weekly list of late and overdue questions — codes,
departments, days late — and never anything personal. Stored as the ``app_config`` key
``oversight_chat_id``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.access import department_for_chat, is_office_chat
from bot.domain.directory import _set_config, get_config
from bot.domain.errors import NotAllowed

CONFIG_KEY = "oversight_chat_id"


async def oversight_chat_id(db: AsyncSession) -> int | None:
    value = await get_config(db, CONFIG_KEY)
    return int(value) if value else None


async def is_oversight_chat(db: AsyncSession, chat_id: int) -> bool:
    linked = await oversight_chat_id(db)
    return linked is not None and linked == chat_id


async def link_oversight(db: AsyncSession, chat_id: int) -> None:
    """Make this group the oversight group (one per deployment: linking another one moves it). The
    office group and department groups cannot be it: they see personal data."""
    if await is_office_chat(db, chat_id) or await department_for_chat(db, chat_id) is not None:
        raise NotAllowed("this chat is a staff group")
    await _set_config(db, CONFIG_KEY, str(chat_id))
    await db.flush()
