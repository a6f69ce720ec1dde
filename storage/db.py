"""Engine, session factory and migrations."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")

# The session of the update being handled (set by the bot's DB middleware), so helpers such as the
# FSM storage join its transaction instead of opening a second connection.
current_session: ContextVar[AsyncSession | None] = ContextVar("doithoai_current_session", default=None)


class InlineSqliteConnection(aiosqlite.Connection):
    """An aiosqlite connection whose statements run on the event loop's own thread.

    aiosqlite hands every call (cursor, execute, fetch, commit) to a worker thread and back; a
    local SQLite statement takes microseconds, the hand-off about twenty times as long, and the
    two threads then compete for the interpreter. Measured on the bot's conversation step
    (bench/intake.py): the hand-offs were the largest single cost of an update. The worker thread
    still opens and closes the connection."""

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def sqlite3_of(dbapi_connection: Any) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's aiosqlite adapter (a pool connection, or
    ``await conn.get_raw_connection()``): calls on it run at once, on the event loop's thread
    (InlineSqliteConnection), for the few hot statements that skip SQLAlchemy."""
    return dbapi_connection.driver_connection._conn


def insert_for(db: AsyncSession) -> Callable[..., Any]:
    """The database's own INSERT construct (``on_conflict_do_nothing`` / ``_do_update``)."""
    return sqlite_insert if db.bind.dialect.name == "sqlite" else pg_insert


def _inline_sqlite(database: str):
    async def connect() -> InlineSqliteConnection:
        conn = InlineSqliteConnection(
            functools.partial(sqlite3.connect, database, timeout=30, check_same_thread=False), 64
        )
        conn._thread.daemon = True  # as SQLAlchemy does for its own aiosqlite connections
        return await conn

    return connect


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # SQLite allows one writer. Within a process, transactions queue for the pool's single
        # connection (an asyncio wait, no polling); across processes (a CLI tick beside `run`) every
        # transaction takes the write lock when it begins (BEGIN IMMEDIATE) and waits its turn (busy
        # timeout), so a read-then-write never fails with "database is locked". Statements run
        # inline (InlineSqliteConnection): while another process holds the write lock, the bot's
        # event loop waits with it (transactions are short; the busy timeout bounds the wait).
        engine = create_async_engine(
            url,
            async_creator=_inline_sqlite(make_url(url).database or ":memory:"),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
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
            # Straight to sqlite3 (statements run inline): one per update, so it skips SQLAlchemy's
            # statement execution.
            sqlite3_of(conn.connection).execute("BEGIN IMMEDIATE")

        return engine
    # PostgreSQL: no pre-ping (it costs a round trip at every checkout, i.e. every update; a connection
    # the server dropped is invalidated on its first error and the pool is refreshed); asyncpg keeps a
    # larger cache of prepared statements per connection than SQLAlchemy's default of 100 (the
    # application has more distinct statements than that).
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={"prepared_statement_cache_size": 500},
    )


Hook = Callable[[AsyncSession], Awaitable[None]]


class Session(AsyncSession):
    """The application's database session: ``commit`` first awaits the hook the composition root
    installed (``info["before_commit"]``), inside the transaction — the notification layer writes
    the outbox rows for the transaction's domain events there, so they commit with the change."""

    async def commit(self) -> None:
        hook: Hook | None = self.info.get("before_commit")
        if hook is not None:
            await hook(self)
        await super().commit()


def make_sessionmaker(
    engine: AsyncEngine, before_commit: Hook | None = None
) -> async_sessionmaker[AsyncSession]:
    info = {"before_commit": before_commit} if before_commit is not None else None
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False, info=info)


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
