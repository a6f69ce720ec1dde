"""Personal data as Decree 13/2023/NĐ-CP requires: erased on the citizen's request, erased when kept
long enough, and never kept in a message longer than its delivery needs.

What identifies a person is stored in several places besides the citizen row: the question and the
contact details on each submission, its attachments (Telegram/Zalo file ids), the citizen's own words
in submission events (a clarification), the outbox (the office's triage card and the department's
card carry the name, phone, address, question and file ids; messages to the citizen quote the
question), the conversation state (``fsm_states``: Telegram keys ``fsm:<bot>:<chat>:<user>:…``, Zalo
``zalo:<chat>``, with any draft), and this process's copies (duplicate hints keep earlier questions'
texts, bot.domain.routing; the FSM storage's cache; storage.readcache).

- ``erase_citizen`` (the citizen's "delete my data", through ``intake.delete_personal_data``): every
  submission anonymised (open ones withdrawn: nobody could be answered), the rows about them in the
  outbox emptied, those not yet sent cancelled (``cancelled``, never sent), messages to the person
  likewise, and any other recent message that quotes their words redacted; the conversation state
  deleted; the citizen row emptied. The figures stay: submissions keep their session, topic,
  department, status, dates and rating.
- ``retention_tick`` (once a day, from the deadline tick): delivered messages' payloads emptied after
  ``settings.outbox_keep_days``; questions settled more than ``settings.retention_months`` ago
  anonymised the same way (status unchanged, so every report counts them as before), and the saved
  contact details of citizens with nothing newer.

Staff-written texts (the answer, reasons) are kept, with the person's name, phone, address and words
cut out wherever they were quoted. Copies in other processes (a ``doithoai tick`` beside ``run``)
age out of their bounded caches; the outbox rows themselves are kept (their keys make delivery
idempotent), only emptied.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, and_, case, cast, event, func, literal, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from bot.domain import lifecycle
from bot.domain.directory import _set_config, get_config
from bot.i18n import esc, local_date
from storage import readcache
from storage.models import (
    Channel,
    Citizen,
    ExtensionRequest,
    FsmState,
    Outbox,
    OutboxStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)

log = logging.getLogger(__name__)

S = SubmissionStatus
DELETED_TEXT = "[đã xoá theo yêu cầu / deleted on request]"
EXPIRED_TEXT = "[đã xoá khi hết thời hạn lưu / removed after the retention period]"
REDACTED = "[…]"
OPEN = lifecycle.OPEN  # withdrawn when their asker erases their data
SETTLED = sorted(lifecycle.SETTLED)  # what the retention period runs for
RETENTION_MARK = "privacy.retention_day"  # app_config: the local day the retention tick last finished
RETENTION_BATCH = 200  # questions anonymised per tick; the next minute's tick goes on
SHORTEST_ELSEWHERE = 4  # shorter values are cut out only from the person's own rows
_FORGET = "privacy_forget"  # session.info: copies to drop once the transaction commits


# --- what to cut out ----------------------------------------------------------------------------------


@dataclass
class Secrets:
    """The values that identify a person, cut out of any text or JSON (as typed and HTML-escaped, as
    whole words)."""

    values: set[str] = field(default_factory=set)
    _patterns: dict[int, re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    def add(self, *values: object) -> None:
        for value in values:
            if isinstance(value, str) and value.strip():
                self.values.add(value.strip())
        self._patterns.clear()

    def __bool__(self) -> bool:
        return bool(self.values)

    def _pattern(self, shortest: int) -> re.Pattern[str] | None:
        if shortest not in self._patterns:
            variants = {v for value in self.values if len(value) >= shortest for v in (value, esc(value))}
            ordered = sorted(variants, key=len, reverse=True)  # the longest first: a name within a text
            self._patterns[shortest] = (
                re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in ordered)) if ordered else None
            )
        return self._patterns[shortest]

    def redact(self, value: Any, shortest: int = 1) -> Any:
        """``value`` with every secret replaced by ``[…]``; dicts and lists are walked."""
        pattern = self._pattern(shortest)
        if pattern is None:
            return value
        return _walk(value, lambda text: pattern.sub(REDACTED, text))


def _walk(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _walk(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, change) for item in value]
    return value


def _free_text_columns(model: type) -> list[str]:
    """The columns of a model that may hold free text: Text, JSON and long strings (ids, codes and
    statuses are short strings). A column added later is covered without being listed."""
    names = []
    for attr in sa_inspect(model).mapper.column_attrs:
        column = attr.columns[0]
        kind = column.type
        if isinstance(kind, (Text, JSON)) or (isinstance(kind, String) and (kind.length or 10_000) >= 64):
            names.append(attr.key)
    return names


# --- anonymising submissions ----------------------------------------------------------------------------


async def anonymise(
    db: AsyncSession, subs: list[Submission], now: datetime, placeholder: str, reason: str = "erased"
) -> Secrets:
    """Erase the personal data of these submissions (status and dates kept); returns what was cut out,
    so the caller can look for copies elsewhere."""
    secrets = Secrets()
    if not subs:
        return secrets
    ids = [sub.id for sub in subs]
    events = list(await db.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id.in_(ids))))
    extensions = list(
        await db.scalars(select(ExtensionRequest).where(ExtensionRequest.submission_id.in_(ids)))
    )
    fresh = [sub for sub in subs if sub.anonymised_at is None]  # the others hold nothing any more
    for sub in fresh:
        secrets.add(sub.text, sub.asker_name, sub.phone, sub.address)
        for att in sub.attachments:
            secrets.add(att.file_id, att.file_name)
    for ev in events:
        if ev.actor == "citizen":  # the person's own words (a clarification they gave)
            secrets.add(*[v for v in (ev.detail or {}).values() if isinstance(v, str)])
    text_columns = _free_text_columns(Submission)
    for sub in fresh:
        sub.text = placeholder
        sub.asker_name = sub.phone = sub.address = None
        sub.public_name = False
        # the answer's file is addressed to the person (a merged duplicate's asker keeps their copy)
        sub.response_file_id = None
        sub.attachments.clear()  # delete-orphan: the rows go
        for name in text_columns:
            value = getattr(sub, name)
            if value is not None and name != "text":
                setattr(sub, name, secrets.redact(value))
        sub.anonymised_at = now
    event_columns = _free_text_columns(SubmissionEvent)
    for ev in events:
        if ev.actor == "citizen":
            ev.detail = {k: v for k, v in (ev.detail or {}).items() if not isinstance(v, str)}
        for name in event_columns:
            setattr(ev, name, secrets.redact(getattr(ev, name)))
    for req in extensions:
        for name in _free_text_columns(ExtensionRequest):
            setattr(req, name, secrets.redact(getattr(req, name)))
    # duplicates merged into these share their answer, copied onto each
    merged = await db.scalars(
        select(Submission).where(Submission.merged_into_id.in_(ids), Submission.id.not_in(ids))
    )
    for other in merged:
        for name in text_columns:
            value = getattr(other, name)
            if value is not None:
                setattr(other, name, secrets.redact(value))
    await _empty_outbox(db, Outbox.submission_id.in_(ids), now, reason)
    _forget_after_commit(db, submissions=ids)
    return secrets


async def _empty_outbox(db: AsyncSession, where: Any, now: datetime, reason: str, **also: Any) -> None:
    """Messages matching ``where``: those not sent yet are cancelled (never sent), all are emptied.
    One statement (the outbox has no index for ``where``: each statement reads it whole)."""
    pending = Outbox.status == OutboxStatus.PENDING
    await db.execute(
        update(Outbox)
        .where(where)
        .values(
            status=case((pending, OutboxStatus.CANCELLED.value), else_=Outbox.status),
            last_error=case((pending, f"personal data {reason}"), else_=Outbox.last_error),
            payload={"purged": reason},
            purged_at=func.coalesce(Outbox.purged_at, literal(now, Outbox.__table__.c.purged_at.type)),
            **also,
        )
        .execution_options(synchronize_session=False)
    )


def _stored_forms(values: Iterable[str], serialize: Any) -> set[str]:
    """How a value appears inside a JSON document as the database stores it (as typed, or
    HTML-escaped), written by the engine's own JSON serializer."""
    return {serialize(variant)[1:-1] for value in values for variant in (value, esc(value))}


async def _redact_outbox_since(db: AsyncSession, since: datetime, secrets: Secrets) -> int:
    """Other messages written since ``since`` that still hold a payload and quote the person (a
    duplicate hint, a note about a merged question): their words are cut out. The database picks
    the candidates (a substring test on the stored JSON), so only those are read and parsed."""
    dialect = db.bind.dialect
    serialize = getattr(dialect, "_json_serializer", None) or json.dumps
    forms = _stored_forms((v for v in secrets.values if len(v) >= SHORTEST_ELSEWHERE), serialize)
    if not forms:
        return 0
    stored = cast(Outbox.payload, Text)
    if dialect.name == "sqlite":  # LIKE (case-insensitive: more candidates, never fewer) beats instr here
        quoting = or_(*(stored.contains(form, autoescape=True) for form in sorted(forms)))
    else:
        quoting = or_(*(func.strpos(stored, form) > 0 for form in sorted(forms)))
    changed = 0
    rows = await db.execute(
        select(Outbox.id, Outbox.payload).where(
            Outbox.created_at >= since, Outbox.purged_at.is_(None), quoting
        )
    )
    for row_id, payload in rows.all():
        redacted = secrets.redact(payload, SHORTEST_ELSEWHERE)
        if redacted != payload:
            await db.execute(
                update(Outbox)
                .where(Outbox.id == row_id)
                .values(payload=redacted)
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return changed


# --- the conversation state and this process's copies ------------------------------------------------


def _conversation_keys(channel: str, chat_id: str) -> Any:
    """The ``fsm_states`` rows of one person's private chat on a channel."""
    if channel == Channel.TELEGRAM:
        if not chat_id.lstrip("-").isdigit():
            return None
        # fsm:<bot id>:<chat id>[:<thread id>]:<user id>:<destiny>; a private chat's id is its user's
        return and_(
            FsmState.key.like("fsm:%"),
            or_(
                FsmState.key.like(f"%:{chat_id}:{chat_id}:%"), FsmState.key.like(f"%:{chat_id}:%:{chat_id}:%")
            ),
        )
    return FsmState.key == f"{channel}:{chat_id}"


async def _erase_conversation(db: AsyncSession, channel: str, chat_id: str | None) -> None:
    where = _conversation_keys(channel, chat_id) if chat_id else None
    if where is None:
        return
    # Through the ORM: a channel holding the row in this session (Zalo) sees it deleted, not stale.
    rows = list(await db.scalars(select(FsmState).where(where)))
    for row in rows:
        await db.delete(row)
    await db.flush()
    _forget_after_commit(db, keys=[row.key for row in rows])


def _forget_after_commit(
    db: AsyncSession, *, submissions: Iterable[int] = (), keys: Iterable[str] = ()
) -> None:
    pending = db.sync_session.info.setdefault(_FORGET, {"submissions": set(), "keys": set()})
    pending["submissions"].update(submissions)
    pending["keys"].update(keys)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(_FORGET, None)
    if pending:
        forget_copies(pending["submissions"], pending["keys"])


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_FORGET, None)


def forget_copies(submission_ids: Iterable[int] = (), fsm_keys: Iterable[str] = ()) -> None:
    """Drop this process's in-memory copies of erased data."""
    from bot.domain import routing

    routing.forget(submission_ids)
    fsm = sys.modules.get("storage.fsm")  # loaded with aiogram, by the bot; nothing cached otherwise
    if fsm is not None:
        fsm.forget(fsm_keys)
    readcache.clear()


# --- the citizen's request ---------------------------------------------------------------------------


async def erase_citizen(db: AsyncSession, citizen: Citizen, now: datetime) -> int:
    """Erase what identifies the person, everywhere it is stored; keep anonymised rows for the
    figures. Open questions are withdrawn (nobody could be answered any more). Returns how many
    submissions were anonymised."""
    subs = list(
        await db.scalars(
            select(Submission).where(Submission.citizen_id == citizen.id).order_by(Submission.id)
        )
    )
    channel, chat_id = citizen.channel, citizen.chat_id
    for sub in subs:
        if sub.status in OPEN:  # nobody could be answered any more: a move of the lifecycle
            previous = sub.status
            await lifecycle.move(db, sub, "erase", "citizen", now, to=S.WITHDRAWN, withdrawn_at=now)
            await lifecycle.promote_duplicate(db, sub, previous, now)  # others who asked the same
        sub.awaiting_clarification = False
        sub.updated_at = now
    secrets = await anonymise(db, subs, now, DELETED_TEXT)
    secrets.add(citizen.name, citizen.phone, citizen.address)
    if chat_id is not None:
        to_person = and_(Outbox.channel == channel, Outbox.chat_id == chat_id)
        await _empty_outbox(db, to_person, now, "erased", chat_id="")
    first = min((sub.created_at for sub in subs), default=None)
    if first is not None and secrets:
        await _redact_outbox_since(db, first, secrets)
    await _erase_conversation(db, channel, chat_id)
    for sub in subs:
        db.add(
            SubmissionEvent(
                submission_id=sub.id, at=now, actor="citizen", action="personal_data_deleted", detail={}
            )
        )
    citizen.name = citizen.phone = citizen.address = None
    citizen.chat_id = None
    citizen.consent_at = None
    citizen.notify_sessions = False
    citizen.deleted_at = now
    log.info("personal data of citizen %s erased on request (%d submissions)", citizen.id, len(subs))
    return len(subs)


# --- retention ------------------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


async def purge_delivered(db: AsyncSession, now: datetime, keep_days: int) -> int:
    """Empty the payload of messages delivered (or given up on, or cancelled) more than ``keep_days``
    ago; the rows stay (their keys keep delivery idempotent). Returns how many were emptied."""
    cutoff = now - timedelta(days=keep_days)
    done = or_(
        and_(Outbox.status == OutboxStatus.SENT, Outbox.sent_at < cutoff),
        and_(Outbox.status.in_((OutboxStatus.FAILED, OutboxStatus.CANCELLED)), Outbox.created_at < cutoff),
    )
    result = await db.execute(
        update(Outbox)
        .where(done, Outbox.purged_at.is_(None))
        .values(payload={"purged": "delivered"}, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def expire_settled(db: AsyncSession, now: datetime, cutoff: datetime, limit: int) -> list[Submission]:
    """Anonymise up to ``limit`` questions settled (nothing changed on them) before ``cutoff``; a merged
    duplicate goes with its target."""
    subs = list(
        await db.scalars(
            select(Submission)
            .where(
                Submission.anonymised_at.is_(None),
                Submission.status.in_(SETTLED),
                Submission.updated_at < cutoff,
            )
            .order_by(Submission.id)
            .limit(limit)
        )
    )
    await anonymise(db, subs, now, EXPIRED_TEXT, "expired")
    await db.flush()
    target = aliased(Submission)
    merged = list(
        await db.scalars(
            select(Submission)
            .join(target, Submission.merged_into_id == target.id)
            .where(
                Submission.anonymised_at.is_(None),
                Submission.status == S.MERGED,
                Submission.updated_at < cutoff,
                target.anonymised_at.is_not(None),
            )
            .order_by(Submission.id)
            .limit(max(0, limit - len(subs)))
        )
    )
    await anonymise(db, merged, now, EXPIRED_TEXT, "expired")
    done = subs + merged
    await _forget_idle_citizens(db, {sub.citizen_id for sub in done}, cutoff)
    return done


async def _forget_idle_citizens(db: AsyncSession, citizen_ids: set[int], cutoff: datetime) -> None:
    """The saved contact details (and any unfinished draft) of citizens seen before ``cutoff`` whose
    every question is now anonymised; they are asked again if they come back."""
    for citizen_id in sorted(citizen_ids):
        citizen = await db.get(Citizen, citizen_id)
        if citizen is None or (citizen.last_seen_at is not None and citizen.last_seen_at >= cutoff):
            continue
        newer = await db.scalar(
            select(Submission.id)
            .where(Submission.citizen_id == citizen_id, Submission.anonymised_at.is_(None))
            .limit(1)
        )
        if newer is not None:
            continue
        citizen.name = citizen.phone = citizen.address = None
        await _erase_conversation(db, citizen.channel, citizen.chat_id)


async def retention_tick(db: AsyncSession, now: datetime, settings: Any) -> int:
    """Once a day (in the caller's transaction): empty delivered messages kept longer than
    ``settings.outbox_keep_days`` and anonymise questions settled more than
    ``settings.retention_months`` ago. Returns how many questions were anonymised. A day with more
    than a batch to do goes on at the next tick."""
    today = local_date(now)
    if await get_config(db, RETENTION_MARK) == today.isoformat():
        return 0
    keep_days = int(getattr(settings, "outbox_keep_days", 30) or 0)
    months = int(getattr(settings, "retention_months", 24) or 0)
    purged = await purge_delivered(db, now, keep_days) if keep_days > 0 else 0
    done: list[Submission] = []
    if months > 0:
        cutoff = now - (today - months_before(today, months))  # this moment, ``months`` months ago
        done = await expire_settled(db, now, cutoff, RETENTION_BATCH)
    if len(done) < RETENTION_BATCH:
        await _set_config(db, RETENTION_MARK, today.isoformat())
    if purged or done:
        log.info("retention: %d delivered message(s) emptied, %d question(s) anonymised", purged, len(done))
    return len(done)
