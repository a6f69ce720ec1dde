"""The office group: triage buttons, the session run from the group, and /inbox /find /sub /agenda.

Guarded at the router: only the registered office group (``OfficeChat``), only office staff or admins
(``StaffOnly``); every button press re-loads the submission and the state is checked again inside the
transaction by ``bot.workflow``."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb
from bot.channels.telegram.filters import OfficeChat, StaffOnly
from bot.clock import Clock
from bot.domain import sessions, workflow
from bot.domain.codes import normalize_code
from bot.domain.errors import DomainError, InvalidInput, WrongState
from bot.domain.routing import likely_duplicates, suggest_department
from bot.i18n import timezone
from bot.notify import cards
from bot.reports.agenda import build_agenda
from bot.settings import Settings
from bot.texts import office as to
from handlers.audit import AGENDA, FIND, VIEW_SUBMISSION, staff_access
from handlers.staff import (
    actor_name,
    ask_reply,
    error_text,
    input_file,
    input_text,
    markup,
    pending_for,
    refuse_event,
    remove_keyboard,
    set_keyboard,
)
from storage.models import Department, DialogueSession, SessionKind, SessionStatus, Staff, Submission

log = logging.getLogger(__name__)
KINDS = (SessionKind.PERIODIC, SessionKind.ADHOC, SessionKind.ON_REQUEST)


def parse_local_datetime(text: str) -> datetime | None:
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?\s*", text)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hour, minute = int(m.group(4) or 8), int(m.group(5) or 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=timezone())
    except ValueError:
        return None


async def _departments(db: AsyncSession) -> list[Department]:
    return list(await db.scalars(select(Department).where(Department.active).order_by(Department.id)))


async def _staff_names(db: AsyncSession) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in await db.scalars(select(Staff)):
        prefix = "office" if row.role == "office" else "dept"
        names[f"{prefix}:{row.user_id}"] = row.name or str(row.user_id)
    return names


async def _sub_by_code(db: AsyncSession, text: str | None) -> Submission | None:
    code = normalize_code(text or "")
    return await workflow.by_code(db, code) if code else None


def make_router(settings: Settings) -> Router:
    router = Router(name="office")
    router.message.filter(OfficeChat())
    router.callback_query.filter(OfficeChat())
    guard = StaffOnly("office", settings, refuse_event)
    router.message.middleware(guard)
    router.callback_query.middleware(guard)

    # --- commands ---------------------------------------------------------------------------------

    @router.message(Command("inbox"))
    async def inbox(message: Message, db: AsyncSession) -> None:
        subs = await workflow.inbox(db)
        extensions = await workflow.pending_extensions(db)
        await db.commit()
        await message.answer(to.inbox(subs, len(extensions)))

    @router.message(Command("find"))
    async def find(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        query = (command.args or "").strip()
        if not query:
            await message.answer(to.usage_find())
            return
        found = await workflow.find(db, query)
        await staff_access(db, message, FIND, " ".join(s.code for s in found), clock.now(), found=len(found))
        await db.commit()
        await message.answer(to.find_results(query, found))

    @router.message(Command("sub"))
    async def sub_detail(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        sub = await _sub_by_code(db, command.args)
        if sub is None:
            await message.answer(to.usage_sub() if not command.args else to.not_found(command.args.strip()))
            return
        events = await workflow.submission_history(db, sub)
        names = await _staff_names(db)
        await staff_access(db, message, VIEW_SUBMISSION, sub.code, clock.now())
        await db.commit()
        await message.answer(to.submission_detail(sub, events, names))

    @router.message(Command("sessions"))
    async def list_sessions(message: Message, db: AsyncSession) -> None:
        found = (await sessions.list_sessions(db))[:5]
        await db.commit()
        if not found:
            await message.answer(to.no_sessions())
            return
        for session in found:
            await message.answer(
                to.session_line(session), reply_markup=markup(cards.session_buttons(session))
            )

    @router.message(Command("session_new"))
    async def session_new(message: Message, bot: Bot, db: AsyncSession, state: FSMContext) -> None:
        await ask_reply(
            bot, db, state, message.chat.id, message.from_user, to.prompt_session_title(), "nt", 0
        )

    @router.message(Command("answer"))
    async def answer_at_session(
        message: Message, command: CommandObject, bot: Bot, db: AsyncSession, state: FSMContext
    ) -> None:
        sub = await _sub_by_code(db, command.args)
        if sub is None:
            await message.answer(
                to.usage_answer() if not command.args else to.not_found(command.args.strip())
            )
            return
        if sub.session.status != SessionStatus.HELD:
            await message.answer(to.session_not_held())
            return
        await ask_reply(
            bot, db, state, message.chat.id, message.from_user, to.prompt_session_answer(sub), "sa", sub.id
        )

    @router.message(Command("merge"))
    async def merge_command(message: Message, command: CommandObject, db: AsyncSession, clock: Clock) -> None:
        args = (command.args or "").split()
        if len(args) != 2:
            await message.answer(to.usage_merge())
            return
        sub, target = await _sub_by_code(db, args[0]), await _sub_by_code(db, args[1])
        if sub is None or target is None:
            await message.answer(to.not_found(args[0] if sub is None else args[1]))
            return
        try:
            await workflow.merge(
                db, sub.id, target.id, workflow.office_actor(message.from_user.id), clock.now()
            )
        except DomainError as exc:
            await db.rollback()
            await message.answer(error_text(exc))
            return
        await db.commit()
        await message.answer(to.merged_done(sub, target, actor_name(message.from_user)))

    @router.message(Command("agenda"))
    async def agenda(
        message: Message, command: CommandObject, bot: Bot, db: AsyncSession, clock: Clock
    ) -> None:
        session = None
        if command.args and command.args.strip().isdigit():
            session = await db.get(DialogueSession, int(command.args.strip()))
        if session is None:
            found = await sessions.list_sessions(db)
            session = found[0] if found else None
        if session is None:
            await message.answer(to.no_sessions())
            return
        await staff_access(db, message, AGENDA, f"#{session.id}", clock.now())
        await _send_agenda(bot, db, message.chat.id, session)

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        had = bool((await state.get_data()).get("await"))
        await state.set_data({})
        await message.reply(to.cancelled() if had else to.nothing_to_cancel())

    # --- replies to prompts -----------------------------------------------------------------------

    @router.message()
    async def on_message(
        message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        pending, kind = await pending_for(message, bot, state)
        if kind == "chat":
            if (message.text or "").startswith("/"):
                await message.reply(to.help_text("office"))
            return
        if kind == "stale":
            await message.reply(to.prompt_replaced())
            return
        if kind == "pointer":
            await message.reply(to.reply_to_prompt(await _pending_label(db, pending)))
            return
        await _handle_input(message, bot, db, state, clock, pending)

    async def _pending_label(db: AsyncSession, pending: dict) -> str:
        if pending.get("a") in ("rj", "cl", "sa"):
            sub = await db.get(Submission, pending.get("s"))
            return sub.code if sub else "?"
        return to.btn_issue_notice() if pending.get("a") == "sn" else to.btn_kind("periodic")

    async def _handle_input(
        message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock, pending: dict
    ) -> None:
        action, target = pending["a"], int(pending.get("s") or 0)
        text, file_id = input_text(message), input_file(message)
        actor, who, now = (
            workflow.office_actor(message.from_user.id),
            actor_name(message.from_user),
            clock.now(),
        )
        try:
            if action in ("nt", "nw", "np"):
                await _session_step(message, bot, db, state, clock, pending, text)
                return
            if action == "sn":
                if not text and not file_id:
                    await message.reply(to.empty_input())
                    return
                session, unresolved = await workflow.issue_conclusion_notice(
                    db, target, text, file_id, actor, now
                )
                due = unresolved[0].response_due if unresolved else None
                reply = to.notice_issued(session, len(unresolved), due)
            elif not text:
                await message.reply(to.empty_input())
                return
            elif action == "rj":
                sub = await workflow.reject(db, target, text, actor, now)
                reply = to.rejected_done(sub, text, who)
            elif action == "cl":
                sub = await workflow.request_clarification(db, target, text, actor, now)
                reply = to.clarification_sent(sub, who)
            elif action == "sa":
                sub = await workflow.record_session_answer(db, target, text, actor, now)
                reply = to.session_answer_done(sub, who)
            else:
                raise InvalidInput("unknown pending action")
        except WrongState as exc:
            await db.rollback()
            await state.set_data({})  # the thing it was for has moved on: nothing left to type
            await message.reply(error_text(exc))
            return
        except DomainError as exc:
            await db.rollback()
            await message.reply(error_text(exc))
            return
        await state.set_data({})
        await db.commit()
        await message.reply(reply)

    async def _session_step(
        message: Message,
        bot: Bot,
        db: AsyncSession,
        state: FSMContext,
        clock: Clock,
        pending: dict,
        text: str,
    ) -> None:
        user, chat = message.from_user, message.chat.id
        if not text or len(text) > 300:
            await message.reply(to.empty_input())
            return
        if pending["a"] == "nt":
            await ask_reply(bot, db, state, chat, user, to.prompt_session_when(), "nw", 0, title=text)
        elif pending["a"] == "nw":
            when = parse_local_datetime(text)
            if when is None or when <= clock.now():
                await message.reply(to.bad_datetime())
                return
            await ask_reply(
                bot,
                db,
                state,
                chat,
                user,
                to.prompt_session_place(),
                "np",
                0,
                title=pending["title"],
                when=when.isoformat(),
            )
        else:
            await state.set_data({"await": {**pending, "a": "nk", "place": text, "mid": 0}})
            await db.commit()
            buttons = [
                [{"text": to.btn_kind(k), "data": OfficeCb(a="nk", s=0, x=i).pack()}]
                for i, k in enumerate(KINDS)
            ]
            await message.reply(to.prompt_session_kind(), reply_markup=markup(buttons))

    # --- buttons ----------------------------------------------------------------------------------

    @router.callback_query(OfficeCb.filter())
    async def on_button(
        query: CallbackQuery,
        callback_data: OfficeCb,
        bot: Bot,
        db: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        a, sid, x = callback_data.a, callback_data.s, callback_data.x
        user = query.from_user
        actor, who, now = workflow.office_actor(user.id), actor_name(user), clock.now()
        chat_id = query.message.chat.id
        try:
            if a in ("rt", "pk", "mg", "mi", "cl", "rj", "bk"):
                sub = await workflow.get_submission(db, sid)
            if a == "rt":
                dept = await workflow.department(db, x)
                await workflow.route(db, sid, x, actor, now)
                await db.commit()
                await query.answer()
                await remove_keyboard(bot, query)
                await query.message.reply(to.routed_done(sub, dept, who))
            elif a == "pk":
                if sub.status != "received" or sub.department_id is not None:
                    raise WrongState("already handled")
                departments = await _departments(db)
                await db.commit()
                await query.answer()
                await set_keyboard(bot, query, cards.department_list_buttons(sub, departments))
            elif a == "bk":
                if sub.status != "received" or sub.department_id is not None:
                    raise WrongState("already handled")
                suggested = await suggest_department(db, sub)
                await db.commit()
                await query.answer()
                await set_keyboard(bot, query, cards.triage_buttons(sub, suggested))
            elif a == "mg":
                if sub.status != "received":
                    raise WrongState("already handled")
                candidates = await likely_duplicates(db, sub)
                await db.commit()
                await query.answer()
                if candidates:
                    await set_keyboard(bot, query, cards.merge_buttons(sub, candidates))
                await query.message.reply(to.merge_candidates(sub, len(candidates)))
            elif a == "mi":
                target = await workflow.get_submission(db, x)
                await workflow.merge(db, sid, x, actor, now)
                await db.commit()
                await query.answer()
                await remove_keyboard(bot, query)
                await query.message.reply(to.merged_done(sub, target, who))
            elif a in ("cl", "rj"):
                if sub.status not in workflow.UNRESOLVED or (a == "rj" and sub.status != "received"):
                    raise WrongState("already handled")
                await query.answer()
                text = to.prompt_clarify(sub) if a == "cl" else to.prompt_reject(sub)
                await ask_reply(bot, db, state, chat_id, user, text, a, sub.id)
            elif a in ("xa", "xr"):
                req = await workflow.decide_extension(db, sid, a == "xa", actor, user.id, now)
                sub = await workflow.get_submission(db, req.submission_id)
                await db.commit()
                await query.answer()
                await remove_keyboard(bot, query)
                await query.message.reply(to.extension_done(sub, req, a == "xa", who))
            elif a in ("sa", "sq", "sh", "sn", "sg"):
                await _session_button(query, a, sid, bot, db, state, clock)
            elif a == "nk":
                await _create_session(query, x, bot, db, state, clock)
            else:
                raise InvalidInput("unknown action")
        except DomainError as exc:
            await db.rollback()
            log.info("office button %r by %s refused: %s", query.data, user.id, exc)
            await query.answer(
                error_text(exc) if not isinstance(exc, WrongState) else to.stale_button(), show_alert=True
            )

    async def _session_button(
        query: CallbackQuery, a: str, sid: int, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        session = await db.get(DialogueSession, sid)
        if session is None:
            raise InvalidInput("no such session")
        now = clock.now()
        if a == "sa":
            notified = await workflow.announce(db, session, now)
            reply = to.session_announced(session, notified)
        elif a == "sq":
            session = await sessions.close_questions(db, sid, now)
            reply = to.session_questions_closed(session)
        elif a == "sh":
            session = await sessions.mark_held(db, sid, now)
            waiting = await db.scalars(
                select(Submission.id).where(
                    Submission.session_id == sid, Submission.status.in_(["received", "routed"])
                )
            )
            reply = to.session_held(session, len(list(waiting)))
        elif a == "sn":
            if session.status != SessionStatus.HELD:
                raise WrongState("not held")
            await query.answer()
            await ask_reply(
                bot, db, state, query.message.chat.id, query.from_user, to.prompt_notice(session), "sn", sid
            )
            return
        else:  # agenda
            await staff_access(db, query, AGENDA, f"#{session.id}", clock.now())
            await query.answer()
            await _send_agenda(bot, db, query.message.chat.id, session)
            return
        await db.commit()
        await query.answer()
        await set_keyboard(bot, query, cards.session_buttons(session))
        await query.message.reply(reply)

    async def _create_session(
        query: CallbackQuery, kind_index: int, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        pending = (await state.get_data()).get("await") or {}
        if pending.get("a") != "nk" or not 0 <= kind_index < len(KINDS):
            raise WrongState("no session being created by this person")
        session = await sessions.create_session(
            db,
            title=pending["title"],
            starts_at=datetime.fromisoformat(pending["when"]),
            place=pending["place"],
            kind=KINDS[kind_index],
            now=clock.now(),
        )
        await state.set_data({})
        await db.commit()
        await query.answer()
        await remove_keyboard(bot, query)
        await query.message.answer(
            to.session_created(session), reply_markup=markup(cards.session_buttons(session))
        )

    return router


async def _send_agenda(bot: Bot, db: AsyncSession, chat_id: int, session: DialogueSession) -> None:
    content = await build_agenda(db, session)
    await db.commit()
    name = f"chuong-trinh-hoi-nghi-{session.id}.docx"
    await bot.send_document(
        chat_id, BufferedInputFile(content, filename=name), caption=to.agenda_caption(session)
    )
