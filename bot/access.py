"""Who may do what, where: admins, office staff, department staff, and the registered group chats.

Admins are ``settings.admin_ids``. Office staff are ``staff`` rows with role "office"; department
staff are rows with role "department" and their ``department_id``. The office group is the
``app_config`` key ``office_chat_id``; a department's group is ``departments.chat_id``.

Every refusal goes through ``refuse(...)``: it is logged (who, where, what) and nothing changes.
The aiogram side (filters and middlewares for the office and department routers) is at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import _set_config, office_chat_id
from bot.errors import InvalidInput, NotAllowed
from bot.settings import Settings
from storage.models import Department, Staff, StaffRole

log = logging.getLogger("doithoai.access")

PROMPT_MARK = "✏️"  # the bot's prompts that expect a reply start with this

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


# --- plain questions over the database ------------------------------------------------------------


def is_admin(user_id: int | None, settings: Settings) -> bool:
    return user_id is not None and user_id in settings.admin_ids


async def is_office_chat(db: AsyncSession, chat_id: int) -> bool:
    office = await office_chat_id(db)
    return office is not None and office == chat_id


async def department_for_chat(db: AsyncSession, chat_id: int) -> Department | None:
    return await db.scalar(select(Department).where(Department.chat_id == chat_id, Department.active))


async def is_office_staff(db: AsyncSession, user_id: int | None, settings: Settings) -> bool:
    if user_id is None:
        return False
    if is_admin(user_id, settings):
        return True
    found = await db.scalar(
        select(Staff.id).where(Staff.user_id == user_id, Staff.role == StaffRole.OFFICE).limit(1)
    )
    return found is not None


async def is_department_staff(
    db: AsyncSession, user_id: int | None, department_id: int, settings: Settings
) -> bool:
    if user_id is None:
        return False
    if is_admin(user_id, settings):
        return True
    found = await db.scalar(
        select(Staff.id)
        .where(
            Staff.user_id == user_id,
            Staff.role == StaffRole.DEPARTMENT,
            Staff.department_id == department_id,
        )
        .limit(1)
    )
    return found is not None


def refuse(reason: str, *, user_id: int | None, chat_id: int | None, action: str) -> None:
    """Log a refused action. Callers then answer politely and change nothing."""
    log.warning("refused %s: user=%s chat=%s reason=%s", action, user_id, chat_id, reason)


# --- linking groups and adding staff (admin commands and the CLI) --------------------------------


async def link_office(db: AsyncSession, chat_id: int) -> None:
    if await department_for_chat(db, chat_id) is not None:
        raise NotAllowed("this chat is a department group")
    await _set_config(db, "office_chat_id", str(chat_id))
    await db.flush()


async def link_department(db: AsyncSession, chat_id: int, code: str) -> Department:
    dept = await db.scalar(select(Department).where(Department.code == code.strip().upper()))
    if dept is None:
        raise InvalidInput("unknown department code", code=code)
    if await is_office_chat(db, chat_id):
        raise NotAllowed("this chat is the office group")
    other = await department_for_chat(db, chat_id)
    if other is not None and other.id != dept.id:
        other.chat_id = None
        await db.flush()
    dept.chat_id = chat_id
    await db.flush()
    return dept


async def add_staff(
    db: AsyncSession,
    *,
    user_id: int,
    name: str,
    role: str,
    department_id: int | None,
    now: datetime,
) -> Staff:
    existing = await db.scalar(
        select(Staff).where(
            Staff.user_id == user_id, Staff.role == role, Staff.department_id == department_id
        )
    )
    if existing is not None:
        existing.name = name or existing.name
        return existing
    row = Staff(user_id=user_id, name=name, role=role, department_id=department_id, created_at=now)
    db.add(row)
    await db.flush()
    return row


# --- aiogram: filters and middlewares -------------------------------------------------------------


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
        if self.role == StaffRole.OFFICE:
            allowed = await is_office_staff(db, user_id, self.settings)
        else:
            dept: Department | None = data.get("department")
            allowed = dept is not None and await is_department_staff(db, user_id, dept.id, self.settings)
        if allowed:
            data["is_admin"] = is_admin(user_id, self.settings)
            return await handler(event, data)
        if not _is_action(event):
            return None
        refuse("not staff of this group", user_id=user_id, chat_id=_chat_id(event), action=_describe(event))
        await db.commit()
        await self.on_refused(event)
        return None


def _describe(event: TelegramObject) -> str:
    if isinstance(event, CallbackQuery):
        return f"button {event.data!r}"
    if isinstance(event, Message):
        return f"command {(event.text or '')[:40]!r}"
    return type(event).__name__
