"""An aiogram FSM storage in the application's SQL database, so conversations survive a restart."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import current_session
from storage.models import FsmState


class SqlStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def close(self) -> None:  # the engine is owned by the application
        return None

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """The update's own session when there is one (its transaction commits the state together
        with the change the update made); otherwise a short transaction of our own."""
        shared = current_session.get()
        if shared is not None:
            yield shared
            await shared.flush()
            return
        async with self._sessionmaker() as db, db.begin():
            yield db

    async def _row(self, db: AsyncSession, key: StorageKey) -> FsmState | None:
        return await db.get(FsmState, self._keys.build(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._session() as db:
            row = await self._row(db, key)
            if row is None:
                if value is None:
                    return
                db.add(FsmState(key=self._keys.build(key), state=value, data={}))
            else:
                row.state = value
                if value is None and not row.data:
                    await db.delete(row)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session() as db:
            return await db.scalar(select(FsmState.state).where(FsmState.key == self._keys.build(key)))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session() as db:
            row = await self._row(db, key)
            if row is None:
                if data:
                    db.add(FsmState(key=self._keys.build(key), state=None, data=dict(data)))
                return
            if not data and row.state is None:
                await db.delete(row)
            else:
                row.data = dict(data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as db:
            data = await db.scalar(select(FsmState.data).where(FsmState.key == self._keys.build(key)))
            return dict(data or {})

    async def clear_all(self) -> None:
        async with self._sessionmaker() as db, db.begin():
            await db.execute(delete(FsmState))
