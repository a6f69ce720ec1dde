"""SQLAlchemy models: the whole schema. Migrations live in storage/migrations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"  # open for questions
    QUESTIONS_CLOSED = "questions_closed"
    HELD = "held"
    CONCLUDED = "concluded"  # conclusion notice issued
    CLOSED = "closed"  # every submission settled
    CANCELLED = "cancelled"  # called off before it was held; its questions are answered in writing


class SessionKind(enum.StrEnum):
    PERIODIC = "periodic"
    ADHOC = "adhoc"
    ON_REQUEST = "on_request"


class SessionLevel(enum.StrEnum):
    XA = "xa"
    HUYEN = "huyen"
    TINH = "tinh"


class SubmissionStatus(enum.StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"
    ANSWERED_AT_SESSION = "answered_at_session"
    AWAITING_RESPONSE = "awaiting_response"
    RESPONDED = "responded"
    FORWARDED = "forwarded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    ANSWERED_ABOVE = "answered_above"  # forwarded, and the competent authority's answer relayed
    SET_ASIDE = "set_aside"  # a complaint or denunciation handed to its own procedure


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"


class StaffRole(enum.StrEnum):
    OFFICE = "office"
    DEPARTMENT = "department"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # never to be sent: its addressee's personal data was deleted


class AppConfig(Base):
    """Small deployment facts: office_chat_id, code_prefix, unit names…"""

    __tablename__ = "app_config"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UnitLevel(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # the older middle level, still possible
    COMMUNE = "commune"
    WARD = "ward"


class Unit(Base):
    """One local government on the deployment (a province and its communes and wards): its own office
    group, code prefix, departments, topics, staff, sessions and days off (bot/domain/units.py). A
    deployment whose directory names one unit behaves as before."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default=UnitLevel.COMMUNE)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    code_prefix: Mapped[str | None] = mapped_column(String(4))
    office_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    days_off: Mapped[list[Any]] = mapped_column(default=list)  # ISO dates: the unit's own days off
    name_folded: Mapped[str] = mapped_column(String(200), default="")  # for matching what citizens type
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_department_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_topic_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    department: Mapped[Department | None] = relationship(lazy="joined")


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id", name="uq_staff_member"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    created_at: Mapped[datetime]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # an office member's unit
    # Listed in the directory file (a reload removes whoever it no longer lists), not added in chat.
    from_directory: Mapped[bool] = mapped_column(Boolean, default=False)


class CalendarDay(Base):
    """A deployment's own extra day off ("off") or make-up working day ("work")."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(200), default="")


class DialogueSession(Base):
    __tablename__ = "dialogue_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(8), default=SessionLevel.XA)
    kind: Mapped[str] = mapped_column(String(16), default=SessionKind.PERIODIC)
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300))
    questions_close_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.DRAFT, index=True)
    announced_at: Mapped[datetime | None]
    held_at: Mapped[datetime | None]
    notice_at: Mapped[datetime | None]
    notice_text: Mapped[str | None] = mapped_column(Text)
    notice_file_id: Mapped[str | None] = mapped_column(String(300))
    participants: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    postponed_from: Mapped[datetime | None]  # the date it was first announced for, when postponed
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # whose session


class Citizen(Base):
    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_citizen_chat"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.TELEGRAM)
    chat_id: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[datetime | None]
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    notify_sessions: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the commune they chose


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_session_status", "session_id", "status"),
        # A session's most recent questions, newest first, without sorting them all (duplicate hints)
        Index("ix_submissions_session_recent", "session_id", "id"),
        Index("ix_submissions_due", "status", "response_due"),
        Index("ix_submissions_unit_status", "unit_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.TELEGRAM)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    asker_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    public_name: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), default=SubmissionStatus.RECEIVED)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    routed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    awaiting_clarification: Mapped[bool] = mapped_column(Boolean, default=False)
    session_answer: Mapped[str | None] = mapped_column(Text)
    response_due: Mapped[date | None] = mapped_column(Date)  # R5, moved by an approved extension (R6)
    original_due: Mapped[date | None] = mapped_column(Date)  # the R5 date before any extension
    extension_reason: Mapped[str | None] = mapped_column(Text)
    response_text: Mapped[str | None] = mapped_column(Text)
    response_file_id: Mapped[str | None] = mapped_column(String(300))
    responded_at: Mapped[datetime | None]
    forwarded_to: Mapped[str | None] = mapped_column(String(300))
    forward_reason: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None]
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]  # the latest answer, at the session or in writing (ratings)
    # when its personal data was erased (the asker's request, or the retention period: bot.domain.privacy)
    anonymised_at: Mapped[datetime | None]

    session: Mapped[DialogueSession] = relationship(lazy="joined")
    topic: Mapped[Topic | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="submission", lazy="selectin", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    # Publication on the public website (bot/domain/publication.py): the question as published, with
    # personal details edited out by the office, and optionally an edited answer.
    published_at: Mapped[datetime | None]
    published_text: Mapped[str | None] = mapped_column(Text)
    published_answer: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[str | None] = mapped_column(String(64))

    # Where a question came from, what it is, and what became of it beyond the local level (issue #13).
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat|floor|front|paper|phone
    source_org: Mapped[str | None] = mapped_column(String(200))  # the MTTQ or mass organisation
    nature: Mapped[str | None] = mapped_column(String(16))  # proposal|feedback|policy|complaint|denunciation
    set_aside_at: Mapped[datetime | None]  # handed to the complaints / denunciations procedure
    set_aside_note: Mapped[str | None] = mapped_column(Text)
    follow_up_at: Mapped[datetime | None]  # "needs follow-up" pressed while going through the agenda
    forward_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    forward_doc_no: Mapped[str | None] = mapped_column(String(64))  # the forwarding document's number
    forward_doc_date: Mapped[date | None] = mapped_column(Date)
    forwarded_at: Mapped[datetime | None]
    forward_follow_up: Mapped[date | None] = mapped_column(Date)  # the office follows it up from then
    above_answer_text: Mapped[str | None] = mapped_column(Text)  # the competent authority's answer
    above_answer_file_id: Mapped[str | None] = mapped_column(String(300))
    above_answered_at: Mapped[datetime | None]
    response_doc_no: Mapped[str | None] = mapped_column(String(64))  # số văn bản of the written response
    response_doc_date: Mapped[date | None] = mapped_column(Date)  # its ngày ban hành
    response_file_name: Mapped[str | None] = mapped_column(String(300))
    claim_failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong "code + last 4 digits" tries
    claim_locked_until: Mapped[datetime | None]
    # The unit that holds it (its office triages it), and the unit it was first asked in when a
    # commune forwarded it up to the province inside the system (bot/domain/units.py).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    origin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    file_id: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(300))
    submission: Mapped[Submission] = relationship(back_populates="attachments")


class SubmissionEvent(Base):
    """Who did what, when, to a submission."""

    __tablename__ = "submission_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))  # citizen | system | office:<user id> | dept:<user id>
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    requested_by: Mapped[int] = mapped_column(BigInteger)
    new_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | approved | refused
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class Outbox(Base):
    """Messages that must not be lost; written in the transaction that causes them."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "available_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),  # a chat's order (shared_dispatcher.py)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency key
    channel: Mapped[str] = mapped_column(String(16), default=Channel.TELEGRAM)
    chat_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column()  # {"method": ..., "params": {...}}
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # when the payload was emptied (delivered long enough ago, or its personal data erased)
    purged_at: Mapped[datetime | None]


class Counter(Base):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class FsmState(Base):
    """aiogram FSM state and data, so conversations survive a restart."""

    __tablename__ = "fsm_states"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Lease(Base):
    """A named lock with an expiry (one scheduler tick at a time across processes)."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class InboundSeen(Base):
    """Inbound message ids already handled (Zalo may deliver an event twice)."""

    __tablename__ = "inbound_seen"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime]


class AuditEntry(Base):
    """Staff access to personal data: who, when, what, from which chat (bot.domain.audit)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))  # tg:<user id> | cli:<system user>
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    chat_id: Mapped[str | None] = mapped_column(String(64))  # where it was shown; None on the command line
    action: Mapped[str] = mapped_column(String(40))  # view_submission | find | agenda | report_files | …
    subject: Mapped[str] = mapped_column(String(300), default="")  # tracking codes, a period, a session
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# A session's published questions, in the order they were published (the public website).
Index("ix_submissions_session_published", Submission.session_id, Submission.published_at)


class Authority(Base):
    """A competent authority above the local level that questions are forwarded to (the directory's
    ``[[authorities]]``), with its own Telegram group when it uses this bot."""

    __tablename__ = "authorities"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    follow_up_days: Mapped[int | None] = mapped_column(Integer)  # working days; None: the deployment's
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Coordination(Base):
    """A department that coordinates on a question another department (the lead) answers."""

    __tablename__ = "coordinations"
    __table_args__ = (UniqueConstraint("submission_id", "department_id", name="uq_coordination"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    added_at: Mapped[datetime]
    part_text: Mapped[str | None] = mapped_column(Text)  # its contribution, for the lead department
    part_file_id: Mapped[str | None] = mapped_column(String(300))
    part_at: Mapped[datetime | None]


class CallNote(Base):
    """A message an asker with no chat would have received: the office calls them (one row per
    message, listed to the office in batches)."""

    __tablename__ = "call_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # the message's own outbox key
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)  # what they would have read (the groups' language)
    created_at: Mapped[datetime]
    listed_at: Mapped[datetime | None]  # when the office was given it
