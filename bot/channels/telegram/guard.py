"""The first outer middleware on every update: updates the bot cannot serve are logged and ignored,
a person sending faster than a person can is asked to slow down, and the rest is handled as an
interactive reply (ahead of bulk deliveries, bot/channels/telegram/pacing.py).

- An update of a kind aiogram does not know, or without a sender where one is needed (a message
  with no ``from``), is logged as a warning and ignored: no traceback, no reply.
- Flood control: more than ``flood_max_updates`` updates within ``flood_window_s`` seconds from
  one person → one polite "please slow down" (in a private chat), then that person's updates are
  ignored for ``flood_mute_s`` seconds. Other people are not affected. Time is the process's
  monotonic time (pacing, not the application's clock).
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types.update import UpdateTypeLookupError

from bot.channels.telegram.pacing import interactive
from bot.i18n import normalize_locale, use_locale

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Update kinds that legitimately come without a person behind them.
SENDERLESS = {
    "channel_post",
    "edited_channel_post",
    "poll",
    "message_reaction_count",
    "chat_boost",
    "removed_chat_boost",
    "deleted_business_messages",
}


class Flood:
    """Counts each person's recent updates; ``hit(user)`` says what to do with the next one."""

    def __init__(
        self,
        max_updates: int,
        window_s: float,
        mute_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_updates, self.window_s, self.mute_s = max_updates, window_s, mute_s
        self._monotonic = monotonic
        self._recent: dict[int, deque[float]] = {}
        self._muted: dict[int, float] = {}
        self.ignored = 0

    def hit(self, user_id: int) -> str:
        """ "ok", "warn" (the first update over the limit: tell them once) or "ignore"."""
        now = self._monotonic()
        until = self._muted.get(user_id)
        if until is not None:
            if now < until:
                self.ignored += 1
                return "ignore"
            del self._muted[user_id]
            self._recent.pop(user_id, None)
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        recent.append(now)
        if len(recent) > self.max_updates:
            self._muted[user_id] = now + self.mute_s
            self.ignored += 1
            return "warn"
        if len(self._recent) > 20_000:
            self._recent = {u: q for u, q in self._recent.items() if q and q[-1] > now - self.window_s}
        return "ok"


class UpdateGuard(BaseMiddleware):
    def __init__(self, settings: Any, locales: Any = None) -> None:
        self.flood = Flood(settings.flood_max_updates, settings.flood_window_s, settings.flood_mute_s)
        self.default_locale = settings.default_locale
        self.locales = locales  # the LocaleMiddleware, for locales already looked up

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        try:
            kind = event.event_type
        except UpdateTypeLookupError:
            log.warning("update %s of an unknown kind ignored", event.update_id)
            return None
        user = data.get("event_from_user")
        if user is None:
            if kind not in SENDERLESS:
                log.warning("update %s (%s) without a sender ignored", event.update_id, kind)
                return None
            with interactive():
                return await handler(event, data)
        if self.flood.max_updates > 0:
            verdict = self.flood.hit(user.id)
            if verdict != "ok":
                if verdict == "warn":
                    log.warning("user %s is sending too fast: ignored for %ss", user.id, self.flood.mute_s)
                    await self._slow_down(data, user)
                return None
        with interactive():
            return await handler(event, data)

    async def _slow_down(self, data: dict[str, Any], user: Any) -> None:
        from bot.texts import citizen as t

        chat = data.get("event_chat")
        bot = data.get("bot")
        if chat is None or chat.type != "private" or bot is None:
            return  # in a group the bot stays quiet: ignoring is enough
        known = getattr(self.locales, "_known", {}).get(chat.id) if self.locales is not None else None
        locale = known or normalize_locale(user.language_code, self.default_locale)
        with use_locale(locale):
            text = t.slow_down(math.ceil(self.flood.mute_s))
        try:
            with interactive():
                await bot.send_message(chat.id, text)
        except Exception as exc:  # noqa: BLE001 - best effort: the person is being ignored anyway
            log.warning("could not ask chat %s to slow down: %s", chat.id, exc)


def install_guard(dp: Any, settings: Any, locales: Any = None) -> UpdateGuard:
    """Right after aiogram's own user-context middleware, before its FSM middleware: the FSM
    middleware serialises one person's updates, so a guard behind it would count a flood at the pace
    the bot answers it, not at the pace it arrives. Senderless or flooding updates then cost no lock
    and no database work."""
    from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware

    guard = UpdateGuard(settings, locales)
    manager = dp.update.outer_middleware
    chain = manager._middlewares  # noqa: SLF001 - aiogram has no "insert before"
    after = next((i + 1 for i, m in enumerate(chain) if isinstance(m, UserContextMiddleware)), len(chain))
    chain.insert(after, guard)
    return guard
