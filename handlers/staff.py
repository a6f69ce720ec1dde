"""What the office and department routers share: prompts that expect a reply, keyboards, refusals,
plus two small routers: admins linking groups and adding staff (first), and the refusals for whatever
staff-like action reaches no staff router (last before the citizens' router)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ForceReply, Message, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import LinkCb, markup, unit_choice
from bot.channels.telegram.filters import PROMPT_MARK, Magic, StaffOnly
from bot.clock import Clock
from bot.domain import access, units
from bot.domain.access import refuse
from bot.domain.errors import (
    AnnouncementTooLate,
    DeadlineInPast,
    DomainError,
    InvalidInput,
    NotAllowed,
    TooEarly,
    UnitNeeded,
    WrongState,
)
from bot.i18n import esc
from bot.notify.actions import Actions
from bot.settings import Settings
from bot.texts import department as td
from bot.texts import office as to
from bot.texts import units as tu
from storage.models import StaffRole

log = logging.getLogger(__name__)

OFFICE_COMMANDS = ("inbox", "find", "sub", "sessions", "session_new", "answer", "merge", "agenda")
OFFICE_COMMANDS += ("record", "import", "import_template", "classify", "forward", "forwarded", "coordinate")
OFFICE_COMMANDS += ("forward_up",)  # to the unit above on the same deployment (handlers/office/ladder.py)
__all__ = ["markup"]
DEPARTMENT_COMMANDS = ("mine",)
ADMIN_COMMANDS = ("link_office", "link_department", "add_staff")
STAFF_COMMANDS = frozenset(OFFICE_COMMANDS + DEPARTMENT_COMMANDS + ADMIN_COMMANDS)


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
    await db.commit()


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
    if isinstance(exc, TooEarly):
        return to.too_early()
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


async def set_keyboard(bot: Bot, query: CallbackQuery, actions: Actions) -> None:
    if query.message is None:
        return
    await bot.edit_message_reply_markup(
        chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=markup(actions)
    )


async def edit_card(bot: Bot, chat_id: int, message_id: int, text: str, actions: Actions) -> None:
    """Show a card's current state and the actions it now allows (a card never goes stale)."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup(actions)
        )
    except Exception:  # unchanged, or too old to edit: the reply below says what happened
        log.debug("could not update a card", exc_info=True)


def actor_name(user: User | None) -> str:
    return user.full_name if user is not None else "?"


# --- replies to prompts: one small function per kind of prompt ------------------------------------


class Again(Exception):
    """The reply cannot be used as it is: say why; the prompt stays open for another reply."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class Reply:
    """A staff member's reply to one of the bot's prompts, with what a reply handler needs."""

    message: Message
    bot: Bot
    db: AsyncSession
    state: FSMContext
    pending: dict[str, Any]
    now: datetime
    actor: str
    who: str
    department: Any = None
    after: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)  # once committed
    keep_state: bool = False  # the handler set the next pending input itself

    @property
    def text(self) -> str:
        return input_text(self.message)

    @property
    def file_id(self) -> str | None:
        return input_file(self.message)

    @property
    def target(self) -> int:
        return int(self.pending.get("s") or 0)

    def needs_text(self) -> str:
        if not self.text:
            raise Again(to.empty_input())
        return self.text


ReplyHandler = Callable[[Reply], Awaitable[str | None]]  # the confirmation (None: the next step follows)


async def answer_reply(
    handlers: dict[str, ReplyHandler], reply: Reply, stale: Callable[[DomainError], str]
) -> None:
    """Run the handler of the pending prompt; commit, then confirm. A reply that cannot be used keeps
    the prompt open; one that came too late (the question moved on) closes it. Nothing is sent while
    a transaction is open."""
    handler = handlers.get(reply.pending.get("a", ""))
    try:
        if handler is None:
            raise WrongState("unknown prompt")
        confirmation = await handler(reply)
    except Again as exc:
        await reply.db.rollback()
        await reply.message.reply(exc.text)
        return
    except (InvalidInput, DeadlineInPast, AnnouncementTooLate) as exc:
        await reply.db.rollback()  # the prompt stays: they can reply to it again
        await reply.message.reply(stale(exc))
        return
    except DomainError as exc:
        await reply.db.rollback()
        await reply.state.set_data({})  # what it was for has moved on: nothing left to type
        await reply.db.commit()
        await reply.message.reply(stale(exc))
        return
    if not reply.keep_state:
        await reply.state.set_data({})
    await reply.db.commit()
    for then in reply.after:  # e.g. the card brought up to date, before the confirmation says it is done
        await then()
    if confirmation:
        await reply.message.reply(confirmation)


# --- button presses: one small function per action ---------------------------------------------------


@dataclass
class Press:
    """A staff member's press of one of the bot's buttons, with what an action handler needs."""

    query: CallbackQuery
    data: Any  # the callback data (OfficeCb / DeptCb): action, id, arg
    bot: Bot
    db: AsyncSession
    state: FSMContext
    now: datetime
    actor: str
    who: str
    department: Any = None

    @property
    def id(self) -> int:
        return int(self.data.id)

    @property
    def arg(self) -> int:
        return int(self.data.arg)

    @property
    def chat_id(self) -> int:
        return self.query.message.chat.id

    async def done(self, reply: str | None = None, *, keep_keyboard: bool = False) -> None:
        """Commit, then answer the press, take the buttons off the card, and confirm in the group."""
        await self.db.commit()
        await self.query.answer()
        if not keep_keyboard:
            await remove_keyboard(self.bot, self.query)
        if reply:
            await self.query.message.reply(reply)

    async def show(self, actions: Actions) -> None:
        """Commit, answer the press, and put other buttons on the pressed card."""
        await self.db.commit()
        await self.query.answer()
        await set_keyboard(self.bot, self.query, actions)

    async def ask(self, text: str, action: str, target: int, **extra: Any) -> None:
        """Answer the press and prompt this person for a reply (handled by the module's reply handlers)."""
        await self.db.commit()
        await self.query.answer()
        await ask_reply(
            self.bot, self.db, self.state, self.chat_id, self.query.from_user, text, action, target, **extra
        )


PressHandler = Callable[[Press], Awaitable[None]]


def on_press(
    router: Router,
    callback: Any,
    action: str,
    actor_of: Callable[[int], str],
    explain: Callable[[DomainError], str] | None = None,
) -> Callable[[PressHandler], PressHandler]:
    """Register ``handler`` for the buttons of ``callback`` (a CallbackData class) whose action is
    ``action``. A domain error (stale button, wrong state, not allowed) is answered politely and
    changes nothing."""

    def register(handler: PressHandler) -> PressHandler:
        async def pressed(query: CallbackQuery, callback_data: Any, **data: Any) -> None:
            user = query.from_user
            press = Press(
                query=query,
                data=callback_data,
                bot=data["bot"],
                db=data["db"],
                state=data["state"],
                now=data["clock"].now(),
                actor=actor_of(user.id),
                who=actor_name(user),
                department=data.get("department"),
            )
            try:
                await handler(press)
            except DomainError as exc:
                await press.db.rollback()
                log.info("button %r by %s refused: %s", query.data, user.id, exc)
                if explain is not None:
                    text = explain(exc)
                else:
                    text = to.stale_button() if isinstance(exc, WrongState) else error_text(exc)
                await query.answer(text, show_alert=True)

        pressed.__name__ = f"on_{action}"
        router.callback_query.register(pressed, callback.filter(F.action == action))
        return handler

    return register


def guarded(name: str, chat: Any, role: str, settings: Settings) -> Router:
    """A staff router: only events from ``chat`` (a filter: the office group, a department group), and
    only from its staff (others' actions are refused politely and logged)."""
    router = Router(name=name)
    router.message.filter(chat)
    router.callback_query.filter(chat)
    guard = StaffOnly(role, settings, refuse_event)
    router.message.middleware(guard)
    router.callback_query.middleware(guard)
    return router


async def cancel_prompt(message: Message, db: AsyncSession, state: FSMContext) -> None:
    """/cancel in a staff group: forget what this person was asked to type."""
    had = bool((await state.get_data()).get("await"))
    await state.set_data({})
    await db.commit()
    await message.reply(to.cancelled() if had else to.nothing_to_cancel())


# --- admins: linking groups, adding staff -----------------------------------------------------------


def make_link_router(settings: Settings) -> Router:
    router = Router(name="staff-link")  # mounted under the groups' router

    async def admin_only(event: Message | CallbackQuery, db: AsyncSession, what: str) -> bool:
        user_id = event.from_user.id if event.from_user else None
        if access.is_admin(user_id, settings):
            return True
        chat = event.chat if isinstance(event, Message) else event.message.chat if event.message else None
        refuse("not an admin", user_id=user_id, chat_id=chat.id if chat else None, action=what)
        await db.rollback()
        await refuse_event(event)
        return False

    async def office_linked(chat_id: int, user_id: int, bot: Bot, db: AsyncSession, unit: Any) -> str:
        """Commit the link, give the group the office's command menu; the confirmation to send."""
        from handlers import menus

        audience = await menus.office_audience(db, chat_id)
        await db.commit()
        log.info("office group linked: chat=%s unit=%s by=%s", chat_id, unit and unit.code, user_id)
        await menus.install_for_chat(bot, chat_id, audience)
        return tu.linked_office_of(unit) if unit is not None else to.linked_office()

    async def department_linked(chat_id: int, user_id: int, bot: Bot, db: AsyncSession, dept: Any) -> str:
        from handlers import menus

        await db.commit()
        log.info("department %s linked: chat=%s by=%s", dept.code, chat_id, user_id)
        await menus.install_for_chat(bot, chat_id, "department")
        return to.linked_department(dept)

    def link_refused(exc: DomainError, code: str = "") -> tuple[str, Any]:
        """What to answer when a link cannot be made: which unit to name (with a button for each, when
        few enough), whose office the group already is, or that the code is wrong."""
        choices = list(exc.values.get("units") or [])
        if isinstance(exc, UnitNeeded):
            what = "d" if code else "o"
            text = tu.name_the_unit_department(code, choices) if code else tu.name_the_unit_office(choices)
            return text, unit_choice(what, exc.values.get("ids") or [u.id for u in choices], choices)
        if isinstance(exc, NotAllowed) and exc.values.get("unit") is not None:
            return tu.office_of_another(exc.values["unit"]), None
        return to.link_failed(), None

    @router.message(Command("link_office"))
    async def link_office(message: Message, command: CommandObject, bot: Bot, db: AsyncSession) -> None:
        if not await admin_only(message, db, "/link_office"):
            return
        unit_code = next(iter((command.args or "").split()), "")
        try:
            unit = await access.link_office(db, message.chat.id, unit_code)
        except DomainError as exc:
            await db.rollback()
            text, buttons = link_refused(exc)
            await message.reply(text, reply_markup=buttons)
            return
        await message.reply(await office_linked(message.chat.id, message.from_user.id, bot, db, unit))

    @router.message(Command("link_department"))
    async def link_department(message: Message, command: CommandObject, bot: Bot, db: AsyncSession) -> None:
        """``/link_department CODE``, or ``/link_department UNIT CODE`` when several units have CODE."""
        if not await admin_only(message, db, "/link_department"):
            return
        args = (command.args or "").split()
        code, unit_code = (args[-1] if args else ""), (args[0] if len(args) == 2 else "")
        try:
            if len(args) > 2:
                raise InvalidInput("too many words", args=args)
            dept = await access.link_department(db, message.chat.id, code, unit_code)
        except DomainError as exc:
            await db.rollback()
            text, buttons = link_refused(exc, code)
            await message.reply(text, reply_markup=buttons)
            return
        await message.reply(await department_linked(message.chat.id, message.from_user.id, bot, db, dept))

    @router.callback_query(LinkCb.filter())
    async def link_pressed(query: CallbackQuery, callback_data: LinkCb, bot: Bot, db: AsyncSession) -> None:
        """An admin chose the unit from the buttons under the answer to a link command."""
        if query.message is None or not await admin_only(query, db, f"button {query.data!r}"):
            return
        chat_id, user_id = query.message.chat.id, query.from_user.id
        try:
            if callback_data.what == "o":
                unit = await units.get(db, callback_data.id)
                linked = await access.link_office(db, chat_id, unit.code if unit else "")
                text = await office_linked(chat_id, user_id, bot, db, linked)
            else:
                dept = await access.link_department_id(db, chat_id, callback_data.id)
                text = await department_linked(chat_id, user_id, bot, db, dept)
        except DomainError as exc:
            await db.rollback()
            await query.answer()
            await query.message.reply(link_refused(exc)[0])
            return
        await query.answer()
        await remove_keyboard(bot, query)
        await query.message.reply(text)

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
        if await access.is_office_chat(db, message.chat.id):  # staff of this group's unit
            unit = await access.office_unit(db, message.chat.id)
            role, dept_id, unit_id = StaffRole.OFFICE, None, unit.id if unit is not None else None
        elif (dept := await access.department_for_chat(db, message.chat.id)) is not None:
            role, dept_id, unit_id = StaffRole.DEPARTMENT, dept.id, dept.unit_id
        else:
            await message.reply(to.unregistered_group())
            return
        await access.add_staff(
            db,
            user_id=user_id,
            name=name[:200],
            role=role,
            department_id=dept_id,
            now=clock.now(),
            unit_id=unit_id,
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


STAFF_BUTTON = Magic(F.data.regexp(r"^(o|d|pub):"))  # office and department buttons (callbacks.py)


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
