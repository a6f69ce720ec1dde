"""The unit a staff action is confined to (bot/domain/units.py installs the statement filter), kept
here so the storage layer (the read cache) can read outside any unit without importing the domain."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_scope: ContextVar[int | None] = ContextVar("doithoai_unit_scope", default=None)
_off: ContextVar[bool] = ContextVar("doithoai_unit_unscoped", default=False)


def current() -> int | None:
    """The unit the running staff action is confined to (None: not confined)."""
    return None if _off.get() else _scope.get()


def creating_in() -> int | None:
    """The unit new rows (a session the office creates) belong to."""
    return _scope.get()


@contextlib.contextmanager
def scoped(unit_id: int | None) -> Iterator[None]:
    """Confine the statements run inside to ``unit_id`` (also inside ``unscoped()``)."""
    token, off = _scope.set(unit_id), _off.set(False)
    try:
        yield
    finally:
        _off.reset(off)
        _scope.reset(token)


@contextlib.contextmanager
def unscoped() -> Iterator[None]:
    token = _off.set(True)
    try:
        yield
    finally:
        _off.reset(token)
