"""Splitting long messages at line, then sentence, then word boundaries (Telegram 4096, Zalo 2000)."""

from __future__ import annotations

from collections.abc import Iterator


def _pieces(text: str, limit: int) -> Iterator[str]:
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(". ", 0, limit)
            if cut <= 0:
                cut = line.rfind(" ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            yield line[:cut].rstrip()
            line = line[cut:].lstrip()
        yield line.rstrip()


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, each as long as the boundaries allow."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current: str | None = None
    for piece in _pieces(text, limit):
        if current is None:
            current = piece
        elif len(current) + 1 + len(piece) > limit:
            parts.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}"
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()]
