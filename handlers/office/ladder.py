"""/forward_up CODE reason: a commune's office hands a question beyond its authority to the unit above
it on the same deployment (bot/domain/ladder.py); the province's office gets it as a triage card."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import ladder, queries, units
from bot.domain.errors import DomainError, NotAllowed
from bot.texts import office as to
from bot.texts import units as tu
from handlers.office.commands import by_code
from handlers.staff import error_text

REPLIES: dict = {}


def make_router() -> Router:
    router = Router(name="office-ladder")

    @router.message(Command("forward_up"))
    async def forward_up(
        message: Message, command: CommandObject, db: AsyncSession, clock: Clock, unit_id: int | None = None
    ) -> None:
        args = (command.args or "").split(maxsplit=1)
        if len(args) != 2:
            await message.reply(tu.usage_forward_up())
            return
        sub = await by_code(db, args[0])  # another unit's question is not found from here
        if sub is None:
            await db.commit()
            await message.reply(to.not_found(args[0]))
            return
        actor = queries.office_actor(message.from_user.id)
        try:
            await ladder.forward_up(db, sub.id, note=args[1], actor=actor, now=clock.now(), unit_id=unit_id)
        except NotAllowed:
            await db.rollback()
            await message.reply(tu.no_unit_above() if sub.unit_id == unit_id else to.not_allowed())
            return
        except DomainError as exc:
            await db.rollback()
            await message.reply(error_text(exc))
            return
        above = await units.parent_of(db, unit_id)
        await db.commit()
        await message.reply(tu.sent_up(sub.code, above))

    return router
