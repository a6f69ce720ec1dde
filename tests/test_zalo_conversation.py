"""A Zalo citizen's whole path over the fake Zalo Bot API: typed numbers and words (without
diacritics), a tracking code, /my, cancel, unsupported events."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.receiver import Receiver
from bot.clock import FixedClock
from bot.settings import Settings
from bot.simulator.zalo import FakeZaloServer
from storage.models import Citizen, Submission
from tests.test_conversation import NOW, seed

USER = "6ede9afa66b88fe6d6a9"


class Handled:
    """Counts events the channel has finished with, so a test waits for a whole answer."""

    def __init__(self) -> None:
        self.n = 0
        self.cond = asyncio.Condition()

    async def done(self) -> None:
        async with self.cond:
            self.n += 1
            self.cond.notify_all()

    async def wait(self, n: int) -> None:
        async with self.cond:
            await asyncio.wait_for(self.cond.wait_for(lambda: self.n >= n), 10)


class ZaloCitizen:
    def __init__(self, server: FakeZaloServer, user: str, handled: Handled) -> None:
        self.server, self.user, self.handled, self.events = server, user, handled, 0

    async def says(self, text: str, name: str = "message.text.received", **extra) -> str:
        ev = self.server.event(self.user, name, **({"text": text} if text else {}), **extra)
        before = len(self.server_texts())
        await self.server.push(ev)
        self.events += 1
        await self.handled.wait(self.events)
        return "\n---\n".join(self.server_texts()[before:])

    def server_texts(self) -> list[str]:
        return [s.params["text"] for s in self.server.sent if s.chat_id == self.user]


@pytest.fixture
async def zalo_world(sessionmaker):
    await seed(sessionmaker)
    async with FakeZaloServer() as server:
        client = ZaloClient(server.token, server.base_url, timeout=5)
        channel = ZaloChannel(client, sessionmaker, FixedClock(NOW), Settings())
        # handle events one at a time, in order, like one citizen typing
        lock = asyncio.Lock()

        handled = Handled()

        async def handle(ev):
            async with lock:
                try:
                    await channel.handle(ev)
                finally:
                    await handled.done()

        receiver = Receiver(handle, sessionmaker, FixedClock(NOW))
        stop = asyncio.Event()
        task = asyncio.create_task(receiver.poll(client, stop, timeout=1))
        yield server, sessionmaker, handled
        stop.set()
        await asyncio.wait_for(task, 5)
        await receiver.drain()
        await client.close()


async def test_a_zalo_citizen_asks_by_typing_and_gets_a_tracking_code(zalo_world):
    server, sm, handled = zalo_world
    c = ZaloCitizen(server, USER, handled)
    consent = await c.says("/start")
    assert "1. " in consent and "Trả lời" in consent and "<" not in consent
    topics = await c.says("dong y")  # straight to the question: the only open session is named
    assert "Hội nghị đối thoại quý IV" in topics and "lĩnh vực nào" in topics
    await c.says("dat dai")  # the topic, typed without diacritics
    await c.says("Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm.")
    await c.says("Nguyễn Văn An")
    await c.says("0912 345 678")
    await c.says("Thôn Trung Sơn")
    review = await c.says("khong neu ten")
    assert "Nguyễn Văn An" in review and "0912345678" in review
    ack = await c.says("gui cau hoi")
    assert "TD-26-0001" in ack
    async with sm() as db:
        sub = await db.scalar(select(Submission))
        assert sub.code == "TD-26-0001" and sub.channel == "zalo"
        citizen = await db.scalar(select(Citizen))
        assert (citizen.channel, citizen.chat_id) == ("zalo", USER) and citizen.last_seen_at is not None
    mine = await c.says("tra cứu")
    assert "TD-26-0001" in mine
    assert all(len(s.params["text"]) <= 2000 for s in server.sent)


async def test_cancel_with_zero_and_unsupported_event_explained(zalo_world):
    server, _, handled = zalo_world
    c = ZaloCitizen(server, USER, handled)
    await c.says("/start")
    await c.says("1")
    await c.says("/ask")
    cancelled = await c.says("huỷ")
    assert "1. " in cancelled
    sorry = await c.says("", name="message.unsupported.received")
    assert "không đọc được" in sorry
