"""After an answer: the citizen rates it, or says it is not resolved and it goes back to the office.
Through the product: the real polling loop, the tick and the dispatcher."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from storage.models import Submission
from tests.dsl import labels, procedure, text_of
from tests.workflow_world import OFFICE

ROAD_Q = "Đường thôn 3 bị sụt lún sau mưa lũ, đề nghị xã sửa chữa sớm."
SESSION_DAY = date(2026, 12, 13)


async def answered(w, citizen, question: str) -> str:
    """The question asked, routed, and answered at the session."""
    code = await citizen.asks(question)
    await w.office.routes(code)
    await w.at(SESSION_DAY, hour=11)
    await w.office.marks_held(50)
    await w.office.answers_at_session(code, "Xã sẽ sửa trong tháng 1/2027.")
    await w.deliver()
    await citizen.hears("tháng 1/2027")
    return code


async def test_the_citizen_rates_the_answer_and_the_office_hears_it(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await answered(w, an, ROAD_Q)
        report = await w.tick()
        assert report.enqueued["rate"] == 1
        ask = await an.hears(code, "1 (không hài lòng)")
        assert labels(ask) == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐", "❌ Chưa được giải quyết"]
        assert (await an.presses("4⭐", ask)).get("text") == "Cảm ơn Ông/Bà đã đánh giá (4/5)."
        await an.hears("Cảm ơn Ông/Bà đã đánh giá (4/5)")
        await w.deliver()
        await w.office.chat.hears(code, "4/5")
        # the buttons are gone; a second press of the same message (a forged one) is refused politely
        assert labels(an.current(ask)) == []
        data = f"c:rate:{ask_id(an, code)}:5"
        cb = await w.tg.send_callback(an.user, an.user, ask["message_id"], data)
        assert "đã được đánh giá" in (await w.tg.wait_answer(cb)).get("text", "")
        # and the next tick does not ask again
        await w.at(minutes=2)
        await w.tick()
        assert an.count("hài lòng") == 1


async def reopened(w, code: str, timeout: float = 5) -> None:
    """Waits (polling the database, with a timeout) until the question is back with the office."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with w.app.sessionmaker() as db:
            if await db.scalar(select(Submission.reopened_count).where(Submission.code == code)):
                return
        assert asyncio.get_running_loop().time() < deadline, f"{code} was not reopened"
        await asyncio.sleep(0.02)


def ask_id(citizen, code: str) -> int:
    """The id the rating buttons carry (the asker's own question)."""
    ask = citizen.last_with(code, "hài lòng")
    data = ask["reply_markup"]["inline_keyboard"][0][0]["callback_data"] if ask.get("reply_markup") else None
    return int(data.split(":")[2]) if data else 1


async def test_not_resolved_reopens_it_to_the_office(database_url):
    async with procedure(database_url) as w:
        lan = w.citizen(1002, "Trần Thị Lan")
        code = await answered(w, lan, "Trợ cấp người cao tuổi tháng 10 nhà tôi chưa nhận được.")
        await w.tick()
        ask = await lan.hears(code, "hài lòng")
        await lan.presses("❌ Chưa được giải quyết", ask)
        await w.deliver()
        await lan.hears("chưa được giải quyết", "Văn phòng sẽ xem xét lại")
        card = await w.office.chat.hears(code, "CHƯA được giải quyết")
        assert "🏢 Chọn đơn vị khác" in labels(card)  # a triage card: the office routes it again
        assert "Trợ cấp người cao tuổi" in text_of(card)


async def test_only_the_asker_can_rate(database_url):
    async with procedure(database_url) as w:
        an, lan = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Lan")
        code = await answered(w, an, ROAD_Q)
        await w.tick()
        ask = await an.hears(code, "hài lòng")
        sub_id = ask_id(an, code)
        # Lan forges An's button in her own chat; then a value out of range
        cb = await w.tg.send_callback(lan.user, lan.user, 1, f"c:rate:{sub_id}:5")
        assert "không còn dùng được" in (await w.tg.wait_answer(cb)).get("text", "")
        cb = await w.tg.send_callback(an.user, an.user, ask["message_id"], f"c:rate:{sub_id}:9")
        assert "không còn dùng được" in (await w.tg.wait_answer(cb)).get("text", "")
        await w.deliver()
        assert w.group(OFFICE).count(code, "/5") == 0


async def test_inside_run_the_scheduler_asks_on_its_own(database_url):
    from bot.notify.scheduler import start_background

    async with procedure(database_url) as w:
        minh = w.citizen(1003, "Minh")
        code = await answered(w, minh, "Xin hỏi thủ tục đăng ký kinh doanh hộ gia đình ở xã thế nào?")
        await minh.chooses_english()
        handle = await start_background(w.app)  # as in `doithoai run`: a tick now, then every minute
        try:
            ask = await minh.hears(code, "satisfied")  # Minh reads English
            assert "❌ Not resolved" in labels(ask)
        finally:
            await handle.stop()


async def test_on_telegram_stars_or_the_words_typed_instead_of_pressed(database_url):
    async with procedure(database_url) as w:
        an, lan = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Lan")
        code = await an.asks(ROAD_Q)
        lan_code = await lan.asks("Trợ cấp người cao tuổi tháng 10 nhà tôi chưa nhận được.")
        await w.office.routes(code)
        await w.office.routes(lan_code)
        await w.at(SESSION_DAY, hour=11)
        await w.office.marks_held(50)
        await w.office.answers_at_session(code, "Xã sẽ sửa trong tháng 1/2027.")
        await w.office.answers_at_session(lan_code, "Xã sẽ chi trả trong tháng 12.")
        await w.deliver()
        await w.tick()
        await an.hears(code, "hài lòng")
        await lan.hears(lan_code, "hài lòng")
        await an.says("5 sao")  # typed, not pressed: taken as the stars
        await an.hears("Cảm ơn Ông/Bà đã đánh giá (5/5)")
        await w.deliver()
        await w.office.chat.hears(code, "5/5")
        await lan.says("6")  # Telegram's buttons have no numbers: "6" is not "not resolved"
        assert "chưa được giải quyết" not in text_of(await lan.hears()).lower()
        await lan.says("chưa được giải quyết")  # the words are: the outbox tells her and the office
        await reopened(w, lan_code)
        await w.deliver()
        await lan.hears("Văn phòng sẽ xem xét lại")
        assert "CHƯA được giải quyết" in text_of(await w.office.chat.hears(lan_code, "CHƯA"))
