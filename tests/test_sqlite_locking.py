"""SQLite and another process: reads take no lock, and a write waiting for the lock another process
holds (a CLI command) leaves the event loop free — the bot keeps answering meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import select, update

from storage.db import end_reads_before_network, make_engine, make_sessionmaker, upgrade
from storage.models import Lease


async def test_reads_take_no_lock_and_a_write_waits_without_blocking_the_event_loop(tmp_path):
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    other = sqlite3.connect(path, isolation_level=None)  # "another process", e.g. `doithoai report`
    try:
        other.execute("BEGIN IMMEDIATE")  # it holds the write lock
        async with sm() as db:
            assert (await db.execute(select(Lease))).all() == []  # a read goes through at once
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        clock_task = asyncio.create_task(ticker())

        async def write() -> None:
            async with sm() as db:
                await db.execute(update(Lease).values(holder="bot"))
                await db.commit()

        writing = asyncio.create_task(write())
        deadline = asyncio.get_running_loop().time() + 10
        while ticks < 20:  # the loop keeps running while the write waits for the lock
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.005)
        assert not writing.done()
        other.execute("COMMIT")
        await asyncio.wait_for(writing, timeout=10)
        clock_task.cancel()
    finally:
        other.close()
        await engine.dispose()


async def test_a_read_only_transaction_ends_before_a_network_call(tmp_path):
    from storage.db import current_session

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}")
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    try:
        async with sm() as db:
            token = current_session.set(db)
            try:
                await db.execute(select(Lease))
                assert db.in_transaction()
                assert await end_reads_before_network()  # only read: ended, nothing lost
                assert not db.in_transaction()
                await db.execute(update(Lease).values(holder="x"))
                assert not await end_reads_before_network()  # wrote: left alone, reported
                assert db.in_transaction()
                await db.rollback()
            finally:
                current_session.reset(token)
    finally:
        await engine.dispose()
