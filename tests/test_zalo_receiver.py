"""Zalo events in order per chat (webhook and polling), and malformed events logged and ignored."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.channels.zalo import client as zc
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.receiver import SECRET_HEADER, Receiver
from bot.clock import FixedClock
from bot.settings import Settings
from bot.simulator.zalo import FakeZaloServer
from storage.models import FsmState, InboundSeen
from tests.test_conversation import NOW, seed

SECRET = "s3cret-token-123"
USER = "6ede9afa66b88fe6d6a9"


class Recorder:
    """A handler that takes its time, noting when each event starts and ends."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.done = asyncio.Condition()
        self.started = asyncio.Condition()
        self.gate = asyncio.Event()

    async def __call__(self, event: dict) -> None:
        text = event["message"].get("text", "")
        self.log.append(("start", text))
        async with self.started:
            self.started.notify_all()
        await self.gate.wait()  # every event is held until the test opens the gate
        await asyncio.sleep(0)
        self.log.append(("end", text))
        async with self.done:
            self.done.notify_all()

    async def wait_ended(self, n: int) -> None:
        async with self.done:
            await asyncio.wait_for(self.done.wait_for(lambda: self.ends() >= n), 10)

    def ends(self) -> int:
        return sum(1 for kind, _ in self.log if kind == "end")


async def test_one_chat_is_handled_in_order_and_other_chats_side_by_side(sessionmaker, clock):
    rec = Recorder()
    receiver = Receiver(rec, sessionmaker, clock)
    server = FakeZaloServer()
    for user, text in (("u1", "một"), ("u1", "hai"), ("u2", "khác"), ("u1", "ba")):
        receiver.submit(server.event(user, text=text))

    async with rec.started:  # u1's first and u2's: the two chats at once
        await asyncio.wait_for(rec.started.wait_for(lambda: len(rec.log) >= 2), 10)
    await asyncio.sleep(0.05)  # give a wrongly started third event the chance to show (not a sync)
    assert sorted(rec.log) == [("start", "khác"), ("start", "một")]
    rec.gate.set()
    await rec.wait_ended(4)
    await receiver.drain()
    u1 = [(kind, text) for kind, text in rec.log if text != "khác"]
    order = ["một", "hai", "ba"]
    assert u1 == [(kind, text) for text in order for kind in ("start", "end")]
    assert receiver.queues == {}


@pytest.fixture
async def live(sessionmaker):
    """The real channel behind the real webhook, on the test's database (SQLite or PostgreSQL)."""
    await seed(sessionmaker)
    async with FakeZaloServer() as server:
        client = zc.ZaloClient(server.token, server.base_url, timeout=5)
        channel = ZaloChannel(client, sessionmaker, FixedClock(NOW), Settings())
        receiver = Receiver(channel.handle, sessionmaker, FixedClock(NOW))
        runner = web.AppRunner(receiver.webhook_app(SECRET))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        await client.set_webhook(f"http://127.0.0.1:{port}/zalo/webhook", SECRET)
        yield server, receiver
        await receiver.drain()
        await runner.cleanup()
        await client.close()


async def say(server: FakeZaloServer, receiver: Receiver, *texts: str) -> None:
    """Deliver events one after the other without waiting for the answers (the webhook acknowledges
    each at once, so they are all being handled together), then wait until all are handled."""
    for text in texts:
        await server.push(server.event(USER, text=text))
    await receiver.drain()


async def test_two_messages_of_one_chat_racing_both_count(live, sessionmaker):
    server, receiver = live
    await say(server, receiver, "/start")
    await say(server, receiver, "dong y")
    await say(server, receiver, "dat dai")  # the one open session chosen: its topics at once
    await say(server, receiver, "Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm.")
    # the name and the phone number typed in quick succession: the second arrives while the first
    # is being handled
    await say(server, receiver, "Nguyễn Văn An", "0912 345 678")
    async with sessionmaker() as db:
        row = await db.get(FsmState, f"zalo:{USER}")
        conv = row.data["conv"]
    assert conv["screen"] == "a_addr"
    assert conv["draft"]["name"] == "Nguyễn Văn An" and conv["draft"]["phone"] == "0912345678"


async def test_messages_pushed_at_once_are_answered_in_order(live, sessionmaker):
    server, receiver = live
    await say(server, receiver, "/start", "dong y", "/ask", "1", "dat dai")
    async with sessionmaker() as db:
        conv = (await db.get(FsmState, f"zalo:{USER}")).data["conv"]
    assert conv["screen"] == "a_text" and conv["draft"]["topic_id"]


MALFORMED = [
    "not an event",
    ["a", "list"],
    {"event_name": "message.text.received", "message": "xin chào"},
    {"event_name": "message.text.received", "message": {"chat": ["u1"], "text": "x", "message_id": "m1"}},
    {"event_name": "message.text.received", "message": {"text": "x", "message_id": "m2"}},
    {"event_name": "message.text.received", "message": {"chat": {"id": "u" * 500}, "text": "x"}},
    {"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "message_id": "m" * 500}},
    {"event_name": "message.text.received", "message": {"chat": {"id": {"nested": 1}}, "text": "x"}},
    {"event_name": ["x"], "message": {"chat": {"id": "u1"}}},
    {"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "text": {"a": 1}}},
    {"event_name": "message.image.received", "message": {"chat": {"id": "u1"}, "photo": ["x"]}},
]


async def test_malformed_events_are_logged_and_ignored_without_a_traceback(sessionmaker, clock, caplog):
    seen: list[dict] = []

    async def handle(event: dict) -> None:
        seen.append(event)

    receiver = Receiver(handle, sessionmaker, clock)
    runner = web.AppRunner(receiver.webhook_app(SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/zalo/webhook"
    caplog.set_level(logging.WARNING, logger="bot.channels.zalo.receiver")
    async with aiohttp.ClientSession() as s:
        for bad in [*MALFORMED, None]:
            async with s.post(url, json={"ok": True, "result": bad}, headers={SECRET_HEADER: SECRET}) as r:
                assert r.status == 200
        async with s.post(url, json=["no", "object"], headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 200
    for bad in MALFORMED:  # polling hands events to the same place
        receiver.submit(bad)
    await receiver.drain()
    await runner.cleanup()
    assert seen == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 * len(MALFORMED) + 2
    assert not any(r.exc_info for r in caplog.records)
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(InboundSeen)) == 0


async def test_an_event_without_message_id_is_deduplicated_by_its_content(sessionmaker, clock):
    seen: list[dict] = []

    async def handle(event: dict) -> None:
        seen.append(event)

    receiver = Receiver(handle, sessionmaker, clock)
    event = {"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "text": "xin chào"}}
    other = {"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "text": "tạm biệt"}}
    for e in (event, dict(event), other):
        receiver.submit(e)
    await receiver.drain()
    assert [e["message"]["text"] for e in seen] == ["xin chào", "tạm biệt"]


async def test_a_flood_from_one_chat_is_capped_with_a_warning(sessionmaker, clock, caplog):
    from bot.channels.zalo.receiver import QUEUE_MAX

    rec = Recorder()
    receiver = Receiver(rec, sessionmaker, clock)
    server = FakeZaloServer()
    caplog.set_level(logging.WARNING, logger="bot.channels.zalo.receiver")
    for i in range(QUEUE_MAX + 5):
        receiver.submit(server.event("u1", text=str(i)))
    receiver.submit(server.event("u2", text="khác"))  # another chat is not affected
    rec.gate.set()
    await receiver.drain()
    assert rec.ends() == QUEUE_MAX + 1
    assert [r.getMessage() for r in caplog.records].count(
        f"zalo: chat u1 has {QUEUE_MAX} events waiting; this one is dropped"
    ) == 5
