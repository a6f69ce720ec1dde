import asyncio
from datetime import UTC, datetime

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
