"""Delivering the outbox: every message that must not be lost reaches its chat once, within the
flood limits.

Rows are written by ``bot.notify.outbox.enqueue`` in the transaction that causes them (status
``pending``). ``OutboxDispatcher.deliver_due`` takes the due rows (oldest first, at most one per
chat at a time so a chat's messages keep their order), and for each:

1. waits for a slot in the channel's ``RateLimiter`` (30/s overall, 1/s per private chat, 20/min
   per group by default; the same limiter paces the bot's direct replies, which go first);
2. claims the row: ``UPDATE … SET status='sending' WHERE id=? AND status='pending'`` and commits
   (the conditional update makes the claim atomic across processes: exactly one wins);
3. calls the channel's ``Sender``;
4. records the outcome and commits: ``sent`` with the message id; on ``RetryAfter`` (a 429) the
   row goes back to ``pending`` and the chat (or everything, for a global flood) waits
   ``retry_after``; on ``TransientError`` (network, 5xx) it goes back to ``pending`` with an
   exponential back-off (``available_at``), up to ``max_attempts``; on ``PermanentError`` (bot
   blocked, chat not found, a request Telegram will never accept) it becomes ``failed`` with the
   reason, the citizen is marked blocked, and the office group is told (itself through the outbox).

Steps 2–4 run shielded from cancellation: stopping the dispatcher (``run``'s stop event, a task
cancel, Ctrl-C) lets the in-flight calls finish and be recorded, so a graceful stop loses nothing
and repeats nothing.

The unavoidable window. A hard crash (SIGKILL, power loss) between step 2's commit and step 4's
commit leaves a row in ``sending``: the HTTP request may or may not have reached Telegram, and the
Bot API has no idempotency key to ask. Because the slot is taken before the claim, only rows whose
request is about to go or is on the wire are ``sending`` (at most ``concurrency``). The running
dispatcher puts rows ``sending`` for longer than ``stale_after`` (wall clock, default 2 minutes,
``DOITHOAI_OUTBOX_SENDING_TIMEOUT_S``) back to ``pending`` every ``recover_every`` seconds — a
restarted or standby process recovers what a killed one left —, so they are sent again: we choose
at-least-once for these few rows, because a citizen missing a deadline notice is worse than
receiving one twice. Everything outside the window is exactly once. (``recover_stale(resend=False)``
marks them ``failed`` with reason "uncertain" instead, for an at-most-once policy.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.notify.ratelimit import BULK, Limits, RateLimiter
from bot.notify.sender import PermanentError, RetryAfter, Sender, TransientError
from storage.models import Channel, Citizen, Outbox, OutboxStatus, Submission

log = logging.getLogger(__name__)


@dataclass
class DeliveryStats:
    sent: int = 0
    retried_429: int = 0
    transient: int = 0
    failed: int = 0
    lost_races: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxDispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Sender],
        limits: Mapping[str, Limits] | None = None,
        clock: Clock | None = None,
        *,
        concurrency: int = 16,
        max_attempts: int = 8,
        backoff_base: float = 5.0,
        backoff_max: float = 600.0,
        stale_after: timedelta = timedelta(minutes=2),
        poll_interval: float = 1.0,
        wall_clock: Clock | None = None,
        limiters: Mapping[str, RateLimiter] | None = None,
        recover_every: float | None = None,
    ) -> None:
        from bot.clock import SystemClock

        self.sessionmaker = sessionmaker
        self.senders = dict(senders)
        self.clock = clock or SystemClock()
        # Claims are stamped with the wall clock: whether a 'sending' row is stale is a question
        # about live processes, even when ``clock`` is fixed (``doithoai tick --now``).
        self.wall_clock = wall_clock or SystemClock()
        limits = dict(limits or {})
        shared = dict(limiters or {})  # e.g. the bot's own limiter, shared with its direct replies
        self.limiters = {ch: shared.get(ch) or RateLimiter(limits.get(ch, Limits())) for ch in self.senders}
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stale_after = stale_after
        self.poll_interval = poll_interval
        if recover_every is None:
            recover_every = max(1.0, min(30.0, stale_after.total_seconds() / 4))
        self.recover_every = recover_every
        self.stats = DeliveryStats()
        self._inflight: set[tuple[str, str]] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Tell a running loop that new rows were enqueued (saves waiting for the next poll)."""
        self._wake.set()

    async def recover_stale(self, older_than: timedelta | None = None, *, resend: bool = True) -> int:
        """Rows left in ``sending`` by a crashed process (see the module docstring)."""
        cutoff = self.wall_clock.now() - (self.stale_after if older_than is None else older_than)
        async with self.sessionmaker() as db:
            values: dict[str, Any] = (
                {"status": OutboxStatus.PENDING, "available_at": self.clock.now()}
                if resend
                else {"status": OutboxStatus.FAILED, "last_error": "uncertain: crashed during the send"}
            )
            result = await db.execute(
                update(Outbox)
                .where(Outbox.status == OutboxStatus.SENDING, Outbox.available_at <= cutoff)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            await db.commit()
        if result.rowcount:
            log.warning(
                "outbox: %d message(s) left 'sending' by a crash recovered (resend=%s)",
                result.rowcount,
                resend,
            )
        return result.rowcount or 0

    async def _due(self, limit: int) -> list[tuple[int, str, str]]:
        now = self.clock.now()
        async with self.sessionmaker() as db:
            rows = (
                await db.execute(
                    select(Outbox.id, Outbox.channel, Outbox.chat_id)
                    .where(
                        Outbox.status == OutboxStatus.PENDING,
                        Outbox.available_at <= now,
                        Outbox.channel.in_(list(self.senders)),
                    )
                    .order_by(Outbox.id)
                    .limit(limit)
                )
            ).all()
            await db.rollback()
        picked: list[tuple[int, str, str]] = []
        chats: set[tuple[str, str]] = set()
        for row_id, channel, chat_id in rows:
            chat = (channel, chat_id)
            if chat in chats or chat in self._inflight:
                continue  # one message per chat at a time, in order
            chats.add(chat)
            picked.append((row_id, channel, chat_id))
        return picked

    async def deliver_due(self, max_batch: int = 500) -> int:
        """Deliver what is due now (one pass); returns how many messages were sent."""
        picked = await self._due(max_batch * 4)
        picked = picked[:max_batch]
        if not picked:
            return 0
        before = self.stats.sent
        sem = asyncio.Semaphore(self.concurrency)

        async def one(row_id: int, channel: str, chat_id: str) -> None:
            async with sem:
                await self._deliver_one(row_id, channel, chat_id)

        await asyncio.gather(*(one(*item) for item in picked))
        return self.stats.sent - before

    async def deliver_all(self, max_batch: int = 500) -> int:
        """Repeat ``deliver_due`` until nothing due is left (ticks, the CLI, tests)."""
        total = 0
        while True:
            sent = await self.deliver_due(max_batch)
            total += sent
            if not await self._due(1):
                return total

    async def _deliver_one(self, row_id: int, channel: str, chat_id: str) -> None:
        chat = (channel, chat_id)
        self._inflight.add(chat)
        try:
            # The slot first, then the claim: a row says 'sending' only while its request is about to
            # go or on the wire, so a hard kill strands no more than the calls in flight.
            limiter = self.limiters[channel]
            ticket = await limiter.acquire(chat_id, BULK)
            try:
                claimed = await _shielded(self._claim(row_id))
                if claimed is None:
                    return
                payload, attempts = claimed
                await _shielded(self._send_record(row_id, channel, chat_id, payload, attempts))
            finally:
                limiter.finish(chat_id, ticket)
        finally:
            self._inflight.discard(chat)

    async def _claim(self, row_id: int) -> tuple[dict[str, Any], int] | None:
        now = self.wall_clock.now()
        async with self.sessionmaker() as db:
            claimed = await db.execute(
                update(Outbox)
                .where(Outbox.id == row_id, Outbox.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.SENDING, attempts=Outbox.attempts + 1, available_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                await db.rollback()
                self.stats.lost_races += 1
                return None
            row = await db.get(Outbox, row_id)
            assert row is not None
            payload, attempts = dict(row.payload), row.attempts
            await db.commit()
        return payload, attempts

    async def _send_record(
        self, row_id: int, channel: str, chat_id: str, payload: dict[str, Any], attempts: int
    ) -> None:
        # ---- the window: the row says "sending" while the request is on the wire ----
        try:
            message_id = await self.senders[channel].send(chat_id, payload)
        except RetryAfter as exc:
            self.stats.retried_429 += 1
            self.limiters[channel].pause(exc.seconds, None if exc.whole_bot else chat_id)
            await self._record(
                row_id,
                status=OutboxStatus.PENDING,
                attempts=attempts - 1,
                last_error=str(exc),
                available_at=self.clock.now(),
            )
        except TransientError as exc:
            self.stats.transient += 1
            if attempts >= self.max_attempts:
                await self._fail(row_id, f"gave up after {attempts} attempts: {exc}", blocked=False)
            else:
                delay = min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1))
                await self._record(
                    row_id,
                    status=OutboxStatus.PENDING,
                    available_at=self.clock.now() + timedelta(seconds=delay),
                    last_error=str(exc)[:500],
                )
        except PermanentError as exc:
            await self._fail(row_id, exc.reason, blocked=exc.blocked)
        except Exception as exc:  # a bug in a sender: keep the row, retry later, make it visible
            log.exception("outbox: unexpected error sending %s", row_id)
            self.stats.transient += 1
            await self._record(
                row_id,
                status=OutboxStatus.PENDING,
                available_at=self.clock.now() + timedelta(seconds=self.backoff_max),
                last_error=f"{type(exc).__name__}: {exc}"[:500],
            )
        else:
            self.stats.sent += 1
            await self._record(
                row_id, status=OutboxStatus.SENT, sent_at=self.clock.now(), message_id=message_id
            )

    async def _record(self, row_id: int, **values: Any) -> None:
        async with self.sessionmaker() as db:
            await db.execute(
                update(Outbox)
                .where(Outbox.id == row_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            await db.commit()

    async def _fail(self, row_id: int, reason: str, *, blocked: bool) -> None:
        from bot.i18n import use_locale
        from bot.notify.calls import phone_to_call
        from bot.notify.cards import GROUP_LOCALE
        from bot.notify.outbox import enqueue
        from bot.texts import office as to
        from bot.texts import office_extra as tx

        self.stats.failed += 1
        now = self.clock.now()
        async with self.sessionmaker() as db:
            row = await db.get(Outbox, row_id)
            assert row is not None
            row.status = OutboxStatus.FAILED
            row.last_error = reason[:500]
            if blocked:
                await db.execute(
                    update(Citizen)
                    .where(
                        Citizen.channel == row.channel,
                        Citizen.chat_id == row.chat_id,
                        Citizen.blocked_at.is_(None),
                    )
                    .values(blocked_at=now)
                    .execution_options(synchronize_session=False)
                )
            code, office = await _whose_office(db, row)
            if office is not None and not (row.channel == Channel.TELEGRAM and row.chat_id == str(office)):
                phone = await phone_to_call(db, row.channel, row.chat_id, row.submission_id)
                citizen = row.channel != Channel.TELEGRAM or not row.chat_id.startswith("-")
                with use_locale(GROUP_LOCALE):
                    text = to.undeliverable(row.chat_id, row.purpose, reason, code, now)
                    if call := tx.undeliverable_call(phone, citizen):  # the number to call instead
                        text += "\n" + call
                await enqueue(
                    db,
                    key=f"undeliverable:{row.id}",
                    chat_id=office,
                    purpose="undeliverable",
                    text=text,
                    now=now,
                    submission_id=row.submission_id,
                )
            elif office is None:  # (a unit without its own group: not another unit's, see office_groups)
                log.error(
                    "outbox: message %s to %s failed (%s) and its unit has no office group to tell",
                    row.id,
                    row.chat_id,
                    reason,
                )
            await db.commit()
        log.warning("outbox: message %s failed permanently: %s", row_id, reason)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver continuously until ``stop`` is set; in-flight messages finish and are recorded.
        Rows a killed process left ``sending`` are recovered every ``recover_every`` seconds."""
        loop = asyncio.get_running_loop()
        next_recovery = 0.0
        while not stop.is_set():
            if loop.time() >= next_recovery:
                next_recovery = loop.time() + self.recover_every
                try:
                    await self.recover_stale()
                except Exception:
                    log.exception("outbox: recovering stale rows failed; retrying")
            try:
                sent = await self.deliver_due()
            except Exception:
                log.exception("outbox: delivery pass failed; retrying")
                sent = 0
            if sent == 0:
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                try:
                    await asyncio.wait(
                        waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for w in waiters:
                        w.cancel()


async def _whose_office(db: AsyncSession, row: Outbox) -> tuple[str | None, int | None]:
    """A failed message's question code, and the office group to tell: the group of the unit its
    question belongs to (else the unit its citizen chose), the deployment's on a deployment of one unit.
    The notice carries the citizen's phone number, so it never goes to another unit's group."""
    from bot.domain import units

    code = unit_id = None
    with units.unscoped():
        if row.submission_id is not None:
            found = (
                await db.execute(
                    select(Submission.code, Submission.unit_id).where(Submission.id == row.submission_id)
                )
            ).one_or_none()
            if found is not None:
                code, unit_id = found
        else:
            unit_id = await db.scalar(
                select(Citizen.unit_id).where(Citizen.channel == row.channel, Citizen.chat_id == row.chat_id)
            )
    return code, await units.office_for(db, unit_id)


async def _shielded(coro: Any) -> Any:
    """Run ``coro`` to its end even if the caller is cancelled (then re-raise the cancellation)."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


def chat_id_of(row: Outbox) -> str:
    return f"{row.channel}:{row.chat_id}"


def telegram_dispatcher(app: Any, **kw: Any) -> OutboxDispatcher:
    """The dispatcher for an ``App``: the Telegram sender with the settings' limits."""
    s = app.settings
    from bot.channels.telegram.sender import TelegramSender

    senders: dict[str, Sender] = {Channel.TELEGRAM: TelegramSender(app.bot)}
    limits = {Channel.TELEGRAM: Limits(s.rate_global_per_s, s.rate_private_per_s, s.rate_group_per_min)}
    from bot.channels.zalo.sender import zalo_delivery

    # Zalo citizens are served through the same outbox, with Zalo's own limits (a bot or an OA)
    if (zalo := zalo_delivery(app)) is not None:
        senders[Channel.ZALO], limits[Channel.ZALO] = zalo
    shared = {}
    pacer = getattr(app.bot.session, "pacer", None)  # bot/channels/telegram/pacing.py
    if pacer is not None:
        shared[Channel.TELEGRAM] = pacer.limiter
    kw.setdefault("stale_after", timedelta(seconds=s.outbox_sending_timeout_s))
    return OutboxDispatcher(app.sessionmaker, senders, limits, app.clock, limiters=shared, **kw)


__all__ = [
    "OutboxDispatcher",
    "PermanentError",
    "RetryAfter",
    "Sender",
    "TransientError",
    "telegram_dispatcher",
]
