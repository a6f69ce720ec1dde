"""The oversight group: the Fatherland Front and the People's Inspection Board watch, read-only.

    /link_oversight   (an admin, in the group) makes it the oversight group
    /stats [SCOPE]    the chart and the figures, as in the office group (``bot.reports``)
    /help             what the group can do

Nothing personal is ever sent here: figures, codes, departments and days late only (the weekly digest
comes from ``bot.notify.public``). Any other command — the office's and departments' included — gets a
polite refusal, and buttons do nothing. A group that is also the office's or a department's is treated
as that staff group, never as the oversight group.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import BaseFilter, Command, CommandObject
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    Message,
    TelegramObject,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.filters import Magic, event_chat
from bot.clock import Clock
from bot.domain import access
from bot.domain.errors import DomainError
from bot.domain.oversight import is_oversight_chat, link_oversight
from bot.i18n import LOCALES, esc, use_locale
from bot.reports import ScopeError, render, resolve
from bot.settings import Settings
from bot.texts import office as to
from bot.texts import public as tp
from bot.texts import reports as tr

log = logging.getLogger(__name__)


class OversightChat(BaseFilter):
    """The event comes from the oversight group (and that group is no staff group)."""

    async def __call__(self, event: TelegramObject, db: AsyncSession) -> bool:
        chat = event_chat(event)
        if chat is None or chat.id > 0 or not await is_oversight_chat(db, chat.id):
            return False
        return not (await access.is_office_chat(db, chat.id) or await access.department_for_chat(db, chat.id))


async def install_menu(bot: Bot, chat_id: int) -> None:
    """The group's own command menu (/stats, /help), in Vietnamese and English."""

    def commands(locale: str) -> list[BotCommand]:
        with use_locale(locale):
            return [BotCommand(command=c, description=d) for c, d in tp.oversight_menu()]

    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        await bot.set_my_commands(commands("vi"), scope=scope)
        for locale in LOCALES:
            await bot.set_my_commands(commands(locale), scope=scope, language_code=locale)
    except Exception:  # menus are a convenience
        log.warning("could not set the oversight commands for chat %s", chat_id, exc_info=True)


def make_router(settings: Settings) -> Router:
    router = Router(name="oversight")  # mounted under the groups' router, before the staff routers

    @router.message(Command("link_oversight"))
    async def link(message: Message, bot: Bot, db: AsyncSession) -> None:
        user_id = message.from_user.id if message.from_user else None
        if not access.is_admin(user_id, settings):
            access.refuse("not an admin", user_id=user_id, chat_id=message.chat.id, action="/link_oversight")
            await db.rollback()
            await message.reply(to.not_allowed())
            return
        try:
            await link_oversight(db, message.chat.id)
        except DomainError:
            await db.rollback()
            await message.reply(tp.oversight_link_refused())
            return
        await db.commit()
        log.info("oversight group linked: chat=%s by=%s", message.chat.id, user_id)
        await install_menu(bot, message.chat.id)
        await message.reply(tp.linked_oversight())

    group = Router(name="oversight-group")
    group.message.filter(OversightChat())
    group.callback_query.filter(OversightChat())

    @group.message(Command("stats"))
    async def stats(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        try:
            report = await resolve(db, command.args, clock.now())
        except ScopeError as exc:
            await db.rollback()
            await message.reply(esc(f"{exc}\n{tp.oversight_help()}"))
            return
        await db.commit()
        if not report.sessions:
            await message.reply(tr.nothing_in_scope(report))
            return
        try:
            files = await render(report, documents=False)
        except Exception:
            log.exception("could not draw the chart for the oversight group's /stats %r", command.args)
            await message.reply(tr.stats_text(report))
            return
        await message.answer_photo(
            BufferedInputFile(files.chart, filename=files.chart_name), caption=tr.stats_caption(report)
        )
        await message.answer(tr.stats_text(report))

    @group.message(Command("help", "start"))
    async def help_(message: Message) -> None:
        await message.reply(tp.oversight_help())

    @group.message(Magic(F.text.startswith("/")))
    async def anything_else(message: Message) -> None:
        access.refuse(
            "command in the oversight group",
            user_id=message.from_user.id if message.from_user else None,
            chat_id=message.chat.id,
            action=f"command {(message.text or '')[:40]!r}",
        )
        await message.reply(tp.oversight_refused())

    @group.callback_query()
    async def any_button(query: CallbackQuery) -> None:
        await query.answer(to.not_allowed(), show_alert=True)

    router.include_router(group)
    return router
