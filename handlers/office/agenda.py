"""Working through the agenda at the session, with buttons: «🎤 Làm việc theo chương trình» on the
session card (once it is marked held) posts one card that shows the next open question in the
agenda's order, with «answered at the session» (the answer given is typed as a reply and every asker
receives it), «needs follow-up» (it stays open for the conclusion notice) and «next». The card moves
on to the next question after each; ``/answer CODE`` stays for power users."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.domain import at_session, floor, lifecycle, queries
from bot.domain.errors import WrongState
from bot.notify import extra_cards
from bot.texts import office as to
from handlers.staff import Press, Reply, edit_card, on_press
from storage.models import SessionStatus


async def show_next(press: Press, session_id: int, after: int) -> None:
    """Commit, answer the press, and move the pressed card on to the next question."""
    found = await floor.next_question(press.db, session_id, after)
    text, actions = extra_cards.floor_card(found)
    await press.db.commit()
    await press.query.answer()
    await edit_card(press.bot, press.chat_id, press.query.message.message_id, text, actions)


def make_router() -> Router:
    router = Router(name="office-agenda")

    def button(name: str):
        return on_press(router, OfficeCb, name, queries.office_actor)

    @button("floor")
    async def start(press: Press) -> None:
        found = await floor.next_question(press.db, press.id)
        text, actions = extra_cards.floor_card(found)
        await press.db.commit()
        await press.query.answer()
        await press.query.message.answer(text, reply_markup=markup(actions))

    @button("floor_next")
    async def next_one(press: Press) -> None:
        await show_next(press, press.id, press.arg)

    @button("floor_follow_up")
    async def follow_up(press: Press) -> None:
        sub = await floor.needs_follow_up(press.db, press.id, press.actor, press.now)
        await show_next(press, sub.session_id, sub.id)

    @button("floor_answer")
    async def answer(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        if sub.session.status != SessionStatus.HELD:
            raise WrongState("the session is not being held")
        lifecycle.check("answer_at_session", sub.status, press.actor)
        card = [press.chat_id, press.query.message.message_id]
        await press.ask(to.prompt_session_answer(sub), "floor_answer", sub.id, card=card)

    return router


async def reply_answer(reply: Reply) -> str:
    sub = await at_session.answer_at_session(
        reply.db, reply.target, reply.needs_text(), reply.actor, reply.now
    )
    card = reply.pending.get("card")
    if card:
        found = await floor.next_question(reply.db, sub.session_id, sub.id)
        text, actions = extra_cards.floor_card(found)
        reply.after.append(lambda: edit_card(reply.bot, card[0], card[1], text, actions))
    return to.session_answer_done(sub, reply.who)


REPLIES = {"floor_answer": reply_answer}
