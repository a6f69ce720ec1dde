"""Engine, session factory and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, make_url
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.util.concurrency import await_only, in_greenlet

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


async def core_scalar(db: AsyncSession, statement: Any) -> Any:
    """A Core statement's single value, on the session's connection and in its transaction: what the
    ORM would flush first (rows the statement may refer to) is flushed, and nothing else of the ORM's
    machinery runs (outbox rows, counters: plain rows)."""
    await db.flush()
    return (await (await db.connection()).execute(statement)).scalar()


def _inline_sqlite(database: str):
    async def connect() -> InlineSqliteConnection:
        conn = InlineSqliteConnection(
            functools.partial(sqlite3.connect, database, timeout=30, check_same_thread=False), 64
        )
        conn._thread.daemon = True  # as SQLAlchemy does for its own aiosqlite connections
        return await conn

    return connect


WROTE = "doithoai_wrote"  # connection info: the transaction has written (PostgreSQL)
LOCK_WAIT_S = 30.0  # how long a transaction waits for SQLite's write lock before failing
_READS = re.compile(r"\s*(SELECT|PRAGMA|EXPLAIN|VALUES)\b", re.IGNORECASE)
_WRITES_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


# Statements that read but must run inside the transaction: row locks, transaction-scoped advisory locks.
_LOCKING = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b|advisory_xact", re.IGNORECASE)


class _NotBegun:
    """PostgreSQL: a transaction that has only read has not been begun on the server. SQLAlchemy's
    asyncpg adapter sends BEGIN before a transaction's first statement and COMMIT at its end — two
    round trips more for every transaction, and most of the bot's transactions only read (the
    office's commands, the website, a citizen looking up a question). Under READ COMMITTED,
    PostgreSQL's default and this application's only level, each statement reads its own snapshot
    inside a transaction or outside one: the reads may as well run outside, and the first write (or
    a read that locks) begins the transaction. Set as the adapter's transaction while nothing was
    begun, so that its commit or rollback costs no round trip."""

    async def commit(self) -> None:
        return None

    async def rollback(self) -> None:
        return None


NOT_BEGUN = _NotBegun()


def is_read(statement: str) -> bool:
    if _READS.match(statement):
        return True
    return statement.lstrip()[:4].upper() == "WITH" and not _WRITES_IN_WITH.search(statement)


def _try_begin(raw: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE without waiting: True when this connection now holds the write lock."""
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_S * 1000)}")


def _lock_timeout() -> sqlite3.OperationalError:
    return sqlite3.OperationalError(f"database is locked (waited {LOCK_WAIT_S:g} s for the write lock)")


def _pauses_until_write_lock(raw: sqlite3.Connection) -> Iterator[float]:
    """Tries to take the write lock for the transaction of ``raw`` (nothing to do when it holds it
    already), yielding how long to wait before each next try; raises after ``LOCK_WAIT_S``."""
    if raw.in_transaction:
        return
    deadline = time.monotonic() + LOCK_WAIT_S
    pause = 0.002
    while not _try_begin(raw):
        if time.monotonic() > deadline:
            raise _lock_timeout()
        yield pause
        pause = min(0.05, pause * 2)


def begin_write_sync(raw: sqlite3.Connection) -> None:
    """Take the write lock for the transaction of ``raw``. The wait for another process (a CLI
    command) to commit is an asyncio sleep when called from the event loop's SQLAlchemy calls, so the
    bot keeps answering meanwhile; elsewhere a plain sleep."""
    for pause in _pauses_until_write_lock(raw):
        if in_greenlet():
            await_only(asyncio.sleep(pause))
        else:
            time.sleep(pause)


async def begin_write(raw: sqlite3.Connection) -> None:
    """``begin_write_sync`` for code that talks to sqlite3 directly from a coroutine."""
    for pause in _pauses_until_write_lock(raw):
        await asyncio.sleep(pause)


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # SQLite allows one writer. Within a process, transactions queue for the pool's single
        # connection (an asyncio wait, no polling). A transaction's reads run without a BEGIN (each
        # statement sees the latest committed data, as PostgreSQL's READ COMMITTED does) and take no
        # lock; its first write begins the transaction with BEGIN IMMEDIATE, which takes the write
        # lock at once or waits for it — across processes (a CLI tick beside `run`) with asyncio
        # sleeps, so the bot's event loop keeps answering while another process holds the lock.
        # From there to the commit the transaction is serialisable, so a read-then-write after the
        # first write never fails with "database is locked". Statements run inline
        # (InlineSqliteConnection): keep write transactions short.
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

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _sqlite_write_lock(conn, _cursor, statement, _params, _context, _many):
            # The transaction's first write takes the write lock (see above); reads take none.
            if not is_read(statement):
                begin_write_sync(sqlite3_of(conn.connection))

        return engine
    # PostgreSQL: no pre-ping (it costs a round trip at every checkout, i.e. every update; a connection
    # the server dropped is invalidated on its first error and the pool is refreshed); asyncpg keeps a
    # larger cache of prepared statements per connection than SQLAlchemy's default of 100 (the
    # application has more distinct statements than that). Most of the pool is kept: a connection
    # beyond ``pool_size`` is closed when given back, and a new one costs a server process, the
    # statements prepared again and TLS negotiated (with 10 kept and 10 more, 100 citizens through
    # the flow at once opened 72 connections in 900 updates; with 15 and 5, none). At most 20.
    engine = create_async_engine(
        url,
        pool_size=15,
        max_overflow=5,
        pool_recycle=1800,
        connect_args={"prepared_statement_cache_size": 500},
    )

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _note_write(conn, _cursor, statement, _params, _context, _many):
        adapted = conn.connection.dbapi_connection  # SQLAlchemy's adapter of the asyncpg connection
        if is_read(statement) and not _LOCKING.search(statement):
            if adapted._transaction is None:  # noqa: SLF001 - see NOT_BEGUN
                adapted._transaction = NOT_BEGUN  # noqa: SLF001
            return
        conn.info[WROTE] = True
        if adapted._transaction is NOT_BEGUN:  # noqa: SLF001
            adapted._transaction = None  # noqa: SLF001 - the adapter sends BEGIN before this statement

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def _forget_write(conn):
        conn.info.pop(WROTE, None)

    return engine


@contextlib.asynccontextmanager
async def asyncpg_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """asyncpg's own connection under one of the pool's, outside any transaction: a statement on it
    is one round trip (no BEGIN, no COMMIT) and uses asyncpg's statement cache — PostgreSQL's hot
    statements (a conversation's state, the reader's language, the shared send rate)."""
    async with engine.connect() as conn:
        yield (await conn.get_raw_connection()).driver_connection


def known_as_inserted(obj: Any) -> bool:
    """Whether an object inserted in this transaction is known column by column without reading it
    back: the columns it was not given are NULL (no server default; relations loaded), and are marked
    so (reading them would otherwise be a query). False when something can only be read back."""
    state = sa_inspect(obj)
    if not state.persistent:
        return False
    mapper = state.mapper
    unset = state.unloaded
    for key in unset:
        prop = mapper.attrs[key]
        column = getattr(prop, "columns", [None])[0]
        if column is None or column.server_default is not None or column.default is not None:
            return False
    for key in unset:
        set_committed_value(obj, key, None)
    return True


def holds_write_lock(db: AsyncSession) -> bool:
    """Whether the session's transaction has written (on SQLite: holds the write lock)."""
    if db.new or db.dirty or db.deleted or db.info.get("events"):
        return True
    tx = db.sync_session.get_transaction()
    if tx is None:
        return False
    for conn, *_ in list(tx._connections.values()):  # noqa: SLF001 - no public accessor
        if conn.info.get(WROTE):
            return True
        if db.bind.dialect.name == "sqlite":
            with contextlib.suppress(Exception):
                if sqlite3_of(conn.connection).in_transaction:
                    return True
    return False


async def end_reads_before_network() -> bool:
    """Called before a Bot API call: the update's session (``current_session``) must not keep a
    transaction open across the network round trip. One that only read is committed (nothing to
    lose; it frees the connection — SQLite's pool has one). Returns False when the session holds
    writes: a handler sending before its commit (logged by the caller)."""
    db = current_session.get()
    if db is None or not db.in_transaction():
        return True
    if holds_write_lock(db):
        return False
    await db.commit()
    return True


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
