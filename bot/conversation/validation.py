"""Validation of what citizens type. Each function returns the clean value or raises Invalid."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Invalid(Exception):
    reason: str  # a stable name: too_short, too_long, bad_phone, …
    value: int = 0  # a number for the message (length, limit)
    limit: int = 0


MOBILE_RE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
LANDLINE_RE = re.compile(r"^02\d{9}$")
LETTER_RE = re.compile(r"[^\W\d_]")


def question_text(text: str, min_chars: int, max_chars: int) -> str:
    clean = text.strip()
    if len(clean) < min_chars:
        raise Invalid("too_short", len(clean), min_chars)
    if len(clean) > max_chars:
        raise Invalid("too_long", len(clean), max_chars)
    if not LETTER_RE.search(clean):
        raise Invalid("no_letters")
    return clean


def person_name(text: str) -> str:
    clean = " ".join(text.split())
    if len(clean) < 2 or not LETTER_RE.search(clean):
        raise Invalid("bad_name")
    if len(clean) > 100:
        raise Invalid("too_long", len(clean), 100)
    return clean


def address(text: str) -> str:
    clean = " ".join(text.split())
    if len(clean) < 2 or not LETTER_RE.search(clean):
        raise Invalid("bad_address")
    if len(clean) > 200:
        raise Invalid("too_long", len(clean), 200)
    return clean


def phone(text: str) -> str:
    """A Vietnamese phone number, normalised to 0XXXXXXXXX (mobile) or 02XXXXXXXXX (landline)."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit() or not (MOBILE_RE.match(digits) or LANDLINE_RE.match(digits)):
        raise Invalid("bad_phone")
    return digits
