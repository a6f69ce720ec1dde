"""Receiving Zalo events: the long-polling loop and the webhook aiohttp app.

Both hand each event to ``handle(event)`` in the background (the webhook answers 200 at once);
an event whose ``message_id`` is already in ``inbound_seen`` (channel "zalo") is ignored. The
webhook checks ``X-Bot-Api-Secret-Token`` in constant time: wrong or missing → 403, nothing done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.channels.zalo import client as zc
from storage.models import InboundSeen

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[None]]
SECRET_HEADER = "X-Bot-Api-Secret-Token"


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

    async def _process(self, event: dict[str, Any]) -> None:
        try:
            mid = str((event.get("message") or {}).get("message_id") or "")
            if mid and not await first_time(self.sessionmaker, mid, self.clock.now()):
                return
            await self.handle(event)
        except Exception:
            log.exception("zalo event failed: %s", event.get("event_name"))

    def submit(self, event: dict[str, Any]) -> asyncio.Task:
        task = asyncio.create_task(self._process(event))
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
            event = body.get("result") if isinstance(body, dict) else None
            if isinstance(event, dict):
                self.submit(event)
            return web.json_response({"ok": True})

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


async def start_zalo(
    app: Any, *, webhook: bool = False, host: str = "0.0.0.0", port: int = 8081
) -> ZaloHandle:
    """Serve Zalo citizens for an ``App`` (needs ``DOITHOAI_ZALO_TOKEN``): long polling, or with
    ``webhook=True`` an aiohttp server on ``host:port`` at ``/zalo/webhook`` checking
    ``DOITHOAI_ZALO_WEBHOOK_SECRET`` (register the public URL with ``client.set_webhook``)."""
    from bot.channels.zalo.channel import ZaloChannel

    s = app.settings
    client = zc.ZaloClient(s.zalo_token, s.zalo_api)
    channel = ZaloChannel(client, app.sessionmaker, app.clock, s)
    receiver = Receiver(channel.handle, app.sessionmaker, app.clock)
    handle = ZaloHandle(client, receiver)
    if webhook:
        if not s.zalo_webhook_secret:
            raise ValueError("DOITHOAI_ZALO_WEBHOOK_SECRET is required for the Zalo webhook")
        handle.runner = web.AppRunner(receiver.webhook_app(s.zalo_webhook_secret))
        await handle.runner.setup()
        await web.TCPSite(handle.runner, host, port).start()
    else:
        with contextlib.suppress(zc.ZaloError):
            await client.delete_webhook()  # getUpdates does not work while a webhook is set
        handle.task = asyncio.create_task(receiver.poll(client, handle.stop_event))
    return handle
