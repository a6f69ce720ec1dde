"""Engine, session factory and migrations."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")

# The session of the update being handled (set by the bot's DB middleware), so helpers such as the
# FSM storage join its transaction instead of opening a second connection.
current_session: ContextVar[AsyncSession | None] = ContextVar("doithoai_current_session", default=None)


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # SQLite allows one writer. Within a process, transactions queue for the pool's single
        # connection (an asyncio wait, no polling); across processes (a CLI tick beside `run`) every
        # transaction takes the write lock when it begins (BEGIN IMMEDIATE) and waits its turn (busy
        # timeout), so a read-then-write never fails with "database is locked".
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def _is_current(connection: Connection) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) == heads


async def upgrade(engine: AsyncEngine) -> bool:
    """Migrate to the newest schema; returns True when something was applied."""
    async with engine.begin() as conn:
        if await conn.run_sync(_is_current):
            return False
        await conn.run_sync(_upgrade)
    return True
