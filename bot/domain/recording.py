"""Questions the office records itself: raised from the floor of the session, gathered beforehand by
the Fatherland Front (MTTQ) or a mass organisation, handed in on paper, or taken by phone (001
§II.2.3–2.4). Each gets a tracking code and then follows the same lifecycle, deadlines and reports as
a question typed into the chat.

Who asked: such an asker has no chat yet, so each recorded question gets a ``Citizen`` row of its
own with no chat id (channel ``OFFLINE``) holding the name, phone and hamlet the office took down.
Everything downstream — the notifier's ``tell_askers``, the ticks, the reports — then works
unchanged: nobody can be messaged on that row (``outbox.reachable`` is false without a chat id), so
the notification layer gives the office the phone number to call instead (bot/notify/calls.py).
When the asker later types the code and the last four digits of that phone number in a chat with the
bot (bot/domain/linking.py), the question moves to their chat citizen and every later update
reaches them there.

The submission itself carries where it came from (``source``: chat, floor, front — with the
organisation's name —, paper, phone) and, once the office classifies it, its nature (``nature``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.codes import new_tracking_code
from bot.domain.directory import get_config
from bot.domain.errors import InvalidInput, NotFound, WrongState
from bot.i18n import local_date
from storage.models import Citizen, DialogueSession, Submission, SubmissionStatus, Topic

OFFLINE = "offline"  # the channel of an asker with no chat (yet)

CHAT, FLOOR, FRONT, PAPER, PHONE = "chat", "floor", "front", "paper", "phone"
SOURCES = (CHAT, FLOOR, FRONT, PAPER, PHONE)
RECORDED_SOURCES = (FLOOR, FRONT, PAPER, PHONE)  # what the office can record

# kiến nghị, phản ánh, hỏi đáp chính sách, khiếu nại, tố cáo
NATURES = ("proposal", "feedback", "policy", "complaint", "denunciation")

TEXT_MIN, TEXT_MAX = 10, 3000
ORG_MAX = 200
_MOBILE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class Asker:
    """Who asked a recorded question, as the office took it down (each part optional)."""

    name: str | None = None
    phone: str | None = None
    hamlet: str | None = None
    public_name: bool = False


@dataclass
class NewQuestion:
    """One question to record (from the guided flow in the group, or a spreadsheet row)."""

    session_id: int
    text: str
    source: str
    topic_id: int | None = None
    source_org: str | None = None
    nature: str | None = None
    asker: Asker | None = None


def normalize_phone(text: str | None) -> str | None:
    """A Vietnamese phone number as 0XXXXXXXXX (or 02XXXXXXXXX); None when empty; InvalidInput if bad."""
    raw = re.sub(r"[\s.\-()]", "", (text or "").strip())
    if not raw:
        return None
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    elif raw.isdigit() and len(raw) == 9 and raw[0] in "35789":  # a spreadsheet dropped the leading 0
        raw = "0" + raw
    if not raw.isdigit() or not (_MOBILE.match(raw) or _LANDLINE.match(raw)):
        raise InvalidInput("bad phone number", field="phone", value=text)
    return raw


def check_text(text: str | None) -> str:
    value = " ".join((text or "").split()) if "\n" not in (text or "") else (text or "").strip()
    if len(value) < TEXT_MIN or not _LETTER.search(value):
        raise InvalidInput("the question is too short", field="text", min=TEXT_MIN)
    if len(value) > TEXT_MAX:
        raise InvalidInput("the question is too long", field="text", max=TEXT_MAX)
    return value


def check_source(source: str | None, org: str | None) -> tuple[str, str | None]:
    if source not in RECORDED_SOURCES:
        raise InvalidInput("unknown source", field="source", value=source)
    org = " ".join((org or "").split()) or None
    if source == FRONT and not org:
        raise InvalidInput("the organisation is missing", field="org")
    if org and len(org) > ORG_MAX:
        raise InvalidInput("the organisation's name is too long", field="org", max=ORG_MAX)
    return source, org if source == FRONT else None


def check_nature(nature: str | None) -> str | None:
    if nature is not None and nature not in NATURES:
        raise InvalidInput("unknown nature", field="nature", value=nature)
    return nature


def check_asker(asker: Asker | None) -> Asker:
    asker = asker or Asker()
    name = " ".join((asker.name or "").split()) or None
    hamlet = " ".join((asker.hamlet or "").split()) or None
    if name and (len(name) > 100 or not _LETTER.search(name)):
        raise InvalidInput("bad name", field="name", value=asker.name)
    if hamlet and len(hamlet) > 200:
        raise InvalidInput("the hamlet is too long", field="hamlet", max=200)
    return Asker(name, normalize_phone(asker.phone), hamlet, bool(asker.public_name and name))


async def session_taking_recorded(db: AsyncSession, session_id: int) -> DialogueSession:
    """The session, if the office may still record questions for it (announced, questions closed, or
    being held — until the conclusion notice)."""
    session = await db.get(DialogueSession, session_id)
    if session is None:
        raise NotFound("no such session")
    if session.status not in lifecycle.SESSION_TAKES_RECORDED:
        raise WrongState("the session takes no more questions", status=session.status)
    return session


async def sessions_taking_recorded(db: AsyncSession) -> list[DialogueSession]:
    rows = await db.scalars(
        select(DialogueSession)
        .where(DialogueSession.status.in_(sorted(lifecycle.SESSION_TAKES_RECORDED)))
        .order_by(DialogueSession.starts_at)
    )
    return list(rows)


async def record(
    db: AsyncSession, question: NewQuestion, actor: str, now: datetime, default_prefix: str
) -> Submission:
    """Record one question for the office (checked; the office is told in the same transaction)."""
    session = await session_taking_recorded(db, question.session_id)
    text = check_text(question.text)
    source, org = check_source(question.source, question.source_org)
    nature = check_nature(question.nature)
    asker = check_asker(question.asker)
    topic = await db.get(Topic, question.topic_id) if question.topic_id is not None else None
    if question.topic_id is not None and topic is None:
        raise InvalidInput("unknown topic", field="topic")
    return await _store(db, session, text, source, org, nature, asker, topic, actor, now, default_prefix)


async def _store(
    db: AsyncSession,
    session: DialogueSession,
    text: str,
    source: str,
    org: str | None,
    nature: str | None,
    asker: Asker,
    topic: Topic | None,
    actor: str,
    now: datetime,
    default_prefix: str,
) -> Submission:
    citizen = Citizen(
        channel=OFFLINE,
        chat_id=None,
        name=asker.name,
        phone=asker.phone,
        address=asker.hamlet,
        created_at=now,
    )
    db.add(citizen)
    await db.flush()
    from bot.domain.units import prefix_for  # the session's unit's prefix on a deployment of many

    prefix = (
        (await prefix_for(db, session.unit_id)) or (await get_config(db, "code_prefix")) or default_prefix
    )
    code = await new_tracking_code(db, prefix, local_date(now))
    sub = Submission(
        code=code,
        session=session,
        citizen_id=citizen.id,
        channel=OFFLINE,
        topic=topic,
        department=None,
        text=text,
        asker_name=asker.name,
        phone=asker.phone,
        address=asker.hamlet,
        public_name=asker.public_name,
        status=SubmissionStatus.RECEIVED,
        created_at=now,
        updated_at=now,
        source=source,
        source_org=org,
        nature=nature,
    )
    db.add(sub)
    await db.flush()
    detail = {"source": source, **({"org": org} if org else {})}
    lifecycle.created(db, sub, actor, now, detail)
    return sub


async def record_many(
    db: AsyncSession, questions: list[NewQuestion], actor: str, now: datetime, default_prefix: str
) -> list[Submission]:
    """Record questions already checked (an import): all of them, in this transaction, or none."""
    sessions: dict[int, DialogueSession] = {}
    topics = {t.id: t for t in await db.scalars(select(Topic))}
    out = []
    for q in questions:
        if q.session_id not in sessions:
            sessions[q.session_id] = await session_taking_recorded(db, q.session_id)
        asker = q.asker or Asker()
        topic = topics.get(q.topic_id) if q.topic_id is not None else None
        out.append(
            await _store(
                db,
                sessions[q.session_id],
                q.text,
                q.source,
                q.source_org,
                q.nature,
                asker,
                topic,
                actor,
                now,
                default_prefix,
            )
        )
    return out


def is_recorded(sub: Submission) -> bool:
    return (sub.source or CHAT) != CHAT


def split_asker(text: str) -> Asker:
    """What the office typed about the asker: ``Nguyễn Văn Ba; 0912 345 678; Thôn 2`` (parts in any
    order, separated by ``;``, ``,`` or new lines; the phone is the part made of digits; "-" or
    "không" for nobody)."""
    value = text.strip()
    if value.lower() in ("-", "không", "khong", "no", "none", "bỏ qua", "bo qua", "0"):
        return Asker()
    parts = [p.strip() for p in re.split(r"[;\n]|,(?!\d)", value) if p.strip()]
    phone = next((p for p in parts if re.fullmatch(r"[+\d][\d\s.\-()]{7,}", p)), None)
    rest = [p for p in parts if p is not phone]
    return Asker(name=rest[0] if rest else None, phone=phone, hamlet=", ".join(rest[1:]) or None)
