"""Short-lived in-process copies of rows that rarely change but are read at almost every step of a
citizen's conversation or every new question: the active topics, the announced dialogue sessions,
the deployment's settings (app_config) and the calendar's extra days off.

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

from storage.unitscope import unscoped

T = TypeVar("T")

TTL = 10.0
# the tables copies are made of
WATCHED = ("dialogue_sessions", "topics", "app_config", "calendar_days", "units")
_WRITES = ("insert", "update", "delete")

_copies: dict[tuple[Any, str], tuple[float, int, Any]] = {}
_generation = 0  # bumped by every write to a watched table, and when its transaction ends
_writing = 0  # open transactions that wrote a watched table: no copy is kept meanwhile


def _writes_watched(statement: str) -> bool:
    head = statement.lstrip()[:6].lower()
    return head in _WRITES and any(table in statement for table in WATCHED)


def _drop_all() -> None:
    global _generation
    _generation += 1
    _copies.clear()


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """A write drops every copy at once (the writing transaction reads its own change), and no copy
    is kept until that transaction ends (others must not read what it has not committed)."""
    global _writing
    if _writes_watched(statement):
        if not conn.info.get("readcache_dirty"):
            conn.info["readcache_dirty"] = True
            _writing += 1
        _drop_all()


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn) -> None:
    global _writing
    if conn.info.pop("readcache_dirty", False):
        _writing -= 1
        _drop_all()


async def cached(scope: Any, name: str, load: Callable[[], Awaitable[T]], ttl: float = TTL) -> T:
    """``load()``'s result for (scope, name), reused for ``ttl`` seconds unless a watched table was
    written meanwhile. ``scope`` separates databases (pass the engine)."""
    key = (scope, name)
    now = time.monotonic()
    found = _copies.get(key)
    if found is not None and found[0] > now and found[1] == _generation:
        return found[2]
    generation = _generation
    with unscoped():  # a copy serves every unit: never read confined to one
        value = await load()
    if generation == _generation and not _writing:  # nothing written meanwhile, nor uncommitted
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
