"""A Zalo citizen can do what a Telegram citizen can: ask, look a question up by its code, read the
privacy note, rate the answer by replying its number, reopen it by replying "6" — and nothing they
read speaks of buttons to press or of Telegram."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.receiver import Receiver
from bot.clock import FixedClock
from bot.domain import at_session, triage
from bot.domain.intake import give_consent, submit
from bot.domain.sessions import mark_held
from bot.notify.scheduler import run_tick
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from bot.simulator.zalo import FakeZaloServer
from storage.models import Citizen, Department, DialogueSession, Submission
from tests.scenario import START, UNPACED, asked_on_zalo, furnish
from tests.test_zalo_conversation import Handled, ZaloCitizen

ASKER = "6ede9afa66b88fe6d6a9"
OTHER = "7fd0a0b177c990e7e7b0"
QUESTION = "Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm."
FORBIDDEN = ("bấm", "Bấm", "nút", "Nút", "Telegram", "Gửi số điện thoại của tôi")


@pytest.fixture
async def world(database_url):
    clock = FixedClock(START)
    tg = FakeTelegram(any_chat=True)
    zalo = FakeZaloServer()
    await tg.start()
    await zalo.start()
    settings = Settings(
        **UNPACED,
        _env_file=None,
        telegram_api=tg.base_url,
        database_url=database_url,
        redis_url="",
        bot_token="4242:PARITY",
        zalo_token=zalo.token,
        zalo_api=zalo.base_url,
    )
    app = build_app(settings, clock=clock)
    await furnish(app, clock)
    client = ZaloClient(zalo.token, zalo.base_url, timeout=5)
    channel = ZaloChannel(client, app.sessionmaker, clock, settings)
    handled = Handled()

    async def handle(event: dict) -> None:
        try:
            await channel.handle(event)
        finally:
            await handled.done()

    receiver = Receiver(handle, app.sessionmaker, clock)
    stop = asyncio.Event()
    polling = asyncio.create_task(receiver.poll(client, stop, timeout=1))
    yield app, zalo, clock, handled
    stop.set()
    await asyncio.wait_for(polling, 5)
    await receiver.drain()
    await client.close()
    await app.close()
    await tg.stop()
    await zalo.stop()


def texts_to(zalo: FakeZaloServer, chat: str) -> list[str]:
    return [s.params.get("text", "") or s.params.get("caption", "") for s in zalo.sent if s.chat_id == chat]


async def answered_at_the_session(app, clock, codes: list[str]) -> None:
    async with app.sessionmaker() as db:
        session = await db.scalar(select(DialogueSession))
        land = await db.scalar(select(Department).where(Department.code == "DIA_CHINH"))
        subs = [await db.scalar(select(Submission).where(Submission.code == c)) for c in codes]
        for sub in subs:
            await triage.route(db, sub.id, land.id, "office:5000001", clock.now())
        await db.commit()
    clock.set(START + timedelta(days=20, hours=3))
    async with app.sessionmaker() as db:
        await mark_held(db, session.id, "office:5000001", clock.now())
        for sub in subs:
            await at_session.answer_at_session(
                db, sub.id, "Xã sẽ sửa đường trong tháng 12.", "office:5000001", clock.now()
            )
        await db.commit()
    clock.set(clock.now() + timedelta(hours=1))
    await run_tick(app, clock.now())  # the rating question goes out through the outbox, on Zalo


async def test_a_zalo_citizen_asks_looks_up_rates_and_reopens_reading_only_zalo_words(world):
    app, zalo, clock, handled = world
    me = ZaloCitizen(zalo, ASKER, handled)
    assert "1. " in await me.says("/start")
    await me.says("1")  # agree: straight to the question, the one open session chosen
    await me.says("1")  # the first topic
    await me.says(QUESTION)
    phone_step = await me.says("Nguyễn Văn An")
    assert "gõ số" in phone_step and "Gửi số điện thoại của tôi" not in phone_step
    assert "chưa đúng" in await me.says("123")
    await me.says("0912 345 678")
    await me.says("Thôn Trung Sơn")
    await me.says("2")  # do not show my name
    ack = await me.says("1")  # send
    async with app.sessionmaker() as db:
        sub = await db.scalar(select(Submission))
    code = sub.code
    assert code in ack
    # the tracking code, typed any way, opens the question
    for typed in (code, code.lower(), code.replace("-", " ").lower()):
        shown = await me.says(typed)
        assert code in shown and "chưa hiểu" not in shown, shown
    assert "/ask" in await me.says("/help")
    assert code in await me.says("/my")
    assert "không đọc được" in await me.says("", name="message.unsupported.received")
    privacy = await me.says("/privacy")
    assert "Zalo" in privacy and "Telegram" not in privacy

    # a second Zalo citizen, whose question was taken by the product directly
    async with app.sessionmaker() as db:
        session = await db.scalar(select(DialogueSession))
        citizen = await give_consent(db, "zalo", OTHER, "vi", clock.now())
        other = await submit(
            db,
            citizen=citizen,
            session_id=session.id,
            topic_id=None,
            text=QUESTION + " Cầu tràn cũng hỏng.",
            attachments=[],
            name="Trần Thị Bình",
            phone="0987 111 222",
            address="Thôn 6",
            public_name=False,
            now=clock.now(),
            default_prefix="TD",
        )
        await db.commit()
        other_code = other.code
    await answered_at_the_session(app, clock, [code, other_code])
    request = [t for t in texts_to(zalo, ASKER) if "hài lòng" in t]
    assert request and "6" in request[-1] and "1. " in request[-1]

    thanks = await me.says("5")
    assert "5/5" in thanks
    async with app.sessionmaker() as db:
        rated = await db.scalar(select(Submission).where(Submission.code == code))
        assert rated.satisfaction == 5 and rated.status == "answered_at_session"
    # once rated (and the citizen has written since), "5" is the fifth item of the list shown again
    await me.says("menu")
    assert "Tiếng Việt" in await me.says("5")

    them = ZaloCitizen(zalo, OTHER, handled)
    them.events = handled.n  # the events handled so far (the counter is shared)
    await them.says("6")  # "not resolved": the question goes back to the office
    async with app.sessionmaker() as db:
        reopened = await db.scalar(select(Submission).where(Submission.code == other_code))
        assert reopened.status == "received" and reopened.reopened_count == 1
    await run_tick(app, clock.now() + timedelta(minutes=1))
    assert any(other_code in t and "chưa được giải quyết" in t for t in texts_to(zalo, OTHER))

    # every message either citizen received on Zalo fits Zalo
    everything = texts_to(zalo, ASKER) + texts_to(zalo, OTHER)
    assert len(everything) > 20
    offending = [t for t in everything if any(word in t for word in FORBIDDEN)]
    assert offending == []
    assert not any("<b>" in t for t in everything)


async def test_a_number_typed_after_the_citizen_wrote_again_is_not_a_rating(world):
    app, zalo, clock, handled = world
    async with app.sessionmaker() as db:
        session = await db.scalar(select(DialogueSession))
        sub = await asked_on_zalo(  # reads English
            db, OTHER, QUESTION, session_id=session.id, now=clock.now(), locale="en", name="Trần Thị Bình"
        )
        await db.commit()
        code = sub.code
    await answered_at_the_session(app, clock, [code])
    them = ZaloCitizen(zalo, OTHER, handled)
    await them.says("menu")
    assert "Tiếng Việt" in await them.says("5")  # the menu's item, not a rating
    english = texts_to(zalo, OTHER)
    assert any("Are you satisfied" in t and "or 6 if" in t for t in english)
    assert not [t for t in english if any(w in t.lower() for w in ("press", "button", "telegram"))]
    async with app.sessionmaker() as db:
        assert (await db.scalar(select(Submission))).satisfaction is None
        assert (await db.scalar(select(Citizen))).chat_id == OTHER
    # the words still reopen it
    await them.says("Chưa được giải quyết")
    async with app.sessionmaker() as db:
        assert (await db.scalar(select(Submission))).status == "received"
