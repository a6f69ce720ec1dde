"""The outbox ``Sender`` for Telegram: a channel-neutral payload rendered with aiogram."""

from __future__ import annotations

from typing import Any

from bot.notify.sender import PermanentError, RetryAfter, TransientError

CAPTION_MAX = 1024


class TelegramSender:
    """Renders the payload of ``bot.notify.outbox.enqueue`` with aiogram: HTML text, inline buttons
    (its actions), an optional document by file id."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    @staticmethod
    def _markup(payload: dict[str, Any]) -> Any:
        """The payload's channel-neutral actions as inline buttons (bot/channels/telegram/callbacks.py)."""
        from bot.channels.telegram.callbacks import markup

        return markup(payload.get("actions"))

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        from bot.channels.telegram.pacing import already_paced

        with already_paced():  # the dispatcher took the slot before it claimed the row
            return await self._send(chat_id, payload)

    async def _send(self, chat_id: str, payload: dict[str, Any]) -> str:
        from aiogram import exceptions as ex

        text = payload.get("text") or ""
        markup = self._markup(payload)
        document = payload.get("document")
        try:
            if document:
                photo = document.get("kind") == "photo"
                send_file = self.bot.send_photo if photo else self.bot.send_document
                caption = document.get("caption")
                if text and not caption and len(text) <= CAPTION_MAX:
                    caption, text = text, ""
                if text and text != caption:
                    # The text, then the file with its own caption. Not atomic: if the second call
                    # fails the row is retried whole, so the text may be repeated (documented).
                    await self.bot.send_message(chat_id=int(chat_id), text=text)
                msg = await send_file(
                    int(chat_id), document["file_id"], caption=caption or None, reply_markup=markup
                )
            else:
                msg = await self.bot.send_message(chat_id=int(chat_id), text=text, reply_markup=markup)
        except ex.TelegramRetryAfter as exc:
            raise RetryAfter(exc.retry_after) from exc
        except ex.TelegramForbiddenError as exc:
            raise PermanentError(exc.message, blocked=True) from exc
        except (ex.TelegramBadRequest, ex.TelegramNotFound, ex.TelegramMigrateToChat) as exc:
            raise PermanentError(exc.message) from exc
        except ex.TelegramUnauthorizedError as exc:
            raise TransientError(exc.message) from exc  # a token problem: keep the message
        except (ex.TelegramServerError, ex.TelegramNetworkError, ex.TelegramAPIError) as exc:
            raise TransientError(exc.message) from exc
        except (TimeoutError, OSError) as exc:
            raise TransientError(str(exc) or type(exc).__name__) from exc
        return str(msg.message_id)
