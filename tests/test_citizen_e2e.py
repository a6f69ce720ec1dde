"""A citizen on Telegram, end to end: the bot's real polling loop against the fake Bot API server."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import select

from storage.models import Submission
from tests.scenario import OFFICE_CHAT, running_bot

QUESTION = "Đường bê tông vào thôn Trung Sơn bị sụt lún sau mưa lũ, xe máy đi lại rất nguy hiểm."


async def consent_and_reach_topics(lan) -> None:
    await lan.say("/start")
    await lan.hears("Xin chào Ông/Bà", "Nghị định 13/2023/NĐ-CP")  # welcome and consent: one message
    await lan.press("✅ Đồng ý")
    # straight to the question; the only open session is chosen and named, the menu a button away
    topics = await lan.hears("Cảm ơn", "Hội nghị đối thoại quý IV", "lĩnh vực nào")
    assert {"🔄 Chọn hội nghị khác", "🏠 Menu chính"} <= set(lan.buttons(topics))


async def reach_the_question(lan) -> None:
    await consent_and_reach_topics(lan)
    await lan.press("Đất đai")
    await lan.hears("viết câu hỏi")


async def ask_through_to_review(world, lan, *, name="Nguyễn Thị Lan", question=QUESTION) -> dict:
    await consent_and_reach_topics(lan)
    await lan.press("Đất đai")
    await lan.hears("viết câu hỏi")
    await lan.say(question)
    await lan.hears("họ và tên")
    await lan.say(name)
    phone_prompt = await lan.hears("số điện thoại")
    assert "📱 Gửi số điện thoại của tôi" in lan.buttons(phone_prompt)
    await world.tg.send_contact(lan.user, "+84912345678")
    await lan.hears("Đã ghi số điện thoại: 0912345678", "thôn")  # one message
    await lan.say("Thôn Trung Sơn")
    await lan.hears("nêu tên")
    await lan.press("Được nêu tên")
    return await lan.hears("xem lại")


async def submit_a_question(world, lan) -> None:
    """The whole flow, confirmed: the first question, TD-26-0001, then the menu."""
    await ask_through_to_review(world, lan)
    await lan.press("✅ Gửi câu hỏi")
    await lan.hears("TD-26-0001", "Ông/Bà muốn làm gì")  # the acknowledgement carries the menu


async def test_citizen_asks_by_buttons_and_gets_a_tracking_code(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1001, "Lan")
        review = await ask_through_to_review(world, lan)
        assert "0912345678" in review["text"] and "Thôn Trung Sơn" in review["text"]
        await lan.press("✅ Gửi câu hỏi")
        ack = await lan.hears("Mã theo dõi", "TD-26-0001", "30 ngày làm việc")
        assert "Hội nghị đối thoại quý IV" in ack["text"]
        async with world.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission))
            assert (sub.code, sub.text, sub.phone, sub.public_name) == (
                "TD-26-0001",
                QUESTION,
                "0912345678",
                True,
            )


async def test_markup_in_names_and_questions_is_shown_as_typed(database_url):
    hostile_name = "<b>Lan</b> & <i>Co</i>"
    hostile_question = "Tại sao <script>alert(1)</script> & đường chưa sửa? 🙏🏽🚧 <a href='x'>link</a>"
    async with running_bot(database_url) as world:
        lan = world.citizen(1002, "Lan")
        review = await ask_through_to_review(world, lan, name=hostile_name, question=hostile_question)
        # The fake parses HTML as Telegram does: what the person reads is exactly what they typed.
        shown = review["text"]
        assert hostile_name in shown
        assert hostile_question in shown


async def test_a_ten_thousand_character_question_is_refused_clearly(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1003, "Lan")
        await reach_the_question(lan)
        await lan.say("Đường hỏng. " * 834)
        refusal = await lan.hears("10007 ký tự", "3000")
        assert "Chưa có gì được lưu" in refusal["text"]
        await lan.say(QUESTION)
        await lan.hears("họ và tên")


async def test_stickers_voice_and_locations_where_text_is_expected_get_guidance(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1004, "Lan")
        await reach_the_question(lan)
        for send in (world.tg.send_sticker, world.tg.send_voice, world.tg.send_location):
            await send(lan.user)
            await lan.hears("gõ chữ")


async def test_text_outside_a_flow_gets_the_menu(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1005, "Lan")
        await lan.say("alo alo")
        menu = await lan.hears("chưa hiểu", "Ông/Bà muốn làm gì")
        assert "✍️ Gửi câu hỏi" in lan.buttons(menu)
        await world.tg.send_sticker(lan.user)
        await lan.hears("chưa hiểu", "Ông/Bà muốn làm gì")
        await lan.say("/khonglenhnay")
        await lan.hears("chưa hiểu")


async def test_callback_data_the_bot_never_sent_gets_a_polite_answer(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1006, "Lan")
        await lan.say("/start")
        consent = await lan.hears_until("Nghị định")
        for data in ("f:000000:consent:yes", "garbage", "f:" + "x" * 60):
            callback = await world.tg.send_callback(lan.user, lan.user, consent["message_id"], data)
            answer = await world.tg.wait_answer(callback)
            assert "không còn dùng được" in answer.get("text", "")
        async with world.app.sessionmaker() as db:
            from storage.models import Citizen

            assert await db.scalar(select(Citizen)) is None  # the forged "yes" consented to nothing


async def test_a_button_from_an_earlier_flow_no_longer_acts(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1007, "Lan")
        await consent_and_reach_topics(lan)
        old_topics = world.tg.messages(lan.chat_id)[-1]
        await lan.say("/ask")  # a second flow
        await lan.hears("lĩnh vực nào")
        callback = await world.tg.press(lan.chat_id, "Đất đai", message=old_topics)
        answer = await world.tg.wait_answer(callback)
        assert "không còn dùng được" in answer.get("text", "")


async def test_the_conversation_survives_a_restart_of_the_bot(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1008, "Lan")
        await reach_the_question(lan)
        await world.restart()
        await lan.say(QUESTION)
        await lan.hears("họ và tên")


async def test_an_album_is_collected_and_counted(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1009, "Lan")
        await reach_the_question(lan)
        # an album whose first photo carries the question: the next step follows at once
        await world.tg.send_photo(lan.user, caption=QUESTION, media_group_id="album-7")
        for _ in range(2):
            await world.tg.send_photo(lan.user, media_group_id="album-7")
        await lan.hears("họ và tên")
        await world.tg.send_document(lan.user, file_name="don-de-nghi.pdf", content=b"%PDF-1.4")
        await lan.hears("4/10", "họ và tên")  # counted, and the step asked again
        await lan.say("Nguyễn Thị Lan")
        await lan.hears("số điện thoại")
        # consent, topics, the question, the name (after the whole album), the document's note, phone
        assert len(world.tg.messages(lan.chat_id)) == 6
        await lan.say("0912345678")
        await lan.hears("Đã ghi số điện thoại", "thôn")
        await lan.say("Thôn Trung Sơn")
        await lan.hears("nêu tên")
        await lan.press("Được nêu tên")
        review = await lan.hears("xem lại", QUESTION, "Tệp kèm theo: 4")
        assert "📎 Thêm ảnh, tài liệu" in lan.buttons(review)


async def test_my_questions_show_status_history_and_allow_withdrawal(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1010, "Lan")
        await submit_a_question(world, lan)
        await lan.say("/my")
        listing = await lan.hears("đã gửi 1 câu hỏi")
        assert any(b.startswith("TD-26-0001") for b in lan.buttons(listing))
        await lan.press("TD-26-0001")
        await lan.hears("Đã tiếp nhận", "Quá trình", "Gửi câu hỏi")
        await lan.press("↩️ Rút câu hỏi")
        await lan.hears("chắc chắn")
        await lan.press("Có, rút câu hỏi")
        await lan.hears("Đã rút câu hỏi TD-26-0001")


async def test_a_typed_tracking_code_shows_that_question(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1011, "Lan")
        await submit_a_question(world, lan)
        await lan.say("td 26 1")
        await lan.hears("TD-26-0001", "Đã tiếp nhận")


async def test_privacy_export_and_deletion(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1012, "Lan")
        await submit_a_question(world, lan)
        await lan.say("/privacy")
        await lan.hears("Dữ liệu cá nhân", "Nghị định 13/2023/NĐ-CP")
        await lan.press("📄 Tải dữ liệu của tôi")
        exported = await lan.hears()
        data = json.loads(world.tg.files[exported["document"]["file_id"]])
        assert data["name"] == "Nguyễn Thị Lan" and data["submissions"][0]["code"] == "TD-26-0001"
        assert "🗑 Xoá dữ liệu của tôi" in lan.buttons(exported)  # the file and the buttons: one message
        await lan.press("🗑 Xoá dữ liệu của tôi")
        await lan.hears("chắc chắn")
        await lan.press("Có, xoá hết")
        await lan.hears("Đã xoá dữ liệu cá nhân")
        async with world.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission))
            assert sub.asker_name is None and sub.phone is None and sub.status == "withdrawn"


async def test_english_is_a_full_second_language(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1013, "Lan")
        await lan.say("/language")
        await lan.hears("Please choose a language")
        await lan.press("English")
        await lan.hears("Switched to English", "What would you like to do")
        await lan.say("/ask")
        await lan.hears("Decree 13/2023")


async def test_refusing_consent_stores_nothing(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1014, "Lan")
        await lan.say("/ask")
        await lan.hears("Nghị định 13/2023/NĐ-CP")
        await lan.press("Không đồng ý")
        await lan.hears("không lưu thông tin")
        async with world.app.sessionmaker() as db:
            from storage.models import Citizen

            assert await db.scalar(select(Citizen)) is None


async def test_new_questions_are_queued_for_the_office_group(database_url):
    async with running_bot(database_url) as world:
        lan = world.citizen(1015, "Lan")
        await ask_through_to_review(world, lan)
        await lan.press("✅ Gửi câu hỏi")
        await lan.hears("TD-26-0001")
        async with world.app.sessionmaker() as db:
            from storage.models import Outbox

            card = await db.scalar(select(Outbox).where(Outbox.chat_id == str(OFFICE_CHAT)))
            assert card is not None and "TD-26-0001" in card.payload["text"]


@pytest.mark.skipif(not os.environ.get("DOITHOAI_TEST_REDIS_URL"), reason="DOITHOAI_TEST_REDIS_URL not set")
async def test_conversation_state_in_redis_survives_a_restart(tmp_path):
    import redis.asyncio as aioredis

    url = os.environ["DOITHOAI_TEST_REDIS_URL"]
    client = aioredis.from_url(url)
    try:
        await client.ping()
    except Exception:
        pytest.skip("Redis unreachable")
    await client.flushdb()
    await client.aclose()
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", redis_url=url) as world:
        lan = world.citizen(1016, "Lan")
        await reach_the_question(lan)
        await world.restart()
        await lan.say(QUESTION)
        await lan.hears("họ và tên")


async def test_a_citizens_reply_to_a_clarification_request_goes_back_to_the_office(database_url):
    from bot.domain import triage
    from storage.models import Outbox

    async with running_bot(database_url) as world:
        lan = world.citizen(1017, "Lan")
        await submit_a_question(world, lan)
        async with world.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission))
            await triage.ask_citizen(db, sub.id, "Thửa đất số mấy?", "office:5000001", world.clock.now())
            await db.commit()
        await lan.say("Thửa số 125, tờ bản đồ số 7")
        await lan.hears("Đã chuyển thông tin bổ sung cho câu hỏi TD-26-0001")
        async with world.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission))
            assert sub.awaiting_clarification is False
            to_office = list(await db.scalars(select(Outbox).where(Outbox.chat_id == str(OFFICE_CHAT))))
            assert any("Thửa số 125" in row.payload["text"] for row in to_office)
        await lan.say("cảm ơn")  # nothing is awaited any more: ordinary guidance
        await lan.hears_until("chưa hiểu")
