"""Deadlines acting on their own, through the product, across R4 and R5 with Tết 2027 in between: who
is told what, when, in their language, and never twice. Dates worked out by hand in the comments
(and checked against the calendar)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.deadlines import WorkCalendar, conclusion_due, response_due
from bot.i18n import timezone
from tests.dsl import procedure, text_of
from tests.workflow_world import DIA_CHINH_CHAT, OFFICE

LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
LAND_Q2 = "Xin hỏi thủ tục tách thửa đất ở thôn 5 cần những giấy tờ gì và mất bao lâu?"
CAL = WorkCalendar()
HELD = date(2026, 12, 18)  # a Friday: 25 days after Monday 23/11/2026
R4_DUE = date(2026, 12, 28)  # held + 10 days = Monday 28/12, a working day: no roll-forward


def local(day: date, hh: int = 9, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=timezone())


async def two_routed_questions(w):
    an, minh = w.citizen(101, "Nguyễn Văn An"), w.citizen(102, "Minh", locale="en")
    first = await an.asks(LAND_Q)
    second = await minh.asks(LAND_Q2)
    await minh.chooses_english()
    await w.office.routes(first, "Địa chính")
    await w.office.routes(second, "Địa chính")
    await w.deliver()
    await an.hears(first, "Địa chính")
    await minh.hears(second)
    await w.at(local(HELD, 11))
    await w.office.marks_held(70)
    return an, minh, first, second


async def test_conclusion_late_then_the_written_response_across_tet(database_url):
    assert conclusion_due(HELD, CAL) == R4_DUE
    async with procedure(database_url, days_ahead=25) as w:
        an, minh, first, second = await two_routed_questions(w)
        office = w.group(OFFICE)
        before = len(w.tg.messages(OFFICE))
        # Thu 24/12: nothing due yet.
        await w.at(local(date(2026, 12, 24)))
        await w.tick()
        assert len(w.tg.messages(OFFICE)) == before
        # Fri 25/12: the next working day is Mon 28/12, the R4 due date → the office is reminded.
        await w.at(local(date(2026, 12, 25)))
        await w.tick()
        assert "28/12/2026" in text_of(await office.hears("Nhắc", "thông báo kết luận"))
        # Mon 28/12, the due day itself, late at night: not yet late.
        await w.at(local(R4_DUE, 23, 59))
        await w.tick()
        assert an.count("chưa được ban hành") == 0
        # Tue 29/12 00:05: late. Each citizen is told, in their language; the office is alerted.
        await w.at(local(date(2026, 12, 29), 0, 5))
        await w.tick()
        assert "28/12/2026" in text_of(await an.hears(first, "chưa được ban hành"))
        assert "28 Dec 2026" in text_of(await minh.hears(second, "has not been issued"))
        assert "2 người dân" in text_of(await office.hears("Quá hạn"))
        # The same tick again, and the next minute: nothing twice.
        counts = (an.count(first), minh.count(second), office.count("Quá hạn"))
        await w.tick()
        await w.at(minutes=1)
        await w.tick()
        assert (an.count(first), minh.count(second), office.count("Quá hạn")) == counts

        # The notice, issued that morning: 30 working days later is Wed 17/02/2027 (30–31/12: 2;
        # 1/1 off; 4–29/1: 20 → 22; 1–3/2 → 25; Tết 4–10/2 off; 11, 12, 15, 16, 17/2 → 30).
        await w.at(local(date(2026, 12, 29), 9))
        await w.office.issues_notice()
        due = response_due(date(2026, 12, 29), CAL)
        assert due == date(2027, 2, 17)
        await w.deliver()
        assert "17/02/2027" in text_of(await an.hears(first, "chậm nhất ngày"))
        assert "17 Feb 2027" in text_of(await minh.hears(second))
        land = w.group(DIA_CHINH_CHAT)
        # Five working days before 17/02 is Wed 3/2 (Tết counts for nothing): not on Tue 2/2.
        await w.at(local(date(2027, 2, 2)))
        await w.tick()
        assert land.count("Còn 5 ngày làm việc") == 0
        await w.at(local(date(2027, 2, 3)))
        await w.tick()
        reminder = text_of(await land.hears("Còn 5 ngày làm việc"))
        assert first in reminder and second in reminder
        # During Tết: nothing; one working day before is Tue 16/2.
        for day in (5, 8, 10, 11, 12, 15):
            await w.at(local(date(2027, 2, day)))
            await w.tick()
        assert land.count("Còn 1 ngày làm việc") == 0
        await w.at(local(date(2027, 2, 16)))
        await w.tick()
        await land.hears("Còn 1 ngày làm việc")
        # Wed 17/2 in the evening: due today, not late.
        await w.at(local(due, 20))
        await w.tick()
        assert an.count("chưa có trả lời") == 0
        # Thu 18/2: late. The citizen hears it is late and who is responsible; department and office
        # are reminded, and again each working day; the citizen is not told twice.
        await w.at(local(date(2027, 2, 18)))
        await w.tick()
        late = text_of(await an.hears(first, "chưa có trả lời"))
        assert "17/02/2027" in late and "Địa chính – Xây dựng" in late
        assert first in text_of(await land.hears("quá hạn"))
        assert first in text_of(await office.hears("quá hạn"))
        await w.at(local(date(2027, 2, 18), 15))
        await w.tick()
        await w.at(local(date(2027, 2, 19)))
        await w.tick()
        assert land.count("quá hạn") == 2 and an.count("chưa có trả lời") == 1
        # The department answers the first; its asker is asked to rate it; reminders name only the other.
        await w.at(local(date(2027, 2, 19), 10))
        await w.land.answers(first, "Đã cấp sổ đỏ.")
        await w.at(minutes=1)
        await w.tick()
        await an.hears("Đã cấp sổ đỏ.")
        await an.hears(first, "1 (không hài lòng)")
        await w.at(local(date(2027, 2, 22)))  # Monday
        await w.tick()
        reminder = text_of(w.group(DIA_CHINH_CHAT).last_with("quá hạn"))
        assert second in reminder and first not in reminder
        # Saturday and Sunday: nobody is reminded
        await w.days(date(2027, 2, 27), date(2027, 2, 28))
        assert land.count("quá hạn") == 3


async def test_conclusion_issued_in_time_and_an_answer_given_in_time(database_url):
    async with procedure(database_url, days_ahead=25) as w:
        an, minh, first, second = await two_routed_questions(w)
        office = w.group(OFFICE)
        await w.at(local(date(2026, 12, 24)))
        await w.office.issues_notice()
        await w.at(local(date(2026, 12, 25)))
        await w.tick()
        assert office.count("Nhắc", "thông báo kết luận") == 0  # no reminder: the notice is out
        await w.at(local(date(2026, 12, 29)))
        await w.tick()
        assert "đã được ban hành ngày 24/12/2026" in text_of(await an.hears(first, "thông báo kết luận buổi"))
        assert "was issued on 24 Dec 2026" in text_of(await minh.hears(second, "was issued"))
        assert "2 người dân" in text_of(await office.hears("Hạn thông báo kết luận"))
        due = response_due(date(2026, 12, 24), CAL)
        await w.at(local(due - timedelta(days=2), 9))
        await w.land.answers(first, "Đã cấp sổ đỏ.")
        await w.at(local(due + timedelta(days=1)))
        await w.tick()
        status = text_of(await an.hears(first, "trong hạn"))
        assert f"{due - timedelta(days=2):%d/%m/%Y}" in status


async def test_citizens_are_reminded_the_day_before_their_session(database_url):
    async with procedure(database_url, days_ahead=25) as w:
        an = w.citizen(101, "Nguyễn Văn An")
        code = await an.asks(LAND_Q)
        await w.at(local(HELD - timedelta(days=2)))
        await w.tick()
        assert an.count("Nhắc lịch") == 0
        await w.at(local(HELD - timedelta(days=1)))
        await w.tick()
        eve = text_of(await an.hears("Nhắc lịch", code))
        assert "09:00 18/12/2026" in eve and "Hội trường UBND xã" in eve
        await w.at(local(HELD - timedelta(days=1), 18))
        await w.tick()
        assert an.count("Nhắc lịch") == 1
