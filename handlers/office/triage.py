"""The office triages a question from its card: route it (to the suggestion or another department),
merge a duplicate, ask the citizen, reject it."""

from __future__ import annotations

from aiogram import Router
from sqlalchemy import select

from bot.channels.telegram.callbacks import OfficeCb
from bot.domain import lifecycle, queries, triage
from bot.domain.errors import WrongState
from bot.domain.routing import likely_duplicates, suggest_department
from bot.notify import cards
from bot.texts import office as to
from handlers.staff import Press, Reply, on_press
from storage.models import Department, SubmissionStatus


async def _at_office(press: Press):
    sub = await queries.get_submission(press.db, press.id)
    if sub.status != SubmissionStatus.RECEIVED:
        raise WrongState("already handled", status=sub.status)
    return sub


def make_router() -> Router:
    router = Router(name="office-triage")

    def button(action: str):
        return on_press(router, OfficeCb, action, queries.office_actor)

    @button("route")
    async def route(press: Press) -> None:
        dept = await queries.department(press.db, press.arg)
        sub = await triage.route(press.db, press.id, dept.id, press.actor, press.now)
        await press.done(to.routed_done(sub, dept, press.who))

    @button("pick_department")
    async def pick_department(press: Press) -> None:
        sub = await _at_office(press)
        departments = list(
            await press.db.scalars(select(Department).where(Department.active).order_by(Department.id))
        )
        await press.show(cards.department_list_actions(sub, departments))

    @button("show_triage")
    async def show_triage(press: Press) -> None:
        sub = await _at_office(press)
        await press.show(cards.triage_actions(sub, await suggest_department(press.db, sub)))

    @button("merge_menu")
    async def merge_menu(press: Press) -> None:
        sub = await _at_office(press)
        candidates = await likely_duplicates(press.db, sub)
        await press.show(cards.merge_actions(sub, candidates))
        await press.query.message.reply(to.merge_candidates(sub, len(candidates)))

    @button("merge_into")
    async def merge_into(press: Press) -> None:
        target = await queries.get_submission(press.db, press.arg)
        sub = await triage.merge(press.db, press.id, target.id, press.actor, press.now)
        await press.done(to.merged_done(sub, target, press.who))

    @button("ask_citizen")
    async def ask_citizen(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        lifecycle.check("ask_citizen", sub.status, press.actor)
        await press.ask(to.prompt_clarify(sub), "ask_citizen", sub.id)

    @button("reject")
    async def reject(press: Press) -> None:
        sub = await _at_office(press)
        await press.ask(to.prompt_reject(sub), "reject", sub.id)

    return router


# --- the replies those prompts expect --------------------------------------------------------------------


async def reply_ask_citizen(reply: Reply) -> str:
    sub = await triage.ask_citizen(reply.db, reply.target, reply.needs_text(), reply.actor, reply.now)
    return to.clarification_sent(sub, reply.who)


async def reply_reject(reply: Reply) -> str:
    text = reply.needs_text()
    sub = await triage.reject(reply.db, reply.target, text, reply.actor, reply.now)
    return to.rejected_done(sub, text, reply.who)


REPLIES = {"ask_citizen": reply_ask_citizen, "reject": reply_reject}
