"""The outbox dispatcher of several worker processes on PostgreSQL (``doithoai run --webhook
--workers N``).

Every worker runs one; whichever is free takes the next messages. A pass claims a few due rows in
one statement, ``FOR UPDATE SKIP LOCKED`` (two workers never wait for, nor take, the same row), only
rows that may go now:

- the oldest due row of its chat, with no row of that chat being sent elsewhere (a chat's messages
  keep their order, one at a time, whichever worker sends them);
- a chat whose previous message was answered at least one gap ago (1 s for a private chat, 3 s for
  a group at 20 per minute: the per-chat limits hold across workers); the answer's moment is kept
  in the row's ``available_at`` once it is sent.

Then each claimed message waits for a slot of the overall rate shared by all workers
(bot/notify/shared_rate.py) and goes through the base dispatcher's sending and recording (retries,
failures, the crash window: bot/notify/dispatcher.py). SQLite deployments keep the base dispatcher
and its claim.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, text

from bot.notify.dispatcher import OutboxDispatcher, _shielded
from bot.notify.ratelimit import Limits, RateLimiter
from bot.notify.shared_rate import SharedBucket, SharedGlobal
from storage.models import Channel, OutboxStatus

_CLAIM = text(
    """
UPDATE outbox SET status = :sending, attempts = attempts + 1, available_at = :wall_now
WHERE id IN (
    SELECT o.id FROM outbox o
    WHERE o.status = :pending AND o.available_at <= :now AND o.channel = :channel
      AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.channel = o.channel AND e.chat_id = o.chat_id AND e.id < o.id
            AND (e.status = :sending OR (e.status = :pending AND e.available_at <= :now)))
      AND NOT EXISTS (
          SELECT 1 FROM outbox r
          WHERE r.channel = o.channel AND r.chat_id = o.chat_id AND r.status = :sent
            AND r.available_at > CASE WHEN o.chat_id LIKE '-%' THEN :group_cut ELSE :private_cut END)
    ORDER BY o.id
    LIMIT :n
    FOR UPDATE SKIP LOCKED)
RETURNING id, chat_id, payload, attempts
"""
).bindparams(*(bindparam(name, type_=DateTime()) for name in ("wall_now", "now", "group_cut", "private_cut")))


class SharedOutboxDispatcher(OutboxDispatcher):
    def __init__(self, *args: Any, buckets: Mapping[str, SharedBucket], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.buckets = dict(buckets)
        self._limits: dict[str, Limits] = {ch: limiter.limits for ch, limiter in self.limiters.items()}

    async def _claim_due(self, channel: str, limit: int) -> list[tuple[int, str, dict[str, Any], int]]:
        limits = self._limits[channel]
        wall = self.wall_clock.now()
        params = {
            "sending": OutboxStatus.SENDING.value,
            "pending": OutboxStatus.PENDING.value,
            "sent": OutboxStatus.SENT.value,
            "wall_now": wall.replace(tzinfo=None),
            "now": self.clock.now().replace(tzinfo=None),
            "channel": channel,
            "private_cut": (wall - timedelta(seconds=1.0 / limits.private_per_s)).replace(tzinfo=None),
            "group_cut": (wall - timedelta(seconds=60.0 / limits.group_per_min)).replace(tzinfo=None),
            "n": limit,
        }
        async with self.sessionmaker() as db:
            rows = (await db.execute(_CLAIM, params)).all()
            await db.commit()
        return [(r.id, r.chat_id, dict(r.payload), r.attempts) for r in rows]

    async def deliver_due(self, max_batch: int = 500) -> int:
        """Claim at most ``concurrency`` messages per channel (claimed rows wait only for the overall
        rate, well under the stale-claim delay) and deliver them."""
        before = self.stats.sent
        claimed = [
            (row[0], channel, *row[1:])
            for channel in self.senders
            for row in await self._claim_due(channel, min(max_batch, self.concurrency))
        ]
        if not claimed:
            return 0
        await asyncio.gather(*(self._deliver_claimed(*item) for item in claimed))
        return self.stats.sent - before

    async def deliver_all(self, max_batch: int = 500) -> int:
        """Until nothing due is left; a chat waiting for its gap is waited for."""
        total = 0
        while True:
            total += await self.deliver_due(max_batch)
            if not await self._due(1):
                return total
            await asyncio.sleep(0.1)

    async def _deliver_claimed(
        self, row_id: int, channel: str, chat_id: str, payload: dict, attempts: int
    ) -> None:
        chat = (channel, chat_id)
        self._inflight.add(chat)
        try:
            try:
                if not isinstance(self.limiters[channel].bucket, SharedGlobal):  # (else inside)
                    await self.buckets[channel].acquire()
                entry = await self.limiters[channel].acquire(chat_id)  # this process's 429 pauses
            except asyncio.CancelledError:
                release = {
                    "status": OutboxStatus.PENDING,
                    "attempts": attempts - 1,
                    "available_at": self.clock.now(),
                }
                await _shielded(self._record(row_id, **release))
                raise
            try:
                await _shielded(self._send_record(row_id, channel, chat_id, payload, attempts))
            finally:
                self.limiters[channel].finish(chat_id, entry)
        finally:
            self._inflight.discard(chat)

    async def _record(self, row_id: int, **values: Any) -> None:
        if values.get("status") == OutboxStatus.SENT:  # when it was answered: the chat's next gap
            values.setdefault("available_at", self.wall_clock.now())
        await super()._record(row_id, **values)

    async def close(self) -> None:
        for bucket in self.buckets.values():
            await bucket.close()


def shared_dispatcher(app: Any, **kw: Any) -> SharedOutboxDispatcher:
    """The dispatcher of a worker among several: the channels and limits of ``telegram_dispatcher``,
    with the claim above and an overall rate per channel shared by every worker."""
    from bot.notify.dispatcher import telegram_dispatcher
    from bot.notify.shared_rate import shared_bucket

    base = telegram_dispatcher(app, **kw)
    limits = {channel: limiter.limits for channel, limiter in base.limiters.items()}
    buckets = {
        channel: shared_bucket(app.settings, app.engine, channel, lim.global_per_s)
        for channel, lim in limits.items()
    }
    # Telegram's limiter is also the bot session's (the handlers' replies): the shared line goes into
    # its global bucket, so replies and deliveries of every worker draw on one budget
    pacer = getattr(app.bot.session, "pacer", None)
    in_limiter: dict[str, RateLimiter] = {}
    if pacer is not None and Channel.TELEGRAM in buckets:
        limiter = pacer.limiter
        if not isinstance(limiter.bucket, SharedGlobal):
            limiter.bucket = SharedGlobal(limiter.bucket, buckets[Channel.TELEGRAM])
        in_limiter[Channel.TELEGRAM] = limiter
    return SharedOutboxDispatcher(
        app.sessionmaker,
        base.senders,
        limits,
        app.clock,
        limiters=in_limiter,
        buckets=buckets,
        concurrency=base.concurrency,
        max_attempts=base.max_attempts,
        backoff_base=base.backoff_base,
        backoff_max=base.backoff_max,
        stale_after=base.stale_after,
        poll_interval=base.poll_interval,
        wall_clock=base.wall_clock,
    )
