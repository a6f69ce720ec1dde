"""The last line of defence: an unexpected error is logged, and the person gets a polite message."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import ErrorEvent

from bot.texts import citizen as t

log = logging.getLogger(__name__)


def install(dp: Dispatcher) -> None:
    """Registered on the dispatcher itself, so it sees errors from every router."""

    @dp.errors()
    async def on_error(event: ErrorEvent, bot: Bot) -> bool:
        update = event.update
        if isinstance(event.exception, TelegramRetryAfter | TelegramNetworkError | TelegramServerError):
            # Sending itself failed, after the pacer's retries (which logged the chat and why):
            # another message would only fail the same way.
            log.warning("update %s: a reply could not be sent: %s", update.update_id, event.exception)
            return True
        log.exception("error while handling update %s", update.update_id, exc_info=event.exception)
        chat_id = None
        if update.message is not None:
            chat_id = update.message.chat.id
        elif update.callback_query is not None and update.callback_query.message is not None:
            chat_id = update.callback_query.message.chat.id
            try:
                await update.callback_query.answer(t.error_generic())
            except Exception:
                log.debug("could not answer the callback", exc_info=True)
        if chat_id is not None:
            try:
                await bot.send_message(chat_id, t.error_generic())
            except Exception:
                log.debug("could not tell the chat about the error", exc_info=True)
        return True
