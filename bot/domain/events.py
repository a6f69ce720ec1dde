"""What happened, as the domain records it: the notification layer (bot/notify/notifier.py) decides
who is told and how.

A domain operation calls ``record(db, Event(...))``; the events wait in the database session and are
published when it commits, in the same transaction (``storage.db.Session.commit`` calls the
publisher the composition root installed): the outbox rows they cause are written with the change,
or not at all. A rolled-back transaction forgets its events. Committing events with no publisher
installed is an error, never a silent drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as OrmSession

KEY = "domain_events"


@dataclass
class Event:
    name: str  # the lifecycle action ("route", "respond", …) or "session_<action>"
    at: datetime
    actor: str  # "office:<user id>", "dept:<user id>", "citizen", "system"
    submission_id: int | None = None
    session_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    history_id: int | None = None  # the question's history row for this event, when there is one
    # a question created in this transaction ("submit"): its object, so that publishing the event
    # need not read back what was just written
    made: Any = field(default=None, repr=False, compare=False)


def record(db: AsyncSession, event: Event) -> None:
    db.info.setdefault(KEY, []).append(event)


def take(db: AsyncSession) -> list[Event]:
    """The events recorded since the last publication (and forget them)."""
    return db.info.pop(KEY, None) or []


def pending(db: AsyncSession) -> bool:
    return bool(db.info.get(KEY))


@event.listens_for(OrmSession, "before_commit")
def _unpublished(session: OrmSession) -> None:
    """Events reach the commit only when nobody published them: a wiring mistake, never a silent drop."""
    if session.info.get(KEY):
        names = ", ".join(e.name for e in session.info[KEY][:5])
        raise RuntimeError(
            f"domain events ({names}) were recorded but no publisher is installed on this database "
            "session: build the sessionmaker with bot.notify.sessionmaker_for(engine)"
        )


@event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop(KEY, None)
