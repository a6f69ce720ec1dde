"""Pacing outbound messages within Telegram's flood limits.

Telegram allows about 30 messages per second overall, 1 per second in one private chat and 20 per
minute in one group. ``RateLimiter.acquire(chat_id)`` reserves the earliest moment at which a
message to that chat fits every limit and sleeps until then; reservations are spaced evenly (a
smooth pace, not bursts), slightly under the cap (``margin``) so that network jitter never pushes
two requests into the same server-side window. After a 429 the caller passes ``retry_after`` to
``pause``: nothing more is sent to that chat (or at all, for a global flood) until it has passed.

Time here is real monotonic time: this is pacing, not the application's notion of "now".
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0


def is_group(chat_id: str | int) -> bool:
    """Telegram group and channel ids are negative; Zalo user ids are not."""
    return str(chat_id).startswith("-")


class RateLimiter:
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        margin: float = 0.97,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._global_gap = 1.0 / (self.limits.global_per_s * margin)
        self._private_gap = 1.0 / (self.limits.private_per_s * margin)
        self._group_gap = 60.0 / (self.limits.group_per_min * margin)
        self._monotonic = monotonic
        self._sleep = sleep
        self._paused_until = 0.0  # a global flood: nothing before this
        self._taken: set[int] = set()  # global slots (multiples of the global gap) already reserved
        self._next_chat: dict[str, float] = {}
        self._reservations = 0
        self._sent: deque[list[float]] = deque()  # when recent sends ended (inf: in flight)
        self._last_sent: dict[str, float] = {}

    def ready_at(self, chat_id: str | int) -> float:
        """The earliest monotonic time a message to ``chat_id`` may go (ignoring other chats)."""
        return max(self._paused_until, self._next_chat.get(str(chat_id), 0.0))

    def reserve(self, chat_id: str | int) -> float:
        """Reserve the next slot for ``chat_id``; returns the seconds to wait before sending."""
        now = self._monotonic()
        key = str(chat_id)
        earliest = max(now, self._paused_until, self._next_chat.get(key, 0.0))
        # The overall pace is a grid of slots one global gap apart; a chat that must wait does not
        # hold back the others (its slot is further along the grid, earlier ones stay free).
        index = math.ceil(earliest / self._global_gap - 1e-9)
        while index in self._taken:
            index += 1
        self._taken.add(index)
        slot = max(earliest, index * self._global_gap)
        self._next_chat[key] = slot + (self._group_gap if is_group(key) else self._private_gap)
        self._reservations += 1
        if self._reservations % 1000 == 0:
            self._prune(now)
        return slot - now

    async def acquire(self, chat_id: str | int) -> list[float]:
        """Wait for the reserved slot, then check the sends actually made, by when they *finished*:
        the server saw each request at some moment between its start and its end, so starting only
        when fewer than ``global_per_s`` requests ended within the last second (or are still in
        flight), and a chat's previous request ended a full gap ago, keeps the server's windows
        within the limits whatever the event loop's delays. Call ``finish`` after the request."""
        wait = self.reserve(chat_id)
        if wait > 0:
            await self._sleep(wait)
        key = str(chat_id)
        chat_gap = 60.0 / self.limits.group_per_min if is_group(key) else 1.0 / self.limits.private_per_s
        allowed = max(1, math.floor(self.limits.global_per_s))
        while True:
            now = self._monotonic()
            while self._sent and self._sent[0][0] <= now - 1.0:
                self._sent.popleft()
            late = 0.0
            if len(self._sent) >= allowed:
                late = max(0.005, min(self._sent[0][0], now) + 1.0 - now)
            last = self._last_sent.get(key)
            if last is not None:
                late = max(late, min(last, now) + chat_gap - now, 0.005 if last == math.inf else 0.0)
            if late <= 0:
                break
            await self._sleep(late + 0.001)
        entry = [math.inf]  # in flight
        self._sent.append(entry)
        self._last_sent[key] = math.inf
        if len(self._last_sent) > 50_000:
            self._last_sent = {k: t for k, t in self._last_sent.items() if t > now - 60.0}
        return entry

    def finish(self, chat_id: str | int, entry: list[float]) -> None:
        """The request has ended (answered or failed)."""
        now = self._monotonic()
        entry[0] = now
        self._last_sent[str(chat_id)] = now

    def pause(self, seconds: float, chat_id: str | int | None = None) -> None:
        """After a 429: hold ``chat_id`` (and, when it was a global flood, everything) for ``seconds``."""
        until = self._monotonic() + seconds
        if chat_id is None:
            self._paused_until = max(self._paused_until, until)
        else:
            key = str(chat_id)
            self._next_chat[key] = max(self._next_chat.get(key, 0.0), until)

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._next_chat.items() if t < now]:
            del self._next_chat[key]
        floor = math.floor(now / self._global_gap)
        self._taken = {i for i in self._taken if i >= floor}
