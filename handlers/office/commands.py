"""The office's commands: /inbox /find /sub /answer (an answer given at the session) /merge /cancel."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import at_session, queries, triage
from bot.domain.codes import normalize_code
from bot.domain.errors import DomainError
from bot.texts import office as to
from handlers.audit import FIND, VIEW_SUBMISSION, staff_access
from handlers.staff import Reply, actor_name, ask_reply, cancel_prompt, error_text
from storage.models import SessionStatus, Staff, Submission


async def by_code(db: AsyncSession, text: str | None) -> Submission | None:
    code = normalize_code(text or "")
    return await queries.by_code(db, code) if code else None


async def staff_names(db: AsyncSession) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in await db.scalars(select(Staff)):
        prefix = "office" if row.role == "office" else "dept"
        names[f"{prefix}:{row.user_id}"] = row.name or str(row.user_id)
    return names


def make_router() -> Router:
    router = Router(name="office-commands")

    @router.message(Command("inbox"))
    async def inbox(message: Message, db: AsyncSession) -> None:
        subs = await queries.inbox(db)
        extensions = await queries.pending_extensions(db)
        await db.commit()
        await message.answer(to.inbox(subs, len(extensions)))

    @router.message(Command("find"))
    async def find(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        query = (command.args or "").strip()
        if not query:
            await message.answer(to.usage_find())
            return
        found = await queries.find(db, query)
        await staff_access(db, message, FIND, " ".join(s.code for s in found), clock.now(), found=len(found))
        await db.commit()
        await message.answer(to.find_results(query, found))

    @router.message(Command("sub"))
    async def sub_detail(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        sub = await by_code(db, command.args)
        if sub is None:
            await db.commit()
            await message.answer(to.usage_sub() if not command.args else to.not_found(command.args.strip()))
            return
        events = await queries.history(db, sub)
        names = await staff_names(db)
        await staff_access(db, message, VIEW_SUBMISSION, sub.code, clock.now())
        await db.commit()
        await message.answer(to.submission_detail(sub, events, names))

    @router.message(Command("answer"))
    async def answer_at_session(
        message: Message, command: CommandObject, bot: Bot, db: AsyncSession, state: FSMContext
    ) -> None:
        sub = await by_code(db, command.args)
        if sub is None:
            await db.commit()
            await message.answer(
                to.usage_answer() if not command.args else to.not_found(command.args.strip())
            )
            return
        if sub.session.status != SessionStatus.HELD:
            await db.commit()
            await message.answer(to.session_not_held())
            return
        await ask_reply(
            bot,
            db,
            state,
            message.chat.id,
            message.from_user,
            to.prompt_session_answer(sub),
            "answer_at_session",
            sub.id,
        )

    @router.message(Command("merge"))
    async def merge(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        args = (command.args or "").split()
        if len(args) != 2:
            await message.answer(to.usage_merge())
            return
        sub, target = await by_code(db, args[0]), await by_code(db, args[1])
        if sub is None or target is None:
            await db.commit()
            await message.answer(to.not_found(args[0] if sub is None else args[1]))
            return
        try:
            await triage.merge(db, sub.id, target.id, queries.office_actor(message.from_user.id), clock.now())
        except DomainError as exc:
            await db.rollback()
            await message.answer(error_text(exc))
            return
        await db.commit()
        await message.answer(to.merged_done(sub, target, actor_name(message.from_user)))

    router.message.register(cancel_prompt, Command("cancel"))

    return router


async def reply_answer_at_session(reply: Reply) -> str:
    sub = await at_session.answer_at_session(
        reply.db, reply.target, reply.needs_text(), reply.actor, reply.now
    )
    return to.session_answer_done(sub, reply.who)


REPLIES = {"answer_at_session": reply_answer_at_session}
