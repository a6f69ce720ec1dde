"""A lock per chat across worker processes: PostgreSQL advisory locks.

Several webhook workers (``doithoai run --webhook --workers N``) may receive updates of the same
chat; aiogram takes ``events_isolation.lock(key)`` around the handling of each update, and this
isolation makes that lock hold across processes: ``pg_advisory_lock`` on a connection of its own,
held while the update is handled, released after (or by the server, if the process dies). The
connections come from a small engine of their own, so waiting for a lock never takes a connection
the handlers need.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for a name (Python's ``hash`` differs between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def chat_lock_id(key: StorageKey) -> int:
    return lock_id(f"doithoai:chat:{key.bot_id}:{key.chat_id}")


class AdvisoryLockIsolation(BaseEventIsolation):
    def __init__(self, url: str, connections: int = 10) -> None:
        self.engine: AsyncEngine = create_async_engine(url, pool_size=connections, max_overflow=connections)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        ident = chat_lock_id(key)
        async with self.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            try:
                await raw.execute("SELECT pg_advisory_lock($1)", ident)
            except BaseException:  # cancelled while waiting: the lock may have been granted meanwhile
                await conn.invalidate()
                raise
            try:
                yield
            finally:
                try:
                    await raw.execute("SELECT pg_advisory_unlock($1)", ident)
                except BaseException:  # a connection that may still hold the lock never goes back
                    await conn.invalidate()
                    raise

    async def close(self) -> None:
        await self.engine.dispose()
