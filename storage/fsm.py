"""An aiogram FSM storage in the application's SQL database, so conversations survive a restart.

Writes go to the database in the transaction of the update being handled (so a conversation step
and the change it made commit together) and, once committed, to an in-process cache; reads are
served from the cache, so an update costs no extra round trip for its state. Only the process that
polls for updates handles a given chat, which is what makes the cache safe.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.db import (
    asyncpg_connection,
    begin_write,
    current_session,
    holds_write_lock,
    insert_for,
    sqlite3_of,
)
from storage.models import FsmState

Record = tuple[str | None, dict[str, Any]]
EMPTY: Record = (None, {})


_SQLITE_UPSERT = (
    'INSERT INTO fsm_states ("key", state, data) VALUES (?, ?, ?) '
    'ON CONFLICT ("key") DO UPDATE SET state = excluded.state, data = excluded.data'
)
_PG_UPSERT = (
    'INSERT INTO fsm_states ("key", state, data) VALUES ($1, $2, $3::json) '
    'ON CONFLICT ("key") DO UPDATE SET state = excluded.state, data = excluded.data'
)
_PG_READ = 'SELECT state, data::text FROM fsm_states WHERE "key" = $1'


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """States written in a transaction reach their storage's cache only once it commits."""
    for (storage, key), record in session.info.pop("fsm_pending", {}).items():
        storage._remember(key, record)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop("fsm_pending", None)


_storages: weakref.WeakSet[SqlStorage] = weakref.WeakSet()


def forget(keys: Iterable[str]) -> None:
    """Drop these keys from every storage's cache in this process (their rows were deleted outside
    the storage: bot.domain.privacy erasing a conversation); the next read goes to the database."""
    keys = list(keys)
    for storage in list(_storages):
        for key in keys:
            storage._cache.pop(key, None)


class SqlStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], cache_size: int = 100_000) -> None:
        self._sessionmaker = sessionmaker
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._cache: dict[str, Record] = {}
        self._cache_size = cache_size
        _storages.add(self)

    async def close(self) -> None:  # the engine is owned by the application
        return None

    # --- reading ---------------------------------------------------------------------------------

    async def _read(self, key: str) -> Record:
        shared = current_session.get()
        if shared is not None and (self, key) in shared.info.get("fsm_pending", {}):
            return shared.info["fsm_pending"][self, key]  # written earlier in this update
        if key in self._cache:
            return self._cache[key]
        if shared is not None and (self, key) in shared.info.get("fsm_read", {}):
            return shared.info["fsm_read"][self, key]  # read earlier in this update (no cache kept)
        record: Record = await self._load(key)
        self._remember(key, record)
        return record

    async def _load(self, key: str) -> Record:
        engine = self._sessionmaker.kw["bind"]
        if engine.dialect.name == "postgresql":  # autocommit, asyncpg's own statement: one round trip
            async with asyncpg_connection(engine) as raw:
                found = await raw.fetchrow(_PG_READ, key)
            return (found[0], json.loads(found[1]) if found[1] else {}) if found else EMPTY
        async with self._sessionmaker() as db:
            row = (await db.execute(select(FsmState.state, FsmState.data).where(FsmState.key == key))).first()
            await db.commit()
        return (row.state, dict(row.data or {})) if row else EMPTY

    def _remember(self, key: str, record: Record) -> None:
        if self._cache_size <= 0:
            # Several worker processes share the chats: nothing is kept beyond the update being handled
            # (another worker may handle the chat's next one; the chat's lock orders them).
            shared = current_session.get()
            if shared is not None:
                shared.info.setdefault("fsm_read", {})[self, key] = record
            return
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = record

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(self._keys.build(key)))[0]

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._read(self._keys.build(key)))[1])

    # --- writing ---------------------------------------------------------------------------------

    async def _write(self, key: str, record: Record) -> None:
        state, data = record
        shared = current_session.get()
        if shared is None:
            async with self._sessionmaker() as db, db.begin():
                await self._store(db, key, state, data)
            self._remember(key, record)
            return
        await self._store(shared, key, state, data)
        shared.info.setdefault("fsm_pending", {})[self, key] = record  # cached once committed

    @staticmethod
    async def _store(db: AsyncSession, key: str, state: str | None, data: dict[str, Any]) -> None:
        """One statement on the session's connection, in its transaction: an upsert, or a delete for
        an empty record. Every step of a conversation writes its state, so on SQLite the upsert
        goes straight to the driver: the whole write (session, statement, commit) then costs half."""
        conn = await db.connection()
        if state is None and not data:
            await conn.execute(delete(FsmState).where(FsmState.key == key))
            return
        if conn.dialect.name == "sqlite":
            sqlite = sqlite3_of(await conn.get_raw_connection())
            await begin_write(sqlite)  # joins the session's transaction, or begins it (a write)
            sqlite.execute(_SQLITE_UPSERT, (key, state, json.dumps(data)))
            return
        upsert = insert_for(db)(FsmState)
        await conn.execute(
            upsert.values(key=key, state=state, data=data).on_conflict_do_update(
                index_elements=[FsmState.key], set_={"state": state, "data": data}
            )
        )

    async def save_and_commit(self, db: AsyncSession, key: StorageKey, data: dict[str, Any]) -> None:
        """Set the conversation data, then commit the update's session: the two commit together.

        When the update changed nothing else, the state goes on its own, without the ORM session's
        commit: on SQLite in a short transaction (when the session has none open), on PostgreSQL in
        one autocommit statement (when the session's transaction has only read). Most steps of a
        conversation (typing an answer, moving to the next question) are only that, and it costs
        half as much (bench/intake.py)."""
        name = self._keys.build(key)
        state, _ = await self._read(name)
        alone = not (db.in_transaction() or db.new or db.dirty or db.deleted)
        if alone and (state is not None or data) and db.bind.dialect.name == "sqlite":
            async with db.bind.connect() as conn:
                sqlite = sqlite3_of(await conn.get_raw_connection())
                await begin_write(sqlite)
                try:
                    sqlite.execute(_SQLITE_UPSERT, (name, state, json.dumps(data)))
                    sqlite.commit()
                except BaseException:
                    sqlite.rollback()
                    raise
            self._remember(name, (state, dict(data)))
            return
        if db.bind.dialect.name == "postgresql" and not holds_write_lock(db) and (state is not None or data):
            # One statement in autocommit on asyncpg's own connection (its statement cache): one round
            # trip, where the session's BEGIN, upsert and COMMIT take three. A transaction that only
            # read ends first (nothing was begun on the server for it: storage.db.NOT_BEGUN).
            if db.in_transaction():
                await db.commit()
            async with asyncpg_connection(db.bind) as raw:
                await raw.execute(_PG_UPSERT, name, state, json.dumps(data))
            self._remember(name, (state, dict(data)))
            return
        await self._write(name, (state, dict(data)))
        await db.commit()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = self._keys.build(key)
        value = state.state if isinstance(state, State) else state
        _, data = await self._read(name)
        await self._write(name, (value, data))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self._keys.build(key)
        state, _ = await self._read(name)
        await self._write(name, (state, dict(data)))

    async def clear_all(self) -> None:
        async with self._sessionmaker() as db, db.begin():
            await db.execute(delete(FsmState))
        self._cache.clear()


async def save_and_commit(fsm: FSMContext, db: AsyncSession, data: dict[str, Any]) -> None:
    """A conversation's new data and the update's changes, committed together (any storage)."""
    if isinstance(fsm.storage, SqlStorage):
        await fsm.storage.save_and_commit(db, fsm.key, data)
        return
    await fsm.set_data(data)
    await db.commit()
