"""The citizen side of the domain: consent, submitting, following, withdrawing, export, deletion.

Plain Python over the database; the conversation (bot/conversation) and every channel call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle, units
from bot.domain.codes import new_tracking_code
from bot.domain.directory import get_config
from bot.domain.errors import NotAllowed, NotFound, QuestionsClosed, WrongState
from bot.domain.sessions import is_open_for_questions
from bot.i18n import local_date
from storage.models import (
    Attachment,
    Citizen,
    DialogueSession,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Topic,
)


@dataclass
class NewAttachment:
    kind: str  # photo | document
    file_id: str
    file_name: str | None = None


# Built once: a citizen is looked up on most steps of the conversation.
_CITIZEN_BY_CHAT = select(Citizen).where(
    Citizen.channel == bindparam("channel"), Citizen.chat_id == bindparam("chat_id")
)


async def find_citizen(db: AsyncSession, channel: str, chat_id: str) -> Citizen | None:
    return await db.scalar(_CITIZEN_BY_CHAT, {"channel": channel, "chat_id": chat_id})


async def get_or_create_citizen(db: AsyncSession, channel: str, chat_id: str, now: datetime) -> Citizen:
    citizen = await find_citizen(db, channel, chat_id)
    if citizen is None:
        citizen = Citizen(channel=channel, chat_id=chat_id, created_at=now)
        db.add(citizen)
        await db.flush()
    return citizen


async def set_locale(db: AsyncSession, channel: str, chat_id: str, locale: str, now: datetime) -> Citizen:
    citizen = await get_or_create_citizen(db, channel, chat_id, now)
    citizen.locale = locale
    return citizen


async def give_consent(db: AsyncSession, channel: str, chat_id: str, locale: str, now: datetime) -> Citizen:
    citizen = await find_citizen(db, channel, chat_id)
    if citizen is None:  # stored at once with the consent (one INSERT)
        citizen = Citizen(channel=channel, chat_id=chat_id, created_at=now, locale=locale)
        db.add(citizen)
    citizen.consent_at = now
    citizen.deleted_at = None
    citizen.locale = citizen.locale or locale
    citizen.last_seen_at = now
    return citizen


async def subscribe_to_sessions(db: AsyncSession, citizen: Citizen) -> None:
    citizen.notify_sessions = True


async def log_event(
    db: AsyncSession, submission: Submission, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    db.add(SubmissionEvent(submission_id=submission.id, at=now, actor=actor, action=action, detail=detail))


async def submit(
    db: AsyncSession,
    *,
    citizen: Citizen,
    session_id: int,
    topic_id: int | None,
    text: str,
    attachments: list[NewAttachment],
    name: str,
    phone: str | None,
    address: str | None,
    public_name: bool,
    now: datetime,
    default_prefix: str,
) -> Submission:
    """Store a confirmed question; the office is told in the same transaction."""
    if citizen.consent_at is None:
        raise NotAllowed("no consent")
    session = await db.get(DialogueSession, session_id)
    if session is None or not is_open_for_questions(session, now):
        raise QuestionsClosed()
    topic = await db.get(Topic, topic_id) if topic_id is not None else None
    if topic is not None and topic.unit_id != session.unit_id:  # another unit's topic never goes with it
        topic = None
    prefix = (await units.prefix_for(db, session.unit_id)) or (await get_config(db, "code_prefix"))
    code = await new_tracking_code(db, prefix or default_prefix, local_date(now))
    submission = Submission(
        unit_id=session.unit_id,
        code=code,
        session=session,
        citizen_id=citizen.id,
        channel=citizen.channel,
        topic=topic,
        department=None,
        text=text,
        asker_name=name,
        phone=phone,
        address=address,
        public_name=public_name,
        status=SubmissionStatus.RECEIVED,
        created_at=now,
        updated_at=now,
    )
    submission.attachments = [
        Attachment(kind=a.kind, file_id=a.file_id, file_name=a.file_name) for a in attachments
    ]
    db.add(submission)
    citizen.name, citizen.phone, citizen.address = name, phone or citizen.phone, address or citizen.address
    citizen.last_seen_at = now
    await db.flush()
    lifecycle.created(db, submission, "citizen", now, {"attachments": len(attachments)})
    return submission


async def citizen_submissions(db: AsyncSession, citizen: Citizen) -> list[Submission]:
    rows = await db.scalars(
        select(Submission).where(Submission.citizen_id == citizen.id).order_by(Submission.created_at.desc())
    )
    return list(rows)


async def citizen_submission(db: AsyncSession, citizen: Citizen, submission_id: int) -> Submission:
    sub = await db.get(Submission, submission_id)
    if sub is None or sub.citizen_id != citizen.id:
        raise NotFound()
    return sub


async def submission_by_code(db: AsyncSession, citizen: Citizen, code: str) -> Submission | None:
    return await db.scalar(
        select(Submission).where(Submission.code == code, Submission.citizen_id == citizen.id)
    )


async def awaiting_clarification(db: AsyncSession, citizen: Citizen) -> Submission | None:
    """The citizen's most recent submission on which the office asked for more information."""
    return await db.scalar(
        select(Submission)
        .where(Submission.citizen_id == citizen.id, Submission.awaiting_clarification.is_(True))
        .order_by(Submission.updated_at.desc(), Submission.id.desc())
        .limit(1)
    )


async def history(db: AsyncSession, submission: Submission) -> list[SubmissionEvent]:
    rows = await db.scalars(
        select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == submission.id)
        .order_by(SubmissionEvent.at, SubmissionEvent.id)
    )
    return list(rows)


def can_withdraw(submission: Submission) -> bool:
    return submission.status in lifecycle.WITHDRAWABLE and submission.session.status in lifecycle.BEFORE_HELD


async def withdraw(db: AsyncSession, citizen: Citizen, submission_id: int, now: datetime) -> Submission:
    sub = await citizen_submission(db, citizen, submission_id)
    if not can_withdraw(sub):
        raise NotAllowed("cannot withdraw now")
    previous = sub.status
    try:  # conditional: a concurrent routing or a second press cannot both win
        await lifecycle.move(
            db, sub, "withdraw", "citizen", now, to=SubmissionStatus.WITHDRAWN, withdrawn_at=now
        )
    except WrongState:
        raise NotAllowed("changed meanwhile") from None
    await lifecycle.promote_duplicate(db, sub, previous, now)
    return sub


async def export_data(db: AsyncSession, citizen: Citizen) -> dict[str, Any]:
    subs = await citizen_submissions(db, citizen)
    out: dict[str, Any] = {
        "channel": citizen.channel,
        "chat_id": citizen.chat_id,
        "language": citizen.locale,
        "consent_at": citizen.consent_at.isoformat() if citizen.consent_at else None,
        "name": citizen.name,
        "phone": citizen.phone,
        "address": citizen.address,
        "notify_sessions": citizen.notify_sessions,
        "submissions": [],
    }
    for sub in subs:
        out["submissions"].append(
            {
                "code": sub.code,
                "session": sub.session.title,
                "session_starts_at": sub.session.starts_at.isoformat(),
                "topic": sub.topic.name_vi if sub.topic else None,
                "text": sub.text,
                "name": sub.asker_name,
                "phone": sub.phone,
                "address": sub.address,
                "public_name": sub.public_name,
                "status": sub.status,
                "created_at": sub.created_at.isoformat(),
                "attachments": [{"kind": a.kind, "file_name": a.file_name} for a in sub.attachments],
                "session_answer": sub.session_answer,
                "response": sub.response_text,
                "response_due": sub.response_due.isoformat() if sub.response_due else None,
                "history": [{"at": e.at.isoformat(), "action": e.action} for e in await history(db, sub)],
            }
        )
    return out


async def delete_personal_data(db: AsyncSession, citizen: Citizen, now: datetime) -> int:
    """Erase what identifies the person, everywhere it is stored (bot.domain.privacy); keep anonymised
    rows for statistics. Open questions are withdrawn. Returns how many submissions were anonymised."""
    from bot.domain.privacy import erase_citizen

    return await erase_citizen(db, citizen, now)
