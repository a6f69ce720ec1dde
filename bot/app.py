"""The composition root: settings in, a wired application out. Nothing is created at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import LinkPreviewOptions
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import i18n
from bot.channels.telegram import middlewares
from bot.channels.telegram.client import KeepAliveSession
from bot.channels.telegram.pacing import Pacer
from bot.clock import Clock, SystemClock
from bot.notify import sessionmaker_for
from bot.notify.ratelimit import Limits, RateLimiter
from bot.settings import Settings
from storage.db import make_engine, upgrade
from storage.fsm import SqlStorage

log = logging.getLogger(__name__)

DEMO_TOKEN = "123456789:DEMO-token-for-the-local-simulator"


@dataclass
class App:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    bot: Bot
    dp: Dispatcher
    extras: dict[str, Any] = field(default_factory=dict)
    _polling: asyncio.Task[None] | None = None

    async def migrate(self) -> bool:
        return await upgrade(self.engine)

    async def start_polling(self, polling_timeout: int = 1) -> asyncio.Task[None]:
        """Start the real long-polling loop in the background (``doithoai run``, tests, the demo).

        Updates are handled concurrently, at most ``settings.max_concurrent_updates`` at a
        time."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=polling_timeout,
                tasks_concurrency_limit=self.settings.max_concurrent_updates,
            )
        )
        return self._polling

    async def stop_polling(self) -> None:
        if self._polling is None:
            return
        with contextlib.suppress(RuntimeError):  # not started yet
            await self.dp.stop_polling()
        try:
            await asyncio.wait_for(self._polling, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            self._polling.cancel()
        self._polling = None
        # Updates already being handled finish before storage and sessions close under them.
        in_flight = list(getattr(self.dp, "_handle_update_tasks", ()))
        if in_flight:
            await asyncio.wait(in_flight, timeout=10)

    async def close(self) -> None:
        await self.stop_polling()
        zalo = self.extras.pop("zalo_client", None)
        if zalo is not None:
            await zalo.close()
        await self.dp.storage.close()
        await self.dp.fsm.events_isolation.close()
        await self.bot.session.close()
        await self.engine.dispose()


_RESPONSE_TYPES: list[type] = []


def _keep_response_types() -> None:
    """aiogram parses every answer as ``Response[<returned type>]``; pydantic keeps such generic
    classes only weakly, so they are garbage-collected and rebuilt again and again (measured: about
    a tenth of the bot's CPU under load). Holding them once for the process avoids that."""
    if _RESPONSE_TYPES:
        return
    from aiogram import methods
    from aiogram.methods.base import Response

    seen: set[str] = set()
    for name in methods.__all__:
        method = getattr(methods, name, None)
        returning = getattr(method, "__returning__", None)
        if returning is None or repr(returning) in seen:
            continue
        seen.add(repr(returning))
        try:
            _RESPONSE_TYPES.append(Response[returning])
        except Exception:  # noqa: BLE001 - a method whose return type pydantic cannot build
            continue


def make_bot(settings: Settings) -> Bot:
    _keep_response_types()
    session = KeepAliveSession(api=TelegramAPIServer.from_base(settings.telegram_api.rstrip("/")))
    # One sending path: replies and outbox deliveries share this limiter (bot/channels/telegram/pacing.py).
    limits = Limits(settings.rate_global_per_s, settings.rate_private_per_s, settings.rate_group_per_min)
    session.pacer = Pacer(RateLimiter(limits), attempts=settings.reply_attempts)
    session.middleware(session.pacer)
    return Bot(
        token=settings.bot_token or DEMO_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode="HTML", link_preview=LinkPreviewOptions(is_disabled=True)),
    )


def make_fsm(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Conversation state in Redis when configured, else in the database. Updates of one chat are
    serialised in-process: Telegram lets one process poll a bot, so no distributed lock is needed.
    Several webhook workers (``settings.workers > 1``) share the chats: the lock per chat is Redis's
    or a PostgreSQL advisory lock (storage/locks.py), and no conversation state is kept in-process."""
    shared = settings.workers > 1
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        redis = RedisStorage.from_url(settings.redis_url)
        return redis, redis.create_isolation() if shared else SimpleEventIsolation()
    if shared:
        if not settings.database_url.startswith("postgresql"):
            raise ValueError("several worker processes need PostgreSQL (DOITHOAI_DATABASE_URL) or Redis")
        from storage.locks import AdvisoryLockIsolation

        isolation = AdvisoryLockIsolation(settings.database_url)
        return SqlStorage(sessionmaker, cache_size=0), isolation
    return SqlStorage(sessionmaker), SimpleEventIsolation()


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> App:
    settings = settings or Settings()
    clock = clock or SystemClock()
    i18n.set_timezone(settings.timezone)
    engine = make_engine(settings.database_url)
    sessionmaker = sessionmaker_for(engine)  # commits publish the domain's events as messages
    bot = make_bot(settings)
    storage, isolation = make_fsm(settings, sessionmaker)
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    app = App(settings=settings, clock=clock, engine=engine, sessionmaker=sessionmaker, bot=bot, dp=dp)
    # Workflow data: handlers receive these by parameter name.
    dp["app"] = app
    dp["settings"] = settings
    dp["clock"] = clock
    dp["sessionmaker"] = sessionmaker
    middlewares.install(dp, sessionmaker, settings.default_locale, settings, shared=settings.workers > 1)

    from handlers import errors, get_routers

    errors.install(dp)
    dp.include_routers(*get_routers(settings))
    return app
