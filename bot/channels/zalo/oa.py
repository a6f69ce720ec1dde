"""A government unit's Zalo Official Account (OA API v3), with the Zalo Notification Service (ZNS)
for what can no longer be sent as a free message.

An OA may send a free-form ("consultation") message to a person only within 7 days of that person's
last message; the written response comes weeks after the session. So the ``OfficialAccountSender``
sends inside the window with the OA, and outside it (or when the OA answers that the window has
closed) sends the approved ZNS template for that kind of message to the phone number the citizen
gave. Where neither can reach the citizen, the delivery fails visibly (the dispatcher tells the
office, with the phone number to call).

The endpoints and shapes follow public copies of Zalo's documentation (not checked against the live
service, unreachable here); ``bot/simulator/zalo_oa.py`` is a fake of them for the tests:

- ``POST {oa_api}/v3.0/oa/message/cs`` (header ``access_token``) ``{"recipient": {"user_id"},
  "message": {"text"}}`` → ``{"error": 0, "message": "Success", "data": {"message_id", "user_id"}}``;
  error -230: the person has not interacted with the OA in the last 7 days.
- ``POST {zns_api}/message/template`` (header ``access_token``) ``{"phone": "84…", "template_id",
  "template_data": {…}, "tracking_id"}`` → ``{"error": 0, "data": {"msg_id", "sent_time"}}``.
- Webhook events (``user_send_text``, ``user_send_image``…) with ``X-ZEvent-Signature:
  mac=sha256(app_id + body + timestamp + oa_secret_key)``; ``normalize_event`` turns them into the
  Bot API's event shape, so the conversation and the receiver are the same for both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.channels.zalo.client import TEXT_MAX, ZaloError, ZaloNetworkError
from bot.channels.zalo.sender import plain
from bot.conversation.split import split_text
from bot.notify.sender import PermanentError, RetryAfter, TransientError
from storage.models import Channel, Citizen, Submission

OA_API_DEFAULT = "https://openapi.zalo.me"
ZNS_API_DEFAULT = "https://business.openapi.zalo.me"
WINDOW = timedelta(days=7)
WINDOW_CLOSED_CODES = {-230, -213}  # not interacted within 7 days / not following the OA
QUOTA_CODES = {-32, -1124, 429}
SIGNATURE_HEADER = "X-ZEvent-Signature"
PARAM_MAX = 90  # ZNS template parameters are short; longer text is cut


class OAError(ZaloError):
    pass


class WindowClosed(OAError):
    """The OA may not send a free message to this person now."""


class _Api:
    def __init__(self, access_token: str, base_url: str, timeout: float = 15.0) -> None:
        self.access_token, self.base_url, self.timeout = access_token, base_url.rstrip("/"), timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.post(
                f"{self.base_url}{path}",
                json=body,
                headers={"access_token": self.access_token},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                status = resp.status
                try:
                    answer = await resp.json(content_type=None)
                except ValueError:
                    answer = None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ZaloNetworkError(str(exc) or type(exc).__name__) from exc
        if status >= 500 or not isinstance(answer, dict):
            raise ZaloNetworkError(f"HTTP {status}")
        code = int(answer.get("error") or 0)
        if code != 0:
            message = str(answer.get("message") or f"error {code}")
            raise (WindowClosed if code in WINDOW_CLOSED_CODES else OAError)(message, code)
        return answer.get("data") or {}


class OAClient(_Api):
    async def send_text(self, user_id: str, text: str) -> str:
        data = await self.post(
            "/v3.0/oa/message/cs", {"recipient": {"user_id": str(user_id)}, "message": {"text": text}}
        )
        return str(data.get("message_id") or "")


class ZNSClient(_Api):
    async def send_template(
        self, phone: str, template_id: str, data: dict[str, str], tracking_id: str
    ) -> str:
        answer = await self.post(
            "/message/template",
            {"phone": phone, "template_id": template_id, "template_data": data, "tracking_id": tracking_id},
        )
        return str(answer.get("msg_id") or "")


def zns_phone(phone: str | None) -> str | None:
    """``0912 345 678`` / ``+84912345678`` → ``84912345678`` (ZNS addresses phones so)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("84") and len(digits) >= 11:
        return digits
    if digits.startswith("0") and len(digits) >= 10:
        return "84" + digits[1:]
    return None


def verify_signature(app_id: str, secret_key: str, body: bytes, timestamp: str, given: str) -> bool:
    """The OA webhook's ``X-ZEvent-Signature`` (``mac=<hex>``), compared in constant time."""
    expected = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret_key.encode()).hexdigest()
    value = given.split("=", 1)[1] if given.startswith("mac=") else given
    return bool(secret_key) and hmac.compare_digest(value.encode(), expected.encode())


def normalize_event(body: Any) -> dict[str, Any] | None:
    """An OA webhook event as the Bot API's event (``event_name`` + ``message``); None for events the
    bot does not act on (follows, reactions, the OA's own messages) or malformed ones."""
    if not isinstance(body, dict):
        return None
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    user_id = str(sender.get("id") or "")
    if not user_id or not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", user_id):
        return None
    base = {
        "from": {"id": user_id, "is_bot": False},
        "chat": {"id": user_id, "chat_type": "PRIVATE"},
        "message_id": str(message.get("msg_id") or ""),
        "date": body.get("timestamp"),
    }
    name = body.get("event_name")
    if name == "user_send_text" and isinstance(message.get("text"), str):
        return {"event_name": "message.text.received", "message": {**base, "text": message["text"]}}
    if name == "user_send_image":
        attachments = message.get("attachments") if isinstance(message.get("attachments"), list) else []
        url = next(
            (
                a.get("payload", {}).get("url")
                for a in attachments
                if isinstance(a, dict) and isinstance(a.get("payload"), dict)
            ),
            None,
        )
        return {"event_name": "message.image.received", "message": {**base, "photo": url or ""}}
    if isinstance(name, str) and name.startswith("user_send_"):
        return {"event_name": "message.unsupported.received", "message": base}
    return None


class OfficialAccountSender:
    """The outbox ``Sender`` for a Zalo OA: inside the 7-day window a free message, outside it the
    ZNS template configured for the message's purpose (``templates``: purpose → template id, ``"*"``
    for any other), sent to the citizen's phone number."""

    def __init__(
        self,
        oa: OAClient,
        zns: ZNSClient | None,
        templates: dict[str, str],
        *,
        sessionmaker: Any,
        clock: Any,
        window: timedelta = WINDOW,
        quota_retry_after: float = 60.0,
    ) -> None:
        self.oa, self.zns, self.templates = oa, zns, templates
        self.sessionmaker, self.clock, self.window = sessionmaker, clock, window
        self.quota_retry_after = quota_retry_after

    async def close(self) -> None:
        await self.oa.close()
        if self.zns is not None:
            await self.zns.close()

    async def _recipient(
        self, chat_id: str, submission_id: int | None
    ) -> tuple[datetime | None, str | None, str]:
        """When the citizen last wrote, the phone number they gave (the question's, else theirs), and
        the question's tracking code."""
        async with self.sessionmaker() as db:
            row = (
                await db.execute(
                    select(Citizen.last_seen_at, Citizen.phone).where(
                        Citizen.channel == Channel.ZALO, Citizen.chat_id == chat_id
                    )
                )
            ).first()
            question = None
            if submission_id is not None:
                question = (
                    await db.execute(
                        select(Submission.phone, Submission.code).where(Submission.id == submission_id)
                    )
                ).first()
            await db.rollback()
        phone = (question.phone if question else None) or (row.phone if row else None)
        return (row.last_seen_at if row else None), phone, (question.code if question else "")

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        text = plain(payload.get("text") or "")
        labels = [a["label"] for line in payload.get("actions") or [] for a in line]
        if labels:
            text += "\n" + "\n".join(f"{i}. {plain(label)}" for i, label in enumerate(labels, 1))
        seen, phone, code = await self._recipient(chat_id, payload.get("submission_id"))
        try:
            if seen is not None and self.clock.now() - seen <= self.window:
                try:
                    last = ""
                    for part in split_text(text, TEXT_MAX) if text.strip() else []:
                        last = await self.oa.send_text(chat_id, part)
                    if last:
                        return last
                    raise PermanentError("nothing to send")
                except WindowClosed:
                    pass  # the OA says the window has closed: the template below
            return await self._template(chat_id, payload, text, phone, code)
        except OAError as exc:
            if exc.error_code in QUOTA_CODES:
                raise RetryAfter(self.quota_retry_after, whole_bot=True) from exc
            raise PermanentError(f"Zalo OA: {exc.description}") from exc
        except ZaloNetworkError as exc:
            raise TransientError(exc.description) from exc

    async def _template(
        self, chat_id: str, payload: dict[str, Any], text: str, phone: str | None, code: str
    ) -> str:
        purpose = str(payload.get("purpose") or "")
        template = self.templates.get(purpose) or self.templates.get("*")
        number = zns_phone(phone)
        if self.zns is None or not template or number is None:
            why = (
                "no ZNS template for this message" if not template or self.zns is None else "no phone number"
            )
            raise PermanentError(f"outside the Zalo OA's 7-day window and {why}")
        data = {
            "code": code,
            "message": (text[: PARAM_MAX - 1] + "…") if len(text) > PARAM_MAX else text,
            "date": self.clock.now().strftime("%d/%m/%Y"),
        }
        tracking = f"{code or chat_id}:{purpose}"[:48]
        return await self.zns.send_template(number, template, data, tracking)


class OAChatClient:
    """What the Zalo conversation needs to answer a person who just wrote to the OA (inside the
    window by definition): ``send_message`` as the Bot API client has it, through the OA API."""

    def __init__(self, oa: OAClient) -> None:
        self.oa = oa

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return {"message_id": await self.oa.send_text(chat_id, text)}

    async def close(self) -> None:
        await self.oa.close()


def build_sender(settings: Any, sessionmaker: Any, clock: Any) -> OfficialAccountSender:
    """The outbox sender of ``DOITHOAI_ZALO_CHANNEL=oa`` (ZNS only when templates are configured)."""
    templates = parse_templates(settings.zalo_zns_templates)
    token = settings.zalo_oa_access_token
    return OfficialAccountSender(
        OAClient(token, settings.zalo_oa_api),
        ZNSClient(token, settings.zalo_zns_api) if templates else None,
        templates,
        sessionmaker=sessionmaker,
        clock=clock,
    )


def parse_templates(value: str) -> dict[str, str]:
    """``DOITHOAI_ZALO_ZNS_TEMPLATES``: JSON ``{"response": "231677", "*": "231680"}``."""
    if not value.strip():
        return {}
    found = json.loads(value)
    if not isinstance(found, dict) or not all(isinstance(v, str | int) for v in found.values()):
        raise ValueError("DOITHOAI_ZALO_ZNS_TEMPLATES must be a JSON object of purpose → template id")
    return {str(k): str(v) for k, v in found.items()}
