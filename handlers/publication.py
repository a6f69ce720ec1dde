"""The office publishes answered questions on the public website ("📢 Công khai").

    /publish CODE     the question and its answer as the site would show them, with
                      [📢 Công khai] [✏️ Sửa rồi công khai] [✖️ Thôi] — or, once published,
                      [✏️ Sửa nội dung công khai] [🙈 Gỡ khỏi trang công khai] [✖️ Thôi]
    /unpublish CODE   take it off the site

"✏️" asks for the wording as a reply to a prompt (``handlers.staff.ask_reply``): the question, and
optionally, after a line ``---``, the answer. The same buttons come with the office's note that a
question was answered (``bot.notify.public.publication_buttons``).

Guarded like the office router: the registered office group (``OfficeChat``), office staff or admins
(``StaffOnly``); every press re-loads the question and ``bot.domain.publication`` checks its state in
the transaction. Mounted before the office router (whose catch-all takes every other message).
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import PubCb
from bot.channels.telegram.filters import OfficeChat, StaffOnly
from bot.clock import Clock
from bot.domain import publication as pub
from bot.domain.access import refuse
from bot.domain.codes import normalize_code
from bot.domain.errors import DomainError, WrongState
from bot.domain.queries import by_code, office_actor
from bot.notify.public import publication_buttons
from bot.settings import Settings
from bot.texts import office as to
from bot.texts import public as tp
from bot.web import links
from handlers.staff import actor_name, ask_reply, error_text, input_text, markup, pending_for, refuse_event
from handlers.staff import remove_keyboard as drop_keyboard
from storage.models import Submission

log = logging.getLogger(__name__)

PROMPT = "pub"  # the pending input's action: the edited wording of a question


class AwaitingWording(Filter):
    """A message (not a command) from someone whose pending prompt is a publication's wording."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        if (message.text or "").startswith("/"):
            return False
        pending = (await state.get_data()).get("await")
        return bool(pending) and pending.get("a") == PROMPT


def _error(exc: DomainError, code: str) -> str:
    if isinstance(exc, pub.NotAnswered):
        return tp.not_answered(code)
    if isinstance(exc, pub.AlreadyPublished):
        return tp.already_published(code)
    if isinstance(exc, pub.NotPublished):
        return tp.not_published(code)
    return error_text(exc)


def make_router(settings: Settings) -> Router:
    """The office's router, and after it the polite refusal of a 📢 button pressed in any other group."""
    parent = Router(name="publication")
    elsewhere = Router(name="publication-elsewhere")

    @elsewhere.callback_query(PubCb.filter())
    async def outside_the_office(query: CallbackQuery) -> None:
        refuse(
            "publication button outside the office group",
            user_id=query.from_user.id,
            chat_id=query.message.chat.id if query.message else None,
            action=f"button {query.data!r}",
        )
        await query.answer(to.not_allowed(), show_alert=True)

    parent.include_routers(_office_router(settings), elsewhere)
    return parent


def _office_router(settings: Settings) -> Router:
    router = Router(name="publication-office")
    router.message.filter(OfficeChat())
    router.callback_query.filter(OfficeChat())
    guard = StaffOnly("office", settings, refuse_event)
    router.message.middleware(guard)
    router.callback_query.middleware(guard)

    def site_link(sub: Submission) -> str | None:
        if not settings.public_url:
            return None
        return links.absolute(settings.public_url, links.lookup(code=sub.code))

    def card(sub: Submission) -> str:
        question = sub.published_text if pub.is_published(sub) else sub.text
        return tp.publication_card(sub, question or "", pub.public_answer(sub), site_link(sub))

    async def load(db: AsyncSession, text: str | None) -> Submission | None:
        code = normalize_code(text or "")
        return await by_code(db, code) if code else None

    # --- commands -----------------------------------------------------------------------------------

    @router.message(Command("publish"))
    async def publish_command(message: Message, command: CommandObject, db: AsyncSession) -> None:
        sub = await load(db, command.args)
        if sub is None:
            await db.commit()
            await message.reply(to.not_found(command.args.strip()) if command.args else tp.usage_publish())
            return
        buttons = publication_buttons(sub)
        text = card(sub) if buttons else tp.not_answered(sub.code)
        await db.commit()
        await message.answer(text, reply_markup=markup(buttons))

    @router.message(Command("unpublish"))
    async def unpublish_command(
        message: Message, command: CommandObject, db: AsyncSession, clock: Clock
    ) -> None:
        sub = await load(db, command.args)
        if sub is None:
            await db.commit()
            await message.reply(to.not_found(command.args.strip()) if command.args else tp.usage_unpublish())
            return
        code = sub.code  # a rollback expires the row
        try:
            await pub.unpublish(db, sub.id, office_actor(message.from_user.id), clock.now())
        except DomainError as exc:
            await db.rollback()
            await message.reply(_error(exc, code))
            return
        await db.commit()
        log.info("unpublished %s by %s", sub.code, message.from_user.id)
        await message.reply(tp.unpublished_done(sub, actor_name(message.from_user)))

    # --- buttons ------------------------------------------------------------------------------------

    async def refused(query: CallbackQuery, db: AsyncSession, exc: DomainError, sub_id: int) -> None:
        await db.rollback()
        sub = await db.get(Submission, sub_id)
        await db.commit()
        log.info("publication button %r by %s refused: %s", query.data, query.from_user.id, exc)
        await query.answer(_error(exc, sub.code) if sub else to.stale_button(), show_alert=True)

    @router.callback_query(PubCb.filter(F.action == "publish"))
    async def publish_as_is(
        query: CallbackQuery, callback_data: PubCb, bot: Bot, db: AsyncSession, clock: Clock
    ) -> None:
        try:
            sub = await pub.publish(db, callback_data.id, office_actor(query.from_user.id), clock.now())
        except DomainError as exc:
            await refused(query, db, exc, callback_data.id)
            return
        await db.commit()
        log.info("published %s by %s", sub.code, query.from_user.id)
        await query.answer()
        await drop_keyboard(bot, query)
        await query.message.reply(tp.published_done(sub, actor_name(query.from_user), site_link(sub)))

    @router.callback_query(PubCb.filter(F.action == "publish_edit"))
    async def ask_wording(
        query: CallbackQuery, callback_data: PubCb, bot: Bot, db: AsyncSession, state: FSMContext
    ) -> None:
        sub = await db.get(Submission, callback_data.id)
        if sub is None or not (pub.is_published(sub) or pub.can_publish(sub)):
            await refused(query, db, pub.NotAnswered("not answered"), callback_data.id)
            return
        await query.answer()
        await ask_reply(
            bot, db, state, query.message.chat.id, query.from_user, tp.prompt_edit(sub), PROMPT, sub.id
        )

    @router.callback_query(PubCb.filter(F.action == "unpublish"))
    async def take_down(
        query: CallbackQuery, callback_data: PubCb, bot: Bot, db: AsyncSession, clock: Clock
    ) -> None:
        try:
            sub = await pub.unpublish(db, callback_data.id, office_actor(query.from_user.id), clock.now())
        except DomainError as exc:
            await refused(query, db, exc, callback_data.id)
            return
        await db.commit()
        log.info("unpublished %s by %s", sub.code, query.from_user.id)
        await query.answer()
        await drop_keyboard(bot, query)
        await query.message.reply(tp.unpublished_done(sub, actor_name(query.from_user)))

    @router.callback_query(PubCb.filter(F.action == "publish_dismiss"))
    async def dismiss(query: CallbackQuery, bot: Bot) -> None:
        await query.answer(tp.dismissed())
        await drop_keyboard(bot, query)

    @router.callback_query(PubCb.filter())
    async def unknown_button(query: CallbackQuery) -> None:
        await query.answer(to.stale_button(), show_alert=True)

    # --- the wording, as a reply to the prompt ------------------------------------------------------

    @router.message(AwaitingWording())
    async def wording(message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock) -> None:
        pending, kind = await pending_for(message, bot, state)
        sub = await db.get(Submission, int((pending or {}).get("s") or 0))
        if sub is None:
            await state.set_data({})
            await db.commit()
            await message.reply(to.stale_button())
            return
        if kind != "input":
            await db.commit()
            await message.reply(to.reply_to_prompt(sub.code))
            return
        question, answer = pub.split_edit(input_text(message))
        if not question:
            await db.commit()
            await message.reply(to.empty_input())
            return
        actor, now, code = office_actor(message.from_user.id), clock.now(), sub.code
        published = pub.is_published(sub)
        try:
            if published:
                sub = await pub.edit(db, sub.id, actor, now, text=question, answer=answer)
            else:
                sub = await pub.publish(db, sub.id, actor, now, text=question, answer=answer)
        except WrongState as exc:
            await db.rollback()
            await state.set_data({})  # the question has moved on: nothing left to type
            await message.reply(_error(exc, code))
            return
        except DomainError as exc:
            await db.rollback()
            await message.reply(_error(exc, code))
            return
        await state.set_data({})
        await db.commit()
        log.info(
            "%s %s (edited) by %s", "re-worded" if published else "published", sub.code, message.from_user.id
        )
        who = actor_name(message.from_user)
        done = tp.edited_done if published else tp.published_done
        await message.reply(done(sub, who, site_link(sub)))

    return router
