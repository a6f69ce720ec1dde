"""The thin Zalo client and the outbox sender against the fake Zalo Bot API on loopback."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.zalo import client as zc
from bot.channels.zalo.sender import ZaloSender
from bot.notify.dispatcher import PermanentError, RetryAfter
from bot.simulator.zalo import FakeZaloServer


@pytest.fixture
async def zalo():
    async with FakeZaloServer() as server:
        client = zc.ZaloClient(server.token, server.base_url, timeout=5)
        yield server, client
        await client.close()


async def test_get_me_returns_string_id(zalo):
    server, client = zalo
    me = await client.get_me()
    assert me["id"] == server.bot_id and isinstance(me["id"], str)


async def test_send_message_returns_string_id_and_millisecond_date(zalo):
    server, client = zalo
    r = await client.send_message("6ede9afa66b88fe6d6a9", "Xin chào")
    assert isinstance(r["message_id"], str) and r["date"] > 10**12
    assert server.sent[0].params["text"] == "Xin chào"


async def test_get_updates_gives_one_event_per_call(zalo):
    server, client = zalo
    await server.say("u1", "một")
    await server.say("u1", "hai")
    first = await client.get_updates(timeout=2)
    second = await client.get_updates(timeout=2)
    assert first["event_name"] == "message.text.received" and first["message"]["text"] == "một"
    assert second["message"]["text"] == "hai" and second["message"]["chat"]["id"] == "u1"


async def test_errors_are_clear_exceptions(zalo):
    server, client = zalo
    with pytest.raises(zc.ZaloBadRequest):
        await client.send_message("u1", "x" * 2001)
    server.quota_left = 0
    with pytest.raises(zc.ZaloQuotaExceeded):
        await client.send_message("u1", "hi")
    server.quota_left, server.known_chats = None, {"u1"}
    with pytest.raises(zc.ZaloUnknownChat):
        await client.send_message("u2", "hi")
    bad = zc.ZaloClient("wrong:token", server.base_url, timeout=5)
    with pytest.raises(zc.ZaloInvalidToken):
        await bad.get_me()
    await bad.close()


async def test_timeouts_become_network_errors():
    async def never(reader, writer):
        await asyncio.Event().wait()

    srv = await asyncio.start_server(never, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    client = zc.ZaloClient("1:t", f"http://127.0.0.1:{port}", timeout=0.3)
    with pytest.raises(zc.ZaloNetworkError):
        await client.get_me()
    await client.close()
    srv.close()


async def test_webhook_set_info_delete(zalo):
    server, client = zalo
    with pytest.raises(zc.ZaloBadRequest):
        await client.set_webhook("https://example.org/zalo", "short")
    r = await client.set_webhook("https://example.org/zalo", "s3cret-s3cret")
    assert r["url"] == "https://example.org/zalo"
    assert (await client.get_webhook_info())["url"] == "https://example.org/zalo"
    assert (await client.delete_webhook())["url"] == ""


async def test_sender_strips_html_numbers_buttons_and_splits_long_text(zalo):
    server, client = zalo
    sender = ZaloSender(client)
    long = ("Câu dài. " * 300).strip()
    mid = await sender.send(
        "u1",
        {
            "text": "<b>Mã</b> &lt;A1&gt;\n" + long,
            "actions": [[{"label": "Hài lòng", "action": "rate", "id": 1, "arg": 5}]],
        },
    )
    msgs = await server.wait_for("u1", 2)
    assert mid == msgs[-1].message_id
    assert msgs[0].params["text"].startswith("Mã <A1>")
    assert all(len(m.params["text"]) <= 2000 for m in msgs)
    assert msgs[-1].params["text"].endswith("1. Hài lòng")


async def test_sender_maps_quota_and_unknown_chat(zalo):
    server, client = zalo
    sender = ZaloSender(client, quota_retry_after=5)
    server.quota_left = 0
    with pytest.raises(RetryAfter):
        await sender.send("u1", {"text": "hi"})
    server.quota_left, server.known_chats = None, set()
    with pytest.raises(PermanentError):
        await sender.send("u1", {"text": "hi"})


async def test_sender_refuses_a_citizen_silent_for_more_than_7_days(zalo, sessionmaker):
    from datetime import UTC, datetime, timedelta

    from bot.channels.zalo.sender import WINDOW_CLOSED
    from bot.clock import FixedClock
    from storage.models import Citizen

    server, client = zalo
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with sessionmaker() as db:
        db.add(Citizen(channel="zalo", chat_id="old", last_seen_at=now - timedelta(days=8), created_at=now))
        db.add(Citizen(channel="zalo", chat_id="new", last_seen_at=now - timedelta(days=6), created_at=now))
        await db.commit()
    sender = ZaloSender(client, sessionmaker=sessionmaker, clock=FixedClock(now))
    with pytest.raises(PermanentError) as err:
        await sender.send("old", {"text": "Câu hỏi đã được trả lời"})
    assert err.value.reason == WINDOW_CLOSED and not err.value.blocked
    assert await sender.send("new", {"text": "Câu hỏi đã được trả lời"})
    assert [s.chat_id for s in server.sent] == ["new"]
