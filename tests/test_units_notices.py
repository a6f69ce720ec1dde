"""On a province's deployment (issue #15), what the office groups are told about citizens goes to the
office of the unit the question belongs to, never to another unit's group: a message a commune's
citizen could not be sent (with the number to call), the calls to make for askers no chat reaches
(one list per unit), the reporting reminders (each unit's own, on its own working days), and the
extension requests counted in /inbox."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.deadlines import WorkCalendar, conclusion_due
from tests.dsl import labels, text_of
from tests.test_units import PROVINCE_FILE, asks_in, picks_by_link, province

HELD_DAY = date(2026, 12, 3)  # the sample sessions' day
ROAD_Q = "Đường liên thôn xuống cấp, xin sửa chữa sớm"
LAND_Q = "Xin cấp sổ đỏ cho thửa đất của gia đình ở tổ dân phố 5"


async def test_a_communes_citizen_no_message_reaches_is_the_communes_office_to_phone(database_url):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD_Q)
        await w.deliver()
        w.tg.block(1001)
        await w.td.routes(code, "Địa chính")  # the citizen is to be told where it went: blocked
        await w.deliver()
        notice = text_of(await w.td.chat.hears("Không gửi được", code, limit=20))
        assert "gọi điện" in notice and "0912345678" in notice, notice
        assert w.ht.chat.count(code) == 0 and w.ht.chat.count("Không gửi được") == 0
        assert w.cx.chat.count("Không gửi được") == 0


async def test_the_calls_to_make_are_listed_to_each_units_own_office(database_url):
    async with province(database_url) as w:
        td_code = await w.td.records(
            ROAD_Q, source="📄 Giấy, thư", asker="Ngô Văn Giấy; 0903 456 789; Thôn 4"
        )
        cx_code = await w.cx.records(
            LAND_Q, source="📞 Điện thoại", asker="Lê Thị Phường; 0987 654 321; Tổ 5"
        )
        await w.deliver()
        await w.at(HELD_DAY, hour=11)
        await w.td.marks_held(40, "Đối thoại xã")
        await w.cx.marks_held(30, "Đối thoại phường")
        # neither notice issued in time: the one tick tells both askers it is late — one call each
        await w.at(conclusion_due(HELD_DAY, WorkCalendar()) + timedelta(days=1), hour=9)
        await w.tick()
        td_calls = text_of(await w.td.chat.hears("Cần gọi điện", td_code, limit=60))
        assert "Ngô Văn Giấy" in td_calls and "0903456789" in td_calls and cx_code not in td_calls
        cx_calls = text_of(await w.cx.chat.hears("Cần gọi điện", cx_code, limit=60))
        assert "Lê Thị Phường" in cx_calls and "0987654321" in cx_calls and td_code not in cx_calls
        assert w.ht.chat.count("Cần gọi điện") == 0
        assert w.ht.chat.count("0903456789") == 0 and w.ht.chat.count("0987654321") == 0


async def test_each_unit_is_reminded_of_its_own_report_on_its_own_working_days(database_url):
    td_off = "days_off = [2026-09-01]"
    text = PROVINCE_FILE.read_text(encoding="utf-8").replace(td_off, "days_off = [2026-09-01, 2026-12-03]")
    assert "2026-12-03" in text
    async with province(database_url, text) as w:
        reminder = "Nhắc: báo cáo năm 2026"  # the annual report, due before 10/12/2026
        await w.at(HELD_DAY, hour=8)  # five working days before, but Thạch Đài is off
        await w.tick()
        for office in (w.ht, w.cx):
            assert "còn 5 ngày làm việc" in text_of(await office.chat.hears(reminder, limit=20))
        assert w.td.chat.count(reminder) == 0
        await w.at(HELD_DAY + timedelta(days=1), hour=8)
        await w.tick()
        told = await w.td.chat.hears(reminder, limit=20)
        assert "còn 4 ngày làm việc" in text_of(told)
        assert [w.ht.chat.count(reminder), w.cx.chat.count(reminder), w.td.chat.count(reminder)] == [1, 1, 1]
        # the commune's button builds the commune's own report
        await w.td.press_on(told, labels(told)[0])
        document = await w.td.chat.hears("Dự thảo báo cáo", limit=40)
        assert document["document"]["file_name"].endswith(".docx")


async def test_a_communes_inbox_counts_only_its_own_extension_requests(database_url):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD_Q)
        await w.td.routes(code, "Địa chính")
        await w.td_land.asks_extension(code, date(2027, 3, 1))
        await w.deliver()
        for other in (w.cx, w.ht):  # the other units' offices: nothing waits for them
            await other.says("/inbox")
            await other.chat.hears("Không có việc gì đang chờ văn phòng", limit=20)
        await w.td.says("/inbox")
        assert "⏳ 1 đề nghị gia hạn" in text_of(await w.td.chat.hears("Xem chi tiết", limit=20))


async def test_a_communes_deployment_grown_into_a_provinces_keeps_the_province_out_of_its_group(sessionmaker):
    """A commune ran alone (its office group the deployment's), then the province's file was loaded
    with that group as the commune's and the province's own group left to be linked: what belongs to
    the province (or to no unit) goes nowhere until then — not to the commune's group."""
    from bot.domain import units
    from bot.domain.directory import apply, parse
    from tests.dsl import START

    alone = (PROVINCE_FILE.parent / "sample_commune.toml").read_text(encoding="utf-8")
    alone = alone.replace("office_chat_id = -1001000000001", "office_chat_id = -1002000000101")
    grown = PROVINCE_FILE.read_text(encoding="utf-8").replace("office_chat_id = -1002000000001\n", "", 1)
    async with sessionmaker() as db:
        await apply(db, parse(alone), START)
        await db.commit()
    async with sessionmaker() as db:
        await apply(db, parse(grown), START)
        await db.commit()
    async with sessionmaker() as db:
        ht, td = await units.by_code(db, "HT"), await units.by_code(db, "TD")
        assert await units.office_for(db, td.id) == -1002000000101
        assert await units.office_for(db, ht.id) is None
        assert await units.office_for(db, None) is None
