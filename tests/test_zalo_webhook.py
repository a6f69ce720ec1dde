"""Zalo webhook: the secret is checked, events acknowledged at once, duplicates ignored; polling too."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from bot.channels.zalo import client as zc
from bot.channels.zalo.receiver import SECRET_HEADER, Receiver
from bot.simulator.zalo import FakeZaloServer

SECRET = "s3cret-token-123"


class Seen:
    def __init__(self) -> None:
        self.events: list[dict] = []
        self.cond = asyncio.Condition()

    async def __call__(self, event: dict) -> None:
        async with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    async def wait(self, n: int) -> None:
        async with self.cond:
            await asyncio.wait_for(self.cond.wait_for(lambda: len(self.events) >= n), 5)


@pytest.fixture
async def hook(sessionmaker, clock):
    seen = Seen()
    receiver = Receiver(seen, sessionmaker, clock)
    runner = web.AppRunner(receiver.webhook_app(SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/zalo/webhook", seen, receiver
    await receiver.drain()
    await runner.cleanup()


async def test_wrong_or_missing_secret_is_refused_and_nothing_processed(hook):
    url, seen, receiver = hook
    server = FakeZaloServer()
    body = {"ok": True, "result": server.event("u1", text="xin chào")}
    async with aiohttp.ClientSession() as s:
        for headers in ({}, {SECRET_HEADER: "wrong-secret-000"}, {SECRET_HEADER: SECRET[:-1]}):
            async with s.post(url, json=body, headers=headers) as r:
                assert r.status == 403
    await receiver.drain()
    assert seen.events == []


async def test_events_from_the_fake_server_arrive_once_even_when_delivered_twice(hook):
    url, seen, receiver = hook
    async with FakeZaloServer() as server:
        client = zc.ZaloClient(server.token, server.base_url, timeout=5)
        await client.set_webhook(url, SECRET)
        ev = await server.say("u1", "xin chào")
        await server.push(ev)  # Zalo delivers the same event again
        await server.say("u1", "lần hai")
        await seen.wait(2)
        await receiver.drain()
        await client.close()
    assert [e["message"]["text"] for e in seen.events] == ["xin chào", "lần hai"]


async def test_long_polling_receives_events_and_stops(sessionmaker, clock):
    seen = Seen()
    receiver = Receiver(seen, sessionmaker, clock)
    async with FakeZaloServer() as server:
        client = zc.ZaloClient(server.token, server.base_url, timeout=5)
        stop = asyncio.Event()
        task = asyncio.create_task(receiver.poll(client, stop, timeout=1))
        await server.say("u9", "một")
        await server.say("u9", "hai")
        await seen.wait(2)
        stop.set()
        await asyncio.wait_for(task, 5)
        await receiver.drain()
        await client.close()
    assert [e["message"]["text"] for e in seen.events] == ["một", "hai"]


async def test_start_zalo_polls_for_an_app_and_stops(sessionmaker, clock):
    from types import SimpleNamespace

    from bot.channels.zalo.receiver import start_zalo
    from bot.settings import Settings

    async with FakeZaloServer() as server:
        settings = Settings(zalo_token=server.token, zalo_api=server.base_url)
        app = SimpleNamespace(settings=settings, sessionmaker=sessionmaker, clock=clock)
        handle = await start_zalo(app, webhook=False)
        await server.say("u5", "/start")
        await server.wait_for("u5", 1)
        await asyncio.wait_for(handle.stop(), 40)


def test_run_takes_the_public_url_for_the_webhook():
    from bot.cli import build_parser

    args = build_parser().parse_args(["run", "--webhook", "--public-url", "https://bot.example.gov.vn"])
    assert (args.webhook, args.public_url) == (True, "https://bot.example.gov.vn")


async def test_run_with_a_public_url_registers_the_webhook_with_its_secret(sessionmaker, clock):
    import socket
    from types import SimpleNamespace

    from bot.channels.zalo.receiver import start_zalo
    from bot.settings import Settings

    with socket.socket() as probe:  # a free port for the webhook server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeZaloServer() as server:
        settings = Settings(zalo_token=server.token, zalo_api=server.base_url, zalo_webhook_secret=SECRET)
        app = SimpleNamespace(settings=settings, sessionmaker=sessionmaker, clock=clock)
        public = f"http://127.0.0.1:{port}/"
        handle = await start_zalo(app, webhook=True, host="127.0.0.1", port=port, public_url=public)
        try:
            assert server.webhook_url == f"http://127.0.0.1:{port}/zalo/webhook"
            assert server.webhook_secret == SECRET
            await server.say("u7", "/start")  # Zalo now delivers to the webhook, which answers
            await server.wait_for("u7", 1)
        finally:
            await asyncio.wait_for(handle.stop(), 40)
