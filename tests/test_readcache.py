"""The conversation's short-lived copies of sessions and topics: reused, and dropped by a write."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.domain.sessions import create_session, open_sessions
from storage import readcache
from storage.models import DialogueSession, SessionStatus


async def _announce(db, clock, title: str) -> DialogueSession:
    now = clock.now()
    session = await create_session(
        db, title=title, starts_at=now + timedelta(days=20), place="Hội trường", now=now, announce=True
    )
    await db.commit()
    return session


async def test_copies_are_reused_until_a_committed_write(sessionmaker, clock):
    readcache.clear()
    async with sessionmaker() as db:
        await _announce(db, clock, "Một")
        first = await open_sessions(db, clock.now(), cached=True)
        again = await open_sessions(db, clock.now(), cached=True)
        assert [s.title for s in first] == ["Một"]
        assert again[0] is first[0]  # the same copy, no query

        await db.rollback()  # a transaction that wrote nothing: the copy stays
        assert (await open_sessions(db, clock.now(), cached=True))[0] is first[0]

        await db.execute(update(DialogueSession).values(title="Đổi tên"))
        renamed = await open_sessions(db, clock.now(), cached=True)
        assert renamed[0].title == "Đổi tên"  # the writing transaction reads its own change
        await db.rollback()
        assert [s.title for s in await open_sessions(db, clock.now(), cached=True)] == ["Một"]

        await _announce(db, clock, "Hai")  # a committed write: every copy is dropped
        assert [s.title for s in await open_sessions(db, clock.now(), cached=True)] == ["Một", "Hai"]

        await db.execute(update(DialogueSession).values(status=SessionStatus.HELD))  # Core, not ORM
        await db.commit()
        assert await open_sessions(db, clock.now(), cached=True) == []


async def test_a_copy_expires(sessionmaker, clock, monkeypatch):
    readcache.clear()
    async with sessionmaker() as db:
        await _announce(db, clock, "Một")
        calls = []

        async def load():
            calls.append(1)
            return len(calls)

        assert await readcache.cached(db.bind, "x", load, ttl=60) == 1
        assert await readcache.cached(db.bind, "x", load, ttl=60) == 1
        now = readcache.time.monotonic()
        monkeypatch.setattr(readcache.time, "monotonic", lambda: now + 61)
        assert await readcache.cached(db.bind, "x", load, ttl=60) == 2


async def test_time_still_closes_a_cached_session(sessionmaker, clock):
    readcache.clear()
    async with sessionmaker() as db:
        session = await _announce(db, clock, "Một")
        assert await open_sessions(db, clock.now(), cached=True)
        later = session.starts_at + timedelta(minutes=1)
        assert await open_sessions(db, later, cached=True) == []
