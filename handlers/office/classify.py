"""The office classifies a question by its nature («🏷 Phân loại» on the triage card, or ``/classify
CODE``): kiến nghị, phản ánh, hỏi đáp chính sách, khiếu nại, tố cáo. A complaint or a denunciation can
then be set aside, «chuyển xử lý theo quy định về khiếu nại, tố cáo»: the office types where it goes,
the citizen is told how it will be handled, and it leaves the dialogue's deadlines and figures.
``/coordinate CODE`` adds coordinating departments to a question another department leads."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.domain import classification, coordination, lifecycle, queries
from bot.domain.errors import InvalidInput
from bot.domain.recording import NATURES
from bot.domain.routing import suggest_department
from bot.notify import cards, extra_cards
from bot.texts import office as to
from bot.texts import office_extra as tx
from handlers.office.commands import by_code
from handlers.staff import Press, Reply, on_press
from storage.models import Department, Submission, SubmissionStatus


async def back_to_card(press: Press, sub: Submission, reply: str) -> None:
    """A question at the office gets its triage buttons back; any other card is done."""
    on_triage_card = not (press.query.message.text or "").startswith("🏷")  # not /classify's own message
    if sub.status == SubmissionStatus.RECEIVED and on_triage_card:
        await press.show(cards.triage_actions(sub, await suggest_department(press.db, sub)))
        await press.query.message.reply(reply)
    else:
        await press.done(reply)


def make_router() -> Router:
    router = Router(name="office-classify")

    def button(name: str):
        return on_press(router, OfficeCb, name, queries.office_actor)

    @button("classify_menu")
    async def classify_menu(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        lifecycle.check("classify", sub.status, press.actor)
        await press.show(extra_cards.nature_choice(sub))

    @button("classify")
    async def classify(press: Press) -> None:
        if not 0 <= press.arg < len(NATURES):
            raise InvalidInput("no such nature")
        sub = await classification.classify(press.db, press.id, NATURES[press.arg], press.actor, press.now)
        if sub.nature in lifecycle.SET_ASIDE_NATURES and sub.status in lifecycle.OPEN:
            await press.show(extra_cards.set_aside_choice(sub))
            await press.query.message.reply(tx.classified_complaint(sub, press.who))
            return
        await back_to_card(press, sub, tx.classified_done(sub, press.who))

    @button("keep_in_dialogue")
    async def keep(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        await back_to_card(press, sub, tx.kept_in_dialogue(sub))

    @button("set_aside")
    async def set_aside(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        lifecycle.check("set_aside", sub.status, press.actor)
        await press.ask(tx.prompt_set_aside(sub), "set_aside", sub.id)

    @button("coordinate")
    async def coordinate(press: Press) -> None:
        sub, _row = await coordination.add(press.db, press.id, press.arg, press.actor, press.now)
        dept = await queries.department(press.db, press.arg)
        await press.done(tx.coordinator_added_done(sub, dept, press.who))

    @router.message(Command("classify"))
    async def classify_command(message: Message, command: CommandObject, db: AsyncSession) -> None:
        sub = await by_code(db, command.args)
        await db.commit()
        if sub is None:
            await message.reply(
                tx.usage_classify() if not command.args else to.not_found(command.args.strip())
            )
            return
        if sub.status not in lifecycle.sources("classify"):
            await message.reply(to.wrong_state())
            return
        await message.reply(tx.choose_nature(sub), reply_markup=markup(extra_cards.nature_choice(sub)))

    @router.message(Command("coordinate"))
    async def coordinate_command(message: Message, command: CommandObject, db: AsyncSession) -> None:
        sub = await by_code(db, command.args)
        if sub is None:
            await db.commit()
            await message.reply(
                tx.usage_coordinate() if not command.args else to.not_found(command.args.strip())
            )
            return
        if sub.status not in lifecycle.OPEN:
            await db.commit()
            await message.reply(to.wrong_state())
            return
        taken = {d.id for _c, d in await coordination.coordinators(db, sub.id)} | {sub.department_id}
        departments = [
            d
            for d in await db.scalars(select(Department).where(Department.active).order_by(Department.id))
            if d.id not in taken
        ]
        await db.commit()
        choice = extra_cards.coordinator_choice(sub, departments)
        await message.reply(tx.choose_coordinator(sub), reply_markup=markup(choice))

    return router


async def reply_set_aside(reply: Reply) -> str:
    sub = await classification.set_aside(reply.db, reply.target, reply.needs_text(), reply.actor, reply.now)
    return tx.set_aside_done(sub, reply.who)


REPLIES = {"set_aside": reply_set_aside}
