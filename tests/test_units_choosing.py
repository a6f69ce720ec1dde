"""A province on one deployment, the citizen's side of choosing: the commune named the way people write
it, a poster's link that names no commune, a session of another unit chosen at the review, and the
province office naming one of its units in /stats (found by a review of issue #15)."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import units
from bot.domain.directory import apply, parse
from storage.models import Submission, Topic
from tests import dsl
from tests.dsl import START, labels, text_of
from tests.test_units import PROVINCE_FILE, picks_by_link, province


async def test_a_commune_is_found_the_way_people_write_its_name(sessionmaker):
    async with sessionmaker() as db:
        await apply(db, parse(PROVINCE_FILE.read_text(encoding="utf-8")), START)
        await db.commit()
    async with sessionmaker() as db:
        found = {}
        for typed in (
            "cam xuyen", "Cẩm Xuyên", "P. Cẩm Xuyên", "p cam xuyen", "phường Cẩm Xuyên", "X. Thạch Đài",
            "xã thạch đài", "UBND xã Thạch Đài", "Thạch Đài, Hà Tĩnh", "phuong cam xuyen ha tinh",
            "thachdai", "Thach  Dai", "thach", "cam x", "td", "u_td",
        ):  # fmt: skip
            found[typed] = [u.code for u in await units.match(db, typed)]
        nothing = [await units.match(db, typed) for typed in ("Kỳ Anh", "xã", "ha noi", "   ")]
    assert found == {
        **dict.fromkeys(("cam xuyen", "Cẩm Xuyên", "P. Cẩm Xuyên", "p cam xuyen"), ["CX"]),
        "phường Cẩm Xuyên": ["CX"],
        **dict.fromkeys(("X. Thạch Đài", "xã thạch đài", "UBND xã Thạch Đài", "Thạch Đài, Hà Tĩnh"), ["TD"]),
        "phuong cam xuyen ha tinh": ["CX"],
        **dict.fromkeys(("thachdai", "Thach  Dai", "thach", "td", "u_td"), ["TD"]),
        "cam x": ["CX"],
    }, found
    assert nothing == [[], [], [], []]


async def test_a_link_naming_no_commune_says_so_and_the_commune_is_asked_later(database_url):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await an.says("/start u_XYZ")
        told = await an.hears("“XYZ”", "không có xã/phường nào")
        consent = told if "✅ Đồng ý" in labels(told) else await an.hears()
        await an.presses("✅ Đồng ý", consent)
        await an.hears("gõ một phần tên")  # asked for their commune before their question
        await an.says("xa thach dai")
        assert "UBND xã Thạch Đài" in text_of(await an.hears("Đã ghi nhận"))


async def test_a_session_of_another_unit_chosen_at_the_review_asks_the_topic_again(database_url):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        await an.says("/ask")
        offer = await an.hears("hội nghị nào")
        await an.presses(next(b for b in labels(offer) if "Đối thoại xã" in b), offer)
        topics = await an.hears("Câu hỏi thuộc lĩnh vực nào")
        commune_topics = [b for b in labels(topics) if "Huỷ" not in b]
        await an.presses(commune_topics[0], topics)
        await an.hears("viết câu hỏi")
        await an.says("Quy hoạch khu công nghiệp ảnh hưởng đất ở của thôn")
        message = await an.hears("")
        while "✅ Gửi câu hỏi" not in labels(message):  # name, phone, address, whether named
            text, buttons = text_of(message), labels(message)
            if "➡️ Xong, tiếp tục" in buttons:
                await an.presses("➡️ Xong, tiếp tục", message)
            elif "họ và tên" in text:
                await an.says(an.name)
            elif "thôn (xóm" in text:
                await an.says("Thôn 1")
            elif "số điện thoại" in text:
                await an.says("0912345678")
            elif "Được nêu tên" in buttons:
                await an.presses("Được nêu tên", message)
            message = await an.hears("")
        await an.presses("✏️ Sửa", message)
        await an.presses("Hội nghị", await an.hears("sửa"))
        offer = await an.hears("hội nghị nào")
        await an.presses(next(b for b in labels(offer) if "cấp tỉnh" in b), offer)
        again = await an.hears("Câu hỏi thuộc lĩnh vực nào")  # the commune's topic does not go with it
        province_topics = [b for b in labels(again) if "Huỷ" not in b]
        assert province_topics and not set(province_topics) & set(commune_topics), labels(again)
        await an.presses(province_topics[0], again)
        review = await an.hears("xem lại trước khi gửi")
        await an.presses("✅ Gửi câu hỏi", review)
        code = dsl.CODE.search(text_of(await an.hears("Mã theo dõi"))).group(0)
        assert code.startswith("HT-")
        async with w.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission).where(Submission.code == code))
            topic = await db.get(Topic, sub.topic_id)
        assert topic.unit_id == sub.unit_id and topic.name_vi == province_topics[0]


async def test_the_province_office_names_a_unit_in_stats_by_code_or_name(database_url):
    async with province(database_url) as w:
        await w.ht.says("/stats Cẩm Xuyên")
        await w.ht.chat.hears("Thống kê", "UBND phường Cẩm Xuyên", limit=20)
        await w.ht.says("/stats 2026 thach dai")
        await w.ht.chat.hears("Thống kê năm 2026", "UBND xã Thạch Đài", limit=20)
        await w.ht.says("/stats cx")
        await w.ht.chat.hears("Thống kê", "UBND phường Cẩm Xuyên", limit=20)
        await w.ht.says("/stats 1/1/2026 - 31/12/2026 P. Cẩm Xuyên")  # a spaced range, an abbreviation
        await w.ht.chat.hears("Thống kê", "UBND phường Cẩm Xuyên", limit=20)
        await w.ht.says("/stats xx")  # no such unit: the units it could name are listed
        refused = text_of(await w.ht.chat.hears("Không có đơn vị “xx”", limit=20))
        assert "TD (UBND xã Thạch Đài)" in refused and "CX (UBND phường Cẩm Xuyên)" in refused
        await w.ht.says("/stats 2026H7")  # a bad period: the usage names the units too
        assert "/stats 2026 TD" in text_of(await w.ht.chat.hears("Cách dùng", limit=20))


async def test_a_communes_session_link_makes_it_the_citizens_commune(database_url):
    """The website's "ask about this session" link (t.me/<bot>?start=s<id>) of a commune's session:
    a citizen with no commune yet is taken to be of that commune (told so), and offered its sessions
    and the province's afterwards without being asked for it."""
    from storage.models import DialogueSession

    async with province(database_url) as w:
        async with w.app.sessionmaker() as db:
            ward = await db.scalar(
                select(DialogueSession.id).where(DialogueSession.title == "Đối thoại phường")
            )
        binh = w.citizen(1002, "Trần Thị Bình")
        await binh.says(f"/start s{ward}")
        consent = await binh.hears("")
        while "✅ Đồng ý" not in labels(consent):
            consent = await binh.hears()
        await binh.presses("✅ Đồng ý", consent)
        topics = await binh.hears("Đã ghi nhận", "UBND phường Cẩm Xuyên")
        if "lĩnh vực nào" not in text_of(topics):
            topics = await binh.hears("lĩnh vực nào")
        await binh.presses("✖️ Huỷ", topics)
        await binh.hears("Đã huỷ")
        await binh.says("/ask")
        offer = await binh.hears("hội nghị nào")  # not asked for the commune first
        offered = labels(offer)
        assert any("Đối thoại phường" in b for b in offered) and any("cấp tỉnh" in b for b in offered)
        assert not any("Đối thoại xã" in b for b in offered), offered
