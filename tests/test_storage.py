import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.domain.codes import next_number
from storage.db import upgrade
from storage.models import Citizen


async def test_migrations_apply_and_are_idempotent(engine):
    assert await upgrade(engine) is False  # the fixture already migrated


async def test_datetimes_round_trip_as_aware_utc(sessionmaker):
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    async with sessionmaker() as db:
        db.add(Citizen(channel="telegram", chat_id="42", created_at=at))
        await db.commit()
    async with sessionmaker() as db:
        citizen = await db.scalar(select(Citizen))
        assert citizen.created_at == at
        assert citizen.created_at.tzinfo is not None


async def test_tracking_numbers_taken_at_once_are_all_different(sessionmaker):
    """The year's first questions confirmed at the same moment (PostgreSQL runs them in parallel)."""

    async def take() -> int:
        async with sessionmaker() as db:
            number = await next_number(db, "submission:HT:26")
            await db.commit()
            return number

    numbers = await asyncio.gather(*(take() for _ in range(8)))
    assert sorted(numbers) == list(range(1, 9))
    assert await take() == 9


async def test_a_question_being_stored_does_not_make_the_next_wait_for_its_number(sessionmaker):
    """On PostgreSQL a question's number is taken and committed before the question is stored: a
    second question confirmed meanwhile gets the next number at once instead of waiting for the first
    one's transaction (SQLite: one writer at a time anyway, the number inside the transaction)."""
    async with sessionmaker() as first:
        await first.scalar(select(Citizen).limit(1))  # the conversation has read (the citizen)
        assert await next_number(first, "submission:HT:26") == 1
        first.add(Citizen(channel="telegram", chat_id="43", created_at=datetime(2026, 11, 23, tzinfo=UTC)))
        await first.flush()  # the question being stored: its transaction open
        if first.bind.dialect.name != "postgresql":
            await first.commit()
        async with sessionmaker() as second:
            assert await asyncio.wait_for(next_number(second, "submission:HT:26"), 5) == 2
            await second.commit()
        await first.commit()


async def test_postgresql_transactions_begin_at_their_first_write_or_lock(sessionmaker, monkeypatch):
    """Reads run outside a transaction on the server (READ COMMITTED: the same snapshots), so a
    transaction that only reads costs no BEGIN and no COMMIT; the first write begins it and a
    rollback still undoes that write; a read that locks a row runs inside it and keeps the lock."""
    if sessionmaker.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite begins its transactions its own way (storage.db: the write lock)")
    from asyncpg.transaction import Transaction

    begun: list[str] = []
    start = Transaction.start

    async def counted(self):
        begun.append("BEGIN")
        return await start(self)

    monkeypatch.setattr(Transaction, "start", counted)
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

    async with sessionmaker() as db:
        assert await db.scalar(select(Citizen).limit(1)) is None
        await db.scalar(select(Citizen.id).where(Citizen.chat_id == "1"))
        await db.commit()
    assert begun == []

    async with sessionmaker() as db:
        await db.scalar(select(Citizen).limit(1))
        db.add(Citizen(channel="telegram", chat_id="44", created_at=at))
        await db.flush()
        assert begun == ["BEGIN"]
        await db.rollback()
    async with sessionmaker() as db:
        assert await db.scalar(select(Citizen).where(Citizen.chat_id == "44")) is None
        db.add(Citizen(channel="telegram", chat_id="45", created_at=at))
        await db.commit()

    begun.clear()
    async with sessionmaker() as holder:
        await holder.scalar(select(Citizen).where(Citizen.chat_id == "45").with_for_update())
        assert begun == ["BEGIN"]
        async with sessionmaker() as other:
            locked = select(Citizen).where(Citizen.chat_id == "45").with_for_update(nowait=True)
            with pytest.raises(Exception, match="could not obtain lock"):
                await other.scalar(locked)
            await other.rollback()
        await holder.commit()
