"""Checks a Bot API call against the published method list (``telegram_bot_api/api.json`` beside
this file: Bot API 10.1, vendored — see its README) and Telegram's own limits: required fields,
known fields, basic types, text and caption lengths after entity parsing, strict HTML, button texts
and 1–64-byte callback data."""

from __future__ import annotations

import contextlib
import json
import os
import re
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=]+))?)*)\s*(/?)>"
)
ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class HtmlError(ValueError):
    pass


class Problem(str):
    """One violation: the text kept in ``FakeTelegram.violations`` (method and detail), with the
    ``error`` Telegram answers for it (its exact description, without "Bad Request: ")."""

    error: str

    def __new__(cls, detail: str, error: str | None = None) -> Problem:
        self = super().__new__(cls, detail)
        self.error = error or detail.split(": ", 1)[-1]
        return self


VENDORED_SPEC = Path(__file__).resolve().parent / "telegram_bot_api" / "api.json"


class SpecMissing(RuntimeError):
    """The Bot API spec could not be read: the simulator would check nothing, so it refuses to run."""


def _spec_path() -> Path:
    """The vendored spec, or ``DOITHOAI_TELEGRAM_API_JSON`` (a newer api.json to check against)."""
    override = os.environ.get("DOITHOAI_TELEGRAM_API_JSON")
    return Path(override) if override else VENDORED_SPEC


@cache
def spec() -> dict[str, Any]:
    """The Bot API method and type list. A missing or unreadable file is an error, never a silent
    skip: without it the fake server would stop validating what the bot sends."""
    path = _spec_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecMissing(
            f"the Bot API spec {path} cannot be read ({exc}); the simulator validates every call "
            "against it. Restore bot/simulator/telegram_bot_api/api.json from the repository, or point "
            "DOITHOAI_TELEGRAM_API_JSON at a Bot API api.json."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("methods"), dict):
        raise SpecMissing(f"{path} is not a Bot API spec (no 'methods' table)")
    return data


def html_to_text(text: str) -> str:
    """Parse Telegram HTML strictly; return the plain text a person reads. Raises HtmlError with
    Telegram's wording ("can't parse entities: …", offsets in UTF-8 bytes)."""

    def at(i: int) -> int:
        return len(text[:i].encode("utf-8"))

    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = TAG_RE.match(text, i)
            if not m:
                raise HtmlError(f"can't parse entities: Unsupported start tag at byte offset {at(i)}")
            closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
            if name not in ALLOWED_TAGS:
                raise HtmlError(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {at(i)}'
                )
            if name == "span" and not closing and "tg-spoiler" not in attrs:
                raise HtmlError(
                    f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset {at(i)}'
                )
            if name == "a" and not closing and "href" not in attrs:
                raise HtmlError(
                    f'can\'t parse entities: Tag "a" must have attribute "href" at byte offset {at(i)}'
                )
            if closing:
                if not stack:
                    raise HtmlError(f"can't parse entities: Unexpected end tag at byte offset {at(i)}")
                if stack[-1] != name:
                    raise HtmlError(
                        f"can't parse entities: Unmatched end tag at byte offset {at(i)}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            elif not selfclose:
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = ENTITY_RE.match(text, i)
            if not m:
                raise HtmlError(f'can\'t parse entities: Unescaped "&" at byte offset {at(i)}')
            out.append(unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            raise HtmlError(f'can\'t parse entities: Unescaped ">" at byte offset {at(i)}')
        else:
            out.append(ch)
            i += 1
    if stack:
        raise HtmlError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _type_ok(value: Any, types: list[str]) -> bool:
    for t in types:
        if t == "Integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t == "String" and isinstance(value, str):
            return True
        if t == "Boolean" and isinstance(value, bool):
            return True
        if t == "Float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if t.startswith("Array of") and isinstance(value, list):
            return True
        if t == "InputFile" and (isinstance(value, str | bytes) or value is FILE):
            return True
        if (
            t not in ("Integer", "String", "Boolean", "Float", "InputFile")
            and not t.startswith("Array of")
            and isinstance(value, dict)
        ):
            return True
    return False


class _File:
    def __repr__(self) -> str:
        return "<uploaded file>"


FILE = _File()


# Fields known to carry JSON objects or arrays even where api.json does not list them (deprecated ones).
JSON_FIELDS = {
    "reply_markup",
    "media",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "caption_entities",
    "menu_button",
    "allowed_updates",
    "results",
    "permissions",
}
# Dropped from the documentation but still accepted by Telegram (and still sent by aiogram).
DEPRECATED_FIELDS = {"reply_to_message_id", "allow_sending_without_reply", "disable_web_page_preview"}
SCALAR_TYPES = {"Integer": int, "Float": float, "Boolean": bool}


def coerce(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Form-data values arrive as strings: decode them by the field's declared types."""
    s = spec()
    declared = s["methods"][method].get("fields", []) if method in s["methods"] else []
    fields = {f["name"]: f["types"] for f in declared}
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            types = fields.get(key)
            if types is None:
                decode = key in JSON_FIELDS or value in ("true", "false") or value.lstrip("-").isdigit()
            elif "String" in types:
                decode = types != ["String"] and value[:1] in "{["
            else:
                decode = True
            if decode:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
        out[key] = value
    return out


def _check_keyboard(markup: Any, problems: list[str]) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard") or []:
        for button in row if isinstance(row, list) else []:
            if not isinstance(button, dict) or not button.get("text"):
                problems.append(Problem("inline button without text", "BUTTON_TEXT_INVALID"))
                continue
            data = button.get("callback_data")
            size = len(str(data).encode("utf-8")) if data is not None else 0
            if data is not None and not 1 <= size <= 64:
                problems.append(
                    Problem(
                        f"BUTTON_DATA_INVALID: callback_data of {size} bytes on [ {button['text']} ]",
                        "BUTTON_DATA_INVALID",
                    )
                )
    for row in markup.get("keyboard") or []:
        for button in row if isinstance(row, list) else []:
            if not (button.get("text") if isinstance(button, dict) else button):
                problems.append(Problem("keyboard button without text", "BUTTON_TEXT_INVALID"))


def _empty_error(method: str, name: str) -> str:
    """Telegram's description when a required parameter is missing."""
    if name == "text":
        return "message text is empty"
    if method == "answerCallbackQuery" and name == "callback_query_id":
        return "query is too old and response timeout expired or query ID is invalid"
    return (
        f"{name} is empty"
        if name in ("chat_id", "message_id", "user_id")
        else f"parameter {name} is required"
    )


def validate(method: str, params: dict[str, Any]) -> list[Problem]:
    """Problems with a call (empty when the call is valid); ``str(p)`` says what and where,
    ``p.error`` is the description Telegram would answer with after "Bad Request: "."""
    problems: list[Problem] = []
    s = spec()
    if method not in s["methods"]:
        return [Problem(f"unknown method {method}", "Not Found")]
    fields = {f["name"]: f for f in s["methods"][method].get("fields", [])}
    for name, field in fields.items():
        if field["required"] and name not in params:
            problems.append(Problem(f"{method}: required field {name} missing", _empty_error(method, name)))
    for name, value in params.items():
        if name not in fields and name not in DEPRECATED_FIELDS:
            problems.append(Problem(f"{method}: unknown field {name}", f"unknown parameter {name}"))
        elif name in fields and not _type_ok(value, fields[name]["types"]):
            types = " or ".join(fields[name]["types"])
            problems.append(
                Problem(
                    f"{method}: field {name} should be {types}", f'field "{name}" must be of type {types}'
                )
            )
    _check_texts(method, params, problems)
    media = params.get("media")
    for item in media if isinstance(media, list) else []:
        if isinstance(item, dict):  # each album item carries its own caption and parse_mode
            _check_texts(method, {k: v for k, v in item.items() if k in ("caption", "parse_mode")}, problems)
    if method == "answerCallbackQuery" and len(str(params.get("text") or "")) > 200:
        problems.append(Problem("answerCallbackQuery: text longer than 200 characters", "MESSAGE_TOO_LONG"))
    _check_keyboard(params.get("reply_markup"), problems)
    return problems


def _check_texts(method: str, params: dict[str, Any], problems: list[Problem]) -> None:
    """Text and caption: strict HTML when parse_mode is HTML, non-empty text, lengths as read."""
    html = str(params.get("parse_mode", "")).upper() == "HTML"
    for key, limit, too_long in (
        ("text", 4096, "text is too long"),
        ("caption", 1024, "message caption is too long"),
    ):
        if key not in params or not isinstance(params[key], str):
            continue
        if method == "answerCallbackQuery":
            continue
        raw = params[key]
        try:
            visible = html_to_text(raw) if html else raw
        except HtmlError as exc:
            problems.append(Problem(f"{method}: {exc}", str(exc)))
            continue
        if key == "text" and not visible.strip():
            problems.append(Problem(f"{method}: message text is empty", "message text is empty"))
        if len(visible) > limit:
            problems.append(Problem(f"{method}: {key} is too long ({len(visible)} > {limit})", too_long))
