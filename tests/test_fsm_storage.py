"""The SQL-backed aiogram FSM storage: state written in the update's transaction, cached once
committed, forgotten on rollback, and still there for a new process."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy.exc import StatementError

from storage.db import current_session
from storage.fsm import SqlStorage
from storage.models import AppConfig

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)
DRAFT = {"conv": {"screen": "a_text", "nonce": "ab12cd", "draft": {"text": "Đường <b>hỏng</b> 🙏"}}}


async def _in_update(sessionmaker, work, *, commit: bool = True) -> None:
    """As the bot's DB middleware does: one session per update, shared with the storage."""
    async with sessionmaker() as db:
        token = current_session.set(db)
        try:
            await work()
            await (db.commit() if commit else db.rollback())
        finally:
            current_session.reset(token)


async def test_state_survives_a_new_storage(sessionmaker):
    storage = SqlStorage(sessionmaker)

    async def write():
        await storage.set_state(KEY, "Ask:text")
        await storage.set_data(KEY, DRAFT)

    await _in_update(sessionmaker, write)
    assert await storage.get_data(KEY) == DRAFT
    restarted = SqlStorage(sessionmaker)  # a new process: nothing cached
    assert await restarted.get_state(KEY) == "Ask:text"
    assert await restarted.get_data(KEY) == DRAFT


async def test_a_rolled_back_update_leaves_no_state(sessionmaker):
    storage = SqlStorage(sessionmaker)
    await _in_update(sessionmaker, lambda: storage.set_data(KEY, {"conv": {"screen": "menu"}}))

    async def failing():
        await storage.set_data(KEY, DRAFT)
        assert await storage.get_data(KEY) == DRAFT  # seen inside its own update

    await _in_update(sessionmaker, failing, commit=False)
    assert await storage.get_data(KEY) == {"conv": {"screen": "menu"}}
    assert await SqlStorage(sessionmaker).get_data(KEY) == {"conv": {"screen": "menu"}}


async def test_clearing_deletes_the_row(sessionmaker):
    storage = SqlStorage(sessionmaker)
    await _in_update(sessionmaker, lambda: storage.set_data(KEY, DRAFT))
    await _in_update(sessionmaker, lambda: storage.set_data(KEY, {}))
    restarted = SqlStorage(sessionmaker)
    assert await restarted.get_state(KEY) is None and await restarted.get_data(KEY) == {}


async def test_outside_an_update_it_writes_its_own_transaction(sessionmaker):
    storage = SqlStorage(sessionmaker)
    await storage.set_state(KEY, "Ask:name")
    assert await SqlStorage(sessionmaker).get_state(KEY) == "Ask:name"


async def _saved(sessionmaker, storage, data, change=None) -> None:
    """One update: an optional domain change, then the conversation's save-and-commit."""
    async with sessionmaker() as db:
        token = current_session.set(db)
        try:
            if change is not None:
                await change(db)
            await storage.save_and_commit(db, KEY, data)
        finally:
            current_session.reset(token)


async def test_save_and_commit_alone_and_with_the_updates_changes(sessionmaker):
    storage = SqlStorage(sessionmaker)
    await _saved(sessionmaker, storage, DRAFT)  # nothing else changed: a transaction of its own
    assert await storage.get_data(KEY) == DRAFT
    assert await SqlStorage(sessionmaker).get_data(KEY) == DRAFT

    async def added_not_flushed(db):
        db.add(AppConfig(key="code_prefix", value="HT"))  # pending, no transaction begun yet

    async def read_then_changed(db):
        row = await db.get(AppConfig, "code_prefix")
        row.value = "DT"

    await _saved(sessionmaker, storage, {"conv": {"screen": "menu"}}, added_not_flushed)
    async with sessionmaker() as db:
        assert (await db.get(AppConfig, "code_prefix")).value == "HT"  # committed with the state
    await _saved(sessionmaker, storage, {"conv": {"screen": "a_name"}}, read_then_changed)
    async with sessionmaker() as db:
        assert (await db.get(AppConfig, "code_prefix")).value == "DT"
    assert await SqlStorage(sessionmaker).get_data(KEY) == {"conv": {"screen": "a_name"}}

    await _saved(sessionmaker, storage, {})  # emptied: the row goes
    assert await SqlStorage(sessionmaker).get_data(KEY) == {}


async def test_a_failed_save_leaves_the_earlier_state(sessionmaker):
    storage = SqlStorage(sessionmaker)
    await _saved(sessionmaker, storage, DRAFT)
    with pytest.raises((TypeError, StatementError)):  # not JSON (PostgreSQL: wrapped by SQLAlchemy)
        await _saved(sessionmaker, storage, {"conv": {"not json": object()}})
    assert await storage.get_data(KEY) == DRAFT
    assert await SqlStorage(sessionmaker).get_data(KEY) == DRAFT
    await _saved(sessionmaker, storage, {"conv": {"screen": "menu"}})  # the database is usable again
    assert await SqlStorage(sessionmaker).get_data(KEY) == {"conv": {"screen": "menu"}}
