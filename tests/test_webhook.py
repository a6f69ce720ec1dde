"""Telegram by webhook, one process: the webhook is registered with a secret token, the fake Bot API
posts the updates to it, a request without the secret is refused (403) and handled by nobody;
getUpdates is refused while the webhook is set. (Several worker processes: test_webhook_workers.py.)"""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiogram.exceptions import TelegramConflictError

from bot.app import build_app
from bot.channels.telegram.webhook import SECRET_HEADER, register_webhook, serve_webhook, webhook_secret
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from tests.workflow_world import load_directory, new_session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_update(update_id: int, user_id: int) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": "Giả mạo"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Giả mạo"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
async def hooked(database_url):
    async with FakeTelegram() as tg:
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:HOOK",
            redis_url="",
        )
        app = build_app(settings)
        await app.migrate()
        async with app.sessionmaker() as db:
            await load_directory(db, app.clock.now())
            await new_session(db, app.clock.now())
            await db.commit()
        port = free_port()
        server = await serve_webhook(app, "127.0.0.1", port)
        url = await register_webhook(app, f"http://127.0.0.1:{port}/")
        try:
            assert url == f"http://127.0.0.1:{port}/telegram/webhook"
            yield tg, app, server, url
        finally:
            await server.stop()
            await app.close()


async def test_the_webhook_is_registered_with_a_secret_and_serves_a_citizen(hooked):
    tg, app, server, url = hooked
    assert tg.webhook["url"] == url
    assert tg.webhook["secret_token"] == webhook_secret(app.settings)
    assert len(webhook_secret(app.settings)) == 64
    lan = tg.user(7001, "Lan")
    await tg.send_text(lan, "/start")
    welcome = await tg.next_message(lan.id, timeout=15)
    assert "Xin chào" in welcome["text"]
    await tg.press(lan.id, "✅ Đồng ý")
    assert "Cảm ơn" in (await tg.next_message(lan.id, timeout=15))["text"]
    assert server.receiver.handled == 2
    assert all(status == 200 for _, status in tg.webhook_posts)
    assert not tg.violations


async def test_a_post_without_the_secret_is_refused_and_not_handled(hooked):
    tg, app, server, url = hooked
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: webhook_secret(app.settings)[:-1]}):
            async with http.post(url, json=start_update(900, 7002), headers=headers) as response:
                assert response.status == 403
        assert server.receiver.handled == 0
        assert server.receiver.refused == 3
        secret = {SECRET_HEADER: tg.webhook["secret_token"]}
        async with http.post(url, data=b"{not json", headers=secret) as response:
            assert response.status == 400


async def test_get_updates_is_refused_while_the_webhook_is_set(hooked):
    tg, app, server, url = hooked
    with pytest.raises(TelegramConflictError):
        await app.bot.get_updates(timeout=0)
    info = await app.bot.get_webhook_info()
    assert info.url == url
    await app.bot.delete_webhook()
    assert tg.webhook is None
    assert await app.bot.get_updates(timeout=0) == []
