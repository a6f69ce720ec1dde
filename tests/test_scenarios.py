"""The procedure's side paths, as citizens, the office and departments live them: every path ends with
the citizen told. Each test is one defect seen on an earlier version, reached through the product
(chat actions and ticks)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.deadlines import WorkCalendar, conclusion_due, response_due
from bot.i18n import fmt_date
from tests.dsl import labels, procedure, text_of

LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
ROAD_Q = "Đường liên thôn 3 bị hỏng nặng từ tháng 9, khi nào xã sửa chữa?"
ROAD_DUP = "duong lien thon 3 hong nang tu thang 9 khi nao xa sua chua vay"
SESSION_DAY = date(2026, 12, 13)  # the sample session: 20 days after Monday 23/11/2026
NOTICE_DAY = date(2026, 12, 15)
CAL = WorkCalendar()  # the sample directory's own days (2026-09-01…) do not touch these dates
R5_DUE = response_due(NOTICE_DAY, CAL)


async def held_and_concluded(w, *, held: date = SESSION_DAY, notice: date = NOTICE_DAY) -> None:
    await w.at(held, hour=11)
    await w.office.marks_held(85)
    await w.at(notice, hour=10)
    await w.office.issues_notice()
    await w.deliver()


# --- 1. reopened --------------------------------------------------------------------------------------


async def test_a_citizen_who_says_not_resolved_gets_the_question_handled_again_to_a_new_answer(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await held_and_concluded(w)
        await w.land.answers(code, "Hồ sơ đã đủ, xã sẽ cấp trong tháng 1.")
        await w.at(date(2026, 12, 16), hour=9)
        await w.tick()
        rate = await an.hears(code, "hài lòng")
        await w.at(date(2026, 12, 17), hour=8)
        await an.presses("❌ Chưa được giải quyết", rate)
        await w.deliver()
        told = text_of(await an.hears(code, "chưa được giải quyết"))
        new_due = response_due(date(2026, 12, 17), CAL)
        assert fmt_date(new_due) in told  # a new date for the new answer
        # the office has it back as a fresh card it can route, and in its inbox
        card = await w.office.chat.hears(code, "CHƯA được giải quyết")
        assert any(b.startswith("➡️ Chuyển") for b in labels(card))
        await w.office.says("/inbox")
        assert code in text_of(await w.office.chat.hears("chờ phân loại"))
        await w.at(hours=2)
        await w.office.routes(code, "Địa chính")
        await w.at(date(2026, 12, 18), hour=10)
        await w.land.answers(code, "Đã cấp sổ đỏ ngày 18/12/2026.")
        await w.deliver()
        await an.hears("Đã cấp sổ đỏ ngày 18/12/2026.")
        # and they are asked to rate the new answer
        await w.at(minutes=5)
        await w.tick()
        await an.hears(code, "hài lòng")


# --- 2. merged askers ---------------------------------------------------------------------------------


async def test_a_citizen_whose_question_was_merged_hears_every_step_the_first_asker_hears(database_url):
    async with procedure(database_url) as w:
        an, lan = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Lan")
        first = await an.asks(ROAD_Q)
        second = await lan.asks(ROAD_DUP)
        await w.office.merges(second, first)
        await w.office.routes(first)
        await w.deliver()
        await lan.hears(second, "được gộp")
        # the evening before the session: both are reminded
        await w.at(SESSION_DAY - timedelta(days=1), hour=18)
        await w.tick()
        await an.hears("Nhắc lịch", first)
        await lan.hears("Nhắc lịch", second)
        await held_and_concluded(w)
        await an.hears(first, "chậm nhất ngày")
        await lan.hears(second, "chậm nhất ngày")
        # the due date passes with no answer: both hear it is late
        await w.at(R5_DUE + timedelta(days=1))
        await w.tick()
        await an.hears(first, "chưa có trả lời")
        await lan.hears(second, "chưa có trả lời")
        await w.land.answers(first, "Đường sẽ được sửa trong quý I/2027.")
        await w.deliver()
        await an.hears("quý I/2027")
        await lan.hears("quý I/2027")
        await w.at(minutes=5)
        await w.tick()
        await an.hears(first, "hài lòng")
        rate = await lan.hears(second, "hài lòng")
        await lan.presses("5⭐", rate)
        await w.deliver()
        await w.office.chat.hears(second, "5/5")


# --- 3. an extension approved before the notice ----------------------------------------------------------


async def test_an_extension_approved_before_the_notice_keeps_the_later_date_the_citizen_was_given(
    database_url,
):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await w.deliver()
        promised = R5_DUE + timedelta(days=28)  # well after the date the notice will set
        while not CAL.is_working_day(promised):
            promised += timedelta(days=1)
        # a date that is not a working day is moved to the next one, and the department is told
        saturday = promised + timedelta(days=(5 - promised.weekday()) % 7)
        told = await w.land.asks_extension(code, saturday)
        moved = CAL.next_working_day(saturday)
        assert fmt_date(moved) in told and "không phải ngày làm việc" in told
        await w.office.approves_extension(code)
        await w.deliver()
        await an.hears(code, fmt_date(moved))
        await held_and_concluded(w)
        notice = text_of(await an.hears(code, "chậm nhất ngày"))
        assert fmt_date(moved) in notice and fmt_date(R5_DUE) not in notice
        # the notice's own date passes: nobody is told it is late
        await w.at(R5_DUE + timedelta(days=1))
        await w.tick()
        assert an.count("chưa có trả lời") == 0
        assert w.land.chat.count("quá hạn") == 0
        # the promised date passes: now it is late
        await w.at(moved + timedelta(days=1))
        await w.tick()
        late = text_of(await an.hears(code, "chưa có trả lời"))
        assert fmt_date(moved) in late


async def test_an_extension_must_be_later_than_the_current_due_date(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await held_and_concluded(w)
        card = await w.land.card_of(code)
        await w.land.press_on(card, "⏳ Xin gia hạn")
        await w.land.reply_to_prompt(f"{R5_DUE - timedelta(days=3):%d/%m/%Y} Cần thêm thời gian")
        await w.land.chat.hears("sau hạn hiện tại")


# --- 4. a session nobody marked held ---------------------------------------------------------------------


async def test_the_office_is_asked_each_working_day_about_a_session_nobody_marked_held(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(ROAD_Q)
        # "held" is refused before the session starts
        answer = await w.office.on_session("✅ Đã tổ chức")
        assert answer.get("show_alert") and "chưa đến giờ" in answer["text"]
        # Monday 14/12 onwards, on working days only
        await w.days(SESSION_DAY + timedelta(days=1), SESSION_DAY + timedelta(days=7))
        asked = w.office.chat.count("chưa được xác nhận đã tổ chức")
        working = [SESSION_DAY + timedelta(days=i) for i in range(1, 8)]
        assert asked == sum(CAL.is_working_day(d) for d in working) == 5
        # no R4 status for a session that was not held
        assert an.count("chưa được ban hành") == 0
        # held after all: the ten days run from the session's day
        nag = w.office.card("chưa được xác nhận đã tổ chức")
        await w.office.press_on(nag, "✅ Đã tổ chức")
        await w.office.reply_to_prompt("60")
        await w.office.chat.hears("đã tổ chức")
        due = conclusion_due(SESSION_DAY, CAL)
        await w.at(due + timedelta(days=1))
        await w.tick()
        await an.hears(code, "chưa được ban hành")


async def test_a_postponed_session_tells_its_citizens_the_new_date_and_r1_applies_again(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(ROAD_Q)
        await w.at(SESSION_DAY + timedelta(days=1))
        await w.tick()
        nag = await w.office.chat.hears("chưa được xác nhận đã tổ chức")
        await w.office.press_on(nag, "📅 Hoãn (đổi ngày)")
        await w.office.reply_to_prompt("18/12/2026 08:00")  # 4 days ahead: too soon (R1)
        await w.office.chat.hears("ít nhất 7 ngày")
        await w.office.replies_again("28/12/2026 08:00")
        await w.office.chat.hears("Đã hoãn")
        await w.deliver()
        await an.hears(code, "28/12/2026")
        # the question became the session's card, with its new date; nobody is asked about it any more
        await w.at(SESSION_DAY + timedelta(days=2))
        await w.tick()
        assert w.office.chat.count("chưa được xác nhận đã tổ chức") == 0
        assert "28/12/2026" in text_of(w.office.chat.current(nag))
        card = text_of(await w.office.session_card())
        assert "28/12/2026" in card and "Đã hoãn từ" in card


async def test_a_cancelled_session_tells_its_citizens_their_questions_will_be_answered_in_writing(
    database_url,
):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await w.at(SESSION_DAY + timedelta(days=1))
        await w.tick()
        nag = await w.office.chat.hears("chưa được xác nhận đã tổ chức")
        await w.office.press_on(nag, "✖️ Huỷ hội nghị")
        await w.office.reply_to_prompt("Mưa bão, không tổ chức được")
        await w.office.chat.hears("Đã huỷ")
        await w.deliver()
        due = response_due(SESSION_DAY + timedelta(days=1), CAL)
        told = text_of(await an.hears(code, "đã bị huỷ"))
        assert "Mưa bão" in told and fmt_date(due) in told
        await w.land.answers(code, "Xã sẽ cấp sổ trong tháng 1/2027.")
        await w.deliver()
        await an.hears("tháng 1/2027")


async def test_a_session_whose_every_question_is_settled_is_closed(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await held_and_concluded(w)
        assert "đã có thông báo kết luận" in text_of(await w.office.session_card())
        await w.land.answers(code, "Đã cấp sổ đỏ.")
        assert "đã kết thúc" in text_of(await w.office.session_card())


# --- 5. the R4 alert repeats --------------------------------------------------------------------------


async def test_the_office_is_alerted_each_working_day_until_the_conclusion_notice_is_issued(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(ROAD_Q)
        await w.at(SESSION_DAY, hour=11)
        await w.office.marks_held(40)
        due = conclusion_due(SESSION_DAY, CAL)
        days = [due + timedelta(days=i) for i in range(1, 8)]
        await w.days(days[0], days[-1])
        alerts = w.office.chat.count("Quá hạn", "chưa được ban hành")
        assert alerts == sum(CAL.is_working_day(d) for d in days) >= 4
        assert an.count("chưa được ban hành") == 1  # the citizen is told once
        await an.hears(code, "chưa được ban hành")
        await w.office.issues_notice()
        await w.days(days[-1] + timedelta(days=1), days[-1] + timedelta(days=3))
        assert w.office.chat.count("Quá hạn", "chưa được ban hành") == alerts


# --- 6. a late answer is called late -------------------------------------------------------------------


async def test_an_answer_given_after_the_due_date_is_reported_as_late(database_url):
    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.office.routes(code)
        await held_and_concluded(w)
        # the department answers the morning after the due date, before the day's first tick
        await w.at(R5_DUE + timedelta(days=1), hour=7)
        await w.land.answers(code, "Đã cấp sổ đỏ.")
        await w.at(R5_DUE + timedelta(days=1), hour=9)
        await w.tick()
        status = text_of(await an.hears(code, "trả lời ngày"))
        assert "chậm 1 ngày" in status and "trong hạn" not in status


# --- 8. session cards -----------------------------------------------------------------------------------


async def test_the_session_card_shows_its_current_state_and_only_what_that_state_allows(database_url):
    async with procedure(database_url) as w:
        await w.office.says("/session_new")
        await w.office.reply_to_prompt("Đối thoại chuyên đề về rác thải")
        await w.office.reply_to_prompt("20/12/2026 08:00")
        await w.office.reply_to_prompt("Nhà văn hoá thôn 2")
        kinds = await w.office.chat.hears("Loại hội nghị")
        await w.office.press_on(kinds, "Đột xuất (chuyên đề)")
        card = await w.office.chat.hears("Đã tạo hội nghị", "bản nháp")
        assert "📣 Thông báo hội nghị" in labels(card) and "📜 Ra thông báo kết luận" not in labels(card)
        await w.office.press_on(card, "📣 Thông báo hội nghị")
        await w.office.chat.hears("Đã thông báo hội nghị")
        now = w.office.chat.current(card)
        assert "đang nhận câu hỏi" in text_of(now) and "bản nháp" not in text_of(now)
        assert "📣 Thông báo hội nghị" not in labels(now) and "🔒 Khoá nhận câu hỏi" in labels(now)
        # the main session, through to its notice: the notice button goes once it is issued (and with
        # no question left open, the session is over)
        await held_and_concluded(w)
        main = await w.office.session_card()
        assert "đã kết thúc" in text_of(main) and "Thông báo kết luận: 15/12/2026" in text_of(main)
        assert labels(main) == ["🗒 Chương trình (.docx)"]


# --- a withdrawn question with duplicates merged into it ------------------------------------------------


async def test_when_the_first_asker_withdraws_the_merged_duplicate_is_still_answered(database_url):
    async with procedure(database_url) as w:
        an, lan = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Lan")
        first = await an.asks(ROAD_Q)
        second = await lan.asks(ROAD_DUP)
        await w.office.merges(second, first)
        await w.office.routes(first)
        await an.says("/my")
        await an.presses(next(b for b in labels(await an.hears("câu hỏi")) if b.startswith(first)))
        await an.presses("↩️ Rút câu hỏi", await an.hears(first))
        await an.presses("Có, rút câu hỏi", await an.hears("rút"))
        await an.hears("Đã rút")
        await w.deliver()
        await w.office.chat.hears(second, "thay thế", first)
        await held_and_concluded(w)
        notice = text_of(await lan.hears(second, "chậm nhất ngày"))
        assert "Địa chính" in notice or "Giao thông" in notice or "Văn phòng" in notice
        await w.land.answers(second, "Đường sẽ được sửa trong quý I/2027.")
        await w.deliver()
        await lan.hears("quý I/2027")
