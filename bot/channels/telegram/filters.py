"""Cheap, asynchronous chat filters.

aiogram runs every synchronous filter (``F.chat.type == "private"`` included) in a worker thread
(``asyncio.to_thread``); at a few filters per update that thread hop cost more than the handler.
These filters are coroutines, so they run inline. ``tests/test_routing_filters.py`` keeps every
router free of synchronous filters.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import BaseFilter, Filter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject
from magic_filter import MagicFilter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import units
from bot.domain.access import (
    department_for_chat,
    is_admin,
    is_department_staff,
    is_office_chat,
    is_office_staff,
    office_unit,
    refuse,
)
from bot.settings import Settings
from storage.models import Department, StaffRole

log = logging.getLogger("doithoai.access")

PROMPT_MARK = "✏️"  # the bot's prompts that expect a reply start with this

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

PRIVATE = ("private",)
GROUPS = ("group", "supergroup")


class ChatType(Filter):
    """The event comes from a chat of one of these types."""

    def __init__(self, types: tuple[str, ...]) -> None:
        self.types = frozenset(types)

    async def __call__(self, event: TelegramObject) -> bool:
        chat = event_chat(event)
        return chat is not None and chat.type in self.types


class Magic(Filter):
    """A magic filter (``F.text.startswith("/")``) resolved inline instead of in a thread."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


# --- who may act where: the office and department routers' guards ---------------------------------


def event_chat(event: TelegramObject) -> Chat | None:
    """The chat a message or a button press comes from."""
    if isinstance(event, Message):
        return event.chat
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat
    return None


def _chat_id(event: TelegramObject) -> int | None:
    chat = event_chat(event)
    return chat.id if chat is not None else None


class OfficeChat(BaseFilter):
    """The event comes from the registered office group."""

    async def __call__(self, event: TelegramObject, db: AsyncSession) -> bool:
        chat = _chat_id(event)
        # Group chats have negative ids: a private chat is never the office (and costs no query).
        return chat is not None and chat < 0 and await is_office_chat(db, chat)


class DepartmentChat(BaseFilter):
    """The event comes from a registered department group; handlers receive ``department``."""

    async def __call__(self, event: TelegramObject, db: AsyncSession) -> bool | dict[str, Any]:
        chat = _chat_id(event)
        if chat is None or chat > 0:  # group chats have negative ids
            return False
        dept = await department_for_chat(db, chat)
        return {"department": dept} if dept is not None else False


def _is_action(event: TelegramObject) -> bool:
    """Commands, button presses and replies to the bot's prompts are actions."""
    if isinstance(event, CallbackQuery):
        return True
    if not isinstance(event, Message):
        return False
    if event.text and event.text.startswith("/"):
        return True
    reply = event.reply_to_message
    return bool(
        reply is not None
        and reply.from_user is not None
        and reply.from_user.is_bot
        and (reply.text or "").startswith(PROMPT_MARK)
    )


class StaffOnly(BaseMiddleware):
    """Inner middleware for a staff router: the sender must hold the router's role, else refused.

    ``role`` is "office" or "department" (the department comes from the ``DepartmentChat`` filter).
    Non-staff messages that are not actions (people talking in the group) pass by silently.
    """

    def __init__(self, role: str, settings: Settings, on_refused: Callable[..., Awaitable[None]]) -> None:
        self.role, self.settings, self.on_refused = role, settings, on_refused

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        db: AsyncSession = data["db"]
        user = data.get("event_from_user")
        user_id = user.id if user is not None else None
        unit = await self._unit(db, event, data)
        if self.role == StaffRole.OFFICE:
            allowed = await is_office_staff(db, user_id, self.settings, unit)
        else:
            dept: Department | None = data.get("department")
            allowed = dept is not None and await is_department_staff(db, user_id, dept.id, self.settings)
        if allowed:
            data["is_admin"] = is_admin(user_id, self.settings)
            data["unit_id"] = unit
            with units.scoped(unit):  # every statement of the action sees this unit's rows only
                return await handler(event, data)
        if not _is_action(event):
            return None
        refuse("not staff of this group", user_id=user_id, chat_id=_chat_id(event), action=_describe(event))
        await db.commit()
        await self.on_refused(event)
        return None

    async def _unit(self, db: AsyncSession, event: TelegramObject, data: dict[str, Any]) -> int | None:
        """The unit of the group the action comes from (None: a deployment of one unit)."""
        if not await units.many(db):
            return None
        if self.role != StaffRole.OFFICE:
            dept: Department | None = data.get("department")
            return dept.unit_id if dept is not None else None
        chat = _chat_id(event)
        # the deployment's office group (app_config) is the top unit's: never unconfined
        unit = await office_unit(db, chat) if chat is not None else await units.top(db)
        return unit.id if unit is not None else None


def _describe(event: TelegramObject) -> str:
    if isinstance(event, CallbackQuery):
        return f"button {event.data!r}"
    if isinstance(event, Message):
        return f"command {(event.text or '')[:40]!r}"
    return type(event).__name__
