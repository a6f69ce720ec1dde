"""Admins linking the groups of a province's units and adding their staff (issue #15), through the
real bot and the fake Bot API: a department code two units share is never linked to the wrong unit,
/add_staff in a commune's office adds that commune's staff, and /link_office names the unit whose
office a group is — a commune without an office group keeps its citizens' cards out of the others'."""

from __future__ import annotations

from bot.domain.directory import apply, parse
from tests.dsl import Office, labels, text_of
from tests.test_units import (
    ADMIN,
    CX_OFFICE,
    PROVINCE_FILE,
    TD_OFFICE,
    asks_in,
    picks_by_link,
    province,
)

UNREGISTERED = "chưa được đăng ký"


async def test_a_department_code_two_units_share_is_linked_only_once_the_unit_is_named(database_url):
    """CX and TD both have DIA_CHINH: the bare code asks which unit (never the first found)."""
    async with province(database_url) as w:
        admin = Office(w, w.tg.user(ADMIN, "Quản trị"), -1002000000299)
        await admin.says("/link_department DIA_CHINH")
        asked = await admin.chat.hears("DIA_CHINH")
        assert "CX" in text_of(asked) and "TD" in text_of(asked) and "/link_department" in text_of(asked)
        assert "CX · UBND phường Cẩm Xuyên" in labels(asked) and "TD · UBND xã Thạch Đài" in labels(asked)
        await w.td_land.says("/mine")  # nothing was linked: Thạch Đài's group is still its own
        assert UNREGISTERED not in text_of(await w.td_land.chat.hears(""))

        await admin.says("/link_department cx dia_chinh")  # the unit first, in any case
        await admin.chat.hears("✅", "Địa chính – Xây dựng")
        await w.cx_land.says("/mine")  # Cẩm Xuyên's old group gave way to the new one
        await w.cx_land.chat.hears(UNREGISTERED)
        await w.td_land.says("/mine")
        assert UNREGISTERED not in text_of(await w.td_land.chat.hears(""))

        # the same with a button; a button is an admin's only
        other = Office(w, w.tg.user(ADMIN, "Quản trị"), -1002000000298)
        await other.says("/link_department DIA_CHINH")
        asked = await other.chat.hears("DIA_CHINH")
        stranger = Office(w, w.tg.user(6000102, "Bình"), other.chat_id)
        assert "không có quyền" in (await stranger.press_on(asked, "TD · UBND xã Thạch Đài")).get("text", "")
        await other.press_on(asked, "TD · UBND xã Thạch Đài")
        await other.chat.hears("✅", "Địa chính – Xây dựng")
        await w.td_land.says("/mine")
        await w.td_land.chat.hears(UNREGISTERED)
        moved = Office(w, w.td_land.user, other.chat_id)  # Thạch Đài's land staff, in their new group
        await moved.says("/mine")
        reply = text_of(await moved.chat.hears(""))
        assert UNREGISTERED not in reply and "quyền" not in reply, reply


async def test_add_staff_in_a_communes_office_group_adds_that_communes_office_staff(database_url):
    async with province(database_url) as w:
        admin = w.tg.user(ADMIN, "Quản trị")
        await w.tg.send_text(w.cx.group, "/add_staff 7001 Nguyễn Văn Mới", from_user=admin)
        await w.cx.chat.hears("Đã thêm cán bộ", "7001")
        newbie = Office(w, w.tg.user(7001, "Mới"), CX_OFFICE)
        await newbie.says("/inbox")
        reply = text_of(await w.cx.chat.hears(""))
        assert "quyền" not in reply.lower(), reply
        elsewhere = Office(w, newbie.user, TD_OFFICE)  # Cẩm Xuyên's, not Thạch Đài's
        await elsewhere.says("/inbox")
        await w.td.chat.hears("không có quyền")


async def test_a_unit_without_office_group_keeps_its_cards_until_link_office_names_it(database_url):
    text = PROVINCE_FILE.read_text(encoding="utf-8").replace("office_chat_id = -1002000000201\n", "")
    async with province(database_url, text) as w:
        binh = w.citizen(1002, "Trần Thị Bình")
        await picks_by_link(binh, "CX")
        code = await asks_in(binh, "Đối thoại phường", "Xin cấp sổ đỏ cho thửa đất của gia đình")
        await w.deliver()
        assert w.ht.chat.count(code) == 0, w.ht.chat.everything()  # the ward's card, phone and all

        admin = Office(w, w.tg.user(ADMIN, "Quản trị"), CX_OFFICE)
        await admin.says("/link_office")  # which unit's office? never the province's by default
        asked = await admin.chat.hears("/link_office")
        assert "CX" in text_of(asked) and "CX · UBND phường Cẩm Xuyên" in labels(asked), text_of(asked)
        await w.cx.says(f"/sub {code}")
        await w.cx.chat.hears(UNREGISTERED)

        await admin.press_on(asked, "CX · UBND phường Cẩm Xuyên")
        await admin.chat.hears("✅", "UBND phường Cẩm Xuyên", "/inbox")
        await w.cx.says(f"/sub {code}")  # the ward's own office staff, in the group just linked
        reply = text_of(await w.cx.chat.hears(code))
        assert "quyền" not in reply.lower(), reply

        kim = w.citizen(1003, "Lê Thị Kim")  # a new question of the ward: its card comes here
        await picks_by_link(kim, "CX")
        second = await asks_in(kim, "Đối thoại phường", "Đề nghị sửa đường bê tông vào thôn")
        await w.deliver()
        assert w.cx.chat.count(second) >= 1 and w.ht.chat.count(code) + w.ht.chat.count(second) == 0

        async with w.app.sessionmaker() as db:  # the file reloaded (`doithoai directory load`)
            await apply(db, parse(text), w.clock.now())
            await db.commit()
        await w.cx.says(f"/sub {second}")  # the group linked by command stays the ward's office
        assert "quyền" not in text_of(await w.cx.chat.hears(second)).lower()


async def test_link_office_in_a_communes_group_names_the_unit_and_keeps_the_province_office(database_url):
    async with province(database_url) as w:
        admin = Office(w, w.tg.user(ADMIN, "Quản trị"), TD_OFFICE)
        await admin.says("/link_office")
        await admin.chat.hears("/link_office TD", "Các đơn vị")  # the example: a unit below the top
        await admin.says("/link_office HT")  # Thạch Đài's group cannot become the province's office
        await admin.chat.hears("đang là nhóm văn phòng của", "UBND xã Thạch Đài")

        moved = Office(w, w.tg.user(ADMIN, "Quản trị"), -1002000000199)
        await moved.says("/link_office td")  # Thạch Đài's office moves to a new group
        await moved.chat.hears("✅", "UBND xã Thạch Đài")
        an = w.citizen(1001, "Nguyễn Văn An")
        await picks_by_link(an, "TD")
        code = await asks_in(an, "Đối thoại xã", "Xin hỏi về thủ tục cấp giấy phép xây dựng nhà ở")
        await w.deliver()
        assert moved.chat.count(code) >= 1 and w.ht.chat.count(code) == 0 and w.td.chat.count(code) == 0
        staff = Office(w, w.td.user, moved.chat_id)  # Thạch Đài's office staff work there now
        await staff.says(f"/sub {code}")
        assert "quyền" not in text_of(await staff.chat.hears(code)).lower()
        await w.ht.says("/inbox")  # the province's office is still the province's
        assert "quyền" not in text_of(await w.ht.chat.hears("")).lower()


async def test_doctor_names_a_unit_without_office_group_and_the_unit_to_relink_a_department(database_url):
    from bot.clock import FixedClock
    from bot.ops.doctor import run_doctor
    from bot.settings import Settings
    from bot.simulator.telegram import FakeTelegram
    from storage.db import make_engine, make_sessionmaker, upgrade
    from tests.dsl import START

    text = PROVINCE_FILE.read_text(encoding="utf-8").replace("office_chat_id = -1002000000201\n", "")
    engine = make_engine(database_url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as db:
        await apply(db, parse(text), START)
        await db.commit()
    await engine.dispose()
    async with FakeTelegram() as tg:
        tg.group(-1002000000001, "Văn phòng UBND tỉnh")  # the others: the bot is in none of them
        settings = Settings(
            _env_file=None, telegram_api=tg.base_url, bot_token="4242:TEST", database_url=database_url
        )
        lines: list[str] = []
        await run_doctor(settings, FixedClock(START), out=lines.append)
    fixes = [line for line in lines if line.startswith("FIX")]
    assert any(
        "unit CX" in line and "no office group" in line and "/link_office CX" in line for line in fixes
    )
    assert any("unit TD" in line and "/link_office TD" in line for line in fixes), fixes
    assert any("DIA_CHINH" in line and "/link_department CX DIA_CHINH" in line for line in fixes), fixes
    assert any(line.startswith("ok") and "office group «Văn phòng UBND tỉnh»" in line for line in lines)
