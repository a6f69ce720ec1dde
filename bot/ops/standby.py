"""One ``doithoai run`` per database; the others wait as hot standbys.

Two processes polling one bot would each pace themselves to Telegram's limits and together exceed
them (and Telegram answers the second poller 409). So ``doithoai run`` first takes the ``run``
lease (table ``leases``, the same conditional insert/update as the scheduler's tick lease) for a
short time (``DOITHOAI_RUN_LEASE_S``, 10 s by default) and renews it every fifth of that. A second
process that finds the lease held says so at start (a log line and a line on stderr), then tries
again every fifth of the lease time: when the first process dies its lease expires and the standby
takes over within about one lease time. A holder that cannot renew (its lease expired while it was
stalled and another process took it over) stops: two processes never poll and deliver at once for
longer than the renewal interval.

Leases are wall-clock facts about live processes: the times come from ``SystemClock``, never from
the application's (possibly fixed) clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.notify.scheduler import HOLDER, acquire_lease, release_lease
from storage.models import Lease

log = logging.getLogger(__name__)

RUN_LEASE = "run"


class RunLease:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        seconds: float = 10.0,
        *,
        holder: str = HOLDER,
        clock: Clock | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.ttl = timedelta(seconds=seconds)
        self.every = max(0.2, seconds / 5)
        self.holder = holder
        self.clock = clock or SystemClock()

    async def _take(self) -> bool:
        return await acquire_lease(self.sessionmaker, RUN_LEASE, self.holder, self.clock.now(), self.ttl)

    async def current_holder(self) -> tuple[str, object] | None:
        async with self.sessionmaker() as db:
            query = select(Lease.holder, Lease.expires_at).where(Lease.name == RUN_LEASE)
            row = (await db.execute(query)).first()
            await db.rollback()
        return None if row is None else (row[0], row[1])

    async def wait_for_turn(
        self, stop: asyncio.Event, on_standby: Callable[[str], Awaitable[Any]] | None = None
    ) -> bool:
        """Take the lease, waiting as a standby while another process holds it (``on_standby(holder)``
        once, when the waiting starts); False if stopped."""
        told = False
        while not stop.is_set():
            try:
                if await self._take():
                    if told:
                        say(f"doithoai run: taking over as the active process ({self.holder})")
                    return True
            except Exception:  # noqa: BLE001 - the database is busy or away: keep trying
                log.exception("run lease: could not be taken; trying again")
            if not told:
                held = await self.current_holder()
                who = held[0] if held else "another process"
                say(
                    f"doithoai run: another `doithoai run` ({who}) is serving this database; "
                    f"this process ({self.holder}) waits as a hot standby and takes over within "
                    f"about {self.ttl.total_seconds():g} s if it stops"
                )
                told = True
                if on_standby is not None:
                    await on_standby(who)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)
        return False

    async def keep(self, stop: asyncio.Event) -> None:
        """Renew the lease until cancelled; when it is lost (or cannot be renewed before it would
        expire), set ``stop``: this process steps down."""
        renewed = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)
            if stop.is_set():
                return
            try:
                if await self._take():
                    renewed = time.monotonic()
                    continue
                log.error("run lease: taken over by another process; stopping")
            except Exception:  # noqa: BLE001
                if time.monotonic() - renewed < self.ttl.total_seconds() - self.every:
                    log.exception("run lease: renewal failed; trying again")
                    continue
                log.exception("run lease: could not be renewed before it expired; stopping")
            say("doithoai run: this process lost the run lease to another one and stops")
            stop.set()
            return

    async def release(self) -> None:
        with contextlib.suppress(Exception):
            await release_lease(self.sessionmaker, RUN_LEASE, self.holder)


def say(line: str) -> None:
    """A log line and the same on stderr (an operator starting a second process sees it at once)."""
    log.warning("%s", line)
    print(line, file=sys.stderr, flush=True)


async def run_is_active(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> bool:
    """Whether a live ``doithoai run`` holds the lease (then it delivers the outbox: a CLI command
    sending too would make two senders and exceed Telegram's limits)."""
    held = await RunLease(sessionmaker).current_holder()
    if held is None:
        return False
    expires = held[1]
    return expires is not None and expires > (clock or SystemClock()).now()  # type: ignore[operator]
