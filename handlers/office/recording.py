"""The office records questions that did not come through the chat, from its group:

    /record (or «📝 Ghi câu hỏi» on a session card)   guided: session, topic, text, source (at the
                         session / MTTQ or a mass organisation — which one / paper / phone), and,
                         optionally, the asker's name, phone and hamlet; the code comes back
    /import              the filled spreadsheet (.xlsx) as a reply: all rows, or none and why
    /import_template     the spreadsheet to fill in

Steps that take a button keep the person's place in their pending input (like /session_new's kind);
steps that take text are prompts answered with a reply (``REPLIES``)."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.domain import importing, queries, recording
from bot.domain.errors import InvalidInput, WrongState
from bot.notify import extra_cards
from bot.texts import office_extra as tx
from handlers.staff import Again, Press, Reply, ask_reply, on_press
from storage.models import DialogueSession, Topic

log = logging.getLogger(__name__)
MAX_FILE = 5 * 1024 * 1024


async def _topics(db: AsyncSession) -> list[Topic]:
    return list(await db.scalars(select(Topic).where(Topic.active).order_by(Topic.sort_order, Topic.id)))


async def start_recording(
    bot: Bot, db: AsyncSession, state: FSMContext, chat_id: int, session: DialogueSession, prefix: str
) -> None:
    """Step 1: the topic (buttons); the person's place is kept in their pending input."""
    topics = await _topics(db)
    await state.set_data({"await": {"a": "record_topic", "s": session.id, "mid": 0, "prefix": prefix}})
    await db.commit()
    await bot.send_message(
        chat_id, tx.record_topic_prompt(session), reply_markup=markup(extra_cards.topic_choice(topics))
    )


async def _pending(press: Press, step: str) -> dict:
    pending = (await press.state.get_data()).get("await") or {}
    if pending.get("a") != step:
        raise WrongState("no question being recorded by this person at this step")
    return pending


def make_router(settings) -> Router:
    router = Router(name="office-recording")
    prefix = settings.code_prefix

    def button(name: str):
        return on_press(router, OfficeCb, name, queries.office_actor)

    @router.message(Command("record"))
    async def record(message: Message, bot: Bot, db: AsyncSession, state: FSMContext) -> None:
        sessions = await recording.sessions_taking_recorded(db)
        if not sessions:
            await db.commit()
            await message.reply(tx.no_session_takes_questions())
            return
        if len(sessions) == 1:
            await start_recording(bot, db, state, message.chat.id, sessions[0], prefix)
            return
        await db.commit()
        await message.reply(
            tx.choose_session(), reply_markup=markup(extra_cards.session_choice(sessions, "record_session"))
        )

    @button("record_session")
    async def record_session(press: Press) -> None:
        session = await recording.session_taking_recorded(press.db, press.id)
        await press.db.commit()
        await press.query.answer()
        await start_recording(press.bot, press.db, press.state, press.chat_id, session, prefix)

    @button("record_topic")
    async def record_topic(press: Press) -> None:
        pending = await _pending(press, "record_topic")
        topic = await press.db.get(Topic, press.arg) if press.arg else None
        await press.done(tx.topic_chosen(topic))
        await ask_reply(
            press.bot,
            press.db,
            press.state,
            press.chat_id,
            press.query.from_user,
            tx.record_text_prompt(),
            "record_text",
            pending["s"],
            session=pending["s"],
            topic=topic.id if topic else None,
            prefix=pending.get("prefix") or prefix,
        )

    @button("record_source")
    async def record_source(press: Press) -> None:
        pending = await _pending(press, "record_source")
        if not 0 <= press.arg < len(recording.RECORDED_SOURCES):
            raise WrongState("no such source")
        source = recording.RECORDED_SOURCES[press.arg]
        kept = {k: pending.get(k) for k in ("session", "topic", "question", "prefix")}
        await press.done(tx.source_chosen(source))
        if source == recording.FRONT:
            step, text = "record_org", tx.record_org_prompt()
        else:
            step, text = "record_asker", tx.record_asker_prompt()
        await ask_reply(
            press.bot,
            press.db,
            press.state,
            press.chat_id,
            press.query.from_user,
            text,
            step,
            int(pending.get("session") or 0),
            source=source,
            **kept,
        )

    @router.message(Command("import"))
    async def import_command(message: Message, bot: Bot, db: AsyncSession, state: FSMContext) -> None:
        sessions = await recording.sessions_taking_recorded(db)
        if not sessions:
            await db.commit()
            await message.reply(tx.no_session_takes_questions())
            return
        if len(sessions) == 1:
            await ask_reply(
                bot, db, state, message.chat.id, message.from_user,
                tx.import_prompt(sessions[0]), "import_file", sessions[0].id, prefix=prefix,
            )  # fmt: skip
            return
        await db.commit()
        await message.reply(
            tx.choose_session(), reply_markup=markup(extra_cards.session_choice(sessions, "import_session"))
        )

    @button("import_session")
    async def import_session(press: Press) -> None:
        session = await recording.session_taking_recorded(press.db, press.id)
        await press.ask(tx.import_prompt(session), "import_file", session.id, prefix=prefix)

    @router.message(Command("import_template"))
    async def import_template(message: Message, bot: Bot, db: AsyncSession) -> None:
        content = await importing.template_for(db)
        await db.commit()
        await bot.send_document(
            message.chat.id,
            BufferedInputFile(content, filename="mau-nhap-cau-hoi.xlsx"),
            caption=tx.template_caption(),
        )

    return router


# --- the replies those prompts expect --------------------------------------------------------------------


async def reply_text(reply: Reply) -> str | None:
    try:
        text = recording.check_text(reply.needs_text())
    except InvalidInput as exc:
        raise Again(
            tx.bad_question_text(recording.TEXT_MIN, recording.TEXT_MAX, "max" in exc.values)
        ) from None
    pending = {**reply.pending, "a": "record_source", "question": text, "mid": 0}
    await reply.state.set_data({"await": pending})
    reply.keep_state = True
    choice = markup(extra_cards.source_choice())
    reply.after.append(lambda: reply.message.reply(tx.record_source_prompt(), reply_markup=choice))
    return None


async def reply_org(reply: Reply) -> str | None:
    org = reply.needs_text()
    if len(org) > recording.ORG_MAX:
        raise Again(tx.org_too_long(recording.ORG_MAX))
    kept = {k: reply.pending.get(k) for k in ("session", "topic", "question", "source", "prefix")}
    target = reply.target
    reply.after.append(
        lambda: ask_reply(
            reply.bot,
            reply.db,
            reply.state,
            reply.message.chat.id,
            reply.message.from_user,
            tx.record_asker_prompt(),
            "record_asker",
            target,
            org=org,
            **kept,
        )  # fmt: skip
    )
    return None


async def reply_asker(reply: Reply) -> str:
    p = reply.pending
    try:
        asker = recording.check_asker(recording.split_asker(reply.needs_text()))
    except InvalidInput as exc:
        raise Again(tx.bad_asker(str(exc.values.get("field", "")))) from None
    sub = await recording.record(
        reply.db,
        recording.NewQuestion(
            session_id=int(p["session"]),
            text=p["question"],
            source=p["source"],
            topic_id=p.get("topic"),
            source_org=p.get("org"),
            asker=asker,
        ),
        reply.actor,
        reply.now,
        p.get("prefix") or "DT",
    )
    return tx.recorded_done(sub, reply.who)


async def reply_import(reply: Reply) -> str:
    document = reply.message.document
    if document is None:
        raise Again(tx.import_needs_file())
    if (document.file_size or 0) > MAX_FILE:
        raise Again(tx.import_too_big())
    session = await recording.session_taking_recorded(reply.db, reply.target)
    await reply.db.commit()  # nothing is held while the file downloads
    content = await reply.bot.download(document.file_id)
    problems, questions = await importing.read_questions(reply.db, content.read(), session.id)
    if problems:
        raise Again(tx.import_refused(problems, document.file_name or ""))
    prefix = reply.pending.get("prefix") or "DT"
    subs = await recording.record_many(reply.db, questions, reply.actor, reply.now, prefix)
    log.info("imported %d questions into session %s by %s", len(subs), session.id, reply.actor)
    return tx.import_done(session, subs, reply.who)


REPLIES = {
    "record_text": reply_text,
    "record_org": reply_org,
    "record_asker": reply_asker,
    "import_file": reply_import,
}
