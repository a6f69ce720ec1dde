"""A fake of a Zalo Official Account's message API (v3) and of the Zalo Notification Service on
127.0.0.1, with their answers' shapes: ``{"error": 0, "message": "Success", "data": …}``, error -230
for a person outside the OA's 7-day window, -108 for a phone number Zalo does not know, 401-like
-124 for a wrong access token. Which people are inside the window is the test's to say
(``interacted``)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class OASent:
    kind: str  # "oa" | "zns"
    to: str  # user id, or phone number for ZNS
    body: dict[str, Any]


@dataclass
class FakeZaloOA:
    access_token: str = "fake-oa-access-token"
    host: str = "127.0.0.1"
    port: int = 0
    interacted: set[str] = field(default_factory=set)  # user ids inside the 7-day window
    known_phones: set[str] | None = None  # None: every well-formed number is a Zalo user
    templates: set[str] = field(default_factory=lambda: {"231677", "231680"})
    sent: list[OASent] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> FakeZaloOA:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._oa)
        app.router.add_post("/message/template", self._zns)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def texts_to(self, user_id: str) -> list[str]:
        """The free messages the OA sent this person."""
        return [s.body["message"]["text"] for s in self.sent if s.kind == "oa" and s.to == user_id]

    async def user_sends(
        self, webhook_url: str, user_id: str, text: str, *, app_id: str, secret_key: str, oa_id: str = "1"
    ) -> int:
        """A person writes to the OA: Zalo posts the signed ``user_send_text`` event to the webhook,
        and the person is inside the OA's 7-day window from now on. Returns the webhook's HTTP status."""
        self.interacted.add(user_id)
        stamp = str(int(time.time() * 1000))
        body = json.dumps(
            {
                "app_id": app_id,
                "event_name": "user_send_text",
                "sender": {"id": user_id},
                "recipient": {"id": oa_id},
                "message": {"text": text, "msg_id": f"m{next(self._ids):016x}"},
                "timestamp": stamp,
            },
            ensure_ascii=False,
        ).encode()
        mac = hashlib.sha256(app_id.encode() + body + stamp.encode() + secret_key.encode()).hexdigest()
        headers = {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(webhook_url, data=body, headers=headers) as r,
        ):
            return r.status

    @staticmethod
    def _answer(error: int, message: str, data: dict[str, Any] | None = None) -> web.Response:
        return web.json_response({"error": error, "message": message, "data": data or {}})

    async def _body(self, request: web.Request) -> dict[str, Any] | web.Response:
        if request.headers.get("access_token") != self.access_token:
            return self._answer(-124, "Access token is invalid")
        try:
            body = await request.json()
        except ValueError:
            return self._answer(-201, "Parameters are invalid")
        return body if isinstance(body, dict) else self._answer(-201, "Parameters are invalid")

    async def _oa(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        user = str((body.get("recipient") or {}).get("user_id") or "")
        text = str((body.get("message") or {}).get("text") or "")
        if not user or not 1 <= len(text) <= 2000:
            return self._answer(-201, "Parameters are invalid")
        if user not in self.interacted:
            return self._answer(-230, "User has not interacted with the OA in the past 7 days")
        self.sent.append(OASent("oa", user, body))
        return self._answer(0, "Success", {"message_id": f"oa{next(self._ids):016x}", "user_id": user})

    async def _zns(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        phone, template = str(body.get("phone") or ""), str(body.get("template_id") or "")
        if not phone.startswith("84") or not phone.isdigit():
            return self._answer(-108, "Phone number is invalid")
        if self.known_phones is not None and phone not in self.known_phones:
            return self._answer(-118, "Zalo account does not exist")
        if template not in self.templates:
            return self._answer(-1123, "Template is not approved")
        data = body.get("template_data")
        if not isinstance(data, dict) or any(len(str(v)) > 100 for v in data.values()):
            return self._answer(-1135, "Template data is invalid")
        self.sent.append(OASent("zns", phone, body))
        return self._answer(0, "Success", {"msg_id": f"zns{next(self._ids):016x}", "sent_time": "0"})
