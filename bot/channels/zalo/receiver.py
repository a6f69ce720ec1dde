"""Receiving Zalo events: the long-polling loop and the webhook aiohttp app.

Both hand each event to ``handle(event)`` in the background (the webhook answers 200 at once), one
chat's events one after the other in the order they came (a queue and one worker per chat, so two
messages typed quickly never race on the conversation state), different chats side by side. An
event whose ``message_id`` is already in ``inbound_seen`` (channel "zalo") is ignored; an event
without one is recognised by a hash of its content. A malformed event (not an object, ``message``
or ``chat`` of the wrong type, no chat id, an oversized id) is logged as a warning and ignored. The
webhook checks ``X-Bot-Api-Secret-Token`` in constant time: wrong or missing → 403, nothing done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.channels.zalo import client as zc
from storage.models import InboundSeen

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[None]]
SECRET_HEADER = "X-Bot-Api-Secret-Token"
ID_MAX = 64  # chat and message ids longer than this are not Zalo's
QUEUE_MAX = 100  # events waiting in one chat beyond this are a flood: dropped with a warning
_ID = re.compile(rf"[0-9A-Za-z_.:-]{{1,{ID_MAX}}}")


class Malformed(ValueError):
    pass


def _id(value: Any, what: str, *, required: bool) -> str:
    if value is None or value == "":
        if required:
            raise Malformed(f"no {what}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{what} is a {type(value).__name__}")
    text = str(value)
    if not _ID.fullmatch(text):
        raise Malformed(f"{what} is not an id ({len(text)} characters)")
    return text


def chat_of(event: Any) -> str:
    """The chat an event belongs to; ``Malformed`` when the event's shape is not Zalo's."""
    if not isinstance(event, dict):
        raise Malformed(f"the event is a {type(event).__name__}")
    if not isinstance(event.get("event_name", ""), str):
        raise Malformed("event_name is not a string")
    message = event.get("message")
    if not isinstance(message, dict):
        raise Malformed(f"message is a {type(message).__name__}")
    chat, sender = message.get("chat"), message.get("from")
    if chat is not None and not isinstance(chat, dict):
        raise Malformed(f"chat is a {type(chat).__name__}")
    if sender is not None and not isinstance(sender, dict):
        raise Malformed(f"from is a {type(sender).__name__}")
    for field, kind in (("text", "message.text.received"), ("photo", "message.image.received")):
        if event.get("event_name") == kind and not isinstance(message.get(field, ""), str):
            raise Malformed(f"{field} is a {type(message.get(field)).__name__}")
    given = (chat or {}).get("id") or (sender or {}).get("id")
    return _id(given, "chat id", required=True)


def dedupe_key(event: dict[str, Any]) -> str:
    """The event's ``message_id``, or a hash of the whole event when it has none."""
    mid = _id(event["message"].get("message_id"), "message_id", required=False)
    if mid:
        return mid
    body = json.dumps(event, sort_keys=True, ensure_ascii=False, default=str)
    return "h:" + hashlib.sha256(body.encode()).hexdigest()


async def first_time(sessionmaker: Any, message_id: str, now: Any) -> bool:
    """Record ``message_id`` as seen; False when it was already there."""
    async with sessionmaker() as db:
        db.add(InboundSeen(channel="zalo", message_id=message_id, at=now))
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
            return False
    return True


class Receiver:
    def __init__(self, handle: Handler, sessionmaker: Any, clock: Any) -> None:
        self.handle = handle
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.tasks: set[asyncio.Task] = set()
        self.queues: dict[str, deque[tuple[dict[str, Any], str]]] = {}

    async def _process(self, event: dict[str, Any], key: str) -> None:
        try:
            if not await first_time(self.sessionmaker, key, self.clock.now()):
                return
            await self.handle(event)
        except Exception:
            log.exception("zalo event failed: %s", event.get("event_name"))

    async def _work(self, chat: str) -> None:
        """One chat's worker: its events one at a time, oldest first, until its queue is empty."""
        queue = self.queues[chat]
        try:
            while queue:
                event, key = queue[0]
                await self._process(event, key)
                queue.popleft()
        finally:
            if self.queues.get(chat) is queue and not queue:
                del self.queues[chat]

    def submit(self, event: Any) -> asyncio.Task | None:
        """Queue an event behind its chat's earlier ones; a malformed event is logged and dropped."""
        try:
            chat = chat_of(event)
            key = dedupe_key(event)
        except Malformed as exc:
            log.warning("zalo: malformed event ignored (%s)", exc)
            return None
        queue = self.queues.get(chat)
        if queue is not None:  # a worker is draining this chat: it takes this event after the others
            if len(queue) >= QUEUE_MAX:
                log.warning("zalo: chat %s has %d events waiting; this one is dropped", chat, len(queue))
                return None
            queue.append((event, key))
            return None
        self.queues[chat] = deque([(event, key)])
        task = asyncio.create_task(self._work(chat))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    # -- webhook ------------------------------------------------------------------------------
    def webhook_app(self, secret: str, path: str = "/zalo/webhook") -> web.Application:
        expected = secret.encode()

        async def hook(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not expected or not hmac.compare_digest(given, expected):
                return web.Response(status=403, text="forbidden")
            try:
                body = await request.json()
            except ValueError:
                return web.Response(status=400, text="bad json")
            if not isinstance(body, dict) or "result" not in body:
                log.warning("zalo webhook: a body without an event ignored")
            else:
                self.submit(body["result"])
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post(path, hook)
        return app

    def oa_webhook_app(self, app_id: str, secret_key: str, path: str = "/zalo/webhook") -> web.Application:
        """A Zalo Official Account's webhook: ``X-ZEvent-Signature`` checked (wrong or missing → 403,
        nothing done), the event read as the Bot API's (``oa.normalize_event``); events the bot does not
        act on (follows, the OA's own messages) are acknowledged and ignored."""
        from bot.channels.zalo.oa import SIGNATURE_HEADER, normalize_event, verify_signature

        async def hook(request: web.Request) -> web.Response:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                return web.Response(status=400, text="bad json")
            stamp = str(body.get("timestamp") or "") if isinstance(body, dict) else ""
            given = request.headers.get(SIGNATURE_HEADER, "")
            if not verify_signature(app_id, secret_key, raw, stamp, given):
                return web.Response(status=403, text="forbidden")
            event = normalize_event(body)
            if event is None:
                log.info("zalo OA: event %r not acted on", body.get("event_name"))
            else:
                self.submit(event)
            return web.json_response({"error": 0})

        app = web.Application()
        app.router.add_post(path, hook)
        return app

    # -- long polling ------------------------------------------------------------------------
    async def poll(self, client: zc.ZaloClient, stop: asyncio.Event, *, timeout: int = 30) -> None:
        backoff = 1.0
        while not stop.is_set():
            getter = asyncio.ensure_future(client.get_updates(timeout=timeout))
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            stopper.cancel()
            try:
                event = getter.result()
                backoff = 1.0
            except zc.ZaloError as exc:
                if exc.error_code == 408:  # long poll ended with no event
                    continue
                log.warning("zalo getUpdates: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if event:
                self.submit(event)


class ZaloHandle:
    """What ``start_zalo`` returns: ``await handle.stop()`` stops receiving and closes the client."""

    def __init__(self, client: zc.ZaloClient, receiver: Receiver) -> None:
        self.client = client
        self.receiver = receiver
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.runner: web.AppRunner | None = None

    async def stop(self) -> None:
        self.stop_event.set()
        if self.task is not None:
            await self.task
        if self.runner is not None:
            await self.runner.cleanup()
        await self.receiver.drain()
        await self.client.close()


WEBHOOK_PATH = "/zalo/webhook"


def webhook_url(public_url: str) -> str:
    """``https://bot.example.gov.vn`` → ``https://bot.example.gov.vn/zalo/webhook``."""
    return public_url.rstrip("/") + WEBHOOK_PATH


async def start_zalo(
    app: Any, *, webhook: bool = False, host: str = "0.0.0.0", port: int = 8081, public_url: str = ""
) -> ZaloHandle:
    """Serve Zalo citizens for an ``App`` (needs ``DOITHOAI_ZALO_TOKEN``): long polling, or with
    ``webhook=True`` an aiohttp server on ``host:port`` at ``/zalo/webhook`` checking
    ``DOITHOAI_ZALO_WEBHOOK_SECRET``; with ``public_url`` the webhook is registered with Zalo
    (``setWebhook`` at ``<public_url>/zalo/webhook`` with the secret)."""
    from bot.channels.zalo.channel import ZaloChannel

    s = app.settings
    if s.zalo_channel == "oa":
        if public_url:
            log.info("zalo OA: set the webhook to %s in the Zalo developer console", webhook_url(public_url))
        return await start_official_account(app, host=host, port=port)
    client = zc.ZaloClient(s.zalo_token, s.zalo_api)
    channel = ZaloChannel(client, app.sessionmaker, app.clock, s)
    receiver = Receiver(channel.handle, app.sessionmaker, app.clock)
    handle = ZaloHandle(client, receiver)
    if webhook:
        if not s.zalo_webhook_secret:
            raise ValueError("DOITHOAI_ZALO_WEBHOOK_SECRET is required for the Zalo webhook")
        handle.runner = web.AppRunner(receiver.webhook_app(s.zalo_webhook_secret, WEBHOOK_PATH))
        await handle.runner.setup()
        await web.TCPSite(handle.runner, host, port).start()
        if public_url:
            await client.set_webhook(webhook_url(public_url), s.zalo_webhook_secret)
            log.info("zalo webhook registered at %s", webhook_url(public_url))
        else:
            log.warning("zalo webhook: no --public-url, so nothing registered with Zalo")
    else:
        with contextlib.suppress(zc.ZaloError):
            await client.delete_webhook()  # getUpdates does not work while a webhook is set
        handle.task = asyncio.create_task(receiver.poll(client, handle.stop_event))
    return handle


async def start_official_account(app: Any, *, host: str = "0.0.0.0", port: int = 8081) -> ZaloHandle:
    """``DOITHOAI_ZALO_CHANNEL=oa``: the OA's events arrive by webhook only (its URL is set in the Zalo
    developer console: ``<public URL>/zalo/webhook``), signed with the OA's secret key; the
    conversation answers through the OA API (the person just wrote, so the 7-day window is open)."""
    from bot.channels.zalo.channel import ZaloChannel
    from bot.channels.zalo.oa import OAChatClient, OAClient

    s = app.settings
    if not (s.zalo_oa_access_token and s.zalo_oa_app_id and s.zalo_oa_secret_key):
        raise ValueError(
            "DOITHOAI_ZALO_CHANNEL=oa needs DOITHOAI_ZALO_OA_ACCESS_TOKEN, DOITHOAI_ZALO_OA_APP_ID and "
            "DOITHOAI_ZALO_OA_SECRET_KEY"
        )
    client = OAChatClient(OAClient(s.zalo_oa_access_token, s.zalo_oa_api))
    channel = ZaloChannel(client, app.sessionmaker, app.clock, s)  # type: ignore[arg-type]
    receiver = Receiver(channel.handle, app.sessionmaker, app.clock)
    handle = ZaloHandle(client, receiver)  # type: ignore[arg-type]
    hook = receiver.oa_webhook_app(s.zalo_oa_app_id, s.zalo_oa_secret_key, WEBHOOK_PATH)
    handle.runner = web.AppRunner(hook)
    await handle.runner.setup()
    await web.TCPSite(handle.runner, host, port).start()
    return handle
