"""``/audit [N]`` in the office group: the most recent staff accesses to personal data, for admins
only (bot.domain.audit). ``staff_access`` is the one-line call staff handlers make when they show a
question's personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.filters import OfficeChat
from bot.conversation.split import split_text
from bot.domain import audit
from bot.domain.access import is_admin, refuse
from bot.domain.directory import office_chat_id
from bot.settings import Settings
from bot.texts import office as to
from bot.texts import privacy as tp
from storage.models import Department

TELEGRAM_LIMIT = 4096
# the kinds of access, for the staff handlers' one-line calls
VIEW_SUBMISSION, FIND, AGENDA, REPORT_FILES = (
    audit.VIEW_SUBMISSION,
    audit.FIND,
    audit.AGENDA,
    audit.REPORT_FILES,
)


async def staff_access(
    db: AsyncSession, event: Message | CallbackQuery, action: str, subject: str, now: datetime, **detail: Any
) -> None:
    """Record that the person behind ``event`` was shown personal data (in the handler's transaction)."""
    user = event.from_user
    message = event.message if isinstance(event, CallbackQuery) else event
    await audit.record(
        db,
        actor=audit.telegram_actor(user.id) if user is not None else "tg:?",
        actor_name=user.full_name if user is not None else "",
        chat_id=message.chat.id if message is not None else None,
        action=action,
        subject=subject,
        now=now,
        **detail,
    )


async def _places(db: AsyncSession) -> dict[str, str]:
    places = {}
    office = await office_chat_id(db)
    if office is not None:
        places[str(office)] = tp.office_group()
    for dept in await db.scalars(select(Department).where(Department.chat_id.is_not(None))):
        places[str(dept.chat_id)] = tp.department_group(to.name_of(dept))
    return places


def _count(args: str | None) -> int | None:
    text = (args or "").strip()
    if not text:
        return tp.AUDIT_DEFAULT
    if not text.isdigit() or not 1 <= int(text) <= tp.AUDIT_MAX:
        return None
    return int(text)


def make_router(settings: Settings) -> Router:
    router = Router(name="audit")
    router.message.filter(OfficeChat())

    @router.message(Command("audit"))
    async def show_audit(message: Message, command: CommandObject, db: AsyncSession) -> None:
        user_id = message.from_user.id if message.from_user is not None else None
        if not is_admin(user_id, settings):
            refuse("not an admin", user_id=user_id, chat_id=message.chat.id, action="command /audit")
            await db.commit()
            await message.reply(tp.audit_admins_only())
            return
        count = _count(command.args)
        if count is None:
            await message.reply(tp.audit_usage())
            return
        entries = await audit.latest(db, count)
        places = await _places(db)
        await db.commit()
        for chunk in split_text(tp.audit_list(entries, places), TELEGRAM_LIMIT):
            await message.answer(chunk)

    return router
