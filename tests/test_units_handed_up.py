"""A question a commune hands up to the province (issue #15), after it left: the commune's conclusion
notice still starts its written-response clock — by the province's working days — and the commune's
session stays open until the province settles it; every unit that handed it up hears each outcome
(forwarded to an outside authority, that authority's answer, set aside as a complaint, merged)."""

from __future__ import annotations

from datetime import date

from tests.dsl import Office, text_of
from tests.test_units import PROVINCE_FILE, asks_in, picks_by_link, province

AUTHORITY = '\n[[authorities]]\ncode = "BO_XD"\nname_vi = "Bộ Xây dựng"\n'
ROAD = "Đường liên thôn xuống cấp, xin sửa chữa sớm"


async def hands_up(office: Office, code: str, above: Office) -> None:
    """``office`` hands ``code`` up; ``above`` gets its triage card."""
    await office.says(f"/forward_up {code} Vượt thẩm quyền cấp xã")
    await office.chat.hears("Đã chuyển câu hỏi", code)
    await office.world.deliver()
    await above.chat.hears(code, "Chuyển lên từ", limit=20)


async def session_status(office: Office, title: str) -> str:
    card = text_of(await office.session_card(title))
    return card.split("Trạng thái:")[-1].strip().splitlines()[0]


async def test_a_question_handed_up_before_the_notice_owes_its_response_by_the_provinces_days(database_url):
    """The province is off 4–8 Jan 2027 (its own days). An's question, handed up before the commune's
    session is held, is answered by the province: the commune's notice on Thu 3 Dec gives it the
    province's date (Fri 22 Jan, not the commune's 15 Jan), its department is told and reminded, and
    the commune's session stays open until the province's department answers."""
    days_off = 'code_prefix = "HT"\noffice_chat_id = -1002000000001\n'
    text = PROVINCE_FILE.read_text(encoding="utf-8").replace(
        days_off, days_off + "days_off = [2027-01-04, 2027-01-05, 2027-01-06, 2027-01-07, 2027-01-08]\n"
    )
    assert "2027-01-04" in text
    async with province(database_url, text) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD)
        await w.deliver()
        await hands_up(w.td, code, w.ht)
        await w.ht.routes(code, "Nông nghiệp")
        await w.deliver()

        await w.at(date(2026, 12, 3), hour=11)
        await w.td.marks_held(40, "Đối thoại xã")
        await w.td.issues_notice("Kết luận: giao các đơn vị trả lời bằng văn bản.", "Đối thoại xã")
        assert "hạn 22/01/2027" in text_of(w.td.chat.last_with("Đã ra thông báo kết luận"))  # not "—"
        await w.deliver()
        await an.hears(code, "Thông báo kết luận", "22/01/2027", limit=20)
        await w.ht_land.chat.hears("Thông báo kết luận", "Đối thoại xã", code, "22/01/2027", limit=20)
        assert await session_status(w.td, "Đối thoại xã") == "đã có thông báo kết luận"

        await w.days(date(2027, 1, 15), date(2027, 1, 15))  # 5 of the province's working days before
        await w.ht_land.chat.hears("Còn 5 ngày làm việc đến hạn trả lời", code, "22/01/2027", limit=30)

        await w.ht_land.answers(code, "Sở đưa tuyến đường vào kế hoạch sửa chữa năm 2027.")
        await w.deliver()
        await an.hears(code, "kế hoạch sửa chữa", limit=20)
        await w.td.chat.hears(code, "đã trả lời", limit=30)
        assert await session_status(w.td, "Đối thoại xã") == "đã kết thúc"


async def test_the_commune_hears_when_the_province_forwards_its_question_and_the_authority_answers(
    database_url,
):
    async with province(database_url, PROVINCE_FILE.read_text(encoding="utf-8") + AUTHORITY) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD)
        await w.deliver()
        await hands_up(w.td, code, w.ht)

        await w.ht.forwards(code, "Bộ Xây dựng", "20/UBND-VP 23/11/2026 Thuộc thẩm quyền của Bộ")
        await w.deliver()
        await an.hears(code, "Bộ Xây dựng", limit=20)
        heard = text_of(await w.td.chat.hears(code, "đã chuyển cơ quan có thẩm quyền", limit=20))
        assert "Bộ Xây dựng" in heard and "Thuộc thẩm quyền của Bộ" in heard, heard

        await w.ht.records_higher_answer(code, "Bộ đã giao Sở Xây dựng lập dự án cải tạo tuyến đường.")
        await w.deliver()
        await an.hears(code, "lập dự án cải tạo", limit=20)
        await w.td.chat.hears(code, "cơ quan có thẩm quyền đã trả lời", "lập dự án cải tạo", limit=20)


async def test_the_commune_hears_when_the_province_sets_its_question_aside_or_merges_it(database_url):
    async with province(database_url) as w:
        an, chi, dung = (w.citizen(1001, "Nguyễn Văn An"), w.citizen(1003, "Lê Văn Chí"),
                         w.citizen(1004, "Phạm Thị Dung"))  # fmt: skip
        for citizen in (an, chi, dung):
            await picks_by_link(citizen, "TD")
        first = await asks_in(an, "Đối thoại xã", ROAD)
        same = await asks_in(chi, "Đối thoại xã", ROAD)
        complaint = await asks_in(dung, "Đối thoại xã", "Khiếu nại quyết định thu hồi đất của gia đình tôi")
        await w.deliver()
        for code in (first, same, complaint):
            await hands_up(w.td, code, w.ht)

        await w.ht.merges(same, first)
        await w.ht.sets_aside(complaint, "Chuyển Thanh tra tỉnh giải quyết theo Luật Khiếu nại.")
        await w.deliver()
        merged = text_of(await w.td.chat.hears(same, "đã gộp vào câu hỏi cùng nội dung", limit=30))
        assert first in merged, merged
        await w.td.chat.hears(complaint, "khiếu nại, tố cáo", "Thanh tra tỉnh", limit=30)


def with_district(text: str) -> str:
    """The sample province with a district (Kỳ Anh) between it and the commune Thạch Đài."""
    district = (
        '[[units]]\ncode = "KA"\nname_vi = "UBND huyện Kỳ Anh"\nname_en = "Ky Anh District"\n'
        'level = "district"\nparent = "HT"\ncode_prefix = "KA"\noffice_chat_id = -1002000000301\n\n'
        '[[units.staff]]\nuser_id = 6000301\nname = "Văn phòng huyện Kỳ Anh"\nrole = "office"\n\n'
    )
    commune = '[[units]]\ncode = "TD"'
    changed = text.replace(commune, district + commune, 1).replace(
        'parent = "HT"\ncode_prefix = "TD"', 'parent = "KA"\ncode_prefix = "TD"'
    )
    assert changed.count('parent = "KA"') == 1 and 'code = "KA"' in changed
    return changed


async def test_a_district_that_handed_a_communes_question_on_hears_the_outcome_too(database_url):
    async with province(database_url, with_district(PROVINCE_FILE.read_text(encoding="utf-8"))) as w:
        ka = Office(w, w.tg.user(6000301, "Huyện"), -1002000000301)
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD)
        await w.deliver()
        await hands_up(w.td, code, ka)
        await hands_up(ka, code, w.ht)
        await w.ht.routes(code, "Nông nghiệp")
        await w.ht_land.answers(code, "Sở đưa tuyến đường vào kế hoạch sửa chữa năm 2027.")
        await w.deliver()
        await an.hears(code, "kế hoạch sửa chữa", limit=20)
        for below in (w.td, ka):
            await below.chat.hears(code, "UBND tỉnh Hà Tĩnh", "đã trả lời", "kế hoạch sửa chữa", limit=30)


async def test_the_communes_department_that_held_a_question_handed_up_is_told_it_is_not_theirs_now(
    database_url,
):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", ROAD)
        await w.deliver()
        await w.td.routes(code, "Địa chính")
        await w.deliver()
        await w.td_land.chat.hears(code, limit=20)  # its card
        await hands_up(w.td, code, w.ht)
        told = text_of(await w.td_land.chat.hears(code, "UBND tỉnh Hà Tĩnh", limit=20))
        assert "không cần trả lời" in told, told


async def test_a_cancelled_session_tells_the_citizen_of_each_question_with_its_own_units_date(database_url):
    """An asked two questions in the commune's session; one was handed up. The commune cancels the
    session: An hears of both — the commune's with its date, the province's with the province's."""
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        kept = await asks_in(an, "Đối thoại xã", "Đèn đường thôn 2 hỏng đã lâu, xin sửa")
        up = await asks_in(an, "Đối thoại xã", ROAD)
        await w.deliver()
        await hands_up(w.td, up, w.ht)
        await w.td.on_session("✖️ Huỷ hội nghị", "Đối thoại xã")
        await w.td.reply_to_prompt("Mưa bão")
        await w.td.chat.hears("Đã huỷ")
        await w.deliver()
        await an.hears(kept, "Mưa bão", limit=20)
        await an.hears(up, "Mưa bão", limit=20)
