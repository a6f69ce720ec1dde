"""The clock that makes deadlines act on their own.

``doithoai run`` calls ``start_background(app)``: an APScheduler ``AsyncIOScheduler`` runs
``run_tick`` every minute, and the outbox dispatcher delivers continuously. ``doithoai tick
[--now ISO-DATETIME]`` calls ``run_tick`` once (operations, and tests with a chosen time).

Only one tick runs at a time, across processes: a tick first takes the ``scheduler`` lease (table
``leases``: name, holder, expires_at) with a conditional insert/update; a process that finds the
lease held by someone else (and not expired) skips its tick. The lease expires on its own after
``LEASE_TTL`` so a crashed holder does not block ticks for ever. Leases are stamped with the wall
clock, never with the tick's ``now``: ``doithoai tick --now <a date next year>`` killed mid-tick must
not stop the live bot's ticks until next year, and a past ``--now`` must not let two processes tick
at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.notify.dispatcher import OutboxDispatcher, telegram_dispatcher
from bot.notify.ticks import TickReport, deadline_tick
from storage.models import Lease

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(minutes=5)
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
WALL: Clock = SystemClock()  # leases' time: the real one, whatever time a tick acts at


async def acquire_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    now: datetime | None = None,
    ttl: timedelta = LEASE_TTL,
) -> bool:
    """Take the named lease if it is free, expired or already ours; True when we hold it.
    ``now`` is wall-clock time (default: ``WALL.now()``), never a tick's chosen time."""
    now = now if now is not None else WALL.now()
    async with sessionmaker() as db:
        taken = await db.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.expires_at <= now) | (Lease.holder == holder))
            .values(holder=holder, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            await db.commit()
            return True
        exists = await db.scalar(select(Lease.name).where(Lease.name == name))
        if exists is not None:
            await db.rollback()
            return False
        db.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        try:
            await db.commit()
        except IntegrityError:  # another process inserted it first
            await db.rollback()
            return False
        return True


async def release_lease(sessionmaker: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    async with sessionmaker() as db:
        await db.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
        await db.commit()


@dataclass
class TickParts:
    """What a tick needs, without a whole ``App`` (tests, the benchmark)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Any
    dispatcher: OutboxDispatcher | None = None


async def run_tick(
    app_or_parts: Any,
    now: datetime,
    *,
    deliver: bool = True,
    holder: str = HOLDER,
    wall: Clock = WALL,
) -> TickReport:
    """One tick: take the lease (on the wall clock), enqueue what is due at ``now`` (one
    transaction), deliver it."""
    sessionmaker = app_or_parts.sessionmaker
    settings = app_or_parts.settings
    if not await acquire_lease(sessionmaker, LEASE_NAME, holder, wall.now()):
        return TickReport(skipped=True)
    try:
        async with sessionmaker() as db:
            report = await deadline_tick(db, now, settings)
            await db.commit()
        if deliver:
            dispatcher = _dispatcher_of(app_or_parts)
            if dispatcher is not None:
                if report.total:
                    dispatcher.wake()
                await dispatcher.recover_stale()  # rows a killed process left 'sending'
                report.sent = await dispatcher.deliver_all()
    finally:
        await release_lease(sessionmaker, LEASE_NAME, holder)
    if report.total:
        log.info("%s", report)
    return report


def _dispatcher_of(app_or_parts: Any) -> OutboxDispatcher | None:
    if isinstance(app_or_parts, TickParts):
        return app_or_parts.dispatcher
    extras = getattr(app_or_parts, "extras", None)
    if extras is None:
        return None
    if "dispatcher" not in extras:
        settings = app_or_parts.settings
        if settings.workers > 1 and settings.database_url.startswith("postgresql"):
            from bot.notify.shared_dispatcher import shared_dispatcher  # several workers share it

            extras["dispatcher"] = shared_dispatcher(app_or_parts)
        else:
            extras["dispatcher"] = telegram_dispatcher(app_or_parts)
    return extras["dispatcher"]


class Background:
    """The running scheduler and dispatcher loop; ``await handle.stop()`` ends both cleanly."""

    def __init__(self, app: Any) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.app = app
        self.dispatcher = _dispatcher_of(app)
        self.stop_event = asyncio.Event()
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._loop_task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        try:
            # the dispatcher loop delivers; the tick only enqueues and wakes it
            report = await run_tick(self.app, self.app.clock.now(), deliver=False)
            if report.total and self.dispatcher is not None:
                self.dispatcher.wake()
        except Exception:
            log.exception("scheduler tick failed")

    async def start(self) -> Background:
        self.scheduler.add_job(
            self._tick,
            "interval",
            minutes=1,
            id="deadline_tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now().astimezone(),
        )
        self.scheduler.start()
        if self.dispatcher is not None:
            self._loop_task = asyncio.create_task(self.dispatcher.run(self.stop_event))
        return self

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)
        self.stop_event.set()
        if self._loop_task is not None:
            try:
                await asyncio.wait_for(self._loop_task, timeout=30)
            except TimeoutError:
                self._loop_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._loop_task
        close = getattr(self.dispatcher, "close", None)  # a shared rate's connection (shared_dispatcher)
        if close is not None:
            await close()


async def start_background(app: Any) -> Background:
    """Start the minute tick and the dispatcher loop inside ``doithoai run``."""
    return await Background(app).start()
