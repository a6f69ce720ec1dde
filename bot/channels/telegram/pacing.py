"""One sending path: every Bot API call that sends goes through the process's ``RateLimiter``.

``Pacer`` is a request middleware of the bot's session (installed by ``bot.app.make_bot``), so the
handlers' direct replies (``message.answer``, edits, ``bot.send_message``) are paced by the same
limiter as the outbox dispatcher's deliveries, and go first (``INTERACTIVE``; the dispatcher takes
its slot itself, at ``BULK`` priority, before it claims a row, and sends inside ``already_paced``).

- Messages (``send*``, ``copyMessage``, ``forwardMessage``): the chat's gate and the global bucket.
- Edits and deletions of messages: the global bucket only.
- Everything else (getUpdates, answerCallbackQuery, getChatMember, …): not paced.

A paced call that Telegram answers with 429 waits ``retry_after`` (the chat is paused for
everyone) and is tried again; a network failure or a 5xx is tried again after a short back-off.
After ``attempts`` tries the failure is logged with the chat and the method, and raised to the
handler (whose error handler then sends nothing more: handlers/errors.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from bot.notify.ratelimit import BULK, INTERACTIVE, RateLimiter
from storage.db import end_reads_before_network

log = logging.getLogger(__name__)

MESSAGE_METHODS = {"copyMessage", "forwardMessage", "copyMessages", "forwardMessages"}
UNPACED_SENDS = {"sendChatAction"}
EDIT_METHODS = {"deleteMessage", "deleteMessages", "stopPoll", "stopMessageLiveLocation"}

_paced: ContextVar[bool] = ContextVar("doithoai_already_paced", default=False)
_priority: ContextVar[int] = ContextVar("doithoai_send_priority", default=BULK)


@contextlib.contextmanager
def already_paced() -> Iterator[None]:
    """Calls made inside took their slot already (the outbox dispatcher): sent as they are."""
    token = _paced.set(True)
    try:
        yield
    finally:
        _paced.reset(token)


@contextlib.contextmanager
def interactive() -> Iterator[None]:
    """Calls made inside answer someone who just acted: they go ahead of bulk deliveries."""
    token = _priority.set(INTERACTIVE)
    try:
        yield
    finally:
        _priority.reset(token)


def kind_of(method_name: str) -> str | None:
    """ "message" (chat and global limits), "edit" (global only) or None (not paced)."""
    if method_name in UNPACED_SENDS:
        return None
    if method_name.startswith("send") or method_name in MESSAGE_METHODS:
        return "message"
    if method_name.startswith("edit") or method_name in EDIT_METHODS:
        return "edit"
    return None


class Pacer(BaseRequestMiddleware):
    def __init__(self, limiter: RateLimiter, *, attempts: int = 4, backoff: float = 0.5) -> None:
        self.limiter = limiter
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.failures = 0  # calls given up after every attempt (logged)
        self.retries_429 = 0
        self.sent_in_transaction = 0

    async def __call__(self, make_request: Any, bot: Any, method: Any) -> Any:
        name = getattr(method, "__api_method__", "")
        if not await end_reads_before_network():
            # A handler sending before its commit: the write lock (SQLite) or row locks would be
            # held across the round trip. A defect to fix where it is logged.
            self.sent_in_transaction += 1
            log.warning(
                "telegram: %s sent while the update's transaction holds writes", name, stack_info=True
            )  # noqa: E501
        kind = kind_of(name)
        if kind is None or _paced.get():
            return await make_request(bot, method)
        chat = getattr(method, "chat_id", None)
        per_chat = kind == "message" and chat is not None
        key = str(chat) if chat is not None else "*"
        attempt = 0
        while True:
            attempt += 1
            ticket = await self.limiter.acquire(key, _priority.get(), per_chat=per_chat)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.retries_429 += 1
                self.limiter.pause(exc.retry_after, key if per_chat else None)
                failure: Exception = exc
            except (TelegramNetworkError, TelegramServerError) as exc:
                failure = exc
                delay = self.backoff * 2 ** (attempt - 1)
            finally:
                self.limiter.finish(key, ticket)
            if attempt >= self.attempts:
                self.failures += 1
                log.warning(
                    "telegram: %s to chat %s failed after %d attempt(s): %s: %s",
                    name,
                    key,
                    attempt,
                    type(failure).__name__,
                    failure,
                )
                raise failure
            if not isinstance(failure, TelegramRetryAfter):
                await asyncio.sleep(delay)
