"""The deployment's reporting windows in the office group: ``/report`` without an argument offers the
current window (and the one just past) as buttons; a press builds that window's workbook and report.
The tick reminds the office five working days before each window's due date, with the same button."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.callbacks import OfficeCb, markup
from bot.domain import queries, reporting
from bot.domain.errors import WrongState
from bot.i18n import local_date
from bot.notify import extra_cards
from bot.reports import metrics, render
from bot.reports.periods import window_period
from bot.texts import office_extra as tx
from bot.texts import reports as tr
from handlers.staff import Press, on_press

log = logging.getLogger(__name__)


async def offer_windows(message: Message, db: AsyncSession, now) -> None:
    """``/report`` alone: the current reporting window (and the last one) as buttons."""
    found = await reporting.load(db)
    past, current = found.around(local_date(now))
    await db.commit()
    windows = [current] + ([past] if past is not None else [])
    await message.reply(
        tx.report_offer(current) + "\n\n" + tr.usage_report(),
        reply_markup=markup(extra_cards.window_choice(windows)),
    )


async def send_report(bot: Bot, chat_id: int, report: metrics.Report) -> None:
    await bot.send_message(chat_id, tr.working())
    try:
        files = await render(report)
    except Exception:
        log.exception("could not build the report files for %s", tr.scope_label(report))
        await bot.send_message(chat_id, tr.failed())
        return
    await bot.send_document(
        chat_id,
        BufferedInputFile(files.workbook, filename=files.workbook_name),
        caption=tr.workbook_caption(report),
    )
    await bot.send_document(
        chat_id,
        BufferedInputFile(files.document, filename=files.document_name),
        caption=tr.document_caption(report),
    )


def make_router() -> Router:
    router = Router(name="office-reporting")

    @on_press(router, OfficeCb, "report_window", queries.office_actor)
    async def report_window(press: Press) -> None:
        window = (await reporting.load(press.db)).at(press.arg, press.id)
        if window is None:
            raise WrongState("no such reporting window")
        report = await metrics.for_period(press.db, window_period(window), press.now)
        await press.db.commit()
        await press.query.answer()
        if not report.sessions:
            await press.query.message.reply(tr.nothing_in_scope(report))
            return
        await send_report(press.bot, press.chat_id, report)

    return router
