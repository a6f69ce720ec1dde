"""Tracking codes short enough to read over the phone: ``HT-26-0042`` (prefix, year, number)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import core_scalar, holds_write_lock, insert_for
from storage.models import Counter

CODE_RE = re.compile(r"^([A-Z]{2,4})-?(\d{2})-?(\d{4,6})$")


async def next_number(db: AsyncSession, name: str) -> int:
    """Atomically increment a named counter; a new counter starts at 1. One upsert: two transactions
    taking the first number of a counter at once (PostgreSQL) get 1 and 2, where an update-else-insert
    let both insert and one fail.

    On PostgreSQL, when the caller's transaction has only read so far, the number is taken in a
    statement of its own, committed at once (as a sequence would give it): the counter's row is not
    locked while the rest of the question is stored, so questions confirmed together do not queue
    behind each other's whole transaction. A question that then fails to be stored leaves a gap in
    the numbers. Otherwise (SQLite, which has one writer anyway; a transaction that already wrote)
    the number is taken inside the caller's transaction."""
    table = Counter.__table__  # Core: a plain row, none of the ORM's bulk-insert bookkeeping
    statement = insert_for(db)(table).values(name=name, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={"value": table.c.value + 1}
    ).returning(table.c.value)
    if db.bind.dialect.name == "postgresql" and not holds_write_lock(db):
        if db.in_transaction():
            await db.commit()  # it only read: nothing to lose, and its connection is free again
        async with db.bind.connect() as conn:  # autocommit: one round trip
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            return (await conn.execute(statement)).scalar()
    return await core_scalar(db, statement)


async def new_tracking_code(db: AsyncSession, prefix: str, today: date) -> str:
    yy = today.year % 100
    number = await next_number(db, f"submission:{prefix}:{yy:02d}")
    return f"{prefix}-{yy:02d}-{number:04d}"


def normalize_code(text: str) -> str | None:
    """Accepts what people type: ``ht 26 42``, ``HT-26-0042``, ``ht260042`` → ``HT-26-0042``."""
    compact = re.sub(r"[\s._-]", "", text.upper())
    m = re.match(r"^([A-Z]{2,4})(\d{2})(\d{1,6})$", compact)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}-{int(m.group(3)):04d}"


async def peek(db: AsyncSession, name: str) -> int:
    return (await db.scalar(select(Counter.value).where(Counter.name == name))) or 0
