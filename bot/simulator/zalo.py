"""A fake Zalo Bot API server on 127.0.0.1 with Zalo's response shapes: string ids, millisecond
dates, ``event_name``, one event per getUpdates (no offsets), 1–2000-character texts enforced with
Zalo-like errors, 429 "Quota exceeded" on demand, webhooks with ``X-Bot-Api-Secret-Token``.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TEXT_MAX = 2000


@dataclass
class Sent:
    method: str
    chat_id: str
    params: dict[str, Any]
    message_id: str


@dataclass
class FakeZaloServer:
    token: str = "1459232241:fake-zalo-token"
    bot_id: str = "1459232241454765289"
    host: str = "127.0.0.1"
    port: int = 0
    known_chats: set[str] | None = None  # None: every chat id is accepted
    quota_left: int | None = None  # None: unlimited; 0: every send answers 429
    sent: list[Sent] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    _events: asyncio.Queue | None = None
    _runner: web.AppRunner | None = None
    _cond: asyncio.Condition | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FakeZaloServer:
        self._events = asyncio.Queue()
        self._cond = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeZaloServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what a citizen does -------------------------------------------------------------
    @staticmethod
    def _now_ms() -> int:
        return int(time.time() * 1000)

    def event(self, user_id: str, name: str = "message.text.received", **content: Any) -> dict[str, Any]:
        message = {
            "from": {
                "id": user_id,
                "display_name": content.pop("display_name", "Người dân"),
                "is_bot": False,
            },
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": secrets.token_hex(10),
            "date": self._now_ms(),
        }
        message.update(content)
        return {"event_name": name, "message": message}

    async def push(self, event: dict[str, Any]) -> None:
        """Deliver an event: to the webhook if one is set, else queue it for getUpdates."""
        if self.webhook_url:
            async with (
                aiohttp.ClientSession() as s,
                s.post(
                    self.webhook_url,
                    json={"ok": True, "result": event},
                    headers={"X-Bot-Api-Secret-Token": self.webhook_secret},
                ) as resp,
            ):
                await resp.read()
        else:
            assert self._events is not None
            await self._events.put(event)

    async def say(self, user_id: str, text: str) -> dict[str, Any]:
        ev = self.event(user_id, text=text)
        await self.push(ev)
        return ev

    async def wait_for(self, chat_id: str, count: int = 1, timeout: float = 10.0) -> list[Sent]:
        """Wait until ``count`` messages have been sent to ``chat_id``; returns them all."""
        assert self._cond is not None

        def mine() -> list[Sent]:
            return [s for s in self.sent if s.chat_id == chat_id]

        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(lambda: len(mine()) >= count), timeout)
        return mine()

    # -- the API ------------------------------------------------------------------------------
    @staticmethod
    def _error(code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized: invalid token")
        method = request.match_info["method"]
        p = await self._params(request)
        if method == "getMe":
            return self._ok(
                {
                    "id": self.bot_id,
                    "account_name": "bot.Fake",
                    "account_type": "BASIC",
                    "can_join_groups": False,
                }
            )
        if method == "getUpdates":
            if self.webhook_url:
                return self._error(409, "Conflict: webhook is set, getUpdates is disabled")
            assert self._events is not None
            try:
                ev = await asyncio.wait_for(self._events.get(), float(p.get("timeout", 30)))
            except TimeoutError:
                return self._error(408, "Request timeout")
            return self._ok(ev)
        if method == "setWebhook":
            secret = str(p.get("secret_token") or "")
            if not p.get("url") or not 8 <= len(secret) <= 256:
                return self._error(400, "Bad request: url and secret_token (8-256 chars) required")
            self.webhook_url, self.webhook_secret = str(p["url"]), secret
            return self._ok({"url": self.webhook_url, "updated_at": self._now_ms()})
        if method == "deleteWebhook":
            self.webhook_url = self.webhook_secret = ""
            return self._ok({"url": "", "updated_at": self._now_ms()})
        if method == "getWebhookInfo":
            return self._ok({"url": self.webhook_url, "updated_at": self._now_ms()})
        if method in ("sendMessage", "sendPhoto", "sendChatAction", "sendSticker"):
            chat_id = p.get("chat_id")
            if not isinstance(chat_id, str) or not chat_id:
                return self._error(400, "Bad request: chat_id must be a non-empty string")
            if self.known_chats is not None and chat_id not in self.known_chats:
                return self._error(400, "Bad request: chat not found")
            if method == "sendChatAction":
                return self._ok(True)
            if method == "sendMessage":
                text = p.get("text")
                if not isinstance(text, str) or not 1 <= len(text) <= TEXT_MAX:
                    return self._error(400, "Bad request: text must be 1-2000 characters")
            if method == "sendPhoto":
                if not p.get("photo"):
                    return self._error(400, "Bad request: photo is required")
                if len(p.get("caption") or "") > TEXT_MAX:
                    return self._error(400, "Bad request: caption must be at most 2000 characters")
            if self.quota_left is not None:
                if self.quota_left <= 0:
                    return self._error(429, "Quota exceeded")
                self.quota_left -= 1
            mid = f"{next(self._ids):020x}"
            assert self._cond is not None
            async with self._cond:
                self.sent.append(Sent(method, chat_id, p, mid))
                self._cond.notify_all()
            return self._ok({"message_id": mid, "date": self._now_ms()})
        return self._error(404, f"Not found: method {method}")
