"""Comparing what people type: Vietnamese with or without diacritics."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and punctuation; collapse spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = re.sub(r"[^\w\s]", " ", stripped.lower())
    return " ".join(stripped.split())
