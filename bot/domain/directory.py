"""The deployment's directory: office group, departments, topics, staff and calendar, from TOML; and,
optionally, the competent authorities questions are forwarded to (``[[authorities]]``,
``[forwarding]``) and the reporting windows and the report's issuer (``[reporting]``).

Loading is idempotent: reloading a file updates rows (matched by code / user id / date) instead of
adding duplicates; the staff it lists are then as it lists them (moved, or removed when no longer
listed), those added in chat kept. A bad file raises ``DirectoryError`` naming the line and the field
(and the unit, in a province's file); a field the loader does not know is refused, not ignored.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.text import fold
from storage import readcache
from storage.models import AppConfig, Authority, CalendarDay, Department, Staff, StaffRole, Topic, Unit

CODE_RE = re.compile(r"^[A-Z0-9_]{2,32}$")

# The fields each table may have: anything else (a misspelt ``parnet``) is refused, never ignored.
SINGLE_TABLES = {
    "unit",
    "departments",
    "topics",
    "staff",
    "calendar",
    "authorities",
    "forwarding",
    "reporting",
}
PROVINCE_TABLES = {"units", "calendar", "authorities", "forwarding", "reporting"}
UNIT_FIELDS = {"name_vi", "name_en", "code_prefix", "office_chat_id"}
UNITS_FIELDS = UNIT_FIELDS | {"code", "level", "parent", "days_off", "departments", "topics", "staff"}
DEPARTMENT_FIELDS = {"code", "name_vi", "name_en", "chat_id", "keywords"}
TOPIC_FIELDS = {"code", "name_vi", "name_en", "department"}
STAFF_FIELDS = {"user_id", "name", "role", "department"}
CALENDAR_FIELDS = {"days_off", "working_days"}
DAY_FIELDS = {"date", "note"}
AUTHORITY_FIELDS = {"code", "name_vi", "name_en", "chat_id", "follow_up_working_days"}
FORWARDING_FIELDS = {"follow_up_working_days"}
REPORTING_FIELDS = {
    "issuer", "issuer_name", "parent_name", "place", "signer", "dan_van", "archive", "abbreviation",
    "signature", "recipients", "windows",
}  # fmt: skip
WINDOW_FIELDS = {"code", "name_vi", "name_en", "start", "end", "due"}


class DirectoryError(ValueError):
    pass


@dataclass
class LoadReport:
    units: int = 0
    departments: int = 0
    topics: int = 0
    staff: int = 0
    calendar_days: int = 0
    authorities: int = 0
    warnings: list[str] = field(default_factory=list)
    staff_removed: list[str] = field(default_factory=list)  # "6000102 Trần Văn Bình (TD DIA_CHINH)"
    staff_kept: int = 0  # added in chat (/add_staff), not in the file: left as they are
    unit_codes: dict[int, str] = field(default_factory=dict)  # a province's file: unit id → code


def _hint(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(sorted(known))})"


def _line_of(text: str, needle: str, occurrence: int = 0) -> int | None:
    """Best-effort line number of the n-th occurrence of a table header like ``[[topics]]``."""
    count = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == needle:
            count += 1
            if count == occurrence:
                return number
    return None


class _Checker:
    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path

    def fail(self, table: str, index: int | None, key: str, problem: str) -> DirectoryError:
        where = self.path
        if index is not None:
            line = _line_of(self.text, f"[[{table}]]", index)
            where += f", line {line}" if line else ""
            where += f", [[{table}]] #{index + 1}"
        else:
            line = _line_of(self.text, f"[{table}]")
            where += f", line {line}" if line else ""
            where += f", [{table}]"
        return DirectoryError(f"{where}: field '{key}': {problem}")

    def known(self, item: dict, table: str, index: int | None, fields: set[str]) -> None:
        """Refuse a field the loader does not read: misspelt, it would silently change nothing."""
        for key in item:
            if key not in fields:
                raise self.fail(table, index, key, "is not a known field" + _hint(key, fields))

    def tables(self, data: dict, table: str, fields: set[str], key: str | None = None) -> list[dict]:
        """``[[table]]``'s items (``data[key]``, by default ``data[table]``), each a table with only
        known fields."""
        items = data.get(key or table, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise self.fail(table, None, table, f"must be a list of [[{table}]] tables")
        for i, item in enumerate(items):
            self.known(item, table, i, fields)
        return items

    def text_field(
        self,
        item: dict,
        table: str,
        index: int | None,
        key: str,
        *,
        required: bool = True,
        max_len: int = 200,
    ) -> str:
        value = item.get(key)
        if value is None:
            if required:
                raise self.fail(table, index, key, "is missing")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(table, index, key, "must be a non-empty text")
        if len(value) > max_len:
            raise self.fail(table, index, key, f"is longer than {max_len} characters")
        return value.strip()

    def chat_id(self, item: dict, table: str, index: int | None, key: str) -> int | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(
                table, index, key, "must be a whole number (a Telegram chat id, e.g. -1001234567890)"
            )
        return value

    def code(self, item: dict, table: str, index: int, key: str = "code") -> str:
        value = self.text_field(item, table, index, key, max_len=32)
        if not CODE_RE.match(value):
            raise self.fail(table, index, key, "must be 2–32 capital letters, digits or _ (e.g. DIA_CHINH)")
        return value


def parse(text: str, path: str = "<directory>") -> dict[str, Any]:
    """Parse and validate; returns a normalised dict. Raises DirectoryError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DirectoryError(f"{path}: not valid TOML: {exc}") from exc
    check = _Checker(text, path)
    _known_tables(text, path, data, PROVINCE_TABLES if "units" in data else SINGLE_TABLES)
    if "units" in data:
        return _parse_units(data, check)
    unit = data.get("unit", {})
    if not isinstance(unit, dict):
        raise check.fail("unit", None, "unit", "must be a table")
    check.known(unit, "unit", None, UNIT_FIELDS)
    out: dict[str, Any] = {
        "unit": {
            "name_vi": check.text_field(unit, "unit", None, "name_vi"),
            "name_en": check.text_field(unit, "unit", None, "name_en", required=False),
            "code_prefix": check.text_field(unit, "unit", None, "code_prefix", required=False, max_len=4),
            "office_chat_id": check.chat_id(unit, "unit", None, "office_chat_id"),
        }
    }
    prefix = out["unit"]["code_prefix"]
    if prefix and not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise check.fail("unit", None, "code_prefix", "must be 2–4 capital letters (e.g. HT)")
    out.update(_body(data, check))
    out["authorities"] = _authorities(data, check)
    out["forwarding"] = _forwarding(data, check)
    out["reporting"] = _reporting(data, check)
    return out


def _known_tables(text: str, path: str, data: dict, known: set[str]) -> None:
    """The file's own tables and fields: a province's file has ``[[units]]`` instead of ``[unit]``
    and the top-level ``[[departments]]``…, which belong inside each unit there."""
    for key in data:
        if key in known:
            continue
        pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(key)}\s*[\].]|{re.escape(key)}\s*=)")
        line = next((n for n, row in enumerate(text.splitlines(), 1) if pattern.match(row)), None)
        where = f"{path}, line {line}" if line else path
        inside = " (in a file of [[units]], it belongs inside each unit)" if key in SINGLE_TABLES else ""
        raise DirectoryError(f"{where}: '{key}' is not a known table or field{inside or _hint(key, known)}")


LEVELS = ("province", "district", "commune", "ward")
# The tiers (2025's two-level local government: the province, then its communes and wards; the older
# district between them still possible): the levels a unit's parent may have.
PARENT_LEVELS = {"province": (), "district": ("province",), "commune": ("province", "district")}
PARENT_LEVELS["ward"] = PARENT_LEVELS["commune"]


class _UnitChecker(_Checker):
    """Inside ``[[units]]`` #``index``: errors name the unit, and the line of its own nested table
    (``[[units.departments]]``…, counted across the whole file)."""

    def __init__(self, text: str, path: str, index: int, code: str, offsets: dict[str, int]) -> None:
        super().__init__(text, path)
        self.index, self.unit_code, self.offsets = index, code, offsets

    def fail(self, table: str, index: int | None, key: str, problem: str) -> DirectoryError:
        if index is None:  # the unit's own fields, and its calendar
            key = key if table in ("unit", key) else f"{table}.{key}"
            error = super().fail("units", self.index, key, problem)
        else:
            error = super().fail(f"units.{table}", index + self.offsets.get(table, 0), key, problem)
        return DirectoryError(f"{self.path}, unit '{self.unit_code}'{str(error)[len(self.path) :]}")


def _parse_units(data: dict, check: _Checker) -> dict[str, Any]:
    """A province's file: ``[[units]]``, each with its own departments, topics, staff and days off
    (``[[units.departments]]``…), the province's ``[calendar]``, authorities and reporting."""
    items = data["units"]
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise check.fail("units", None, "units", "must be a list of [[units]] tables")
    offsets: dict[str, int] = {}
    units, checks, seen_codes, prefixes, chats, office_staff = [], [], {}, {}, {}, {}
    for i, item in enumerate(items):
        code = check.code(item, "units", i)
        unit_check = _UnitChecker(check.text, check.path, i, code, dict(offsets))
        if code in seen_codes:
            raise unit_check.fail(
                "unit", None, "code", f"'{code}' appears twice (also [[units]] #{seen_codes[code] + 1})"
            )
        seen_codes[code] = i
        unit_check.known(item, "unit", None, UNITS_FIELDS)
        level = item.get("level", "commune")
        if level not in LEVELS:
            raise unit_check.fail("unit", None, "level", "must be " + ", ".join(f'"{x}"' for x in LEVELS))
        prefix = unit_check.text_field(item, "unit", None, "code_prefix", max_len=4)
        if not re.fullmatch(r"[A-Z]{2,4}", prefix):
            raise unit_check.fail("unit", None, "code_prefix", "must be 2–4 capital letters (e.g. TD)")
        if prefix in prefixes:
            raise unit_check.fail(
                "unit", None, "code_prefix", f"'{prefix}' is also unit '{prefixes[prefix]}'s"
            )
        prefixes[prefix] = code
        unit = {
            "code": code,
            "name_vi": unit_check.text_field(item, "unit", None, "name_vi"),
            "name_en": unit_check.text_field(item, "unit", None, "name_en", required=False),
            "level": level,
            "parent": item.get("parent"),
            "code_prefix": prefix,
            "office_chat_id": unit_check.chat_id(item, "unit", None, "office_chat_id"),
        }
        body = _body({**item, "calendar": {"days_off": item.get("days_off", [])}}, unit_check)
        unit["days_off"] = sorted({day.isoformat() for day, kind, _ in body.pop("calendar") if kind == "off"})
        groups = [("unit", None, "office_chat_id", unit["office_chat_id"], f"unit '{code}'s office group")]
        for j, dept in enumerate(body["departments"]):
            groups.append(
                ("departments", j, "chat_id", dept["chat_id"], f"unit '{code}'s {dept['code']} group")
            )
        for table, j, key, chat, owner in groups:
            if chat is not None and chats.setdefault(chat, owner) != owner:
                raise unit_check.fail(table, j, key, f"chat {chat} is also {chats[chat]}")
        for j, member in enumerate(body["staff"]):
            if member["role"] == StaffRole.OFFICE:
                other = office_staff.setdefault(member["user_id"], code)
                if other != code:
                    raise unit_check.fail("staff", j, "user_id", f"already office staff of unit '{other}'")
        unit.update(body)
        units.append(unit)
        checks.append(unit_check)
        for table in ("departments", "topics", "staff"):
            offsets[table] = offsets.get(table, 0) + len(item.get(table, []))
    _check_tiers(units, checks)
    root = next((u for u in units if u["parent"] is None), units[0])
    out: dict[str, Any] = {
        "unit": {k: root[k] for k in ("name_vi", "name_en", "code_prefix", "office_chat_id")},
        "units": units,
        "calendar": _body({"calendar": data.get("calendar", {})}, check)["calendar"],
    }
    out["authorities"] = _authorities(data, check)
    out["forwarding"] = _forwarding(data, check)
    out["reporting"] = _reporting(data, check)
    return out


def _check_tiers(units: list[dict[str, Any]], checks: list[_UnitChecker]) -> None:
    """Parents name other units of the file, without a loop; a province is the top; a commune or
    ward is below a province or district, never below another commune or ward; and where units name
    parents, one unit alone is at the top (the province, whose office the others hand questions up to)."""
    by_code = {u["code"]: u for u in units}
    for unit, check in zip(units, checks, strict=True):
        parent = unit["parent"]
        if parent is not None and (
            not isinstance(parent, str) or parent not in by_code or parent == unit["code"]
        ):
            raise check.fail("unit", None, "parent", f"'{parent}' is not another unit's code in this file")
    for unit, check in zip(units, checks, strict=True):
        chain, parent = [unit["code"]], unit["parent"]
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = by_code[parent]["parent"]
        if parent == unit["code"]:
            loop = " → ".join(chain + [parent])
            raise check.fail("unit", None, "parent", f"the parents go round in a loop ({loop})")
    provinces = [u["code"] for u in units if u["level"] == "province"]
    roots = [u["code"] for u in units if u["parent"] is None]
    for unit, check in zip(units, checks, strict=True):
        code, level, parent = unit["code"], unit["level"], unit["parent"]
        if level == "province" and provinces[0] != code:
            raise check.fail(
                "unit", None, "level", f"'{provinces[0]}' is already the province: a file has one"
            )
        if parent is None:
            if len(roots) < len(units) and roots[0] != code:
                raise check.fail(
                    "unit", None, "parent",
                    f"is missing: '{roots[0]}' is already the top unit (every other unit names its parent)",
                )  # fmt: skip
            continue
        if level == "province":
            raise check.fail("unit", None, "parent", "a province is the top unit: it has no parent")
        above = by_code[parent]["level"]
        if above not in PARENT_LEVELS[level]:
            allowed = " or ".join(f"a {x}" for x in PARENT_LEVELS[level])
            raise check.fail(
                "unit", None, "parent", f"'{parent}' is a {above}: a {level}'s parent is {allowed}"
            )


def _body(data: dict, check: _Checker) -> dict[str, Any]:
    """A unit's departments, topics, staff and calendar."""
    out: dict[str, Any] = {}
    departments = []
    seen: set[str] = set()
    for i, item in enumerate(check.tables(data, "departments", DEPARTMENT_FIELDS)):
        code = check.code(item, "departments", i)
        if code in seen:
            raise check.fail("departments", i, "code", f"'{code}' appears twice")
        seen.add(code)
        keywords = item.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            raise check.fail("departments", i, "keywords", "must be a list of texts")
        departments.append(
            {
                "code": code,
                "name_vi": check.text_field(item, "departments", i, "name_vi"),
                "name_en": check.text_field(item, "departments", i, "name_en"),
                "chat_id": check.chat_id(item, "departments", i, "chat_id"),
                "keywords": [k.strip() for k in keywords],
            }
        )
    out["departments"] = departments

    topics = []
    topic_codes: set[str] = set()
    for i, item in enumerate(check.tables(data, "topics", TOPIC_FIELDS)):
        code = check.code(item, "topics", i)
        if code in topic_codes:
            raise check.fail("topics", i, "code", f"'{code}' appears twice")
        topic_codes.add(code)
        dept = item.get("department")
        if dept is not None and dept not in seen:
            raise check.fail("topics", i, "department", f"'{dept}' is not a department code in this file")
        topics.append(
            {
                "code": code,
                "name_vi": check.text_field(item, "topics", i, "name_vi"),
                "name_en": check.text_field(item, "topics", i, "name_en"),
                "department": dept,
                "sort_order": i,
            }
        )
    out["topics"] = topics

    staff = []
    for i, item in enumerate(check.tables(data, "staff", STAFF_FIELDS)):
        user_id = item.get("user_id")
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
            raise check.fail("staff", i, "user_id", "must be a positive whole number (a Telegram user id)")
        role = item.get("role")
        if role not in (StaffRole.OFFICE, StaffRole.DEPARTMENT):
            raise check.fail("staff", i, "role", 'must be "office" or "department"')
        dept = item.get("department")
        if role == StaffRole.DEPARTMENT and dept not in seen:
            raise check.fail("staff", i, "department", "must name a department code in this file")
        staff.append(
            {
                "user_id": user_id,
                "name": check.text_field(item, "staff", i, "name", required=False),
                "role": role,
                "department": dept if role == StaffRole.DEPARTMENT else None,
            }
        )
    out["staff"] = staff

    calendar = data.get("calendar", {})
    if not isinstance(calendar, dict):
        raise check.fail("calendar", None, "calendar", "must be a table")
    check.known(calendar, "calendar", None, CALENDAR_FIELDS)
    days: list[tuple[dt.date, str, str]] = []
    for key, kind in (("days_off", "off"), ("working_days", "work")):
        entries = calendar.get(key, [])
        if not isinstance(entries, list):
            raise check.fail("calendar", None, key, "must be a list of dates like [2026-09-01]")
        for j, entry in enumerate(entries):
            for extra in set(entry) - DAY_FIELDS if isinstance(entry, dict) else ():
                problem = "is not a known field" + _hint(extra, DAY_FIELDS)
                raise check.fail("calendar", None, f"{key}[{j}].{extra}", problem)
            day = entry.get("date") if isinstance(entry, dict) else entry
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise check.fail("calendar", None, f"{key}[{j}]", "must be a date like 2026-09-01")
            note = entry.get("note", "") if isinstance(entry, dict) else ""
            days.append((day, kind, str(note)[:200]))
    out["calendar"] = days
    return out


def _whole(check: _Checker, item: dict, table: str, index: int | None, key: str, low: int, high: int):
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise check.fail(table, index, key, f"must be a whole number from {low} to {high}")
    return value


def _authorities(data: dict, check: _Checker) -> list[dict[str, Any]]:
    """``[[authorities]]``: the competent levels questions beyond local authority are forwarded to."""
    out, seen = [], set()
    for i, item in enumerate(check.tables(data, "authorities", AUTHORITY_FIELDS)):
        code = check.code(item, "authorities", i)
        if code in seen:
            raise check.fail("authorities", i, "code", f"'{code}' appears twice")
        seen.add(code)
        out.append(
            {
                "code": code,
                "name_vi": check.text_field(item, "authorities", i, "name_vi"),
                "name_en": check.text_field(item, "authorities", i, "name_en", required=False),
                "chat_id": check.chat_id(item, "authorities", i, "chat_id"),
                "follow_up_days": _whole(check, item, "authorities", i, "follow_up_working_days", 1, 365),
            }
        )
    return out


def _forwarding(data: dict, check: _Checker) -> dict[str, Any]:
    table = data.get("forwarding", {})
    if not isinstance(table, dict):
        raise check.fail("forwarding", None, "forwarding", "must be a table")
    check.known(table, "forwarding", None, FORWARDING_FIELDS)
    return {"follow_up_days": _whole(check, table, "forwarding", None, "follow_up_working_days", 1, 365)}


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def _month_day(check: _Checker, item: dict, index: int, key: str, required: bool) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    m = _MONTH_DAY.match(value) if isinstance(value, str) else None
    try:
        ok = m is not None and dt.date(2024, int(m.group(1)), int(m.group(2))) is not None
    except ValueError:
        ok = False
    if not ok:
        raise check.fail("reporting.windows", index, key, 'must be a month and day like "06-15"')
    return value


def _reporting(data: dict, check: _Checker) -> dict[str, Any] | None:
    """``[reporting]``: who issues the report, its recipients, and the reporting windows with their
    cut-off dates (a file without it keeps the defaults of bot/domain/reporting.py)."""
    table = data.get("reporting")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise check.fail("reporting", None, "reporting", "must be a table")
    check.known(table, "reporting", None, REPORTING_FIELDS)
    issuer = table.get("issuer", "committee")
    if issuer not in ("committee", "party"):
        raise check.fail("reporting", None, "issuer", '"committee" (UBND) or "party" (Đảng ủy)')
    out: dict[str, Any] = {"issuer": issuer}
    for key in ("issuer_name", "parent_name", "place", "signer", "dan_van", "archive", "abbreviation"):
        out[key] = check.text_field(table, "reporting", None, key, required=False) or None
    for key in ("signature", "recipients"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise check.fail("reporting", None, key, "must be a list of texts")
        out[key] = [v.strip()[:200] for v in value]
    windows = []
    for i, item in enumerate(check.tables(table, "reporting.windows", WINDOW_FIELDS, "windows")):
        code = check.code(item, "reporting.windows", i)
        windows.append(
            {
                "code": code,
                "name_vi": check.text_field(item, "reporting.windows", i, "name_vi"),
                "name_en": check.text_field(item, "reporting.windows", i, "name_en", required=False),
                "start": _month_day(check, item, i, "start", False) or "01-01",
                "end": _month_day(check, item, i, "end", False),
                "due": _month_day(check, item, i, "due", True),
            }
        )
    if len({w["code"] for w in windows}) != len(windows):
        raise check.fail("reporting", None, "windows", "two windows have the same code")
    out["windows"] = windows
    return out


async def _set_config(db: AsyncSession, key: str, value: str) -> None:
    row = await db.get(AppConfig, key)
    if row is None:
        db.add(AppConfig(key=key, value=value))
    else:
        row.value = value


async def get_config(db: AsyncSession, key: str) -> str | None:
    """A deployment setting (office chat, code prefix…), from a short-lived copy of all of them."""

    async def load() -> dict[str, str]:
        return {row.key: row.value for row in await db.scalars(select(AppConfig))}

    return (await readcache.cached(db.bind, "app_config", load)).get(key)


async def office_chat_id(db: AsyncSession) -> int | None:
    value = await get_config(db, "office_chat_id")
    return int(value) if value else None


async def apply(db: AsyncSession, data: dict[str, Any], now: dt.datetime) -> LoadReport:
    report = LoadReport()
    unit = data["unit"]
    await _set_config(db, "unit_name_vi", unit["name_vi"])
    await _set_config(db, "unit_name_en", unit["name_en"] or unit["name_vi"])
    if unit["code_prefix"]:
        await _set_config(db, "code_prefix", unit["code_prefix"])
    if unit["office_chat_id"] is not None:
        await _set_config(db, "office_chat_id", str(unit["office_chat_id"]))
    if data.get("units"):
        staff = await _apply_units(db, data["units"], data["calendar"], now, report)
    else:
        staff = await _apply_body(db, data, None, now, report)
    await _apply_staff(db, staff, now, report)
    await _apply_more(db, data, report)
    await db.flush()
    return report


def _in_unit(column: Any, unit_id: int | None) -> Any:
    return column.is_(None) if unit_id is None else column == unit_id


# A staff row as the file lists it: (its item in the file, its unit's id, its department's id).
_Listed = tuple[dict[str, Any], int | None, int | None]


async def _apply_body(
    db: AsyncSession, data: dict[str, Any], unit_id: int | None, now: dt.datetime, report: LoadReport
) -> list[_Listed]:
    """One unit's departments and topics (``unit_id`` None: the single-unit file), and the calendar's
    days (the deployment's own); returns its staff, for ``_apply_staff`` once every unit is in."""
    departments = await db.scalars(select(Department).where(_in_unit(Department.unit_id, unit_id)))
    by_code: dict[str, Department] = {d.code: d for d in departments}
    listed = {item["code"] for item in data["departments"]}
    for gone in sorted(set(by_code) - listed):
        report.warnings.append(
            f"department {_label(unit_id, report)}{gone} is no longer in the file: left as it is"
        )
    for item in data["departments"]:
        dept = by_code.get(item["code"])
        if dept is None:
            dept = Department(code=item["code"], unit_id=unit_id)
            db.add(dept)
            by_code[item["code"]] = dept
        dept.name_vi, dept.name_en = item["name_vi"], item["name_en"]
        dept.keywords = item["keywords"]
        dept.active = True
        if item["chat_id"] is not None:
            dept.chat_id = item["chat_id"]
        report.departments += 1
    await db.flush()

    topics = {t.code: t for t in await db.scalars(select(Topic).where(_in_unit(Topic.unit_id, unit_id)))}
    for gone in sorted(set(topics) - {item["code"] for item in data["topics"]}):
        report.warnings.append(
            f"topic {_label(unit_id, report)}{gone} is no longer in the file: left as it is"
        )
    for item in data["topics"]:
        topic = topics.get(item["code"])
        if topic is None:
            topic = Topic(code=item["code"], unit_id=unit_id)
            db.add(topic)
        topic.name_vi, topic.name_en = item["name_vi"], item["name_en"]
        topic.department_id = by_code[item["department"]].id if item["department"] else None
        topic.sort_order = item["sort_order"]
        topic.active = True
        report.topics += 1

    await _apply_days(db, data["calendar"], report)
    return [
        (item, unit_id, by_code[item["department"]].id if item["department"] else None)
        for item in data["staff"]
    ]


def _label(unit_id: int | None, report: LoadReport) -> str:
    """``TD/`` before a department's or topic's code in a province's file, nothing in a commune's."""
    return f"{report.unit_codes[unit_id]}/" if unit_id is not None else ""


def _staff_key(user_id: int, role: str, department_id: int | None, unit_id: int | None) -> tuple:
    """A department member is a member of that department; an office member, of that unit's office."""
    return (user_id, role, department_id if role == StaffRole.DEPARTMENT else unit_id)


async def _apply_staff(db: AsyncSession, listed: list[_Listed], now: dt.datetime, report: LoadReport) -> None:
    """The staff rows as the file lists them. Whoever the file listed before and no longer lists
    loses access, and so does any other row of a person the file names (moved to another unit or
    department, or from the office to a department): for them, the file is the list. Staff added
    in chat with /add_staff whom the file does not name stay (counted in the report)."""
    wanted: dict[tuple, _Listed] = {}
    for item, unit_id, dept_id in listed:
        wanted[_staff_key(item["user_id"], item["role"], dept_id, unit_id)] = (item, unit_id, dept_id)
        report.staff += 1
    named = {item["user_id"] for item, _, _ in listed}
    departments = {d.id: d.code for d in await db.scalars(select(Department))}
    matched: dict[tuple, Staff] = {}
    for row in await db.scalars(select(Staff).order_by(Staff.id)):
        key = _staff_key(row.user_id, row.role, row.department_id, row.unit_id)
        if key in wanted and key not in matched:
            matched[key] = row
        elif row.from_directory or row.user_id in named:
            who = " ".join(filter(None, [str(row.user_id), row.name]))
            where = " ".join(
                filter(None, [report.unit_codes.get(row.unit_id), departments.get(row.department_id)])
            )
            report.staff_removed.append(f"{who} ({where or row.role})")
            await db.delete(row)
        else:
            report.staff_kept += 1
    await db.flush()  # the removed rows first: a row added below may take the same department
    for key, (item, unit_id, dept_id) in wanted.items():
        row = matched.get(key)
        if row is None:
            row = Staff(user_id=item["user_id"], role=item["role"], department_id=dept_id, created_at=now)
            db.add(row)
        row.name = item["name"] or row.name or ""
        row.unit_id = unit_id if unit_id is not None else row.unit_id
        row.from_directory = True


async def _apply_days(db: AsyncSession, days: list, report: LoadReport) -> None:
    """The deployment's own days off and make-up working days (matched by date)."""
    for day, kind, note in days:
        await db.execute(delete(CalendarDay).where(CalendarDay.day == day))
        db.add(CalendarDay(day=day, kind=kind, note=note))
        report.calendar_days += 1


async def _apply_units(
    db: AsyncSession, items: list[dict[str, Any]], calendar: list, now: dt.datetime, report: LoadReport
) -> list[_Listed]:
    """Every unit (matched by code), its parent, its own departments, topics, staff and days off."""
    known = {u.code: u for u in await db.scalars(select(Unit))}
    listed = {item["code"] for item in items}
    for gone in sorted(set(known) - listed):
        report.warnings.append(
            f"unit {gone} ({known[gone].name_vi}) is no longer in the file: left as it is, with its "
            "departments, topics and sessions (questions refer to them)"
        )
    for item in items:
        unit = known.get(item["code"])
        if unit is None:
            unit = known[item["code"]] = Unit(code=item["code"])
            db.add(unit)
        unit.name_vi, unit.name_en = item["name_vi"], item["name_en"] or item["name_vi"]
        unit.name_folded = fold(item["name_vi"])
        unit.level, unit.code_prefix, unit.days_off = item["level"], item["code_prefix"], item["days_off"]
        if item["office_chat_id"] is not None:  # else the group linked with /link_office CODE stays
            unit.office_chat_id = item["office_chat_id"]
        unit.active = True
    await db.flush()
    report.unit_codes = {u.id: u.code for u in known.values()}
    staff: list[_Listed] = []
    for item in items:
        unit = known[item["code"]]
        unit.parent_id = known[item["parent"]].id if item["parent"] else None
        staff += await _apply_body(db, {**item, "calendar": []}, unit.id, now, report)
        report.units += 1
    await _apply_days(db, calendar, report)  # the province's own days, for every unit
    return staff


async def _apply_more(db: AsyncSession, data: dict[str, Any], report: LoadReport) -> None:
    """Authorities (matched by code), the forwarding follow-up and the reporting section."""
    known = {a.code: a for a in await db.scalars(select(Authority))}
    for item in data.get("authorities") or []:
        row = known.get(item["code"])
        if row is None:
            row = Authority(code=item["code"])
            db.add(row)
        row.name_vi, row.name_en = item["name_vi"], item["name_en"] or item["name_vi"]
        if item["chat_id"] is not None:
            row.chat_id = item["chat_id"]
        row.follow_up_days = item["follow_up_days"]
        row.active = True
        report.authorities += 1
    days = (data.get("forwarding") or {}).get("follow_up_days")
    if days:
        await _set_config(db, "forward_follow_up_days", str(days))
    if data.get("reporting") is not None:
        await _set_config(db, "reporting", json.dumps(data["reporting"], ensure_ascii=False))


async def load_file(db: AsyncSession, path: str | Path, now: dt.datetime) -> LoadReport:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(f"{p}: cannot read the file: {exc.strerror}") from exc
    return await apply(db, parse(text, str(p)), now)
