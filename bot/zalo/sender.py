"""The outbox ``Sender`` for channel "zalo": plain text (HTML stripped), split at 2000 characters,
buttons rendered as a numbered list, photos by URL; Zalo errors mapped to the dispatcher's."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.conversation.split import split_text
from bot.dispatcher import PermanentError, RetryAfter, TransientError
from bot.zalo import client as zc

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML → Zalo plain text."""
    text = re.sub(r"<br\s*/?>", "\n", text or "")
    return html.unescape(_TAG.sub("", text))


class ZaloSender:
    def __init__(self, client: zc.ZaloClient, *, quota_retry_after: float = 60.0) -> None:
        self.client = client
        self.quota_retry_after = quota_retry_after

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        text = plain(payload.get("text") or "")
        rows = payload.get("buttons") or []
        labels = [b["text"] for row in rows for b in row]
        if labels:
            text += "\n" + "\n".join(f"{i}. {plain(t)}" for i, t in enumerate(labels, 1))
        document = payload.get("document")
        try:
            last = ""
            if (
                document
                and document.get("kind") == "photo"
                and str(document.get("file_id", "")).startswith(("http://", "https://"))
            ):
                r = await self.client.send_photo(
                    chat_id, document["file_id"], plain(document.get("caption") or "")
                )
                last = r["message_id"]
            elif document and document.get("fallback_text"):
                text = (text + "\n\n" + plain(document["fallback_text"])).strip()
            for part in split_text(text, zc.TEXT_MAX) if text.strip() else []:
                r = await self.client.send_message(chat_id, part)
                last = r["message_id"]
        except zc.ZaloQuotaExceeded as exc:
            raise RetryAfter(self.quota_retry_after, whole_bot=True) from exc
        except zc.ZaloUnknownChat as exc:
            raise PermanentError(exc.description, blocked=True) from exc
        except zc.ZaloBadRequest as exc:
            raise PermanentError(exc.description) from exc
        except (zc.ZaloInvalidToken, zc.ZaloServerError, zc.ZaloNetworkError) as exc:
            raise TransientError(exc.description) from exc
        if not last:
            raise PermanentError("nothing to send")
        return str(last)
