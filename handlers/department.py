"""Department groups: accept, answer (the next reply becomes the written response), ask for an extension,
forward to a higher authority, hand back to the office.

Guarded at the router: a registered department group (``DepartmentChat`` resolves ``department`` once),
a sender who is staff of that department (or an admin). Every press re-loads the submission and checks it
is assigned to this department; the workflow re-checks the state inside the transaction."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import DeptCb
from bot.channels.telegram.filters import DepartmentChat, StaffOnly
from bot.clock import Clock
from bot.domain import workflow
from bot.domain.access import refuse
from bot.domain.errors import DeadlineInPast, DomainError, InvalidInput, NotAllowed, WrongState
from bot.settings import Settings
from bot.texts import department as td
from bot.texts import office as to
from handlers.staff import (
    actor_name,
    ask_reply,
    error_text,
    input_file,
    input_text,
    pending_for,
    refuse_event,
)
from storage.models import Department, Submission

log = logging.getLogger(__name__)


def make_router(settings: Settings) -> Router:
    router = Router(name="department")
    router.message.filter(DepartmentChat())
    router.callback_query.filter(DepartmentChat())
    guard = StaffOnly("department", settings, refuse_event)
    router.message.middleware(guard)
    router.callback_query.middleware(guard)

    @router.message(Command("mine"))
    async def mine(message: Message, db: AsyncSession, department: Department) -> None:
        subs = list(
            await db.scalars(
                select(Submission)
                .where(
                    Submission.department_id == department.id,
                    Submission.status.in_(workflow.OPEN_FOR_DEPARTMENT),
                )
                .order_by(Submission.response_due.is_(None), Submission.response_due, Submission.id)
            )
        )
        await db.commit()
        await message.answer(to.find_results(department.name_vi, subs))

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        had = bool((await state.get_data()).get("await"))
        await state.set_data({})
        await message.reply(to.cancelled() if had else to.nothing_to_cancel())

    @router.message()
    async def on_message(
        message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock, department: Department
    ) -> None:
        pending, kind = await pending_for(message, bot, state)
        if kind == "chat":
            if (message.text or "").startswith("/"):
                await message.reply(to.help_text("department"))
            return
        if kind == "stale":
            await message.reply(to.prompt_replaced())
            return
        sub = await db.get(Submission, int(pending.get("s") or 0)) if pending else None
        if kind == "pointer":
            await message.reply(to.reply_to_prompt(sub.code if sub else "?"))
            return
        await _handle_input(message, db, state, clock, department, pending, sub)

    async def _handle_input(
        message: Message,
        db: AsyncSession,
        state: FSMContext,
        clock: Clock,
        department: Department,
        pending: dict,
        sub: Submission | None,
    ) -> None:
        action = pending["a"]
        text, file_id = input_text(message), input_file(message)
        user = message.from_user
        actor, who, now = workflow.dept_actor(user.id), actor_name(user), clock.now()
        if sub is None:
            await state.set_data({})
            await message.reply(to.stale_button())
            return
        try:
            if action == "an":
                if not text and not file_id:
                    await message.reply(td.answer_needs_content())
                    return
                await workflow.respond(db, sub.id, department.id, text, file_id, actor, now)
                reply = td.answered_done(sub, who, len(await workflow.askers(db, sub)))
            elif action == "hb":
                if not text:
                    await message.reply(to.empty_input())
                    return
                await workflow.hand_back(db, sub.id, department.id, text, actor, now)
                reply = td.handed_back_done(sub, who)
            elif action == "ex":
                new_due, reason = workflow.split_date_and_reason(text)
                if new_due is None:
                    await message.reply(td.bad_extension_date())
                    return
                if not reason:
                    await message.reply(td.extension_needs_reason())
                    return
                await workflow.request_extension(db, sub.id, department.id, new_due, reason, user.id, now)
                reply = td.extension_requested_done(sub, new_due)
            elif action == "fw":
                authority, reason = workflow.split_authority_and_reason(text)
                if not authority or not reason:
                    await message.reply(td.forward_needs_reason())
                    return
                await workflow.forward(db, sub.id, department.id, authority, reason, actor, now)
                reply = td.forwarded_done(sub, authority, who)
            else:
                raise InvalidInput("unknown pending action")
        except (DeadlineInPast, InvalidInput) as exc:
            await db.rollback()  # the prompt stays: they can reply to it again
            await message.reply(td.extension_date_past() if action == "ex" else error_text(exc))
            return
        except DomainError as exc:
            await db.rollback()
            await state.set_data({})
            text = (
                td.extension_pending() if action == "ex" and isinstance(exc, WrongState) else error_text(exc)
            )
            await message.reply(text)
            return
        await state.set_data({})
        await db.commit()
        await message.reply(reply)

    @router.callback_query(DeptCb.filter())
    async def on_button(
        query: CallbackQuery,
        callback_data: DeptCb,
        bot: Bot,
        db: AsyncSession,
        state: FSMContext,
        clock: Clock,
        department: Department,
    ) -> None:
        a, user = callback_data.a, query.from_user
        actor, who, now = workflow.dept_actor(user.id), actor_name(user), clock.now()
        try:
            sub = await workflow.get_submission(db, callback_data.s)
            if sub.department_id != department.id:
                refuse(
                    "submission of another department",
                    user_id=user.id,
                    chat_id=query.message.chat.id,
                    action=f"button {query.data!r}",
                )
                raise NotAllowed("not ours")
            if a == "ac":
                await workflow.accept(db, sub.id, department.id, actor, now)
                await db.commit()
                await query.answer()
                await query.message.reply(td.accepted_done(sub, who))
                return
            if sub.status not in workflow.OPEN_FOR_DEPARTMENT:
                raise WrongState("already settled")
            prompts = {
                "an": td.prompt_answer,
                "hb": td.prompt_hand_back,
                "ex": td.prompt_extension,
                "fw": td.prompt_forward,
            }
            if a not in prompts:
                raise InvalidInput("unknown action")
            await query.answer()
            await ask_reply(bot, db, state, query.message.chat.id, user, prompts[a](sub), a, sub.id)
        except DomainError as exc:
            await db.rollback()
            log.info("department button %r by %s refused: %s", query.data, user.id, exc)
            if isinstance(exc, NotAllowed):
                message = td.not_ours()
            elif isinstance(exc, WrongState) and a == "ac":
                message = td.already_accepted()
            else:
                message = to.stale_button()
            await query.answer(message, show_alert=True)

    return router
