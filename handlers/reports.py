"""/stats and /report in the office group.

    /stats                  the current half-year: the chart (PNG) with a short caption, then the figures
    /stats 2026H1 | 2026 | 01/01/2026-30/06/2026 | #3 (a session)
    /report 2026H1          the workbook (.xlsx) and the summary report (.docx), as documents
    /report                 offers the current reporting window (the directory's [reporting]) as a button

Guarded like the office router: only the registered office group (``OfficeChat``), only office staff or
admins (``StaffOnly``). The figures come from ``bot.metrics``; the files from ``bot.reports``.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram.filters import OfficeChat, StaffOnly
from bot.clock import Clock
from bot.conversation.split import split_text
from bot.domain import units
from bot.i18n import esc
from bot.reports import ScopeError, render, resolve
from bot.reports.metrics import ALL_FACTS, EXCEPTIONS, Report
from bot.settings import Settings
from bot.texts import reports as tr
from bot.texts import units as tu
from handlers.audit import REPORT_FILES, staff_access
from handlers.staff import refuse_event

log = logging.getLogger(__name__)
TEXT_LIMIT = 4000  # a Telegram message holds 4096 characters


async def _report_for(
    message: Message,
    db: AsyncSession,
    clock: Clock,
    args: str | None,
    usage: str,
    unit_id: int | None = None,
    facts: str = ALL_FACTS,
) -> Report | None:
    try:
        args, unit_ids = await _units_of(db, args, unit_id)
        report = await resolve(db, args, clock.now(), unit_ids, facts=facts)
    except ScopeError as exc:
        await db.rollback()
        await message.reply(esc(f"{exc}\n{usage}"))  # the error quotes what was typed
        return None
    await db.commit()  # nothing to write: end the read before the slow part
    if not report.sessions:
        await message.reply(tr.nothing_in_scope(report))
        return None
    return report


async def _units_of(db: AsyncSession, args: str | None, unit_id: int | None) -> tuple[str, list[int] | None]:
    """A deployment of many units: the office's unit and those below it, or the one unit named in the
    arguments by its code or its name (``/stats TD``, ``/stats 2026 Thạch Đài``: the office's own or
    one below it). The period's words hold a digit or no letter (``2026H1``, ``#3``, ``1/1/2026 -
    31/3/2026``, ``2026 .. 2027``); the others name the unit ("P. Cẩm Xuyên")."""
    words = (args or "").split()
    if unit_id is None:
        return " ".join(words), None
    mine = await units.subtree(db, unit_id)
    period = [w for w in words if _in_period(w)]
    named = " ".join(w for w in words if w not in period)
    if not named:
        return " ".join(words), mine
    choices = [u for u in await units.all_units(db) if u.id in mine]
    found = units.match_in(choices, named)
    if len(found) != 1:
        raise ScopeError(tu.unit_unknown(named, found or choices, several=bool(found)))
    return " ".join(period), await units.subtree(db, found[0].id)


def _in_period(word: str) -> bool:
    return any(c.isdigit() for c in word) or not any(c.isalpha() for c in word)


def make_router(settings: Settings) -> Router:
    router = Router(name="reports")
    router.message.filter(OfficeChat())
    guard = StaffOnly("office", settings, refuse_event)
    router.message.middleware(guard)

    @router.message(Command("stats"))
    async def stats(
        message: Message, command: CommandObject, db: AsyncSession, clock: Clock, unit_id: int | None = None
    ) -> None:
        # the figures and the overdue list: not every question's record
        usage = tr.usage_stats(units=unit_id is not None and len(await units.subtree(db, unit_id)) > 1)
        report = await _report_for(message, db, clock, command.args, usage, unit_id, EXCEPTIONS)
        if report is None:
            return
        try:
            files = await render(report, documents=False)
        except Exception:
            log.exception("could not draw the chart for /stats %r", command.args)
            for part in split_text(tr.stats_text(report) + tu.report_units(report.by_unit), TEXT_LIMIT):
                await message.reply(part)
            return
        await message.answer_photo(
            BufferedInputFile(files.chart, filename=files.chart_name), caption=tr.stats_caption(report)
        )
        # a province's figures with a row per unit run past one message
        for part in split_text(tr.stats_text(report) + tu.report_units(report.by_unit), TEXT_LIMIT):
            await message.answer(part)

    @router.message(Command("report"))
    async def report_files(
        message: Message, command: CommandObject, db: AsyncSession, clock: Clock, unit_id: int | None = None
    ) -> None:
        if not (command.args or "").strip():  # the deployment's current reporting window, as a button
            from handlers.office.reporting import offer_windows

            await offer_windows(message, db, clock.now())
            return
        report = await _report_for(message, db, clock, command.args, tr.usage_report(), unit_id)
        if report is None:
            return
        await message.reply(tr.working())
        try:
            files = await render(report)
        except Exception:
            log.exception("could not build the report files for /report %r", command.args)
            await message.reply(tr.failed())
            return
        # the files name the askers who allowed it and quote every question
        await staff_access(db, message, REPORT_FILES, command.args.strip(), clock.now())
        await db.commit()
        await message.answer_document(
            BufferedInputFile(files.workbook, filename=files.workbook_name),
            caption=tr.workbook_caption(report),
        )
        await message.answer_document(
            BufferedInputFile(files.document, filename=files.document_name),
            caption=tr.document_caption(report),
        )

    return router
