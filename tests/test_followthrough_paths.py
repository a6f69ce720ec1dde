"""Issue #13's side paths, each reached through the product (chats, buttons, the clock, the real tick):
following a recorded question from a chat and the lock after three wrong tries; "not resolved" within
seven days of an answer at the session; a forwarded question followed up until the higher level
answers; coordinating departments; the calls the office makes for askers no chat reaches; and the
reminder before a report is due."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.deadlines import WorkCalendar, response_due
from bot.i18n import fmt_date
from tests.dsl import labels, procedure, text_of

SESSION_DAY = date(2026, 12, 13)
NOTICE_DAY = date(2026, 12, 15)
CAL = WorkCalendar()
LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
ROAD_Q = "Đường liên thôn 3 bị hỏng nặng từ tháng 9, khi nào xã sửa chữa?"
LIGHT_Q = "Đề nghị lắp thêm đèn chiếu sáng đoạn đường từ trường tiểu học đến chợ thôn 2"


async def test_an_asker_the_office_recorded_follows_it_in_a_chat_after_three_wrong_tries_lock_it_for_a_day(
    database_url,
):
    async with procedure(database_url) as w:
        code = await w.office.records(
            LIGHT_Q, source="📞 Điện thoại", asker="Hoàng Thị Đèn; 0911 222 333; Thôn 2"
        )
        await w.deliver()
        den = w.citizen(1005, "Hoàng Thị Đèn")
        assert "còn 2 lần thử" in await den.links(code, "1111")
        assert "còn 1 lần thử" in await den.links(code, "2222")
        assert "tạm khoá" in await den.links(code, "4444")
        assert "tạm khoá" in await den.links(code, "2333")  # even the right digits, while locked
        assert "Không tìm thấy câu hỏi" in await den.links("TD-26-9999", "2333")
        await w.at(days=1, minutes=1)
        assert "Đã liên kết câu hỏi" in await den.links(code, "2333")
        stranger = w.citizen(1006, "Người khác")
        assert "liên kết với một cuộc trò chuyện khác" in await stranger.links(code, "2333")
        await w.deliver()
        await w.office.chat.hears(code, "đã liên kết Telegram", limit=40)
        # from then on every update reaches the chat: routing, and the answer
        await w.office.routes(code, "Địa chính")
        await w.deliver()
        await den.hears(code, "Địa chính – Xây dựng")
        await den.says("/my")
        mine = await den.hears("câu hỏi")
        assert any(code in label for label in labels(mine))


async def test_not_resolved_after_an_answer_at_the_session_is_taken_within_seven_days_only(database_url):
    async with procedure(database_url) as w:
        an, lan = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Lan")
        first, second = await an.asks(LAND_Q), await lan.asks(ROAD_Q)
        await w.at(SESSION_DAY, hour=9)
        await w.office.marks_held(40)
        await w.office.answers_by_button(first, "Xã sẽ cấp sổ đỏ trong tháng 1/2027.")
        await w.office.answers_by_button(second, "Xã sửa đường trong quý I/2027.")
        await w.at(minutes=10)
        await w.tick()
        first_rating = await an.hears(first, "hài lòng")
        second_rating = await lan.hears(second, "hài lòng")
        await w.at(SESSION_DAY + timedelta(days=6), hour=20)
        await an.presses("❌ Chưa được giải quyết", first_rating)
        await w.deliver()
        await an.hears(first, "chưa được giải quyết")
        await w.office.chat.hears(first, "CHƯA được giải quyết", limit=40)
        await w.at(SESSION_DAY + timedelta(days=7), hour=10)
        refused = await lan.presses("❌ Chưa được giải quyết", second_rating)
        assert refused.get("show_alert") and "Đã quá 7 ngày" in refused["text"]
        await w.deliver()
        assert w.office.chat.count(second, "CHƯA được giải quyết") == 0
        # stars are still taken
        await lan.presses("4⭐", second_rating)
        await w.deliver()
        await w.office.chat.hears(second, "4/5", limit=40)


async def test_a_forwarded_question_is_followed_up_until_the_higher_level_answers_and_is_relayed(
    database_url,
):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code, "Địa chính")
        await w.land.forwards(code, "Sở Tài nguyên", "15/UBND-ĐC 23/11/2026 Thuộc thẩm quyền cấp tỉnh")
        await w.deliver()
        told = text_of(await an.hears(code, "Sở Tài nguyên và Môi trường tỉnh Hà Tĩnh"))
        assert "văn bản số 15/UBND-ĐC ngày 23/11/2026" in told and "Thuộc thẩm quyền cấp tỉnh" in told
        # the directory gives this authority 20 working days before the office follows it up
        follow_up = CAL.add_working_days(date(2026, 11, 23), 20)
        day_before = follow_up - timedelta(days=1)
        while not CAL.is_working_day(day_before):
            day_before -= timedelta(days=1)
        await w.at(day_before, hour=9)
        await w.tick()
        assert w.office.chat.count("Đôn đốc", code) == 0
        await w.at(follow_up, hour=9)
        await w.tick()
        reminder = await w.office.chat.hears("Đôn đốc", code, limit=40)
        assert "📨 Ghi trả lời của cấp trên" in labels(reminder)
        await w.at(follow_up, hour=15)
        await w.tick()
        assert w.office.chat.count("Đôn đốc", code) == 1  # once a day at most
        await w.at(CAL.add_working_days(follow_up, 5), hour=9)
        await w.tick()
        await w.office.chat.hears("Đôn đốc", code, limit=40)
        assert w.office.chat.count("Đôn đốc", code) == 2  # again after five working days
        await w.office.says("/forwarded")
        assert code in text_of(await w.office.chat.hears("chờ cấp trên trả lời", limit=40))
        # the answer arrives: recorded from the reminder, relayed to the asker
        await w.office.press_on(w.office.card("Đôn đốc", code), "📨 Ghi trả lời của cấp trên")
        await w.office.reply_to_prompt(
            "Sở đã giao Văn phòng đăng ký đất đai cấp giấy chứng nhận trong tháng 2/2027."
        )
        await w.office.chat.hears("Đã ghi trả lời", code)
        await w.deliver()
        await an.hears(code, "Sở Tài nguyên và Môi trường tỉnh Hà Tĩnh", "tháng 2/2027")
        await w.land.chat.hears(code, "đã trả lời", limit=40)
        await w.at(CAL.add_working_days(follow_up, 10), hour=9)
        await w.tick()
        assert w.office.chat.count("Đôn đốc", code) == 2  # no more follow-ups once answered
        await w.office.says("/forwarded")
        await w.office.chat.hears("Không có câu hỏi nào đang chờ cấp trên trả lời", limit=40)


async def test_a_coordinating_department_sends_its_part_to_the_lead_which_answers(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code, "Địa chính")
        await w.office.says(f"/coordinate {code}")
        choice = await w.office.chat.hears("phối hợp", code, limit=40)
        assert not any("Địa chính" in b for b in labels(choice))  # the lead is not offered
        await w.office.press_on(choice, "🤝 Văn hóa – Xã hội")
        await w.office.chat.hears("phối hợp trả lời", code)
        await w.deliver()
        await w.land.chat.hears(code, "phối hợp", limit=40)
        # the day before the session, both are invited: the lead for its question, the other to coordinate
        await w.at(SESSION_DAY - timedelta(days=1), hour=8)
        await w.tick()
        invitation = text_of(await w.social.chat.hears("Mời dự hội nghị", limit=40))
        assert "Phối hợp trả lời" in invitation and code in invitation
        await w.social.contributes(code, "Hộ ông An thuộc diện hộ nghèo, được miễn lệ phí cấp giấy.")
        await w.deliver()
        part = text_of(await w.land.chat.hears(code, "gửi phần phối hợp", limit=40))
        assert "miễn lệ phí" in part
        # the coordinating department cannot answer the citizen itself
        card = w.social.card(f"Phối hợp trả lời {code}")
        assert "✍️ Trả lời" not in labels(card)
        await w.at(SESSION_DAY, hour=9)
        await w.office.marks_held(30)
        await w.at(NOTICE_DAY, hour=9)
        await w.office.issues_notice()
        await w.land.answers(code, "Xã cấp giấy chứng nhận, miễn lệ phí cho hộ nghèo.")
        await w.deliver()
        await an.hears(code, "miễn lệ phí")
        await w.social.chat.hears(code, "đã được đơn vị chủ trì trả lời", limit=40)


async def test_the_office_is_given_the_calls_to_make_for_an_asker_no_chat_reaches(database_url):
    async with procedure(database_url) as w:
        code = await w.office.records(
            LAND_Q, source="📄 Giấy, thư", topic="Đất đai", asker="Ngô Văn Giấy; 0903 456 789; Thôn 4"
        )
        await w.office.routes(code, "Địa chính")
        await w.at(SESSION_DAY, hour=9)
        await w.office.marks_held(30)
        await w.at(NOTICE_DAY, hour=9)
        await w.office.issues_notice()
        await w.deliver()
        due = response_due(NOTICE_DAY, CAL)
        notice = text_of(await w.office.chat.hears("Cần gọi điện", code, limit=60))
        assert "Ngô Văn Giấy" in notice and "0903456789" in notice and fmt_date(due) in notice
        # the written response's deadline passes: the status they would have read, to phone in
        await w.at(due + timedelta(days=1), hour=9)
        await w.tick()
        late = text_of(await w.office.chat.hears("Cần gọi điện", code, limit=60))
        assert "0903456789" in late and "chưa có trả lời" in late
        await w.at(due + timedelta(days=1), hour=9, minutes=5)
        await w.tick()
        assert w.office.chat.count("Cần gọi điện", code, "chưa có trả lời") == 1  # listed once


async def test_the_office_is_reminded_five_working_days_before_a_report_is_due_and_gets_it_by_button(
    database_url,
):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await an.asks(LAND_Q)
        await w.at(SESSION_DAY, hour=9)
        await w.office.marks_held(60)
        due = date(2027, 6, 15)  # the sample directory: the 6-month report, due before 15/06
        remind_on = due
        for _ in range(5):
            remind_on -= timedelta(days=1)
            while not CAL.is_working_day(remind_on):
                remind_on -= timedelta(days=1)
        await w.at(remind_on - timedelta(days=1), hour=8)
        await w.tick()
        assert w.office.chat.count("báo cáo 6 tháng đầu năm 2027") == 0
        await w.at(remind_on, hour=8)
        await w.tick()
        reminder = await w.office.chat.hears("Nhắc: báo cáo 6 tháng đầu năm 2027", limit=80)
        assert "15/06/2027" in text_of(reminder) and "còn 5 ngày làm việc" in text_of(reminder)
        await w.at(remind_on, hour=9)
        await w.tick()
        assert w.office.chat.count("Nhắc: báo cáo 6 tháng đầu năm 2027") == 1
        await w.office.press_on(reminder, labels(reminder)[0])
        document = await w.office.chat.hears("Dự thảo báo cáo", limit=40)
        assert document["document"]["file_name"] == "bao-cao-H1-2027.docx"
        # /report alone offers the same window
        await w.office.says("/report")
        offer = await w.office.chat.hears("Kỳ báo cáo hiện tại", limit=40)
        assert "6 tháng đầu năm 2027" in text_of(offer) and "10/12/2026" in text_of(offer)
