"""The office forwards a question beyond local authority to a competent authority from the directory
(«⬆️ Chuyển cấp trên» on the triage card, or ``/forward CODE`` for any open question), with the
forwarding document's number and date and the reason; records the authority's answer when it arrives
(«📨 Ghi trả lời của cấp trên» on the forwarded card and on each follow-up reminder), which is relayed
to every asker; ``/forwarded`` lists what still awaits an answer."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.domain import forwarding, lifecycle, queries
from bot.domain.errors import WrongState
from bot.i18n import local_date
from bot.notify import extra_cards
from bot.notify.actions import action
from bot.texts import office as to
from bot.texts import office_extra as tx
from handlers.office.commands import by_code
from handlers.staff import Again, Press, Reply, on_press
from storage.models import Authority, Submission, SubmissionStatus

log = logging.getLogger(__name__)


async def _forwardable(press: Press) -> Submission:
    sub = await queries.get_submission(press.db, press.id)
    lifecycle.check("forward", sub.status, press.actor)
    return sub


def make_router() -> Router:
    router = Router(name="office-forwarding")

    def button(name: str):
        return on_press(router, OfficeCb, name, queries.office_actor)

    @button("forward_menu")
    async def forward_menu(press: Press) -> None:
        sub = await _forwardable(press)
        found = await forwarding.authorities(press.db)
        if not found:
            await press.ask(tx.prompt_forward_free(sub), "office_forward_free", sub.id)
            return
        back = [[action(to.btn_back(), "show_triage", sub.id)]]
        choice = extra_cards.authority_choice(sub, found, "forward_to")
        if sub.status == SubmissionStatus.RECEIVED:
            choice += back
        await press.show(choice)

    @button("forward_to")
    async def forward_to(press: Press) -> None:
        sub = await _forwardable(press)
        authority = await press.db.get(Authority, press.arg)
        if authority is None or not authority.active:
            raise WrongState("no such authority")
        card = [press.chat_id, press.query.message.message_id]
        await press.ask(
            tx.prompt_forward_document(sub, authority),
            "office_forward",
            sub.id,
            authority=authority.id,
            card=card,
        )

    @button("above_answer")
    async def above_answer(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        lifecycle.check("answer_from_above", sub.status, press.actor)
        await press.ask(tx.prompt_above_answer(sub), "above_answer", sub.id)

    @router.message(Command("forward"))
    async def forward_command(message: Message, command: CommandObject, db: AsyncSession) -> None:
        sub = await by_code(db, command.args)
        if sub is None:
            await db.commit()
            await message.reply(
                tx.usage_forward() if not command.args else to.not_found(command.args.strip())
            )
            return
        if sub.status not in lifecycle.OPEN:
            await db.commit()
            await message.reply(to.wrong_state())
            return
        found = await forwarding.authorities(db)
        await db.commit()
        if not found:
            await message.reply(tx.no_authorities())
            return
        choice = extra_cards.authority_choice(sub, found, "forward_to")
        await message.reply(tx.choose_authority(sub), reply_markup=markup(choice))

    @router.message(Command("forwarded"))
    async def forwarded_list(message: Message, db: AsyncSession) -> None:
        found = await forwarding.awaiting(db)
        await db.commit()
        await message.reply(tx.forwarded_list(found))

    return router


# --- the replies those prompts expect --------------------------------------------------------------------


async def reply_forward(reply: Reply) -> str:
    number, day, reason = forwarding.parse_reference(reply.needs_text())
    if not number or day is None:
        raise Again(tx.forward_needs_document())
    if day > local_date(reply.now):
        raise Again(tx.document_in_future())
    if not reason:
        raise Again(tx.forward_needs_reason())
    sub = await forwarding.forward(
        reply.db,
        reply.target,
        reason=reason,
        actor=reply.actor,
        now=reply.now,
        authority_id=int(reply.pending["authority"]),
        doc_no=number,
        doc_date=day,
    )
    clear_card_later(reply)
    return tx.forwarded_done(sub, reply.who)


def clear_card_later(reply: Reply) -> None:
    """The card the forward was chosen on keeps no buttons once it is made."""
    card = reply.pending.get("card")
    if card:
        reply.after.append(lambda: clear_keyboard(reply.bot, card[0], card[1]))


async def clear_keyboard(bot, chat_id: int, message_id: int) -> None:
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except Exception:  # too old to edit, or unchanged: the confirmation says what happened
        log.debug("could not clear a keyboard", exc_info=True)


async def reply_forward_free(reply: Reply) -> str:
    lines = [line.strip() for line in reply.needs_text().splitlines() if line.strip()]
    if len(lines) < 2:
        raise Again(tx.forward_free_needs_lines())
    number, day, reason = forwarding.parse_reference(" ".join(lines[1:]))
    if not number or day is None:
        raise Again(tx.forward_needs_document())
    if day > local_date(reply.now):
        raise Again(tx.document_in_future())
    if not reason:
        raise Again(tx.forward_needs_reason())
    sub = await forwarding.forward(
        reply.db,
        reply.target,
        reason=reason,
        actor=reply.actor,
        now=reply.now,
        authority_name=lines[0],
        doc_no=number,
        doc_date=day,
    )
    return tx.forwarded_done(sub, reply.who)


async def reply_above_answer(reply: Reply) -> str:
    if not reply.text and not reply.file_id:
        raise Again(to.empty_input())
    sub = await forwarding.record_answer(
        reply.db, reply.target, reply.text, reply.file_id, reply.actor, reply.now
    )
    return tx.above_answer_done(sub, reply.who)


REPLIES = {
    "office_forward": reply_forward,
    "office_forward_free": reply_forward_free,
    "above_answer": reply_above_answer,
}
