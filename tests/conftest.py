"""Shared fixtures.

``database_url`` runs a test on SQLite (a temporary file) and again on PostgreSQL when
``DOITHOAI_TEST_POSTGRES_URL`` is set and reachable (each test in its own database); otherwise the
PostgreSQL variant is skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.notify import sessionmaker_for
from storage.db import make_engine, upgrade

PG_ENV = "DOITHOAI_TEST_POSTGRES_URL"


def _pg_reachable(url: str) -> bool:
    import asyncpg

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=3)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    url = os.environ.get(PG_ENV, "")
    if not url:
        return None
    if not url.startswith("postgresql+asyncpg"):
        url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    return url if _pg_reachable(url) else None


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path, postgres_url):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if postgres_url is None:
        pytest.skip(f"PostgreSQL not configured or unreachable ({PG_ENV})")
    import asyncpg

    name = f"doithoai_t_{uuid.uuid4().hex[:12]}"
    raw = postgres_url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(raw)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    await conn.close()
    base = postgres_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    conn = await asyncpg.connect(raw)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
async def engine(database_url):
    eng = make_engine(database_url)
    await upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine):
    return sessionmaker_for(engine)  # as the application's: commits publish the domain's events


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
