"""What a conversation step says and what it receives, with no chat platform in sight."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.domain.text import fold


@dataclass(frozen=True)
class Option:
    value: str  # short ASCII id, travels in callback data
    label: str  # translated text a person reads


@dataclass
class Prompt:
    """One message: HTML text (user values already escaped), optionally with options to choose."""

    text: str
    options: list[Option] = field(default_factory=list)
    columns: int = 1
    ask_contact: bool = False  # offer the platform's "share my phone number" button
    screen: str | None = None  # set by the engine: the screen whose options these are


@dataclass
class Document:
    """A file to send (Telegram: a document; text-only channels send ``fallback_text``), optionally
    with the current screen's options, so that the file and what comes next are one message."""

    file_name: str
    content: bytes
    caption: str
    fallback_text: str
    options: list[Option] = field(default_factory=list)
    columns: int = 1
    screen: str | None = None


Reply = Prompt | Document

InboundKind = Literal["text", "choice", "contact", "photo", "document", "other"]


@dataclass
class Inbound:
    kind: InboundKind
    text: str = ""
    value: str = ""  # the option value for "choice"
    phone: str = ""  # for "contact"
    file_id: str = ""
    file_name: str | None = None
    media_group_id: str | None = None


@dataclass
class Outcome:
    replies: list[Reply]
    state: dict  # the conversation state to store ({} when nothing is in progress)


def match_option(text: str, options: list[Option]) -> Option | None:
    """Map what a person typed to an option: its number (1-based) or its words, diacritics optional."""
    typed = fold(text)
    if not typed:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return options[index] if 0 <= index < len(options) else None
    exact = [o for o in options if fold(o.label) == typed]
    if len(exact) == 1:
        return exact[0]
    partial = [o for o in options if typed in fold(o.label)]
    return partial[0] if len(partial) == 1 else None
