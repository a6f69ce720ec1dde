"""Outer middlewares: a database session per update, and the reader's locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import normalize_locale, use_locale
from storage.db import asyncpg_connection, current_session
from storage.models import Channel, Citizen

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Opens one database session per update as ``db``; commits when the handler succeeds."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessionmaker() as db:
            data["db"] = db
            token = current_session.set(db)
            try:
                result = await handler(event, data)
                if db.in_transaction():  # handlers usually commit before their network calls
                    await db.commit()
                return result
            finally:
                current_session.reset(token)


_PG_LOCALE = "SELECT locale FROM citizens WHERE channel = $1 AND chat_id = $2"


async def _stored_locale(db: AsyncSession, chat_id: int) -> str | None:
    if db.bind.dialect.name == "postgresql" and not db.in_transaction():
        # autocommit on asyncpg's own connection: one round trip instead of BEGIN, SELECT, COMMIT
        async with asyncpg_connection(db.bind) as raw:
            return await raw.fetchval(_PG_LOCALE, Channel.TELEGRAM.value, str(chat_id))
    stored = await db.scalar(
        select(Citizen.locale).where(Citizen.channel == Channel.TELEGRAM, Citizen.chat_id == str(chat_id))
    )
    await db.commit()  # end the read; on SQLite every transaction holds the write lock
    return stored


class LocaleMiddleware(BaseMiddleware):
    """Sets the reader's locale: in private chats the citizen's choice, in groups the deployment's
    default. Handlers receive it as ``locale``, and this middleware as ``locales``."""

    def __init__(self, default_locale: str, *, remember_chats: bool = True) -> None:
        self.default_locale = default_locale
        # chat id -> locale, for chats already looked up; off when several worker processes share the
        # chats (a change made in one would not be seen by the others)
        self.remember_chats = remember_chats
        self._known: dict[int, str] = {}

    def remember(self, chat_id: int, locale: str) -> None:
        """Called when a citizen changes language."""
        if self.remember_chats:
            self._known[chat_id] = locale

    async def _lookup(self, db: AsyncSession, chat_id: int) -> str:
        if chat_id not in self._known:
            stored = await _stored_locale(db, chat_id)
            locale = normalize_locale(stored, self.default_locale) if stored else self.default_locale
            if not self.remember_chats:
                return locale
            if len(self._known) > 100_000:
                self._known.clear()
            self._known[chat_id] = locale
        return self._known[chat_id]

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        locale = self.default_locale
        chat = data.get("event_chat")
        user = data.get("event_from_user")
        if chat is not None and chat.type == "private" and user is not None:
            locale = await self._lookup(data["db"], chat.id)
        data["locales"] = self
        with use_locale(locale) as active:
            data["locale"] = active
            return await handler(event, data)


def install(
    dp: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    default_locale: str,
    settings: Any = None,
    *,
    shared: bool = False,
) -> None:
    """``shared``: several worker processes handle the same chats (webhook workers): nothing about a
    chat is remembered in the process (the flood guard still counts per process)."""
    locales = LocaleMiddleware(default_locale, remember_chats=not shared)
    if settings is not None:
        from bot.channels.telegram.guard import install_guard

        install_guard(dp, settings, locales)
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(locales)


__all__ = ["DbSessionMiddleware", "LocaleMiddleware", "install", "Update"]
