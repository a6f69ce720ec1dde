"""Telling people: the outbox, the notifier (domain events → messages), the deadline ticks, the
dispatcher and its rate limits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_sessionmaker


def sessionmaker_for(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Database sessions whose commits publish the transaction's domain events as outbox rows."""
    from bot.notify.notifier import publish

    return make_sessionmaker(engine, before_commit=publish)
