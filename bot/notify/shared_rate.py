"""One overall send rate shared by every worker process (``doithoai run --webhook --workers N``).

Telegram's 30 messages per second are the bot's, not a process's: each worker's own ``RateLimiter``
would let N times as many through. ``await bucket.acquire()`` reserves the next free moment on one
shared line of slots, one gap apart (``1 / (rate × margin)``), and sleeps until it. The line is kept
by the database server (a row of the ``leases`` table, ``rate:<channel>``: its ``expires_at`` is the
next free slot, moved on by one conditional UPDATE in autocommit — one round trip per message, the
server's own clock, no clock skew between machines) or, when ``DOITHOAI_REDIS_URL`` is set, by Redis
(one script call, Redis's clock).

Telegram's budget is drawn on by both the outbox deliveries and the handlers' direct replies (the
bot session's ``Pacer``): ``SharedGlobal`` puts the shared line behind the process's own bucket, and
``shared_dispatcher`` installs it in the one ``RateLimiter`` both use.

The per-chat limits (1 per second in a private chat, 20 per minute in a group) are kept by the outbox
claim itself (bot/notify/shared_dispatcher.py): a chat's next message is claimed only once its
previous one was answered a full gap ago.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.notify.ratelimit import BULK, INTERACTIVE, GlobalBucket
from storage.db import asyncpg_connection

MARGIN = 0.9  # a little under the published rate: network jitter must not push two slots together


class SharedBucket(Protocol):
    async def acquire(self) -> None: ...

    async def close(self) -> None: ...


_PG_ENSURE = (
    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, 'rate', now() AT TIME ZONE 'UTC') "
    "ON CONFLICT (name) DO NOTHING"
)
_PG_RESERVE = """
UPDATE leases SET expires_at = GREATEST(expires_at, clock_timestamp() AT TIME ZONE 'UTC')
                               + make_interval(secs => $2)
WHERE name = $1
RETURNING extract(epoch FROM expires_at - make_interval(secs => $2)
                              - clock_timestamp() AT TIME ZONE 'UTC')::float8
"""


class PgBucket:
    def __init__(self, engine: AsyncEngine, name: str, per_second: float, margin: float = MARGIN) -> None:
        self.engine = engine
        self.name = f"rate:{name}"
        self.gap = 1.0 / (per_second * margin)
        self._ready = False

    async def acquire(self) -> None:
        async with asyncpg_connection(self.engine) as raw:
            if not self._ready:
                await raw.execute(_PG_ENSURE, self.name)
                self._ready = True
            wait = await raw.fetchval(_PG_RESERVE, self.name, self.gap)
        if wait is not None and wait > 0:
            await asyncio.sleep(wait)

    async def close(self) -> None:
        return None


_REDIS_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'EX', 3600)
return tostring(slot - now)
"""


class RedisBucket:
    def __init__(self, url: str, name: str, per_second: float, margin: float = MARGIN) -> None:
        from redis.asyncio import Redis

        self.redis: Any = Redis.from_url(url)
        self.key = f"doithoai:rate:{name}"
        self.gap = 1.0 / (per_second * margin)
        self._script = self.redis.register_script(_REDIS_RESERVE)

    async def acquire(self) -> None:
        wait = float(await self._script(keys=[self.key], args=[repr(self.gap)]))
        if wait > 0:
            await asyncio.sleep(wait)

    async def close(self) -> None:
        await self.redis.aclose()


class SharedGlobal:
    """A ``GlobalBucket`` (bot/notify/ratelimit.py) for one worker among several: the process's own
    bucket first (priorities — a reply before a bulk delivery —, requests in flight, a 429's pause),
    then a slot on the line every worker shares.

    The shared line is first come, first served: were every worker to reserve slots for its bulk
    deliveries as fast as its own bucket lets them, a reply would queue behind seconds of them. So
    each worker has at most ``bulk_ahead`` bulk deliveries waiting for a slot (enough to keep the line
    full: each waits a few gaps); a reply takes the next free slot."""

    def __init__(self, local: GlobalBucket, shared: SharedBucket, bulk_ahead: int = 2) -> None:
        self.local, self.shared = local, shared
        self._bulk = asyncio.Semaphore(bulk_ahead)

    async def acquire(self, priority: int = BULK) -> Any:
        if priority == INTERACTIVE:
            return await self._take(priority)
        async with self._bulk:
            return await self._take(priority)

    async def _take(self, priority: int) -> Any:
        ticket = await self.local.acquire(priority)
        try:
            await self.shared.acquire()
        except BaseException:
            self.local.finish(ticket)
            raise
        return ticket

    def finish(self, ticket: Any) -> None:
        self.local.finish(ticket)

    def pause(self, seconds: float) -> None:
        self.local.pause(seconds)


def shared_bucket(settings: Any, engine: AsyncEngine, name: str, per_second: float) -> SharedBucket:
    if settings.redis_url:
        return RedisBucket(settings.redis_url, name, per_second)
    return PgBucket(engine, name, per_second)
