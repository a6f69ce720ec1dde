from datetime import UTC, datetime

from sqlalchemy import select

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
