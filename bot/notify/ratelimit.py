"""Pacing outbound messages within Telegram's flood limits.

Telegram allows about 30 messages per second overall, 1 per second in one private chat and 20 per
minute in one group. Everything the bot sends goes through one ``RateLimiter`` per process and
channel: the outbox dispatcher's deliveries and, through the Bot API session's middleware
(bot/channels/telegram/pacing.py), the handlers' direct replies.

``acquire(chat_id, priority)`` waits until a request to that chat fits every limit, then returns a
ticket; ``finish(chat_id, ticket)`` is called when the request has ended. Two parts:

- the chat's gate: one request to a chat at a time, and the next one starts a full gap (1 s for a
  private chat, 3 s for a group) after the previous one *ended*;
- the global bucket (``GlobalBucket``: ``acquire(priority)`` / ``finish(ticket)`` / ``pause``):
  request starts are spaced evenly slightly under the cap (``margin``), and a request starts only
  when fewer than ``global_per_s`` requests ended within the last second or are still in flight.
  The server saw each request at some moment between its start and its end, so its windows stay
  within the limit whatever the event loop's delays. Waiters are served by priority
  (``INTERACTIVE`` before ``BULK``), then in arrival order: a person who pressed a button is
  answered before the next message of a 3,000-message notice.

The global bucket is an object of its own so that a shared one (several processes drawing on one
budget, e.g. in Redis or PostgreSQL) can be plugged in: ``RateLimiter(limits, bucket=…)``.

After a 429 the caller passes ``retry_after`` to ``pause``: nothing more is sent to that chat (or
at all, for a global flood) until it has passed.

Time here is real monotonic time: this is pacing, not the application's notion of "now".
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

INTERACTIVE = 0  # a reply to someone who just acted
BULK = 1  # outbox deliveries (notices, cards, reminders)


@dataclass(frozen=True)
class Limits:
    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0


def is_group(chat_id: str | int) -> bool:
    """Telegram group and channel ids are negative; Zalo user ids are not."""
    return str(chat_id).startswith("-")


class GlobalBucket(Protocol):
    """The overall budget of requests per second (one process's, or shared between processes)."""

    async def acquire(self, priority: int = BULK) -> Any: ...

    def finish(self, ticket: Any) -> None: ...

    def pause(self, seconds: float) -> None: ...


class LocalBucket:
    """The overall pace of one process (see the module's doc)."""

    def __init__(
        self, per_s: float, *, margin: float = 0.97, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.gap = 1.0 / (per_s * margin)
        self.allowed = max(1, math.floor(per_s))
        self._monotonic = monotonic
        self._next = 0.0  # the earliest next start (even spacing)
        self._paused_until = 0.0
        self._sent: deque[list[float]] = deque()  # when recent requests ended (inf: in flight)
        self._queue: list[tuple[int, int]] = []  # (priority, arrival) of the waiters
        self._arrivals = itertools.count()
        self._changed: asyncio.Future[None] | None = None

    def delay(self, now: float) -> float:
        """Seconds until the next request may start (<= 0: now)."""
        while self._sent and self._sent[0][0] <= now - 1.0:
            self._sent.popleft()
        late = max(self._next, self._paused_until) - now
        if len(self._sent) >= self.allowed:
            late = max(late, 0.005, min(self._sent[0][0], now) + 1.0 - now)
        return late

    def _bump(self) -> None:
        changed, self._changed = self._changed, None
        if changed is not None and not changed.done():
            changed.set_result(None)

    async def _wait_change(self, timeout: float | None) -> None:
        if self._changed is None:
            self._changed = asyncio.get_running_loop().create_future()
        await asyncio.wait([self._changed], timeout=timeout)

    async def acquire(self, priority: int = BULK) -> list[float]:
        key = (priority, next(self._arrivals))
        heapq.heappush(self._queue, key)
        try:
            while True:
                if self._queue[0] == key:
                    now = self._monotonic()
                    late = self.delay(now)
                    if late <= 0:
                        heapq.heappop(self._queue)
                        self._next = now + self.gap
                        entry = [math.inf]
                        self._sent.append(entry)
                        self._bump()
                        return entry
                    await self._wait_change(late + 0.001)
                else:
                    await self._wait_change(None)
        except BaseException:
            if key in self._queue:
                self._queue.remove(key)
                heapq.heapify(self._queue)
                self._bump()
            raise

    def finish(self, ticket: list[float]) -> None:
        ticket[0] = self._monotonic()
        self._bump()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
        self._bump()

    @property
    def waiting(self) -> int:
        return len(self._queue)


@dataclass
class Ticket:
    chat: str
    bucket_ticket: Any
    gated: bool


class RateLimiter:
    """Per chat gates in front of a global bucket (see the module's doc)."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        bucket: GlobalBucket | None = None,
        margin: float = 0.97,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or Limits()
        self.bucket = bucket or LocalBucket(self.limits.global_per_s, margin=margin, monotonic=monotonic)
        self._monotonic = monotonic
        self._gates: dict[str, asyncio.Lock] = {}
        self._last_end: dict[str, float] = {}
        self._paused: dict[str, float] = {}

    def gap(self, chat_id: str | int) -> float:
        if is_group(chat_id):
            return 60.0 / self.limits.group_per_min
        return 1.0 / self.limits.private_per_s

    def ready_at(self, chat_id: str | int) -> float:
        """The earliest monotonic time a message to ``chat_id`` may start (ignoring other chats)."""
        key = str(chat_id)
        last = self._last_end.get(key)
        after_last = -math.inf if last is None else last + self.gap(key) + 0.005
        return max(after_last, self._paused.get(key, -math.inf))

    async def acquire(self, chat_id: str | int, priority: int = BULK, *, per_chat: bool = True) -> Ticket:
        """Wait until a request to ``chat_id`` fits the limits; call ``finish`` when it has ended.
        ``per_chat=False``: only the overall budget (edits of a message already sent)."""
        key = str(chat_id)
        if not per_chat:
            return Ticket(key, await self.bucket.acquire(priority), False)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = asyncio.Lock()
        await gate.acquire()
        try:
            late = self.ready_at(key) - self._monotonic()
            while late > 0:  # the chat's own gap (or a 429's pause): a known moment, not an event
                await asyncio.sleep(late)
                late = self.ready_at(key) - self._monotonic()
            return Ticket(key, await self.bucket.acquire(priority), True)
        except BaseException:
            self._release(key, gate)
            raise

    def finish(self, chat_id: str | int, ticket: Ticket) -> None:
        """The request has ended (answered or failed)."""
        self.bucket.finish(ticket.bucket_ticket)
        if ticket.gated:
            self._last_end[ticket.chat] = self._monotonic()
            gate = self._gates.get(ticket.chat)
            if gate is not None:
                self._release(ticket.chat, gate)
        if len(self._last_end) > 50_000:
            horizon = self._monotonic() - 120.0
            self._last_end = {k: t for k, t in self._last_end.items() if t > horizon}
            self._paused = {k: t for k, t in self._paused.items() if t > horizon}

    def _release(self, key: str, gate: asyncio.Lock) -> None:
        gate.release()
        if not gate.locked() and not getattr(gate, "_waiters", None):
            self._gates.pop(key, None)

    def pause(self, seconds: float, chat_id: str | int | None = None) -> None:
        """After a 429: hold ``chat_id`` (and, when it was a global flood, everything) for ``seconds``."""
        if chat_id is None:
            self.bucket.pause(seconds)
            return
        key = str(chat_id)
        self._paused[key] = max(self._paused.get(key, 0.0), self._monotonic() + seconds)
