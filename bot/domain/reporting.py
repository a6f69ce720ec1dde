"""The deployment's reporting windows and the report's issuer, from the directory's ``[reporting]``
(bot/domain/directory.py stores it). The plans ask for a 6-month and an annual report, each due before
a cut-off date the deployment sets ("trước ngày 15/6 và trước ngày 10/12" in 001 §III; "trước ngày
15/6 … trước ngày 25/11" in 003 §III): each window covers ``start``–``end`` (month-days; ``end``
defaults to the day before ``due``; a ``start`` after ``end`` is in the year before) and is due
before ``due``. As in the State's reporting regime (Decree 09/2019: figures from the day after the
last annual cut-off), the windows start the day after the previous annual cut-off, so no session
falls between two reports. The office is reminded ``REMIND_WORKING_DAYS`` working days before each
due date; ``/report`` offers the current window (the next one due).

Without ``[reporting]`` the defaults follow 001: a 6-month report on 10/12 (of the year before)–14/06
due 15/06, and an annual report on 10/12–09/12 due 10/12, issued by the People's Committee.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.directory import get_config

REMIND_WORKING_DAYS = 5

DEFAULT_WINDOWS: list[dict[str, Any]] = [
    {"code": "H1", "name_vi": "6 tháng đầu năm", "name_en": "first half of the year", "start": "12-10",
     "end": "06-14", "due": "06-15"},
    {"code": "YEAR", "name_vi": "năm", "name_en": "the year", "start": "12-10", "end": "12-09",
     "due": "12-10"},
]  # fmt: skip


@dataclass(frozen=True)
class Window:
    code: str
    name_vi: str
    name_en: str
    start: date
    end: date  # inclusive: the figures' cut-off
    due: date  # the report is due before this day
    year: int  # the year of the due date
    index: int = 0  # its place among the deployment's windows

    @property
    def key(self) -> str:
        return f"{self.code}:{self.year}"


@dataclass
class Issuer:
    """Who issues and signs the report (Decree 30/2020: the header's issuing body and the signature)."""

    kind: str = "committee"  # committee (UBND) | party (Đảng ủy)
    name: str | None = None  # default: the unit's name
    parent: str | None = None  # the body above, the header's first line
    place: str | None = None  # the date line's place
    signature: list[str] = field(default_factory=list)  # e.g. ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    signer: str | None = None
    abbreviation: str | None = None  # in the number: BC-UBND / BC/ĐU
    dan_van: str | None = None  # the Dân vận committee, among the recipients
    recipients: list[str] = field(default_factory=list)
    archive: str | None = None  # "Lưu: VT, VP."


@dataclass
class Reporting:
    issuer: Issuer
    windows: list[dict[str, Any]]

    def windows_due_in(self, year: int) -> list[Window]:
        return [_window(w, year, i) for i, w in enumerate(self.windows)]

    def around(self, today: date) -> tuple[Window | None, Window]:
        """(the last window already due, the current one: the next due on or after today)."""
        found = sorted(
            (w for year in (today.year - 1, today.year, today.year + 1) for w in self.windows_due_in(year)),
            key=lambda w: w.due,
        )
        current = next(w for w in found if w.due >= today)
        past = [w for w in found if w.due < today]
        return (past[-1] if past else None), current

    def find(self, code: str, year: int) -> Window | None:
        return next((w for w in self.windows_due_in(year) if w.code == code), None)

    def at(self, index: int, year: int) -> Window | None:
        found = self.windows_due_in(year)
        return found[index] if 0 <= index < len(found) else None


def _md(value: str, year: int) -> date:
    month, day = (int(p) for p in value.split("-"))
    if month == 2 and day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def _window(spec: dict[str, Any], year: int, index: int = 0) -> Window:
    due = _md(spec["due"], year)
    end = _md(spec["end"], year) if spec.get("end") else due - timedelta(days=1)
    if end > due:
        end = _md(spec["end"], year - 1)
    start = _md(spec.get("start") or "01-01", end.year)
    if start > end:
        start = _md(spec.get("start") or "01-01", end.year - 1)
    name_en = spec.get("name_en") or spec["name_vi"]
    return Window(spec["code"], spec["name_vi"], name_en, start, end, due, year, index)


async def load(db: AsyncSession) -> Reporting:
    raw = await get_config(db, "reporting")
    data: dict[str, Any] = json.loads(raw) if raw else {}
    issuer = Issuer(
        kind=data.get("issuer") or "committee",
        name=data.get("issuer_name"),
        parent=data.get("parent_name"),
        place=data.get("place"),
        signature=list(data.get("signature") or []),
        signer=data.get("signer"),
        abbreviation=data.get("abbreviation"),
        dan_van=data.get("dan_van"),
        recipients=list(data.get("recipients") or []),
        archive=data.get("archive"),
    )
    return Reporting(issuer, list(data.get("windows") or DEFAULT_WINDOWS))
