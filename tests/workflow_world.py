"""Shared setup for the office/department tests: the sample directory, a session, citizens who asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import intake
from bot.domain.directory import apply, parse
from bot.domain.sessions import create_session
from storage.models import Department, DialogueSession, Outbox, Submission, Topic

SAMPLE_DIRECTORY = Path(__file__).resolve().parent.parent / "directory" / "sample_commune.toml"
OFFICE = -1001000000001
DIA_CHINH_CHAT = -1001000000002
XA_HOI_CHAT = -1001000000004
OFFICE_STAFF = 5000001
DIA_CHINH_STAFF = 5000002
XA_HOI_STAFF = 5000003
ADMIN = 4000001


async def load_directory(db: AsyncSession, now: datetime) -> None:
    await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), now)


async def new_session(db: AsyncSession, now: datetime, days_ahead: int = 20, **kw) -> DialogueSession:
    return await create_session(
        db,
        title=kw.pop("title", "Hội nghị đối thoại quý IV"),
        place="Hội trường UBND xã",
        starts_at=now + timedelta(days=days_ahead),
        now=now,
        announce=kw.pop("announce", True),
        **kw,
    )


async def ask(
    db: AsyncSession,
    session: DialogueSession,
    chat_id: int,
    text: str,
    now: datetime,
    *,
    topic: str | None = None,
    name: str = "Nguyễn Văn An",
    locale: str = "vi",
    phone: str | None = "0912345678",
    address: str | None = "Thôn 3",
    public_name: bool = True,
    attachments: list[intake.NewAttachment] | None = None,
) -> Submission:
    citizen = await intake.give_consent(db, "telegram", str(chat_id), locale, now)
    citizen.locale = locale
    topic_id = None
    if topic is not None:
        topic_id = await db.scalar(select(Topic.id).where(Topic.code == topic))
    return await intake.submit(
        db,
        citizen=citizen,
        session_id=session.id,
        topic_id=topic_id,
        text=text,
        attachments=attachments or [],
        name=name,
        phone=phone,
        address=address,
        public_name=public_name,
        now=now,
        default_prefix="DT",
    )


async def dept(db: AsyncSession, code: str) -> Department:
    return await db.scalar(select(Department).where(Department.code == code))


async def outbox_to(db: AsyncSession, chat_id: int | str) -> list[Outbox]:
    """The messages queued for a chat, once what was done so far is committed (the notifier writes
    them when the transaction commits)."""
    await db.commit()
    rows = await db.scalars(select(Outbox).where(Outbox.chat_id == str(chat_id)).order_by(Outbox.id))
    return list(rows)


def texts(rows: list[Outbox]) -> list[str]:
    return [r.payload["text"] for r in rows]
