"""A citizen's press on the rating question (sent by the deadline tick after an answer): 1–5 stars, or
"not resolved", which reopens the question to the office (bot/domain/followup.py)."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import CitizenCb
from bot.clock import Clock
from bot.domain import followup, lifecycle
from bot.i18n import use_locale
from bot.settings import Settings
from bot.texts import citizen as tc
from bot.texts import citizen_extra as tce
from storage.models import Channel, Citizen

log = logging.getLogger(__name__)


async def _rate(
    query: CallbackQuery, callback_data: CitizenCb, db: AsyncSession, clock: Clock, value: int
) -> None:
    chat_id = str(query.from_user.id)
    locale = await db.scalar(
        select(Citizen.locale).where(Citizen.channel == Channel.TELEGRAM, Citizen.chat_id == chat_id)
    )
    with use_locale(locale):
        try:
            sub = await followup.rate(db, callback_data.id, Channel.TELEGRAM, chat_id, value, clock.now())
        except followup.RatingRefused as exc:
            await db.rollback()
            if exc.reason == "too_late":  # "not resolved" after an answer at the session: 7 days
                days = lifecycle.REOPEN_WITHIN_DAYS["answered_at_session"]
                await query.answer(tce.reopen_too_late(days), show_alert=True)
                return
            await query.answer(tc.already_rated() if exc.reason == "already" else tc.stale_button())
            return
        # reopening: every asker (this one too) hears it through the outbox, with the new date
        reply = tc.rated_thanks(value) if value else tc.reopened(sub)
    await db.commit()  # before the network calls
    await query.answer(reply)
    if query.message is not None:
        try:
            await query.message.edit_reply_markup(reply_markup=None)
            if value:
                await query.message.answer(reply)
        except Exception:  # the rating is recorded; a failed cosmetic edit is not an error for the citizen
            log.warning("followup: could not update the rating message", exc_info=True)


def make_router(settings: Settings) -> Router:
    router = Router(name="followup")  # mounted under the private chats' router

    @router.callback_query(CitizenCb.filter(F.action == "rate"))
    async def rate(query: CallbackQuery, callback_data: CitizenCb, db: AsyncSession, clock: Clock) -> None:
        await _rate(query, callback_data, db, clock, callback_data.arg)

    @router.callback_query(CitizenCb.filter(F.action == "not_resolved"))
    async def not_resolved(
        query: CallbackQuery, callback_data: CitizenCb, db: AsyncSession, clock: Clock
    ) -> None:
        await _rate(query, callback_data, db, clock, followup.NOT_RESOLVED)

    return router
