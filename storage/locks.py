"""A lock per chat across worker processes: PostgreSQL advisory locks.

Several webhook workers (``doithoai run --webhook --workers N``) may receive updates of the same
chat; aiogram takes ``events_isolation.lock(key)`` around the handling of each update, and this
isolation makes that lock hold across processes (released by the server if the process dies).

Connections are what a PostgreSQL server has least of (100 by default, for every worker), so a
worker does not hold one per update being handled:

- in the process, one update of a chat at a time (an ``asyncio.Lock`` per chat being handled);
- then ``pg_try_advisory_lock`` on the worker's one lock connection (statements on it one at a
  time): a chat nobody else is handling — nearly always — is taken at once, and released on it;
- a chat another worker is handling is waited for with ``pg_advisory_lock`` on a connection of its
  own (at most ``waiting`` at once, from a small engine of its own: waiting for a lock never takes a
  connection the handlers need), held until the update is handled.

A lock connection that fails is dropped (the server lets its locks go with it) and a new one is
opened for the next update.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

_TRY = "SELECT pg_try_advisory_lock($1)"
_WAIT = "SELECT pg_advisory_lock($1)"
_UNLOCK = "SELECT pg_advisory_unlock($1)"


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for a name (Python's ``hash`` differs between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def chat_lock_id(key: StorageKey) -> int:
    return lock_id(f"doithoai:chat:{key.bot_id}:{key.chat_id}")


class AdvisoryLockIsolation(BaseEventIsolation):
    def __init__(self, url: str, waiting: int = 8) -> None:
        # one connection held for the process's locks, up to `waiting` more while a lock is waited for
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=1, max_overflow=waiting, pool_timeout=300
        )
        self._held: AsyncConnection | None = None  # the process's lock connection
        self._io = asyncio.Lock()  # one statement at a time on it
        self._local: dict[int, list[Any]] = {}  # chat lock id -> [asyncio.Lock, updates using it]
        self._undoing: set[asyncio.Task[Any]] = set()
        self.waiting = 0  # updates waiting for another worker to let a chat go

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        ident = chat_lock_id(key)
        entry = self._local.setdefault(ident, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                if await self._try(ident):
                    try:
                        yield
                    finally:
                        await self._release(ident)
                else:
                    async with self._wait_for(ident):
                        yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._local.pop(ident, None)

    async def _on_held(self, query: str, ident: int) -> Any:
        async with self._io:
            if self._held is None:
                self._held = await self.engine.connect()
            raw = (await self._held.get_raw_connection()).driver_connection
            try:
                return await raw.fetchval(query, ident)
            except BaseException:
                conn, self._held = self._held, None
                log.warning("chat locks: the lock connection failed; its locks are gone with it")
                with contextlib.suppress(Exception):
                    await conn.invalidate()
                raise

    async def _try(self, ident: int) -> bool:
        attempt = asyncio.ensure_future(self._on_held(_TRY, ident))
        try:
            return bool(await asyncio.shield(attempt))
        except asyncio.CancelledError:  # the lock may be granted all the same: then let it go
            attempt.add_done_callback(lambda done: self._undo(done, ident))
            raise

    def _undo(self, attempt: asyncio.Future[Any], ident: int) -> None:
        if not attempt.cancelled() and attempt.exception() is None and attempt.result():
            task = asyncio.ensure_future(self._release(ident))
            self._undoing.add(task)
            task.add_done_callback(self._undoing.discard)

    async def _release(self, ident: int) -> None:
        try:
            await asyncio.shield(self._on_held(_UNLOCK, ident))
        except Exception:  # the connection is gone, and the lock with it
            log.debug("chat locks: unlock failed", exc_info=True)

    @asynccontextmanager
    async def _wait_for(self, ident: int) -> AsyncIterator[None]:
        async with self.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            self.waiting += 1
            try:
                await raw.execute(_WAIT, ident)
            except BaseException:  # cancelled while waiting: the lock may have been granted meanwhile
                await conn.invalidate()
                raise
            finally:
                self.waiting -= 1
            try:
                yield
            finally:
                try:
                    await raw.execute(_UNLOCK, ident)
                except BaseException:  # a connection that may still hold the lock never goes back
                    await conn.invalidate()
                    raise

    async def close(self) -> None:
        if self._held is not None:
            with contextlib.suppress(Exception):
                await self._held.close()
            self._held = None
        await self.engine.dispose()
