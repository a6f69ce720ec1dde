"""Receiving Telegram updates by webhook (``doithoai run --webhook --public-url URL``).

Telegram posts each update to ``<URL>/telegram/webhook`` with the secret token given to setWebhook in
the ``X-Telegram-Bot-Api-Secret-Token`` header; a request without the right token is answered 403
(compared in constant time). The update is handled before the request is answered: Telegram posts
a chat's next update only once the previous one was answered, so a chat's updates are handled in
order even when several worker processes share the address (the per-chat lock of
``bot.app.make_fsm`` covers the rest: a repeated post while the first is still being handled).

The secret is ``DOITHOAI_TELEGRAM_WEBHOOK_SECRET`` or, when unset, derived from the bot token (so
every worker process of a deployment knows it without being told, and it changes with the token).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

from aiogram.methods import TelegramMethod
from aiohttp import web

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Any) -> str:
    """The secret token (1-256 characters of A-Z, a-z, 0-9, _ and -, as setWebhook requires)."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    digest = hmac.new(settings.bot_token.encode(), b"doithoai telegram webhook", hashlib.sha256)
    return digest.hexdigest()


def webhook_url(public_url: str) -> str:
    return public_url.rstrip("/") + PATH


class WebhookReceiver:
    """The aiohttp handler: checks the secret, hands the update to the dispatcher, answers 200."""

    def __init__(self, app: Any, secret: str) -> None:
        self.app = app
        self._expected = secret.encode()
        # at most this many updates at once in this process (as long polling's limit)
        self._slots = asyncio.Semaphore(app.settings.max_concurrent_updates)
        self.handled = 0
        self.refused = 0

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._expected):
            self.refused += 1
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
        except ValueError:
            log.warning("telegram webhook: a request whose body is not JSON was ignored")
            return web.Response(status=400, text="bad json")
        async with self._slots:
            await self.handle(data)
        return web.Response(status=200)

    async def handle(self, data: dict[str, Any]) -> None:
        from aiogram.types import Update

        bot, dp = self.app.bot, self.app.dp
        try:
            update = Update.model_validate(data, context={"bot": bot})
        except ValueError:
            # answering an error would make Telegram post it again and again
            log.warning("telegram webhook: an update that cannot be read was ignored: %.200s", data)
            return
        self.handled += 1
        try:
            response = await dp.feed_update(bot, update)
            if isinstance(response, TelegramMethod):
                await dp.silent_call_request(bot=bot, result=response)
        except Exception:  # the error handler has already told the person; Telegram must not repeat it
            log.exception("telegram webhook: update %s failed", update.update_id)


class WebhookServer:
    """The listening site; ``await server.stop()`` closes it (updates being handled finish first)."""

    def __init__(self, runner: web.AppRunner, receiver: WebhookReceiver) -> None:
        self.runner = runner
        self.receiver = receiver

    async def stop(self) -> None:
        await self.runner.cleanup()
        self.receiver.app.extras.pop("telegram_webhook", None)
        log.info(
            "telegram webhook: %d update(s) handled, %d refused by this process",
            self.receiver.handled,
            self.receiver.refused,
        )


async def serve_webhook(app: Any, host: str, port: int, *, reuse_port: bool = False) -> WebhookServer:
    """Listen on ``host:port`` at ``/telegram/webhook``. ``reuse_port``: several worker processes
    listen on the same port (Linux SO_REUSEPORT: the kernel spreads the connections among them)."""
    receiver = WebhookReceiver(app, webhook_secret(app.settings))
    web_app = web.Application()
    web_app.router.add_post(PATH, receiver.receive)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=30)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    await app.dp.emit_startup(bot=app.bot, **app.dp.workflow_data)
    server = app.extras["telegram_webhook"] = WebhookServer(runner, receiver)
    return server


async def register_webhook(app: Any, public_url: str, *, max_connections: int = 40) -> str:
    """setWebhook with the secret token, for the update kinds the routers use; returns the URL."""
    url = webhook_url(public_url)
    await app.bot.set_webhook(
        url=url,
        secret_token=webhook_secret(app.settings),
        max_connections=max(1, min(100, max_connections)),
        allowed_updates=app.dp.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    return url
