"""Department groups: accept, answer (the next reply becomes the written response), ask for an
extension, forward to a higher authority, hand back to the office; /mine.

Guarded here: a registered department group (``DepartmentChat`` resolves ``department`` once), a
sender who is staff of that department (or an admin). Every press re-loads the question and checks
it is this department's; the domain re-checks the state inside the transaction."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import DeptCb
from bot.channels.telegram.filters import DepartmentChat
from bot.clock import Clock
from bot.domain import department as work
from bot.domain import lifecycle, queries
from bot.domain.access import refuse
from bot.domain.errors import DeadlineInPast, DomainError, InvalidInput, NotAllowed, WrongState
from bot.settings import Settings
from bot.texts import department as td
from bot.texts import office as to
from handlers.department import coordination, document, forwarding
from handlers.staff import (
    Again,
    Press,
    Reply,
    actor_name,
    answer_reply,
    cancel_prompt,
    error_text,
    guarded,
    on_press,
    pending_for,
)
from storage.models import Department, Submission


async def ours(press: Press) -> Submission:
    """The question pressed on, if it is this department's (a forged or misplaced press is refused)."""
    sub = await queries.get_submission(press.db, press.id)
    if sub.department_id != press.department.id:
        refuse(
            "submission of another department",
            user_id=press.query.from_user.id,
            chat_id=press.chat_id,
            action=f"button {press.query.data!r}",
        )
        raise NotAllowed("not ours")
    return sub


def make_router(settings: Settings) -> Router:
    router = guarded("department", DepartmentChat(), "department", settings)

    def button(name: str):
        return on_press(router, DeptCb, name, queries.dept_actor, explain)

    @button("accept")
    async def accept(press: Press) -> None:
        sub = await ours(press)
        if sub.accepted_at is not None:
            await press.query.answer(td.already_accepted(), show_alert=True)
            return
        await work.accept(press.db, sub.id, press.department.id, press.actor, press.now)
        await press.done(td.accepted_done(sub, press.who), keep_keyboard=True)

    async def prompt(press: Press, name: str, text) -> None:
        sub = await ours(press)
        lifecycle.check("respond", sub.status, press.actor)  # still this department's to settle
        await press.ask(text(sub), name, sub.id)

    @button("answer")
    async def answer(press: Press) -> None:
        await prompt(press, "answer", td.prompt_answer)

    @button("extend")
    async def extend(press: Press) -> None:
        await prompt(press, "extend", td.prompt_extension)

    @button("hand_back")
    async def hand_back(press: Press) -> None:
        await prompt(press, "hand_back", td.prompt_hand_back)

    @router.message(Command("mine"))
    async def mine(message: Message, db: AsyncSession, department: Department) -> None:
        subs = await queries.department_queue(db, department.id)
        await db.commit()
        await message.answer(to.find_results(department.name_vi, subs))

    router.message.register(cancel_prompt, Command("cancel"))
    # forwarding to a competent authority of the directory, the coordinating departments' part
    router.include_routers(forwarding.make_router(ours, explain), coordination.make_router(explain))

    @router.message()
    async def on_message(
        message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock, department: Department
    ) -> None:
        pending, kind = await pending_for(message, bot, state)
        if kind in ("chat", "stale"):
            await db.commit()
            if kind == "stale":
                await message.reply(to.prompt_replaced())
            elif (message.text or "").startswith("/"):
                await message.reply(to.help_text("department"))
            return
        if kind == "pointer":
            sub = await db.get(Submission, int(pending.get("s") or 0))
            await db.commit()
            await message.reply(to.reply_to_prompt(sub.code if sub else "?"))
            return
        user = message.from_user
        reply = Reply(
            message,
            bot,
            db,
            state,
            pending,
            clock.now(),
            queries.dept_actor(user.id),
            actor_name(user),
            department,
        )
        replies = {**REPLIES, **forwarding.REPLIES, **coordination.REPLIES, **document.REPLIES}
        await answer_reply(replies, reply, lambda exc: department_error(pending, exc))

    return router


def explain(exc: DomainError) -> str:
    """A refused press on a department's card."""
    if isinstance(exc, NotAllowed):
        return td.not_ours()
    return to.stale_button() if isinstance(exc, WrongState) else error_text(exc)


def department_error(pending: dict, exc: DomainError) -> str:
    extension = pending.get("a") == "extend"
    if extension and isinstance(exc, DeadlineInPast | InvalidInput):
        return td.extension_date_past()
    if extension and isinstance(exc, WrongState):
        return td.extension_pending()
    return error_text(exc)


# --- the replies those prompts expect ---------------------------------------------------------------------


async def reply_answer(reply: Reply) -> str:
    if not reply.text and not reply.file_id:
        raise Again(td.answer_needs_content())
    sub = await work.respond(
        reply.db, reply.target, reply.department.id, reply.text, reply.file_id, reply.actor, reply.now
    )
    return td.answered_done(sub, reply.who, len(await queries.askers(reply.db, sub)))


async def reply_hand_back(reply: Reply) -> str:
    sub = await work.hand_back(
        reply.db, reply.target, reply.department.id, reply.needs_text(), reply.actor, reply.now
    )
    return td.handed_back_done(sub, reply.who)


async def reply_extend(reply: Reply) -> str:
    new_due, reason = work.split_date_and_reason(reply.needs_text())
    if new_due is None:
        raise Again(td.bad_extension_date())
    if not reason:
        raise Again(td.extension_needs_reason())
    asked = await work.request_extension(
        reply.db,
        reply.target,
        reply.department.id,
        new_due,
        reason,
        reply.message.from_user.id,
        reply.actor,
        reply.now,
    )
    sub = await queries.get_submission(reply.db, reply.target)
    return td.extension_requested_done(
        sub, asked.request.new_due, reply.who, moved_from=new_due if asked.moved else None
    )


async def reply_forward(reply: Reply) -> str:
    authority, reason = work.split_authority_and_reason(reply.needs_text())
    if not authority or not reason:
        raise Again(td.forward_needs_reason())
    sub = await work.forward(
        reply.db, reply.target, reply.department.id, authority, reason, reply.actor, reply.now
    )
    return td.forwarded_done(sub, authority, reply.who)


REPLIES = {
    "answer": reply_answer,
    "hand_back": reply_hand_back,
    "extend": reply_extend,
    "forward": reply_forward,
}
