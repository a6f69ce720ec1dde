"""The outbox ``Sender`` for channel "zalo": plain text (HTML stripped), split at 2000 characters,
buttons rendered as a numbered list, photos by URL; Zalo errors mapped to the dispatcher's."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.channels.zalo import client as zc
from bot.conversation.split import split_text
from bot.notify.sender import PermanentError, RetryAfter, TransientError
from storage.models import Channel, Citizen

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML → Zalo plain text."""
    text = re.sub(r"<br\s*/?>", "\n", text or "")
    return html.unescape(_TAG.sub("", text))


PROACTIVE_WINDOW = timedelta(days=7)
WINDOW_CLOSED = "proactive window may have closed (no message from the citizen for 7 days)"


class ZaloSender:
    """With ``sessionmaker`` and ``clock``, a citizen whose last message is older than
    ``window`` gets no free-form message: the row fails with ``WINDOW_CLOSED`` (the dispatcher's
    permanent-failure path tells the office), never silently dropped."""

    def __init__(
        self,
        client: zc.ZaloClient,
        *,
        quota_retry_after: float = 60.0,
        sessionmaker: Any = None,
        clock: Any = None,
        window: timedelta | None = PROACTIVE_WINDOW,
    ) -> None:
        self.client = client
        self.quota_retry_after = quota_retry_after
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.window = window

    async def _window_open(self, chat_id: str) -> bool:
        if self.sessionmaker is None or self.clock is None or self.window is None:
            return True
        async with self.sessionmaker() as db:
            seen = await db.scalar(
                select(Citizen.last_seen_at).where(
                    Citizen.channel == Channel.ZALO, Citizen.chat_id == chat_id
                )
            )
        return seen is None or self.clock.now() - seen <= self.window

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        if not await self._window_open(chat_id):
            raise PermanentError(WINDOW_CLOSED)
        text = plain(payload.get("text") or "")
        rows = payload.get("actions") or []
        labels = [a["label"] for row in rows for a in row]
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


def zalo_limits(settings: Any) -> Any:
    """Zalo publishes no rate figures: one overall cap from ``zalo_rate_per_s``, 1/s per chat."""
    from bot.notify.ratelimit import Limits

    return Limits(global_per_s=settings.zalo_rate_per_s, private_per_s=1.0, group_per_min=20.0)


def zalo_delivery(app: Any) -> tuple[Any, Any] | None:
    """The outbox's Zalo sender and limits for an ``App``: the Official Account's (with ZNS after its
    7-day window) when ``DOITHOAI_ZALO_CHANNEL=oa``, the Bot API's when ``DOITHOAI_ZALO_TOKEN`` is
    set, else None. The client is closed with the app."""
    s = app.settings
    if s.zalo_channel == "oa":
        from bot.channels.zalo.oa import build_sender

        if not s.zalo_oa_access_token:
            raise ValueError("DOITHOAI_ZALO_CHANNEL=oa needs DOITHOAI_ZALO_OA_ACCESS_TOKEN")
        sender = app.extras.setdefault("zalo_client", build_sender(s, app.sessionmaker, app.clock))
        return sender, zalo_limits(s)
    if not s.zalo_token:
        return None
    client = app.extras.setdefault("zalo_client", zc.ZaloClient(s.zalo_token, s.zalo_api))
    days = s.zalo_proactive_window_days
    window = timedelta(days=days) if days > 0 else None
    return ZaloSender(client, sessionmaker=app.sessionmaker, clock=app.clock, window=window), zalo_limits(s)
