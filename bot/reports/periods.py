"""Reporting periods typed by staff or the operator: ``2026H1``, ``2026H2``, ``2026``, ``2026Q3``,
``2026-03`` (a month), ``2021-2025`` (several years, for the 5- and 10-year reviews),
``2026-01-01..2026-06-30`` or ``01/01/2026-30/06/2026`` (a date range).

``parse_period(text)`` returns a ``Period`` (first and last day, both inclusive) or raises
``PeriodError`` whose message says, in the reader's language, what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import Translator, current_locale, fmt_date

_ = Translator("reports")

MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodError(ValueError):
    """The text is not a period; ``str(error)`` is a sentence for the person who typed it."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # year | years | half | quarter | month | range | window
    year: int = 0
    part: int = 0  # the half (1, 2), quarter (1–4) or month (1–12)
    tag: str = ""  # a reporting window's code (bot/domain/reporting.py)
    names: tuple[str, str] = ("", "")  # a reporting window's name (vi, en)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def code(self) -> str:
        """A short name for file names: 2026H1, 2026, 2026Q3, 2026-03, 20260101-20260630."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "years":
            return f"{self.start.year}-{self.end.year}"
        if self.kind == "half":
            return f"{self.year}H{self.part}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.part}"
        if self.kind == "month":
            return f"{self.year}-{self.part:02d}"
        if self.kind == "window":
            return f"{self.tag}-{self.year}"
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def label(self) -> str:
        """In the current locale: "6 tháng đầu năm 2026", "năm 2026", "từ 01/01/2026 đến 30/06/2026"."""
        if self.kind == "year":
            return _("năm {year}").format(year=self.year)
        if self.kind == "years":
            return _("giai đoạn {first}–{last}").format(first=self.start.year, last=self.end.year)
        if self.kind == "half":
            text = _("6 tháng đầu năm {year}") if self.part == 1 else _("6 tháng cuối năm {year}")
            return text.format(year=self.year)
        if self.kind == "quarter":
            return _("quý {q} năm {year}").format(q=self.part, year=self.year)
        if self.kind == "month":
            return _("tháng {month}/{year}").format(month=self.part, year=self.year)
        if self.kind == "window":
            name = self.names[1] if current_locale() == "en" and self.names[1] else self.names[0]
            return _("{name} {year} (từ {start} đến {end})").format(
                name=name, year=self.year, start=fmt_date(self.start), end=fmt_date(self.end)
            )
        return _("từ {start} đến {end}").format(start=fmt_date(self.start), end=fmt_date(self.end))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year", year)


def years_period(first: int, last: int) -> Period:
    return Period(date(first, 1, 1), date(last, 12, 31), "years", first)


def half_period(year: int, half: int) -> Period:
    if half == 1:
        return Period(date(year, 1, 1), date(year, 6, 30), "half", year, 1)
    return Period(date(year, 7, 1), date(year, 12, 31), "half", year, 2)


def quarter_period(year: int, quarter: int) -> Period:
    first = date(year, 3 * quarter - 2, 1)
    return Period(first, _month_end(year, 3 * quarter), "quarter", year, quarter)


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month), "month", year, month)


def window_period(window) -> Period:
    """A reporting window of the deployment (bot/domain/reporting.py ``Window``) as a period."""
    return Period(
        window.start,
        window.end,
        "window",
        window.year,
        window.index,
        tag=window.code,
        names=(window.name_vi, window.name_en),
    )


def current_half(today: date) -> Period:
    return half_period(today.year, 1 if today.month <= 6 else 2)


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def usage() -> str:
    return _(
        "Kỳ báo cáo viết như sau: 2026H1 (6 tháng đầu năm), 2026H2 (6 tháng cuối năm), 2026 (cả năm), "
        "2026Q3 (quý), 2026-03 (tháng), 2021-2025 (nhiều năm), hoặc khoảng ngày 01/01/2026-30/06/2026."
    )


_YEAR = r"(\d{4})"
_DAY = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})"


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(_("Năm {year} không hợp lệ.").format(year=year) + " " + usage())
    return year


def _day(text: str) -> date:
    try:
        if "/" in text:
            d, m, y = (int(p) for p in text.split("/"))
        else:
            y, m, d = (int(p) for p in text.split("-"))
        return date(_year(str(y)), m, d)
    except ValueError:
        raise PeriodError(_("Ngày {day} không có thật.").format(day=text) + " " + usage()) from None


def parse_period(text: str | None) -> Period:
    value = re.sub(r"\s+", "", (text or "")).upper()
    if not value:
        raise PeriodError(usage())
    if m := re.fullmatch(_YEAR, value):
        return year_period(_year(m.group(1)))
    if m := re.fullmatch(_YEAR + r"-?([HS])([12])", value) or re.fullmatch(
        r"([HS])([12])[-/]?" + _YEAR, value
    ):
        groups = m.groups()
        year, which = (groups[0], groups[2]) if groups[0].isdigit() else (groups[2], groups[1])
        return half_period(_year(year), int(which))
    if m := re.fullmatch(_YEAR + r"(?:\.\.|–|—|-|_)" + _YEAR, value):
        first, last = _year(m.group(1)), _year(m.group(2))
        if last <= first:
            raise PeriodError(
                _("Năm kết thúc ({last}) phải sau năm bắt đầu ({first}).").format(first=first, last=last)
            )
        return years_period(first, last)
    if m := re.fullmatch(_YEAR + r"-?Q([1-4])", value):
        return quarter_period(_year(m.group(1)), int(m.group(2)))
    if m := re.fullmatch(_YEAR + r"-(\d{1,2})", value):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(_("Tháng {month} không hợp lệ.").format(month=month) + " " + usage())
        return month_period(_year(m.group(1)), month)
    if m := re.fullmatch(_DAY + r"(?:\.\.|–|—|-|_)" + _DAY, value):
        start, end = _day(m.group(1)), _day(m.group(2))
        if end < start:
            raise PeriodError(
                _("Ngày kết thúc ({end}) phải sau ngày bắt đầu ({start}).").format(
                    start=fmt_date(start), end=fmt_date(end)
                )
            )
        return Period(start, end, "range")
    raise PeriodError(
        _("Không hiểu kỳ báo cáo “{text}”.").format(text=(text or "").strip()[:40]) + " " + usage()
    )
