"""A coordinating department sends its part of a question another department leads: «🤝 Gửi phần phối
hợp» on the card it received, then a reply (text and/or a file); the lead department receives it."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.callbacks import DeptCb
from bot.domain import coordination, lifecycle, queries
from bot.domain.errors import NotAllowed
from bot.texts import department_extra as tdx
from bot.texts import office as to
from handlers.staff import Again, Press, Reply, on_press


def make_router(explain) -> Router:
    router = Router(name="department-coordination")

    @on_press(router, DeptCb, "contribute", queries.dept_actor, explain)
    async def contribute(press: Press) -> None:
        sub = await queries.get_submission(press.db, press.id)
        mine = {d.id for _c, d in await coordination.coordinators(press.db, sub.id)}
        if press.department.id not in mine:
            raise NotAllowed("not coordinating on it")
        lifecycle.check("contribute", sub.status, press.actor)
        await press.ask(tdx.prompt_part(sub), "contribute", sub.id)

    return router


async def reply_part(reply: Reply) -> str:
    if not reply.text and not reply.file_id:
        raise Again(to.empty_input())
    sub, _row = await coordination.contribute(
        reply.db, reply.target, reply.department.id, reply.text, reply.file_id, reply.actor, reply.now
    )
    return tdx.part_sent(sub, reply.who)


REPLIES = {"contribute": reply_part}
