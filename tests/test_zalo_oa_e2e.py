"""``DOITHOAI_ZALO_CHANNEL=oa`` end to end against the fakes: a person writes to the unit's Official
Account (signed webhook events), the conversation answers through the OA API; later messages go out
through the outbox — inside the 7-day window as OA messages, after it as ZNS templates to the phone
number given; where nothing can reach the citizen, the office group is told whom to call."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.channels.zalo.receiver import start_zalo
from bot.clock import FixedClock
from bot.domain import at_session, triage
from bot.domain.sessions import mark_held
from bot.notify.scheduler import run_tick
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from bot.simulator.zalo_oa import FakeZaloOA
from storage.models import Department, DialogueSession, Outbox, Submission
from tests.scenario import START, UNPACED, asked_on_zalo, furnish

APP_ID, SECRET = "360846524940903967", "oa-secret-key"
OFFICE = -1001000000001
QUESTION = "Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm."


@pytest.fixture
async def oa_world(database_url):
    clock = FixedClock(START)
    tg = FakeTelegram(any_chat=True)
    await tg.start()
    async with FakeZaloOA() as oa:
        settings = Settings(
            **UNPACED,
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            redis_url="",
            bot_token="4242:OA",
            zalo_channel="oa",
            zalo_oa_access_token=oa.access_token,
            zalo_oa_api=oa.base_url,
            zalo_zns_api=oa.base_url,
            zalo_zns_templates='{"*": "231680"}',
            zalo_oa_app_id=APP_ID,
            zalo_oa_secret_key=SECRET,
        )
        app = build_app(settings, clock=clock)
        await furnish(app, clock)
        handle = await start_zalo(app, webhook=True, host="127.0.0.1", port=0)
        port = next(iter(handle.runner.sites))._server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}/zalo/webhook"

        async def says(user: str, text: str) -> list[str]:
            before = len(oa.texts_to(user))
            assert await oa.user_sends(url, user, text, app_id=APP_ID, secret_key=SECRET) == 200
            await handle.receiver.drain()
            return oa.texts_to(user)[before:]

        yield app, oa, tg, clock, says, url
        await handle.stop()
        await app.close()
    await tg.stop()


async def test_a_citizen_asks_through_the_official_account_and_rates_the_answer(oa_world):
    app, oa, tg, clock, says, _ = oa_world
    user = "246845883529197922"
    assert any("1. " in t for t in await says(user, "/start"))
    await says(user, "1")
    for typed in ("1", QUESTION, "Nguyễn Văn An", "0912 345 678", "Thôn Trung Sơn", "2"):  # topic 1 …
        await says(user, typed)
    ack = "\n".join(await says(user, "1"))
    async with app.sessionmaker() as db:
        sub = await db.scalar(select(Submission))
        session = await db.scalar(select(DialogueSession))
        land = await db.scalar(select(Department).where(Department.code == "DIA_CHINH"))
        assert sub.channel == "zalo" and sub.code in ack
        await triage.route(db, sub.id, land.id, "office:5000001", clock.now())
        await db.commit()
    assert any(sub.code in t for t in await says(user, sub.code.lower()))  # looked up by its code
    clock.set(START + timedelta(days=20, hours=3))
    await says(user, "tra cứu")  # the citizen writes on the session's day: the window is open again
    async with app.sessionmaker() as db:
        await mark_held(db, session.id, "office:5000001", clock.now())
        answer = "Xã sửa đường trong tháng 12."
        await at_session.answer_at_session(db, sub.id, answer, "office:1", clock.now())
        await db.commit()
    clock.set(clock.now() + timedelta(hours=1))
    await run_tick(app, clock.now())
    told = oa.texts_to(user)
    assert any("Xã sửa đường trong tháng 12." in t for t in told)  # inside the window: the OA itself
    assert any("hài lòng" in t and "6. " in t for t in told)
    assert "4/5" in "\n".join(await says(user, "4"))
    async with app.sessionmaker() as db:
        assert (await db.get(Submission, sub.id)).satisfaction == 4
    assert [s for s in oa.sent if s.kind == "zns"] == []


async def test_outside_the_window_a_template_or_the_office_is_told_whom_to_call(oa_world):
    app, oa, tg, clock, _, url = oa_world
    people = {"zu-known": "0912345678", "zu-unknown": "0987111222", "zu-nophone": None}
    oa.known_phones = {"84912345678"}
    codes = {}
    async with app.sessionmaker() as db:
        session = await db.scalar(select(DialogueSession))
        for chat, phone in people.items():
            sub = await asked_on_zalo(db, chat, QUESTION, session_id=session.id, now=clock.now(), phone=phone)
            codes[chat] = sub.code
        await db.commit()
    await run_tick(app, clock.now())
    clock.set(START + timedelta(days=10))  # nobody has written for 10 days: the OA may not message them
    async with app.sessionmaker() as db:
        land = await db.scalar(select(Department).where(Department.code == "DIA_CHINH"))
        for code in codes.values():
            sub = await db.scalar(select(Submission).where(Submission.code == code))
            await triage.route(db, sub.id, land.id, "office:5000001", clock.now())
        await db.commit()
    await run_tick(app, clock.now())
    await run_tick(app, clock.now() + timedelta(minutes=1))  # the office's notices about the failures
    (zns,) = [s for s in oa.sent if s.kind == "zns"]
    assert zns.to == "84912345678" and zns.body["template_data"]["code"] == codes["zu-known"]
    assert not any(s.kind == "oa" and s.to in people for s in oa.sent)
    async with app.sessionmaker() as db:
        query = select(Outbox.chat_id).where(Outbox.channel == "zalo", Outbox.status == "failed")
        failed = set(await db.scalars(query))
    assert failed == {"zu-unknown", "zu-nophone"}
    office = [m.get("text", "") for m in tg.messages(OFFICE)]
    unknown = [t for t in office if codes["zu-unknown"] in t and "Không gửi được" in t]
    assert unknown and "0987111222" in unknown[-1] and "gọi điện" in unknown[-1]
    nophone = [t for t in office if codes["zu-nophone"] in t and "Không gửi được" in t]
    assert nophone and "không để lại số điện thoại" in nophone[-1]


async def test_an_unsigned_or_forged_oa_event_is_refused(oa_world):
    app, oa, tg, clock, says, url = oa_world
    async with aiohttp.ClientSession() as s:
        body = b'{"event_name": "user_send_text", "sender": {"id": "1"}, "timestamp": "1"}'
        for headers in ({}, {"X-ZEvent-Signature": "mac=00"}):
            async with s.post(url, data=body, headers=headers) as r:
                assert r.status == 403
    assert await oa.user_sends(url, "42", "/start", app_id=APP_ID, secret_key="wrong") == 403
    assert oa.sent == []
