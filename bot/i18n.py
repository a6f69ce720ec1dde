"""Translations and locale-aware formatting.

Catalogs are gettext .po files under ``locales/<locale>/LC_MESSAGES/<domain>.po``, one domain per
audience (citizen, office, department, reports, …). Message ids are the Vietnamese text;
``vi`` and ``en`` catalogs are both complete. The .po files are read directly with Babel at first
use, so a fresh checkout needs no compile step.

The reader's locale travels in a context variable: ``with use_locale("en"): ...``.
"""

from __future__ import annotations

import contextlib
import functools
import html
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"

_locale: ContextVar[str] = ContextVar("doithoai_locale", default=DEFAULT_LOCALE)
_timezone_name = "Asia/Ho_Chi_Minh"

DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
TIME_PATTERN = "HH:mm"


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    if not code:
        return default
    short = code.replace("_", "-").split("-")[0].lower()
    return short if short in LOCALES else default


def current_locale() -> str:
    return _locale.get()


@contextlib.contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    token = _locale.set(normalize_locale(locale))
    try:
        yield _locale.get()
    finally:
        _locale.reset(token)


def set_timezone(name: str) -> None:
    """Set the deployment's timezone for date formatting (done once by the app factory)."""
    global _timezone_name
    ZoneInfo(name)  # fail early on a bad name
    _timezone_name = name


def timezone() -> ZoneInfo:
    return ZoneInfo(_timezone_name)


@cache
def _catalog(domain: str, locale: str) -> dict[str, str | tuple[str, ...]]:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        cat = read_po(fh, locale=locale)
    out: dict[str, str | tuple[str, ...]] = {}
    for msg in cat:
        if not msg.id or not msg.string or msg.fuzzy:
            continue
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        out[key] = msg.string
    return out


def reload_catalogs() -> None:
    _catalog.cache_clear()


def warm_up() -> None:
    """Read every catalog and the locales' date formats now (at start-up) rather than at the first
    message that needs them."""
    for path in LOCALES_DIR.glob("*/LC_MESSAGES/*.po"):
        _catalog(path.stem, path.parent.parent.name)
    now = datetime.now(UTC)
    for locale in LOCALES:
        fmt_datetime(now, locale)


class Translator:
    """``_ = Translator("citizen")`` then ``_("Xin chào")`` or ``_.n("1 tệp", "{n} tệp", n)``."""

    def __init__(self, domain: str) -> None:
        self.domain = domain

    def __call__(self, message: str) -> str:
        found = _catalog(self.domain, current_locale()).get(message)
        if isinstance(found, tuple):
            found = found[0]
        return found or message

    def n(self, singular: str, plural: str, n: int) -> str:
        found = _catalog(self.domain, current_locale()).get(singular)
        if isinstance(found, tuple):
            # Vietnamese has one plural form; English two.
            index = 0 if (current_locale() == "vi" or n == 1) else min(1, len(found) - 1)
            return found[index] or (singular if n == 1 else plural)
        if isinstance(found, str):
            return found
        return singular if n == 1 else plural


def esc(value: object) -> str:
    """Escape user-provided text for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def fmt_date(value: date | datetime, locale: str | None = None) -> str:
    """16/02/2027 in Vietnamese, 16 Feb 2027 in English; datetimes in the deployment's timezone."""
    loc = normalize_locale(locale or current_locale())
    if isinstance(value, datetime):
        value = value.astimezone(timezone()).date()
    return _format_day(value, loc)


@functools.lru_cache(maxsize=4096)
def _format_day(day: date, locale: str) -> str:
    """A few hundred distinct dates are ever formatted; a notice to thousands repeats the same ones."""
    return _babel_date(day, DATE_PATTERNS[locale], locale=locale)


def fmt_datetime(value: datetime, locale: str | None = None) -> str:
    """``08:00 16/02/2027`` (vi) / ``08:00, 16 Feb 2027`` (en), in the deployment's timezone."""
    loc = normalize_locale(locale or current_locale())
    local = value.astimezone(timezone())
    sep = " " if loc == "vi" else ", "
    time_part = _babel_datetime(local, TIME_PATTERN, tzinfo=timezone(), locale=loc)
    return f"{time_part}{sep}{fmt_date(local, loc)}"


def local_date(value: datetime) -> date:
    """The calendar date of an instant in the deployment's timezone."""
    return value.astimezone(timezone()).date()
