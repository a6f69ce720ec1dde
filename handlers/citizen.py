"""Citizens in private chats: Telegram events in, the channel-neutral conversation, messages out."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.middlewares import LocaleMiddleware
from bot.clock import Clock
from bot.conversation import rating
from bot.conversation.citizen import COMMANDS, CitizenConversation, Context
from bot.conversation.model import Document, Inbound, Outcome, Prompt
from bot.conversation.split import split_text
from bot.settings import Settings
from bot.texts import citizen as t
from storage.fsm import save_and_commit
from storage.models import Channel

log = logging.getLogger(__name__)
TELEGRAM_LIMIT = 4096


class FlowCb(CallbackData, prefix="f"):
    n: str  # the conversation's nonce
    s: str  # the screen the button belongs to
    v: str  # the option's value


def flow_data(nonce: str, screen: str, value: str) -> str:
    """What ``FlowCb(n=nonce, s=screen, v=value).pack()`` gives, without a model per button (nonces,
    screens and values are short ASCII ids without the separator)."""
    sep = FlowCb.__separator__
    return f"{FlowCb.__prefix__}{sep}{nonce}{sep}{screen}{sep}{value}"


def _conversation(
    db: AsyncSession, clock: Clock, settings: Settings, chat_id: int, locale: str
) -> CitizenConversation:
    ctx = Context(
        db=db,
        now=clock.now(),
        settings=settings,
        channel=Channel.TELEGRAM,
        chat_id=str(chat_id),
        locale=locale,
    )
    return CitizenConversation(ctx)


def _keyboard(prompt: Prompt | Document, nonce: str) -> InlineKeyboardMarkup | None:
    if not prompt.options:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for option in prompt.options:
        button = InlineKeyboardButton(
            text=option.label, callback_data=flow_data(nonce, prompt.screen or "", option.value)
        )
        if option.value in ("cancel", "menu", "back") or not rows or len(rows[-1]) >= prompt.columns:
            rows.append([button])
        else:
            rows[-1].append(button)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _reply_keyboard(prompt: Prompt) -> ReplyKeyboardMarkup:
    """The options as a one-time reply keyboard (pressing one sends its label as text, mapped back by
    the state's ``kb``); "share" asks for the person's own contact."""
    rows: list[list[KeyboardButton]] = []
    for option in prompt.options:
        button = KeyboardButton(text=option.label, request_contact=option.value == "share" or None)
        if option.value in ("cancel", "menu", "back", "share") or not rows or len(rows[-1]) >= prompt.columns:
            rows.append([button])
        else:
            rows[-1].append(button)
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)


def _plan(outcome: Outcome, keyboard_used: bool = False) -> tuple[dict, list[tuple[object, object]]]:
    """Decide each reply's markup and the state to keep (pure: nothing is sent).

    A message carries one markup: inline buttons, a reply keyboard, or the removal of a reply keyboard.
    So that every step stays ONE message (the phone number's reply keyboard included): the next message
    whose only option is "cancel" (the address prompt after the phone, for a first-time citizen) or
    that has none carries the removal (/cancel still works); a reply keyboard still on screen (the
    person typed instead of pressing one of its buttons) is otherwise replaced by the next prompt's
    options as a reply keyboard; once used, a one-time reply keyboard hides itself, and its removal
    waits (``keyboard_used``: the input was a press on it).
    """
    state = dict(outcome.state)
    nonce, screen = state.get("nonce", ""), state.get("screen")
    present = bool(state.pop("reply_kb", False))  # a reply keyboard exists in the chat
    shown = bool(state.pop("kb_up", present)) and present and not keyboard_used
    kb_screen, kb = state.pop("kb_screen", None), state.pop("kb", None)
    if present and kb_screen == screen and kb:  # still on its step (a retry): it stays as it is
        state["kb"] = kb
    plan: list[tuple[object, object]] = []
    for reply in _joined(outcome.replies):
        if isinstance(reply, Document):
            plan.append((reply, _keyboard(reply, nonce)))
            continue
        markup: object = None
        if present and kb_screen != screen and [o.value for o in reply.options] == ["cancel"]:
            reply = replace(reply, options=[])
        if reply.options and (reply.ask_contact or shown):
            markup = _reply_keyboard(reply)
            state["kb"] = {o.label: o.value for o in reply.options if o.value != "share"}
            kb_screen, present, shown = reply.screen, True, True
        elif reply.options:
            markup = _keyboard(reply, nonce)
        elif present and kb_screen != screen:
            markup = ReplyKeyboardRemove()
            present = shown = False
            state.pop("kb", None)
        plan.append((reply, markup))
    if present:  # nothing carried the removal: keep it for the next message
        state["reply_kb"], state["kb_up"], state["kb_screen"] = True, shown, kb_screen
    return state, plan


def _joined(replies: list) -> list:
    """A note without buttons that comes before another message is sent with it, as one message
    (when they fit): fewer messages to read on a small screen, and fewer Bot API calls."""
    out: list = []
    for reply in replies:
        before = out[-1] if out else None
        note = isinstance(reply, Prompt) and isinstance(before, Prompt) and not before.options
        if note and len(before.text) + 2 + len(reply.text) <= TELEGRAM_LIMIT:
            out[-1] = replace(reply, text=f"{before.text}\n\n{reply.text}")
            continue
        out.append(reply)
    return out


async def render(
    bot: Bot,
    chat_id: int,
    outcome: Outcome,
    fsm: FSMContext,
    db: AsyncSession,
    *,
    keyboard_used: bool = False,
) -> None:
    """Store the new state and commit (state and domain change together, and the database is free
    before any network call), then send the outcome's replies."""
    state, plan = _plan(outcome, keyboard_used)
    await save_and_commit(fsm, db, {"conv": state} if state else {})
    for reply, markup in plan:
        if isinstance(reply, Document):
            file = BufferedInputFile(reply.content, filename=reply.file_name)
            await bot.send_document(chat_id, file, caption=reply.caption, reply_markup=markup)
            continue
        chunks = split_text(reply.text, TELEGRAM_LIMIT)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)


async def _state(fsm: FSMContext) -> dict:
    return dict((await fsm.get_data()).get("conv") or {})


def _inbound(message: Message) -> Inbound:
    if message.text is not None:
        return Inbound("text", text=message.text)
    if message.contact is not None:
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return Inbound("contact", phone=message.contact.phone_number if own else "")
    caption = message.caption or ""  # a photo or document sent with the question as its caption
    if message.photo:
        return Inbound(
            "photo", text=caption, file_id=message.photo[-1].file_id, media_group_id=message.media_group_id
        )
    if message.document is not None:
        return Inbound(
            "document",
            text=caption,
            file_id=message.document.file_id,
            file_name=message.document.file_name,
            media_group_id=message.media_group_id,
        )
    return Inbound("other")


def make_router(settings: Settings) -> Router:
    router = Router(name="citizen")  # mounted under the private chats' router

    @router.message(CommandStart())
    @router.message(Command(*sorted(COMMANDS - {"start", "menu"})))
    async def on_command(
        message: Message, bot: Bot, db: AsyncSession, clock: Clock, state: FSMContext, locale: str
    ) -> None:
        name = message.text.split()[0].lstrip("/").split("@")[0].lower() if message.text else "start"
        arg = message.text.split(maxsplit=1)[1].strip() if message.text and " " in message.text else ""
        conv = _conversation(db, clock, settings, message.chat.id, locale)
        await render(bot, message.chat.id, await conv.command(await _state(state), name, arg), state, db)

    @router.message()
    async def on_message(
        message: Message, bot: Bot, db: AsyncSession, clock: Clock, state: FSMContext, locale: str
    ) -> None:
        conv = _conversation(db, clock, settings, message.chat.id, locale)
        current = await _state(state)
        inbound = _inbound(message)
        if inbound.kind == "contact" and not inbound.phone:
            await render(bot, message.chat.id, Outcome([Prompt(t.not_own_contact())], current), state, db)
            return
        if inbound.kind == "text":
            typed = inbound.text.strip()
            chosen = (current.get("kb") or {}).get(typed)
            if chosen is not None:  # a reply-keyboard button sends its label as text
                outcome = await conv.handle(
                    current,
                    Inbound("choice", value=chosen),
                    screen=current.get("screen"),
                    nonce=current.get("nonce"),
                )
                await render(bot, message.chat.id, outcome, state, db, keyboard_used=True)
                return
            if typed.startswith("/"):
                outcome = await conv.command(current, "menu")
                outcome.replies.insert(0, Prompt(t.guidance()))
                await render(bot, message.chat.id, outcome, state, db)
                return
            if current.get("screen") in (None, "menu"):  # a tracking code, or stars typed, not pressed
                found = await rating.typed(
                    conv, current, typed, previous_message_at=None, reopen_by_number=False
                )
                if found is not None:
                    await render(bot, message.chat.id, found, state, db)
                    return
        outcome = await conv.handle(current, inbound)
        await render(bot, message.chat.id, outcome, state, db, keyboard_used=inbound.kind == "contact")

    @router.callback_query(FlowCb.filter())
    async def on_button(
        query: CallbackQuery,
        callback_data: FlowCb,
        bot: Bot,
        db: AsyncSession,
        clock: Clock,
        state: FSMContext,
        locales: LocaleMiddleware,
        locale: str,
    ) -> None:
        chat_id = query.message.chat.id
        conv = _conversation(db, clock, settings, chat_id, locale)
        current = await _state(state)
        stale = callback_data.n != current.get("nonce") or callback_data.s != current.get("screen")
        if db.in_transaction():
            await db.commit()  # release the database before network calls
        await query.answer(t.stale_button() if stale else None)
        if query.message is not None and hasattr(query.message, "message_id"):
            try:
                await bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=query.message.message_id, reply_markup=None
                )
            except Exception:  # the message may be too old to edit; the answer above already went out
                log.debug("could not remove a keyboard", exc_info=True)
        if stale:
            return
        outcome = await conv.handle(
            current, Inbound("choice", value=callback_data.v), screen=callback_data.s, nonce=callback_data.n
        )
        if conv.ctx.locale != locale:  # the citizen chose another language
            locales.remember(chat_id, conv.ctx.locale)
        await render(bot, chat_id, outcome, state, db)

    @router.callback_query()
    async def on_unknown_button(query: CallbackQuery) -> None:
        log.info("unknown callback data from %s: %r", query.from_user.id, query.data)
        await query.answer(t.stale_button())

    return router
