"""Short-lived in-process copies of rows that rarely change but are read at almost every step of a
citizen's conversation: the active topics and the announced dialogue sessions.

A copy is kept for ``TTL`` seconds. Any write to a watched table that this process commits (through
any engine: the bot's handlers, the office's commands, a CLI command in the same process) drops
every copy at once, so the process that changes a session sees the change at its next read; another
process (a CLI command beside ``doithoai run``) is seen within ``TTL``. Copies are snapshots of
the rows' columns (``snapshot``), tied to no database session: a rollback elsewhere cannot expire
them, and they cannot be changed into the database by mistake.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine

T = TypeVar("T")

TTL = 10.0
WATCHED = ("dialogue_sessions", "topics", "departments")
_WRITES = ("insert", "update", "delete")

_copies: dict[tuple[Any, str], tuple[float, int, Any]] = {}
_generation = 0  # bumped by every committed write to a watched table


def _writes_watched(statement: str) -> bool:
    head = statement.lstrip()[:6].lower()
    return head in _WRITES and any(table in statement for table in WATCHED)


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if _writes_watched(statement):
        conn.info["readcache_dirty"] = True


@event.listens_for(Engine, "commit")
def _on_commit(conn) -> None:
    global _generation
    if conn.info.pop("readcache_dirty", False):
        _generation += 1
        _copies.clear()


@event.listens_for(Engine, "rollback")
def _on_rollback(conn) -> None:
    conn.info.pop("readcache_dirty", None)


async def cached(scope: Any, name: str, load: Callable[[], Awaitable[T]], ttl: float = TTL) -> T:
    """``load()``'s result for (scope, name), reused for ``ttl`` seconds unless a watched table was
    written meanwhile. ``scope`` separates databases (pass the engine)."""
    key = (scope, name)
    now = time.monotonic()
    found = _copies.get(key)
    if found is not None and found[0] > now and found[1] == _generation:
        return found[2]
    generation = _generation
    value = await load()
    if generation == _generation:  # nothing was written while loading
        if len(_copies) > 256:  # many databases (tests): keep it small
            _copies.clear()
        _copies[key] = (now + ttl, generation, value)
    return value


def snapshot(row: Any) -> SimpleNamespace:
    """A copy of an ORM row's column values (``copy.title``, ``copy.starts_at``…), without the row."""
    columns = sa_inspect(row).mapper.column_attrs
    return SimpleNamespace(**{attr.key: getattr(row, attr.key) for attr in columns})


def clear() -> None:
    _copies.clear()
