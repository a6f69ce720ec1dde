"""After a written response: the citizen rates it (1–5) or says it is not resolved, which reopens
it to the office (a fresh triage card in the office group). The question is asked by the deadline
tick (bot/ticks.py) with buttons ``fu:<submission id>:<1..5 | 0 = not resolved>``."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.directory import office_chat_id
from bot.i18n import use_locale
from bot.notify import cards
from bot.notify.outbox import enqueue
from bot.notify.ticks import RATE_PREFIX
from bot.settings import Settings
from bot.texts import notifications as tn
from storage.models import Channel, Citizen, Submission, SubmissionEvent, SubmissionStatus

log = logging.getLogger(__name__)
NOT_RESOLVED = 0


class FollowUp(CallbackData, prefix=RATE_PREFIX):
    sid: int
    v: int


class RatingRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "not_yours" | "already" | "not_responded"


async def rate(
    db: AsyncSession, submission_id: int, channel: str, chat_id: str, value: int, now: datetime
) -> Submission:
    """Record the citizen's rating (1–5), or reopen the question to the office (``value == 0``)."""
    if value not in range(0, 6):
        raise RatingRefused("unknown")
    sub = await db.get(Submission, submission_id)
    if sub is None:
        raise RatingRefused("unknown")
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is None or citizen.channel != channel or citizen.chat_id != str(chat_id):
        raise RatingRefused("not_yours")
    if sub.status != SubmissionStatus.RESPONDED:
        raise RatingRefused("not_responded")
    if sub.satisfaction is not None:
        raise RatingRefused("already")
    office = await office_chat_id(db)
    if value == NOT_RESOLVED:
        # Conditional on the status, so two presses reopen it once.
        done = await db.execute(
            update(Submission)
            .where(Submission.id == sub.id, Submission.status == SubmissionStatus.RESPONDED)
            .values(
                status=SubmissionStatus.RECEIVED,
                reopened_count=Submission.reopened_count + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise RatingRefused("already")
        await db.refresh(sub)
        db.add(SubmissionEvent(submission_id=sub.id, at=now, actor="citizen", action="reopened", detail={}))
        if office is not None:
            with use_locale(cards.GROUP_LOCALE):
                note = tn.reopened_office(sub)
            card, buttons = cards.render_triage_card(sub, sub.department, [], note=note)
            await enqueue(
                db,
                key=f"reopened:{sub.code}:{sub.reopened_count}",
                chat_id=office,
                purpose="triage_card",
                text=card,
                now=now,
                buttons=buttons,
                submission_id=sub.id,
            )
        return sub
    done = await db.execute(
        update(Submission)
        .where(Submission.id == sub.id, Submission.satisfaction.is_(None))
        .values(satisfaction=value, rated_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise RatingRefused("already")
    await db.refresh(sub)
    db.add(
        SubmissionEvent(
            submission_id=sub.id, at=now, actor="citizen", action="rated", detail={"value": value}
        )
    )
    if office is not None:
        with use_locale(cards.GROUP_LOCALE):
            text = tn.office_rated(sub, value)
        await enqueue(
            db,
            key=f"rated:{sub.code}",
            chat_id=office,
            purpose="rated",
            text=text,
            now=now,
            submission_id=sub.id,
        )
    return sub


def make_router(settings: Settings) -> Router:
    router = Router(name="followup")  # mounted under the private chats' router

    @router.callback_query(FollowUp.filter())
    async def on_rating(
        query: CallbackQuery,
        callback_data: FollowUp,
        db: AsyncSession,
        clock: Clock,
        locale: str | None = None,
    ) -> None:
        citizen_locale = await db.scalar(
            select(Citizen.locale).where(
                Citizen.channel == Channel.TELEGRAM, Citizen.chat_id == str(query.from_user.id)
            )
        )
        with use_locale(citizen_locale or locale):
            try:
                sub = await rate(
                    db,
                    callback_data.sid,
                    Channel.TELEGRAM,
                    str(query.from_user.id),
                    callback_data.v,
                    clock.now(),
                )
            except RatingRefused as exc:
                text = tn.already_rated() if exc.reason == "already" else tn.stale_button()
                await query.answer(text, show_alert=False)
                return
            reply = (
                tn.reopened_citizen(sub)
                if callback_data.v == NOT_RESOLVED
                else tn.rated_thanks(callback_data.v)
            )
        await db.commit()  # before the network calls (SQLite write lock)
        await query.answer(reply)
        if query.message is not None:
            try:
                await query.message.edit_reply_markup(reply_markup=None)
                await query.message.answer(reply)
            except (
                Exception
            ):  # the rating is recorded; a failed cosmetic edit is not an error for the citizen
                log.warning("followup: could not update the rating message", exc_info=True)

    return router
