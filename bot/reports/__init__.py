"""Reports the office files: the chart (PNG), the workbook (.xlsx) and the summary document (.docx), all
drawn from one ``bot.reports.metrics.Report``.

    report = await resolve(db, "2026H1", now)        # or "2026", "01/01/2026-30/06/2026", "#3", None
    files = await render(report)                      # chart, workbook, document (in a worker thread)
    paths = await write_report(db, "2026H1", now, Path("out"))   # the command line

``resolve`` raises ``ScopeError`` (its text is a sentence for the person who typed the scope).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import current_locale, local_date, use_locale
from bot.reports import metrics
from bot.reports.metrics import Report
from bot.reports.periods import PeriodError, current_half, parse_period
from bot.texts import reports as tr


class ScopeError(ValueError):
    """The scope typed is neither a period nor a known session; ``str()`` says what to type."""


_SESSION = re.compile(r"^\s*#\s*(\d{1,9})\s*$|^\s*(\d{1,3})\s*$")


async def resolve(
    db: AsyncSession,
    text: str | None,
    now: datetime,
    unit_ids: list[int] | None = None,
    *,
    facts: str = metrics.ALL_FACTS,
) -> Report:
    """A period (``2026H1``, ``2026``, a date range; empty: the current half-year) or a session (``#3``).
    ``unit_ids``: the units covered (a deployment of many units; the first is the one reporting).
    ``facts``: ``metrics.EXCEPTIONS`` when only the figures and the late and overdue lists are needed
    (/stats), not every question's record (the workbook and the document)."""
    value = (text or "").strip()
    if not value:
        return await metrics.for_period(db, current_half(local_date(now)), now, unit_ids, facts=facts)
    m = _SESSION.match(value)
    if m:
        number = int(m.group(1) or m.group(2))
        report = await metrics.for_session(db, number, now, unit_ids, facts=facts)
        if report is None:
            raise ScopeError(tr.session_not_found(number))
        return report
    try:
        period = parse_period(value)
    except PeriodError as exc:
        raise ScopeError(str(exc)) from None
    return await metrics.for_period(db, period, now, unit_ids, facts=facts)


@dataclass
class Files:
    chart: bytes
    workbook: bytes
    document: bytes
    stem: str  # e.g. "bao-cao-2026H1"

    @property
    def chart_name(self) -> str:
        return f"{self.stem}.png"

    @property
    def workbook_name(self) -> str:
        return f"{self.stem}.xlsx"

    @property
    def document_name(self) -> str:
        return f"{self.stem}.docx"


def file_stem(report: Report) -> str:
    if report.session is not None:
        return f"bao-cao-hoi-nghi-{report.session.id}"
    return f"bao-cao-{report.period.code}" if report.period else "bao-cao"


def render_sync(report: Report, *, documents: bool = True) -> Files:
    """Draw the chart and (unless ``documents`` is False) build the workbook and the document."""
    from bot.reports.chart import render_chart
    from bot.reports.document import build_document
    from bot.reports.workbook import build_workbook

    chart = render_chart(report)
    if not documents:
        return Files(chart, b"", b"", file_stem(report))
    return Files(chart, build_workbook(report), build_document(report, chart), file_stem(report))


async def render(report: Report, *, documents: bool = True) -> Files:
    """``render_sync`` in a worker thread (matplotlib takes a moment), in the caller's locale."""
    locale = current_locale()

    def work() -> Files:
        with use_locale(locale):
            return render_sync(report, documents=documents)

    return await asyncio.to_thread(work)


async def write_report(
    db: AsyncSession, scope: str, now: datetime, out_dir: Path, unit_ids: list[int] | None = None
) -> list[Path]:
    """The command line: build the files for a period (or ``#session``) and write them into ``out_dir``
    (``unit_ids``: a unit and those below it, as its office's ``/report`` would)."""
    report = await resolve(db, scope, now, unit_ids)
    files = await render(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in (
        (files.workbook_name, files.workbook),
        (files.document_name, files.document),
        (files.chart_name, files.chart),
    ):
        path = out_dir / name
        path.write_bytes(content)
        paths.append(path)
    return paths
