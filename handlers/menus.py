"""Command menus per chat scope and language (setMyCommands): citizens in private chats, the office
group, each department group — each sees only its own commands, in Vietnamese or English."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import units
from bot.domain.directory import office_chat_id
from bot.i18n import LOCALES, use_locale
from bot.settings import Settings
from bot.texts import office as to
from storage.models import Department

log = logging.getLogger(__name__)


def commands(audience: str, locale: str) -> list[BotCommand]:
    with use_locale(locale):
        return [BotCommand(command=c, description=d) for c, d in to.menu(audience)]


async def _set(bot: Bot, audience: str, scope) -> None:
    await bot.set_my_commands(commands(audience, "vi"), scope=scope)  # the fallback for every language
    for locale in LOCALES:
        await bot.set_my_commands(commands(audience, locale), scope=scope, language_code=locale)


async def install_for_chat(bot: Bot, chat_id: int, audience: str) -> None:
    try:
        await _set(bot, audience, BotCommandScopeChat(chat_id=chat_id))
    except Exception:  # menus are a convenience: never block the group's work
        log.warning("could not set the %s commands for chat %s", audience, chat_id, exc_info=True)


async def office_audience(db: AsyncSession, chat_id: int) -> str:
    """The office group's menu: a unit with a unit above it (a commune's office) can forward up."""
    return _audience(await units.for_office_chat(db, chat_id))


def _audience(unit: units.UnitInfo | None) -> str:
    return "office_below" if unit is not None and unit.parent_id is not None else "office"


async def install_all(bot: Bot, db: AsyncSession) -> None:
    office = await office_chat_id(db)
    offices = {office: "office"}
    for unit in await units.all_units(db):  # each unit's office
        if unit.office_chat_id is not None:
            offices[unit.office_chat_id] = _audience(unit)
    departments = [
        d.chat_id for d in await db.scalars(select(Department).where(Department.chat_id.is_not(None)))
    ]
    await db.commit()
    try:
        await _set(bot, "citizen", BotCommandScopeAllPrivateChats())
    except Exception:
        log.warning("could not set the citizens' commands", exc_info=True)
    for chat_id in sorted(c for c in offices if c is not None):
        await install_for_chat(bot, chat_id, offices[chat_id])
    for chat_id in departments:
        await install_for_chat(bot, chat_id, "department")


def make_router(settings: Settings) -> Router:
    router = Router(name="menus")

    @router.startup()
    async def on_startup(bot: Bot, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        async with sessionmaker() as db:
            await install_all(bot, db)

    return router
