"""What the office and department routers share: prompts that expect a reply, keyboards, refusals,
plus two small routers: admins linking groups and adding staff (first), and the refusals for whatever
staff-like action reaches no staff router (last before the citizens' router)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.filters import PROMPT_MARK, Magic
from bot.clock import Clock
from bot.domain import access
from bot.domain.access import refuse
from bot.domain.errors import (
    AnnouncementTooLate,
    DeadlineInPast,
    DomainError,
    InvalidInput,
    NotAllowed,
    WrongState,
)
from bot.i18n import esc
from bot.notify.outbox import Buttons
from bot.settings import Settings
from bot.texts import department as td
from bot.texts import office as to
from storage.models import StaffRole

log = logging.getLogger(__name__)

OFFICE_COMMANDS = ("inbox", "find", "sub", "sessions", "session_new", "answer", "merge", "agenda")
DEPARTMENT_COMMANDS = ("mine",)
ADMIN_COMMANDS = ("link_office", "link_department", "add_staff")
STAFF_COMMANDS = frozenset(OFFICE_COMMANDS + DEPARTMENT_COMMANDS + ADMIN_COMMANDS)


def markup(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b["text"], callback_data=b["data"]) for b in row] for row in buttons
        ]
    )


def mention(user: User) -> str:
    return f'<a href="tg://user?id={user.id}">{esc(user.full_name)}</a>'


async def ask_reply(
    bot: Bot,
    db: AsyncSession,
    state: FSMContext,
    chat_id: int,
    user: User,
    text: str,
    action: str,
    target: int,
    **extra: Any,
) -> None:
    """Send a prompt that expects this user's reply, and remember it (one pending input per user and chat).
    The database is committed before the network call; the pending input is stored after it."""
    await db.commit()
    sent = await bot.send_message(
        chat_id,
        f"{PROMPT_MARK} {mention(user)}: {text}",
        reply_markup=ForceReply(force_reply=True, selective=True),
    )
    await state.set_data({"await": {"a": action, "s": target, "mid": sent.message_id, **extra}})


async def pending_for(message: Message, bot: Bot, state: FSMContext) -> tuple[dict | None, str]:
    """Classify a message in a staff group: ("input", pending) when it answers this user's pending prompt;
    ("pointer", pending) when the user has a pending prompt but replied elsewhere; ("stale", None) for a reply
    to an old prompt; ("chat", None) for people talking."""
    pending = (await state.get_data()).get("await")
    reply = message.reply_to_message
    to_bot = reply is not None and reply.from_user is not None and reply.from_user.id == bot.id
    if pending and to_bot and reply is not None and reply.message_id == pending.get("mid"):
        return pending, "input"
    if pending:
        return pending, "pointer"
    if to_bot and reply is not None and (reply.text or "").startswith(PROMPT_MARK):
        return None, "stale"
    return None, "chat"


def input_text(message: Message) -> str:
    return (message.text or message.caption or "").strip()


def input_file(message: Message) -> str | None:
    if message.document is not None:
        return message.document.file_id
    if message.photo:
        return message.photo[-1].file_id
    return None


def error_text(exc: DomainError) -> str:
    if isinstance(exc, AnnouncementTooLate):
        return to.too_late_to_announce(int(exc.values.get("days", 7)))
    if isinstance(exc, DeadlineInPast):
        return td.extension_date_past()
    if isinstance(exc, WrongState):
        return to.wrong_state()
    if isinstance(exc, NotAllowed):
        return to.not_allowed()
    if isinstance(exc, InvalidInput):
        return to.invalid_input()
    return to.stale_button()


async def refuse_event(event: Message | CallbackQuery) -> None:
    """The polite answer to a refused action (the refusal itself is logged by ``access.refuse``)."""
    if isinstance(event, CallbackQuery):
        await event.answer(to.not_allowed(), show_alert=True)
    else:
        await event.reply(to.not_allowed())


async def remove_keyboard(bot: Bot, query: CallbackQuery) -> None:
    if query.message is None:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
        )
    except Exception:  # too old to edit: the result is sent as a message anyway
        log.debug("could not remove a keyboard", exc_info=True)


async def set_keyboard(bot: Bot, query: CallbackQuery, buttons: Buttons) -> None:
    if query.message is None:
        return
    await bot.edit_message_reply_markup(
        chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=markup(buttons)
    )


def actor_name(user: User | None) -> str:
    return user.full_name if user is not None else "?"


# --- admins: linking groups, adding staff -----------------------------------------------------------


def make_link_router(settings: Settings) -> Router:
    router = Router(name="staff-link")  # mounted under the groups' router

    async def admin_only(message: Message, db: AsyncSession, what: str) -> bool:
        user_id = message.from_user.id if message.from_user else None
        if access.is_admin(user_id, settings):
            return True
        refuse("not an admin", user_id=user_id, chat_id=message.chat.id, action=what)
        await db.rollback()
        await message.reply(to.not_allowed())
        return False

    @router.message(Command("link_office"))
    async def link_office(message: Message, bot: Bot, db: AsyncSession) -> None:
        if not await admin_only(message, db, "/link_office"):
            return
        try:
            await access.link_office(db, message.chat.id)
        except DomainError:
            await db.rollback()
            await message.reply(to.link_failed())
            return
        await db.commit()
        log.info("office group linked: chat=%s by=%s", message.chat.id, message.from_user.id)
        from handlers import menus

        await menus.install_for_chat(bot, message.chat.id, "office")
        await message.reply(to.linked_office())

    @router.message(Command("link_department"))
    async def link_department(message: Message, command: CommandObject, bot: Bot, db: AsyncSession) -> None:
        if not await admin_only(message, db, "/link_department"):
            return
        try:
            dept = await access.link_department(db, message.chat.id, (command.args or "").strip())
        except DomainError:
            await db.rollback()
            await message.reply(to.link_failed())
            return
        await db.commit()
        log.info("department %s linked: chat=%s by=%s", dept.code, message.chat.id, message.from_user.id)
        from handlers import menus

        await menus.install_for_chat(bot, message.chat.id, "department")
        await message.reply(to.linked_department(dept))

    @router.message(Command("add_staff"))
    async def add_staff(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        if not await admin_only(message, db, "/add_staff"):
            return
        args = (command.args or "").split(maxsplit=1)
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and not reply.from_user.is_bot:
            user_id, name = reply.from_user.id, (" ".join(args) or reply.from_user.full_name)
        elif args and args[0].isdigit():
            user_id, name = int(args[0]), (args[1] if len(args) > 1 else "")
        else:
            await message.reply(to.usage_staff())
            return
        if await access.is_office_chat(db, message.chat.id):
            role, dept_id = StaffRole.OFFICE, None
        elif (dept := await access.department_for_chat(db, message.chat.id)) is not None:
            role, dept_id = StaffRole.DEPARTMENT, dept.id
        else:
            await message.reply(to.unregistered_group())
            return
        await access.add_staff(
            db, user_id=user_id, name=name[:200], role=role, department_id=dept_id, now=clock.now()
        )
        await db.commit()
        log.info(
            "staff added: user=%s role=%s chat=%s by=%s", user_id, role, message.chat.id, message.from_user.id
        )
        await message.reply(to.staff_added(name or str(user_id), user_id))

    return router


# --- the refusals for what no staff router took -------------------------------------------------------


async def _staff_button_out_of_place(query: CallbackQuery) -> None:
    refuse(
        "staff button outside its group",
        user_id=query.from_user.id,
        chat_id=query.message.chat.id if query.message else None,
        action=f"button {query.data!r}",
    )
    await query.answer(to.not_allowed(), show_alert=True)


STAFF_BUTTON = Magic(F.data.regexp(r"^[od]:"))


def make_group_fallback_router(settings: Settings) -> Router:
    """Groups that are neither the office nor a department (mounted under the groups' router)."""
    router = Router(name="staff-fallback-groups")

    @router.message(Magic(F.text.startswith("/")))
    async def unregistered_group(message: Message) -> None:
        refuse(
            "unregistered group",
            user_id=message.from_user.id if message.from_user else None,
            chat_id=message.chat.id,
            action=f"command {(message.text or '')[:40]!r}",
        )
        await message.reply(to.unregistered_group())

    router.callback_query.register(_staff_button_out_of_place, STAFF_BUTTON)
    return router


def make_private_fallback_router(settings: Settings) -> Router:
    """Staff commands and buttons in a private chat (mounted under the private chats' router)."""
    router = Router(name="staff-fallback-private")

    @router.message(Command(*sorted(STAFF_COMMANDS)))
    async def staff_command_in_private(message: Message) -> None:
        refuse(
            "staff command in a private chat",
            user_id=message.from_user.id if message.from_user else None,
            chat_id=message.chat.id,
            action=f"command {(message.text or '')[:40]!r}",
        )
        await message.answer(to.staff_command_in_private())

    router.callback_query.register(_staff_button_out_of_place, STAFF_BUTTON)
    return router
