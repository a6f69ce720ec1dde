"""Dialogue sessions: creating, announcing (R1), which are open for questions, closing questions,
held, postponed, cancelled. Every change of status is a move of the lifecycle table
(bot/domain/lifecycle.py); the conclusion notice is in bot/domain/at_session.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain import lifecycle, units
from bot.domain.deadlines import load_calendar, load_calendars, response_due
from bot.domain.errors import AnnouncementTooLate, InvalidInput, NotFound, TooEarly
from bot.i18n import local_date
from storage import readcache
from storage.models import (
    Citizen,
    DialogueSession,
    SessionKind,
    SessionLevel,
    SessionStatus,
    Submission,
    SubmissionStatus,
)

SS = SessionStatus

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
    actor: str = "office",
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
        await announce_session(db, session, now, actor)
    return session


async def announce_session(
    db: AsyncSession, session: DialogueSession, now: datetime, actor: str = "office"
) -> DialogueSession:
    """R1: public at least 7 days before the day it is held (ad hoc sessions excepted)."""
    lifecycle.check("announce", session.status, actor, session=True)
    if not announce_deadline_ok(session, now):
        raise AnnouncementTooLate(days=ANNOUNCE_MIN_DAYS)
    return await lifecycle.move_session(
        db, session, "announce", actor, now, to=SS.ANNOUNCED, announced_at=now
    )


async def subscribers(db: AsyncSession) -> int:
    """How many citizens asked to hear of new sessions (the announcement reaches them)."""
    found = await db.scalar(
        select(func.count(Citizen.id)).where(
            Citizen.notify_sessions.is_(True), Citizen.deleted_at.is_(None), Citizen.chat_id.is_not(None)
        )
    )
    return found or 0


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


# --- the rest of the session's life: closing questions, held, postponed, cancelled -----------------


async def get_session(db: AsyncSession, session_id: int) -> DialogueSession:
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound("no such session")
    return session


async def close_questions(db: AsyncSession, session_id: int, actor: str, now: datetime) -> DialogueSession:
    session = await get_session(db, session_id)
    return await lifecycle.move_session(
        db, session, "close_questions", actor, now, to=SS.QUESTIONS_CLOSED, questions_close_at=now
    )


async def mark_held(
    db: AsyncSession, session_id: int, actor: str, now: datetime, participants: int | None = None
) -> DialogueSession:
    """The session took place (R4's ten days run from its day); refused before it starts."""
    session = await get_session(db, session_id)
    lifecycle.check("mark_held", session.status, actor, session=True)
    if now < session.starts_at:
        raise TooEarly("the session has not started yet", starts_at=session.starts_at)
    if participants is not None and not 0 <= participants <= 1_000_000:
        raise InvalidInput("participants must be a whole number")
    return await lifecycle.move_session(
        db, session, "mark_held", actor, now, to=SS.HELD, held_at=now, participants=participants
    )


async def postpone(
    db: AsyncSession, session_id: int, starts_at: datetime, actor: str, now: datetime
) -> DialogueSession:
    """A new date (and the same place). Announced again, R1 applies again: at least 7 days ahead,
    unless ad hoc. Its questions stay; the citizens who asked are told."""
    session = await get_session(db, session_id)
    lifecycle.check("postpone", session.status, actor, session=True)
    if starts_at <= now:
        raise InvalidInput("the new date must be in the future")
    r1 = session.status != SS.DRAFT and session.kind != SessionKind.ADHOC
    if r1 and (local_date(starts_at) - local_date(now)).days < ANNOUNCE_MIN_DAYS:
        raise AnnouncementTooLate(days=ANNOUNCE_MIN_DAYS)
    before = session.starts_at
    closes = session.questions_close_at
    return await lifecycle.move_session(
        db,
        session,
        "postpone",
        actor,
        now,
        event={"from": before.isoformat()},
        starts_at=starts_at,
        postponed_from=session.postponed_from or before,
        questions_close_at=closes if closes is None or closes <= starts_at else starts_at,
    )


async def cancel(
    db: AsyncSession, session_id: int, reason: str, actor: str, now: datetime
) -> DialogueSession:
    """Called off before it was held. Its open questions are answered in writing, within 30 working
    days of the cancellation (R5 by analogy); a later approved date is kept."""
    session = await get_session(db, session_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise InvalidInput("a reason is needed")
    due = response_due(local_date(now), await load_calendar(db, session.unit_id))
    session = await lifecycle.move_session(
        db,
        session,
        "cancel",
        actor,
        now,
        to=SS.CANCELLED,
        event={"due": due.isoformat(), "reason": reason},
        cancelled_at=now,
        cancel_reason=reason,
    )
    await start_response_clock(db, session, "session_cancelled", due, actor, now, {"reason": reason})
    return session


async def start_response_clock(
    db: AsyncSession,
    session: DialogueSession,
    action: str,
    due: date,
    actor: str,
    now: datetime,
    event: dict[str, object],
) -> list[int]:
    """Every open question of the session now owes a written response (kept when an approved extension
    already set a later date): routed ones become ``awaiting_response``, those at the office stay there
    with the date. ``due`` is the date by the session's unit's calendar; a question that unit handed
    up to the unit above is still the session's, and owes its response by the calendar of the unit
    that holds it now (its days off). The office acts confined to its own unit, so the questions are
    read across units here. Returns the ids moved, the session's unit's first. A fixed number of
    statements per unit holding the session's questions (one, but for questions handed up)."""
    with units.unscoped():
        found = await db.scalars(
            select(Submission.unit_id)
            .where(Submission.session_id == session.id, Submission.status.in_(sorted(lifecycle.OPEN)))
            .distinct()
        )
        others = sorted({u for u in found if u is not None and u != session.unit_id})
        ids = await _clock_for(db, session, _holder(None, others), action, due, actor, now, event)
        calendars = await load_calendars(db) if others else None
        for unit_id in others:
            theirs = response_due(local_date(now), calendars.of(unit_id))
            held = _holder(unit_id, others)
            told = {**event, "held_by": unit_id}  # its readers' messages are told apart by it
            more = await _clock_for(db, session, held, action, theirs, actor, now, told)
            ids = [*ids, *more]  # a new list: each event keeps its own ids
    return ids


def _holder(unit_id: int | None, others: list[int]) -> Callable[[Any], list[Any]]:
    """Which of the session's questions one clock is for (a condition on a Submission or an alias of
    it): those ``unit_id`` holds, one of the ``others`` the session's unit handed questions up to;
    with None, every question none of them holds (the session's unit's own)."""
    if unit_id is not None:
        return lambda row: [row.unit_id == unit_id]
    return lambda row: [or_(row.unit_id.is_(None), row.unit_id.not_in(others))] if others else []


async def _clock_for(
    db: AsyncSession,
    session: DialogueSession,
    held: Callable[[Any], list[Any]],
    action: str,
    due: date,
    actor: str,
    now: datetime,
    event: dict[str, object],
) -> list[int]:
    """The clock of the session's questions ``held(Submission)`` selects (those of one unit), and of the
    duplicates merged into them; one event, whose readers are told that unit's date."""
    later = case((Submission.response_due > due, Submission.response_due), else_=due)
    ids = await lifecycle.move_all(
        db,
        action,
        actor,
        now,
        where=[Submission.session_id == session.id, Submission.merged_into_id.is_(None), *held(Submission)],
        to=case(
            (Submission.status == SubmissionStatus.ROUTED, SubmissionStatus.AWAITING_RESPONSE),
            else_=Submission.status,
        ),
        to_states=(SubmissionStatus.RECEIVED, SubmissionStatus.AWAITING_RESPONSE),
        detail={"response_due": due.isoformat()},
        event={"due": due.isoformat(), **event},
        session_id=session.id,
        response_due=later,
        original_due=due,
    )
    # duplicates merged into those questions carry the same date
    target = aliased(Submission)
    still_open = select(target.id).where(
        target.session_id == session.id,
        target.status.in_(sorted(lifecycle.OPEN)),
        *held(target),
    )
    await db.execute(
        update(Submission)
        .where(
            Submission.session_id == session.id,
            Submission.status == SubmissionStatus.MERGED,
            Submission.merged_into_id.in_(still_open),
        )
        .values(response_due=later, original_due=due, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return ids
