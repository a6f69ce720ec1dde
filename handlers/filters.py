"""Cheap, asynchronous chat filters.

aiogram runs every synchronous filter (``F.chat.type == "private"`` included) in a worker thread
(``asyncio.to_thread``); at a few filters per update that thread hop cost more than the handler.
These filters are coroutines, so they run inline. ``tests/test_routing_filters.py`` keeps every
router free of synchronous filters.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter

from bot.access import event_chat

PRIVATE = ("private",)
GROUPS = ("group", "supergroup")


class ChatType(Filter):
    """The event comes from a chat of one of these types."""

    def __init__(self, types: tuple[str, ...]) -> None:
        self.types = frozenset(types)

    async def __call__(self, event: TelegramObject) -> bool:
        chat = event_chat(event)
        return chat is not None and chat.type in self.types


class Magic(Filter):
    """A magic filter (``F.text.startswith("/")``) resolved inline instead of in a thread."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)
