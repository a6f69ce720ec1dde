"""A department forwards a question beyond local authority: «⬆️ Chuyển cấp trên» on its card offers the
competent authorities of the directory; the one chosen, the forwarding document's number and date and
the reason (typed as a reply) complete it. Without authorities in the directory, the authority is
typed (the older prompt, kept in handlers/department/__init__.py)."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.callbacks import DeptCb
from bot.domain import forwarding, lifecycle, queries
from bot.domain.errors import WrongState
from bot.i18n import local_date
from bot.notify import cards, extra_cards
from bot.notify.actions import action
from bot.texts import department as td
from bot.texts import department_extra as tdx
from bot.texts import office as to
from handlers.office.forwarding import clear_card_later
from handlers.staff import Again, Press, Reply, on_press
from storage.models import Authority


def make_router(ours, explain) -> Router:
    """``ours(press)``: the question pressed on, if it is this department's (else refused)."""
    router = Router(name="department-forwarding")

    def button(name: str):
        return on_press(router, DeptCb, name, queries.dept_actor, explain)

    @button("forward")
    async def forward(press: Press) -> None:
        sub = await ours(press)
        lifecycle.check("respond", sub.status, press.actor)  # still this department's to settle
        found = await forwarding.authorities(press.db)
        if not found:
            await press.ask(td.prompt_forward(sub), "forward", sub.id)
            return
        choice = extra_cards.authority_choice(sub, found, "forward_authority")
        await press.show([*choice, [action(to.btn_back(), "department_card", sub.id)]])

    @button("forward_authority")
    async def forward_authority(press: Press) -> None:
        sub = await ours(press)
        lifecycle.check("forward", sub.status, press.actor)
        authority = await press.db.get(Authority, press.arg)
        if authority is None or not authority.active:
            raise WrongState("no such authority")
        card = [press.chat_id, press.query.message.message_id]
        await press.ask(
            tdx.prompt_forward_document(sub, authority),
            "dept_forward",
            sub.id,
            authority=authority.id,
            card=card,
        )

    @button("department_card")
    async def department_card(press: Press) -> None:
        sub = await ours(press)
        await press.show(cards.department_actions(sub))

    return router


async def reply_forward(reply: Reply) -> str:
    number, day, reason = forwarding.parse_reference(reply.needs_text())
    if not number or day is None:
        raise Again(tdx.forward_needs_document())
    if day > local_date(reply.now):
        raise Again(tdx.document_in_future())
    if not reason:
        raise Again(td.forward_needs_reason())
    sub = await forwarding.forward(
        reply.db,
        reply.target,
        reason=reason,
        actor=reply.actor,
        now=reply.now,
        authority_id=int(reply.pending["authority"]),
        doc_no=number,
        doc_date=day,
        department_id=reply.department.id,
    )
    clear_card_later(reply)
    return td.forwarded_done(sub, sub.forwarded_to or "", reply.who)


REPLIES = {"dept_forward": reply_forward}
