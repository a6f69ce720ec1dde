"""The office decides a department's request for more time (R6)."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.callbacks import OfficeCb
from bot.domain import queries, triage
from bot.texts import office as to
from handlers.staff import Press, on_press


def make_router() -> Router:
    router = Router(name="office-extensions")

    async def decide(press: Press, approve: bool) -> None:
        req = await triage.decide_extension(
            press.db, press.id, approve, press.actor, press.query.from_user.id, press.now
        )
        sub = await queries.get_submission(press.db, req.submission_id)
        await press.done(to.extension_done(sub, req, approve, press.who))

    @on_press(router, OfficeCb, "approve_extension", queries.office_actor)
    async def approve_extension(press: Press) -> None:
        await decide(press, True)

    @on_press(router, OfficeCb, "refuse_extension", queries.office_actor)
    async def refuse_extension(press: Press) -> None:
        await decide(press, False)

    return router
