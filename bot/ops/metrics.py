"""Prometheus metrics of a running bot (served by bot.ops.server at ``/metrics``).

- ``doithoai_updates_total{type,outcome}`` and ``doithoai_update_duration_seconds{type}``: Telegram
  updates, counted by an outer middleware on the dispatcher (outcome ``handled``, ``unhandled`` or
  ``error``); the same middleware tags every log line of an update with its chat and user.
- ``doithoai_outbox_backlog{channel,status}`` and ``doithoai_outbox_oldest_pending_seconds{channel}``:
  read from the database at each scrape (messages waiting, and how long the oldest has waited).
- ``doithoai_deliveries_total{result}``: the outbox dispatcher's own counts
  (``DeliveryStats``: sent, retried after a 429, transient errors, failed for good).
- ``doithoai_tick_duration_seconds``, ``doithoai_tick_last_success_timestamp_seconds``: the minute
  tick, timed from the scheduler's job events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.ops.logs import log_context
from storage.models import Outbox, OutboxStatus

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class DeliveryCollector:
    """The dispatcher's counters (``OutboxDispatcher.stats``), read at each scrape."""

    def __init__(self, stats_of: Callable[[], Any]) -> None:
        self.stats_of = stats_of

    def collect(self):
        stats = self.stats_of()
        family = CounterMetricFamily(
            "doithoai_deliveries", "Outbox deliveries by result (the dispatcher's counts)", labels=["result"]
        )
        if stats is not None:
            for result, value in (
                ("sent", stats.sent),
                ("retried_429", stats.retried_429),
                ("transient_error", stats.transient),
                ("failed", stats.failed),
            ):
                family.add_metric([result], value)
        yield family


class OpsMetrics:
    """One registry per running bot (tests build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "doithoai_updates",
            "Telegram updates handled, by type and outcome",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "doithoai_update_duration_seconds",
            "Time to handle one Telegram update",
            ["type"],
            buckets=UPDATE_BUCKETS,
            registry=self.registry,
        )
        self.backlog = Gauge(
            "doithoai_outbox_backlog",
            "Outbox messages not delivered yet",
            ["channel", "status"],
            registry=self.registry,
        )
        self.oldest = Gauge(
            "doithoai_outbox_oldest_pending_seconds",
            "How long the oldest undelivered outbox message has waited",
            ["channel"],
            registry=self.registry,
        )
        self.tick_seconds = Histogram(
            "doithoai_tick_duration_seconds",
            "Time taken by one deadline tick",
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.tick_last = Gauge(
            "doithoai_tick_last_success_timestamp_seconds",
            "When the last deadline tick finished (Unix time)",
            registry=self.registry,
        )
        self.tick_last_monotonic: float | None = None
        self.ticked = asyncio.Event()  # set after each tick (tests wait on it)
        self._stats_source: Callable[[], Any] = lambda: None
        self.registry.register(DeliveryCollector(lambda: self._stats_source()))

    def read_deliveries_from(self, stats_of: Callable[[], Any]) -> None:
        self._stats_source = stats_of

    def tick_done(self, seconds: float) -> None:
        self.tick_seconds.observe(seconds)
        self.tick_last.set(time.time())
        self.tick_last_monotonic = time.monotonic()
        self.ticked.set()

    async def refresh_outbox(self, sessionmaker: async_sessionmaker, now: datetime) -> dict[str, Any]:
        """Read the backlog from the database into the gauges; returns it (the health check shows it)."""
        waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
        async with sessionmaker() as db:
            rows = (
                await db.execute(
                    select(Outbox.channel, Outbox.status, func.count(), func.min(Outbox.created_at))
                    .where(Outbox.status.in_(waiting))
                    .group_by(Outbox.channel, Outbox.status)
                )
            ).all()
            await db.rollback()
        self.backlog.clear()
        self.oldest.clear()
        oldest: dict[str, float] = {}
        total = 0
        for channel, status, count, first in rows:
            self.backlog.labels(channel, status).set(count)
            total += count
            if first is not None:
                age = max(0.0, (now - first).total_seconds())
                oldest[channel] = max(oldest.get(channel, 0.0), age)
        for channel, age in oldest.items():
            self.oldest.labels(channel).set(age)
        return {"backlog": total, "oldest_pending_seconds": round(max(oldest.values(), default=0.0), 1)}


class UpdateMetrics(BaseMiddleware):
    """Outer middleware on ``dp.update``: counts and times every update, and tags its log lines."""

    def __init__(self, metrics: OpsMetrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        chat, user = data.get("event_chat"), data.get("event_from_user")
        context: dict[str, Any] = {"update": kind}
        if isinstance(event, Update):
            context["update_id"] = event.update_id
        if chat is not None:
            context["chat_id"] = chat.id
        if user is not None:
            context["user_id"] = user.id
        token = log_context.set(context)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            self.metrics.updates.labels(kind, outcome).inc()
            self.metrics.update_seconds.labels(kind).observe(time.perf_counter() - started)
            log_context.reset(token)
