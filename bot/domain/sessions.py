"""Dialogue sessions: creating, listing, announcing, and which are open for questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import AnnouncementTooLate, InvalidInput, WrongState
from bot.i18n import local_date
from storage import readcache
from storage.models import DialogueSession, SessionKind, SessionLevel, SessionStatus

ANNOUNCE_MIN_DAYS = 7  # R1


def announce_deadline_ok(session: DialogueSession, now: datetime) -> bool:
    """R1: at least 7 days between the announcement and the day of the session (ad hoc excepted)."""
    if session.kind == SessionKind.ADHOC:
        return True
    return (local_date(session.starts_at) - local_date(now)).days >= ANNOUNCE_MIN_DAYS


async def create_session(
    db: AsyncSession,
    *,
    title: str,
    starts_at: datetime,
    place: str,
    now: datetime,
    level: str = SessionLevel.XA,
    kind: str = SessionKind.PERIODIC,
    questions_close_at: datetime | None = None,
    announce: bool = False,
) -> DialogueSession:
    title, place = title.strip(), place.strip()
    if not title or len(title) > 300:
        raise InvalidInput("title must be 1–300 characters")
    if not place or len(place) > 300:
        raise InvalidInput("place must be 1–300 characters")
    if level not in set(SessionLevel):
        raise InvalidInput(f"level must be one of {', '.join(SessionLevel)}")
    if kind not in set(SessionKind):
        raise InvalidInput(f"kind must be one of {', '.join(SessionKind)}")
    if starts_at <= now:
        raise InvalidInput("the session must start in the future")
    if questions_close_at is not None and not (now < questions_close_at <= starts_at):
        raise InvalidInput("questions must close after now and no later than the session starts")
    session = DialogueSession(
        title=title,
        place=place,
        starts_at=starts_at,
        level=level,
        kind=kind,
        questions_close_at=questions_close_at,
        status=SessionStatus.DRAFT,
        created_at=now,
    )
    db.add(session)
    await db.flush()
    if announce:
        await announce_session(db, session, now)
    return session


async def announce_session(db: AsyncSession, session: DialogueSession, now: datetime) -> DialogueSession:
    if session.status != SessionStatus.DRAFT:
        raise WrongState("only a draft session can be announced")
    if not announce_deadline_ok(session, now):
        raise AnnouncementTooLate(days=ANNOUNCE_MIN_DAYS)
    session.status = SessionStatus.ANNOUNCED
    session.announced_at = now
    await db.flush()
    return session


def questions_close_at(session: DialogueSession) -> datetime:
    """Questions close at the set time, or when the session starts (at the latest)."""
    return session.questions_close_at or session.starts_at


def is_open_for_questions(session: DialogueSession, now: datetime) -> bool:
    return session.status == SessionStatus.ANNOUNCED and now < questions_close_at(session)


_ANNOUNCED = (
    select(DialogueSession)
    .where(DialogueSession.status == SessionStatus.ANNOUNCED)
    .order_by(DialogueSession.starts_at)
)


async def open_sessions(db: AsyncSession, now: datetime, *, cached: bool = False) -> list[DialogueSession]:
    """Sessions a citizen can send questions to now. ``cached``: from a short-lived in-process copy of
    the announced sessions (storage/readcache.py), for the citizen conversation's every step."""

    async def load() -> list[DialogueSession]:
        return list(await db.scalars(_ANNOUNCED))

    async def copies() -> list[DialogueSession]:
        return [readcache.snapshot(s) for s in await load()]  # read like DialogueSession

    rows = await (readcache.cached(db.bind, "announced_sessions", copies) if cached else load())
    return [s for s in rows if s.starts_at > now and is_open_for_questions(s, now)]


async def list_sessions(db: AsyncSession) -> list[DialogueSession]:
    return list(await db.scalars(select(DialogueSession).order_by(DialogueSession.starts_at.desc())))


# --- the rest of the lifecycle: questions closed, held, concluded (used by the office workflow) ----


async def _move(
    db: AsyncSession, session_id: int, allowed: tuple[str, ...], **values: object
) -> DialogueSession:
    """Conditional status change: only one of two concurrent presses wins; the other gets WrongState."""
    from sqlalchemy import update

    result = await db.execute(
        update(DialogueSession)
        .where(DialogueSession.id == session_id, DialogueSession.status.in_([str(s) for s in allowed]))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise WrongState("no such session")
    await db.refresh(session)
    if result.rowcount != 1:
        raise WrongState("the session is not in a state for this", status=session.status)
    return session


async def close_questions(db: AsyncSession, session_id: int, now: datetime) -> DialogueSession:
    return await _move(
        db,
        session_id,
        (SessionStatus.ANNOUNCED,),
        status=SessionStatus.QUESTIONS_CLOSED,
        questions_close_at=now,
    )


async def mark_held(
    db: AsyncSession, session_id: int, now: datetime, participants: int | None = None
) -> DialogueSession:
    values: dict[str, object] = {"status": SessionStatus.HELD, "held_at": now}
    if participants is not None:
        values["participants"] = participants
    return await _move(db, session_id, (SessionStatus.ANNOUNCED, SessionStatus.QUESTIONS_CLOSED), **values)


async def conclude_session(
    db: AsyncSession, session_id: int, notice_text: str | None, notice_file_id: str | None, now: datetime
) -> DialogueSession:
    """R4: record the conclusion notice; a session is concluded once (a second notice is refused)."""
    return await _move(
        db,
        session_id,
        (SessionStatus.HELD,),
        status=SessionStatus.CONCLUDED,
        notice_at=now,
        notice_text=notice_text,
        notice_file_id=notice_file_id,
    )
