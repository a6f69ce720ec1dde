"""Running a session from the office group: create it (guided), announce it (R1), close questions, mark
it held (with the number of participants), postpone or cancel it, issue the conclusion notice (R4),
and the agenda. Each session card shows its current state and only the buttons that state allows,
and is updated after every change."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.clock import Clock
from bot.domain import at_session, lifecycle, queries, sessions, units
from bot.domain.errors import WrongState
from bot.i18n import timezone
from bot.notify import cards
from bot.notify.actions import action
from bot.reports.agenda import build_agenda
from bot.texts import office as to
from handlers.audit import AGENDA, staff_access
from handlers.staff import Again, Press, Reply, ask_reply, edit_card, on_press
from storage.models import DialogueSession, SessionKind, Submission

KINDS = (SessionKind.PERIODIC, SessionKind.ADHOC, SessionKind.ON_REQUEST)


def parse_local_datetime(text: str) -> datetime | None:
    """``15/12/2026 08:00`` (the time optional: 08:00) in the deployment's timezone."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?\s*", text)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hour, minute = int(m.group(4) or 8), int(m.group(5) or 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=timezone())
    except ValueError:
        return None


async def send_agenda(bot: Bot, db: AsyncSession, chat_id: int, session: DialogueSession) -> None:
    content = await build_agenda(db, session)
    await db.commit()
    name = f"chuong-trinh-hoi-nghi-{session.id}.docx"
    await bot.send_document(
        chat_id, BufferedInputFile(content, filename=name), caption=to.agenda_caption(session)
    )


def card_of(press: Press) -> list[int]:
    """Where the pressed card is, so a reply can update it once the change is made."""
    return [press.chat_id, press.query.message.message_id]


def update_card_later(reply: Reply, session: DialogueSession) -> None:
    card = reply.pending.get("card")
    if card:
        text, actions = cards.session_card(session, reply.now)
        reply.after.append(lambda: edit_card(reply.bot, card[0], card[1], text, actions))


def make_router() -> Router:
    router = Router(name="office-sessions")

    def button(name: str):
        return on_press(router, OfficeCb, name, queries.office_actor)

    async def show(press: Press, session: DialogueSession, reply: str) -> None:
        """Commit, answer, bring the card up to date, confirm."""
        await press.db.commit()
        await press.query.answer()
        text, actions = cards.session_card(session, press.now)
        await edit_card(press.bot, press.chat_id, press.query.message.message_id, text, actions)
        await press.query.message.reply(reply)

    @button("announce")
    async def announce(press: Press) -> None:
        session = await sessions.get_session(press.db, press.id)
        session = await sessions.announce_session(press.db, session, press.now, press.actor)
        await show(press, session, to.session_announced(session, await sessions.subscribers(press.db)))

    @button("close_questions")
    async def close_questions(press: Press) -> None:
        session = await sessions.close_questions(press.db, press.id, press.actor, press.now)
        await show(press, session, to.session_questions_closed(session))

    @button("mark_held")
    async def mark_held(press: Press) -> None:
        session = await sessions.get_session(press.db, press.id)
        lifecycle.check("mark_held", session.status, press.actor, session=True)
        if press.now < session.starts_at:
            await press.query.answer(to.too_early(), show_alert=True)
            return
        await press.ask(to.prompt_participants(session), "participants", session.id, card=card_of(press))

    async def prompt(press: Press, move: str, text: Any, reply_with: str) -> None:
        """A move that needs something typed: check it may be made now, then ask for it."""
        session = await sessions.get_session(press.db, press.id)
        lifecycle.check(move, session.status, press.actor, session=True)
        await press.ask(text(session), reply_with, session.id, card=card_of(press))

    @button("postpone")
    async def postpone(press: Press) -> None:
        await prompt(press, "postpone", to.prompt_postpone, "postpone")

    @button("cancel_session")
    async def cancel_session(press: Press) -> None:
        await prompt(press, "cancel", to.prompt_cancel, "cancel_session")

    @button("issue_notice")
    async def issue_notice(press: Press) -> None:
        await prompt(press, "issue_notice", to.prompt_notice, "issue_notice")

    @button("agenda")
    async def agenda(press: Press) -> None:
        session = await sessions.get_session(press.db, press.id)
        await staff_access(press.db, press.query, AGENDA, f"#{session.id}", press.now)
        await press.db.commit()
        await press.query.answer()
        await send_agenda(press.bot, press.db, press.chat_id, session)

    @button("session_kind")
    async def session_kind(press: Press) -> None:
        """The last step of /session_new: the kind; the session is created as a draft."""
        pending = (await press.state.get_data()).get("await") or {}
        if pending.get("a") != "session_kind" or not 0 <= press.arg < len(KINDS):
            raise WrongState("no session being created by this person")
        session = await sessions.create_session(
            press.db,
            title=pending["title"],
            starts_at=datetime.fromisoformat(pending["when"]),
            place=pending["place"],
            kind=KINDS[press.arg],
            now=press.now,
            actor=press.actor,
        )
        await press.state.set_data({})
        await press.done()
        text, actions = cards.session_card(session, press.now)
        await press.query.message.answer(
            to.session_created_note() + "\n\n" + text, reply_markup=markup(actions)
        )

    @router.message(Command("sessions"))
    async def list_sessions(message: Message, db: AsyncSession, clock: Clock) -> None:
        found = (await sessions.list_sessions(db))[:5]
        await db.commit()
        if not found:
            await message.answer(to.no_sessions())
            return
        now = clock.now()
        for session in found:
            text, actions = cards.session_card(session, now)
            await message.answer(text, reply_markup=markup(actions))

    @router.message(Command("session_new"))
    async def session_new(message: Message, bot: Bot, db: AsyncSession, state: FSMContext) -> None:
        await ask_reply(
            bot, db, state, message.chat.id, message.from_user, to.prompt_session_title(), "session_title", 0
        )

    @router.message(Command("agenda"))
    async def agenda_command(
        message: Message, command: CommandObject, bot: Bot, db: AsyncSession, clock: Clock
    ) -> None:
        session = None
        if command.args and command.args.strip().isdigit():
            session = await db.get(DialogueSession, int(command.args.strip()))
        if session is None:
            found = await sessions.list_sessions(db)
            session = found[0] if found else None
        if session is None:
            await db.commit()
            await message.answer(to.no_sessions())
            return
        await staff_access(db, message, AGENDA, f"#{session.id}", clock.now())
        await send_agenda(bot, db, message.chat.id, session)

    return router


# --- the replies those prompts expect --------------------------------------------------------------------


async def reply_participants(reply: Reply) -> str:
    text = reply.needs_text()
    if not text.isdigit():
        raise Again(to.bad_participants())
    session = await sessions.mark_held(reply.db, reply.target, reply.actor, reply.now, int(text))
    waiting = await reply.db.scalar(
        select(func.count(Submission.id)).where(
            Submission.session_id == session.id, Submission.status.in_(sorted(lifecycle.OPEN))
        )
    )
    update_card_later(reply, session)
    return to.session_held(session, waiting or 0)


async def reply_postpone(reply: Reply) -> str:
    when = parse_local_datetime(reply.needs_text())
    if when is None or when <= reply.now:
        raise Again(to.bad_datetime())
    session = await sessions.postpone(reply.db, reply.target, when, reply.actor, reply.now)
    update_card_later(reply, session)
    return to.session_postponed_done(session, reply.who)


async def reply_cancel(reply: Reply) -> str:
    session = await sessions.cancel(reply.db, reply.target, reply.needs_text(), reply.actor, reply.now)
    update_card_later(reply, session)
    return to.session_cancelled_done(session, reply.who)


async def reply_notice(reply: Reply) -> str:
    if not reply.text and not reply.file_id:
        raise Again(to.empty_input())
    session, ids = await at_session.issue_conclusion_notice(
        reply.db, reply.target, reply.text, reply.file_id, reply.actor, reply.now
    )
    with units.unscoped():  # the session's own questions come first; one handed up is another unit's
        first = select(Submission.original_due).where(Submission.id.in_(ids[:1]))
        due = await reply.db.scalar(first) if ids else None
    update_card_later(reply, session)
    return to.notice_issued(session, len(ids), due)


async def reply_session_title(reply: Reply) -> str | None:
    text = reply.needs_text()
    if len(text) > 300:
        raise Again(to.empty_input())
    await ask_next(reply, to.prompt_session_when(), "session_when", title=text)
    return None


async def reply_session_when(reply: Reply) -> str | None:
    when = parse_local_datetime(reply.needs_text())
    if when is None or when <= reply.now:
        raise Again(to.bad_datetime())
    await ask_next(
        reply, to.prompt_session_place(), "session_place", title=reply.pending["title"], when=when.isoformat()
    )
    return None


async def reply_session_place(reply: Reply) -> str | None:
    text = reply.needs_text()
    if len(text) > 300:
        raise Again(to.empty_input())
    kinds = [[action(to.btn_kind(k), "session_kind", 0, i)] for i, k in enumerate(KINDS)]
    await reply.state.set_data({"await": {**reply.pending, "a": "session_kind", "place": text, "mid": 0}})
    reply.keep_state = True
    reply.after.append(lambda: reply.message.reply(to.prompt_session_kind(), reply_markup=markup(kinds)))
    return None


async def ask_next(reply: Reply, text: str, step: str, **kept: str) -> None:
    """The next step of a guided creation: a new prompt, once this reply is committed."""
    reply.after.append(
        lambda: ask_reply(
            reply.bot,
            reply.db,
            reply.state,
            reply.message.chat.id,
            reply.message.from_user,
            text,
            step,
            0,
            **kept,
        )
    )


REPLIES = {
    "participants": reply_participants,
    "postpone": reply_postpone,
    "cancel_session": reply_cancel,
    "issue_notice": reply_notice,
    "session_title": reply_session_title,
    "session_when": reply_session_when,
    "session_place": reply_session_place,
}
