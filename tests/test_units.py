"""A province on one deployment (issue #15), through the real bot and the fake Bot API: two communes
and the province each take a question through a dialogue, a commune hands one up to the province
(answered there), staff of one unit cannot reach another's questions, and the reports add up."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import build_app
from bot.channels.telegram.callbacks import DeptCb, OfficeCb
from bot.clock import FixedClock
from bot.domain import units
from bot.domain.directory import DirectoryError, apply, parse
from bot.domain.sessions import create_session
from bot.settings import Settings
from storage.models import Submission
from tests import dsl
from tests.dsl import START, Citizen, Department, Office, World, labels, text_of
from tests.scenario import UNPACED

PROVINCE_FILE = Path(__file__).resolve().parent.parent / "directory" / "sample_province.toml"
HT_OFFICE, TD_OFFICE, CX_OFFICE = -1002000000001, -1002000000101, -1002000000201
HT_TNMT, TD_LAND, CX_LAND = -1002000000002, -1002000000102, -1002000000202
ADMIN = 4000001


class Province(World):
    ht: Office
    td: Office
    cx: Office
    ht_land: Department
    td_land: Department
    cx_land: Department


@contextlib.asynccontextmanager
async def province(database_url: str, directory: str | None = None) -> AsyncIterator[Province]:
    """The sample province (the province, commune Thạch Đài, ward Cẩm Xuyên), or ``directory`` (that
    file's text, changed), one session announced in each, and the real bot polling the fake Bot API."""
    from bot.simulator.telegram import FakeTelegram

    clock = FixedClock(START)
    async with FakeTelegram() as tg:
        settings = Settings(
            **UNPACED,
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:TEST",
            admin_ids=[ADMIN],
            redis_url="",
        )
        app = build_app(settings, clock=clock)
        await app.migrate()
        async with app.sessionmaker() as db:
            await apply(db, parse(directory or PROVINCE_FILE.read_text(encoding="utf-8")), clock.now())
            await db.commit()
        async with app.sessionmaker() as db:
            for code, title in (
                ("HT", "Đối thoại cấp tỉnh"),
                ("TD", "Đối thoại xã"),
                ("CX", "Đối thoại phường"),
            ):
                unit = await units.by_code(db, code)
                with units.scoped(unit.id):  # as its office creates it: the session is the unit's
                    await create_session(
                        db,
                        title=title,
                        place="Hội trường",
                        starts_at=clock.now() + timedelta(days=10),
                        now=clock.now(),
                        announce=True,
                    )
            await db.commit()
        world = Province(tg=tg, app=app, clock=clock, settings=settings)
        world.office = world.ht = Office(world, tg.user(6000001, "Tỉnh"), HT_OFFICE)
        world.td = Office(world, tg.user(6000101, "Hoa"), TD_OFFICE)
        world.cx = Office(world, tg.user(6000201, "Phường"), CX_OFFICE)
        world.ht_land = Department(world, tg.user(6000002, "Sở"), HT_TNMT)
        world.td_land = Department(world, tg.user(6000102, "Bình"), TD_LAND)
        world.cx_land = Department(world, tg.user(6000202, "Đất"), CX_LAND)
        tg.group(-1002000000003, "Sở Xây dựng")
        await app.start_polling()
        try:
            yield world
        finally:
            await world.app.close()
        assert tg.violations == [], tg.violations


async def submission_id(w: World, code: str) -> int:
    async with w.app.sessionmaker() as db:
        return await db.scalar(select(Submission.id).where(Submission.code == code))


async def picks_by_link(citizen: Citizen, code: str) -> None:
    """Opens the commune's poster link (``t.me/<bot>?start=u_<CODE>``) and consents."""
    await citizen.says(f"/start u_{code}")
    consent = await citizen.hears("Đã ghi nhận", "UBND")  # the commune, told at once, and the consent
    assert "✅ Đồng ý" in labels(consent), text_of(consent)
    await citizen.presses("✅ Đồng ý", consent)
    await back_to_menu(citizen, await citizen.hears("hội nghị nào"))  # thanks, then straight to asking


async def back_to_menu(citizen: Citizen, offer) -> None:
    await citizen.presses("✖️ Huỷ", offer)
    await citizen.hears("Đã huỷ")


async def picks_by_typing(citizen: Citizen, typed: str) -> str:
    """/start, consents — and, asked their commune straight away, types part of its name."""
    await citizen.says("/start")
    consent = await citizen.hears("")
    while "✅ Đồng ý" not in labels(consent):
        consent = await citizen.hears()
    await citizen.presses("✅ Đồng ý", consent)
    await citizen.hears("gõ một phần tên")
    await citizen.says(typed)
    told = await citizen.hears("Đã ghi nhận")  # and, in the same message, the question's next step
    await back_to_menu(citizen, told)
    return text_of(told)


async def sessions_offered(citizen: Citizen) -> list[str]:
    await citizen.says("/ask")
    offer = await citizen.hears("hội nghị nào")
    offered = labels(offer)  # before the press takes the buttons off
    await citizen.presses("✖️ Huỷ", offer)
    await citizen.hears()
    return offered


async def asks_in(citizen: Citizen, session_title: str, question: str) -> str:
    """The question to one session (the others offered are skipped)."""
    await citizen.says("/ask")
    offer = await citizen.hears("hội nghị nào")
    await citizen.presses(next(b for b in labels(offer) if session_title in b), offer)
    for _ in range(20):
        message = await citizen._next()
        text, buttons = text_of(message), labels(message)
        if "Mã theo dõi" in text:
            return dsl.CODE.search(text).group(0)
        if "Câu hỏi thuộc lĩnh vực nào" in text:
            await citizen.presses(next(b for b in buttons if "Huỷ" not in b), message)
        elif "viết câu hỏi" in text:
            await citizen.says(question)
        elif "➡️ Xong, tiếp tục" in buttons:
            await citizen.presses("➡️ Xong, tiếp tục", message)
        elif "✅ Đúng" in buttons:  # a second question: the details given the first time
            await citizen.presses("✅ Đúng", message)
        elif "họ và tên" in text:
            await citizen.says(citizen.name)
        elif "thôn (xóm" in text:  # (after the phone: "Đã ghi số điện thoại …" in the same message)
            await citizen.says("Thôn 1")
        elif "số điện thoại" in text:
            await citizen.says("0912345678")
        elif "Được nêu tên" in buttons:
            await citizen.presses("Được nêu tên", message)
        elif "✅ Gửi câu hỏi" in buttons:
            await citizen.presses("✅ Gửi câu hỏi", message)
    raise AssertionError(citizen.tg.transcript(citizen.chat_id))


async def test_a_province_two_communes_forwarding_up_forgeries_and_reports(database_url):
    async with province(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        binh = w.citizen(1002, "Trần Thị Bình")
        chi = w.citizen(1003, "Lê Văn Chí")
        dung = w.citizen(1004, "Phạm Thị Dung")

        # picking the commune: a link naming it, or part of its name typed without diacritics
        await picks_by_link(an, "TD")
        assert "Cẩm Xuyên" in await picks_by_typing(binh, "cam xuyen")
        await picks_by_link(chi, "TD")
        await picks_by_link(dung, "TD")
        offered = await sessions_offered(an)
        assert any("Đối thoại xã" in b for b in offered) and any("Đối thoại cấp tỉnh" in b for b in offered)
        assert not any("Đối thoại phường" in b for b in offered), offered
        assert not any("Đối thoại xã" in b for b in await sessions_offered(binh))

        # each unit takes a question through its own office and department
        an_code = await asks_in(an, "Đối thoại xã", "Đường liên thôn xuống cấp, xin sửa chữa sớm")
        binh_code = await asks_in(binh, "Đối thoại phường", "Xin cấp sổ đỏ cho thửa đất của gia đình")
        chi_code = await asks_in(chi, "Đối thoại cấp tỉnh", "Quy hoạch khu công nghiệp ảnh hưởng đất ở")
        dung_code = await asks_in(
            dung, "Đối thoại xã", "Xin cấp lại giấy chứng nhận quyền sử dụng đất bị mất"
        )
        assert an_code.startswith("TD-") and binh_code.startswith("CX-") and chi_code.startswith("HT-")
        await w.deliver()
        assert w.td.chat.count(an_code) and not w.td.chat.count(binh_code) and not w.td.chat.count(chi_code)
        assert w.cx.chat.count(binh_code) and not w.cx.chat.count(an_code)
        assert w.ht.chat.count(chi_code) and not w.ht.chat.count(an_code)

        await w.td.routes(dung_code, "Địa chính")
        await w.td_land.answers(dung_code, "Bà làm đơn đề nghị cấp lại tại bộ phận một cửa của xã.")
        await w.deliver()
        await dung.hears(dung_code, "cấp lại tại bộ phận một cửa")
        await w.cx.routes(binh_code, "Địa chính")
        await w.cx_land.answers(binh_code, "Gia đình nộp hồ sơ tại bộ phận một cửa của phường.")
        await w.deliver()
        await binh.hears(binh_code, "bộ phận một cửa")
        await w.ht.routes(chi_code, "Nông nghiệp")
        await w.ht_land.answers(chi_code, "Quy hoạch không thu hồi đất ở của thôn.")
        await w.deliver()
        await chi.hears(chi_code, "không thu hồi")

        # forgeries: another unit's question by command or by a button's data are refused politely
        await w.td.says(f"/sub {binh_code}")
        assert "Không tìm thấy" in text_of(await w.td.chat.hears(binh_code))
        await w.td.says(f"/forward_up {binh_code} thử")
        assert "Không tìm thấy" in text_of(await w.td.chat.hears(binh_code))
        binh_id = await submission_id(w, binh_code)
        forged = OfficeCb(action="route", id=binh_id, arg=0).pack()
        answer = await w.tg.wait_answer(await w.tg.send_callback(w.td.group, w.td.user, 1, forged))
        assert answer.get("show_alert"), answer
        forged = DeptCb(action="accept", id=binh_id, arg=0).pack()  # a department of another unit
        answer = await w.tg.wait_answer(await w.tg.send_callback(w.td_land.group, w.td_land.user, 1, forged))
        assert answer.get("show_alert"), answer
        # a commune's staff in another commune's group are not its staff
        await w.tg.send_text(w.cx.group, f"/sub {binh_code}", from_user=w.td.user)
        assert "không có quyền" in text_of(await w.cx.chat.hears("quyền")).lower()

        # up the ladder: the commune hands An's question to the province, which routes and answers it
        await w.td.says(f"/forward_up {an_code} Vượt thẩm quyền cấp xã: tuyến đường do tỉnh quản lý")
        await w.td.chat.hears("Đã chuyển câu hỏi", an_code, "UBND tỉnh Hà Tĩnh")
        await w.deliver()
        await an.hears(an_code, "chuyển lên", "UBND tỉnh Hà Tĩnh")
        card = await w.ht.chat.hears(an_code, "Chuyển lên từ", limit=20)
        assert "UBND xã Thạch Đài" in text_of(card) and "tỉnh quản lý" in text_of(card)
        await w.td.says(f"/sub {an_code}")  # no longer the commune's to act on
        assert "Không tìm thấy" in text_of(await w.td.chat.hears(an_code))
        await w.ht.routes(an_code, "Xây dựng")
        w.tg.group(-1002000000003, "Sở Xây dựng")
        build = Department(w, w.tg.user(ADMIN, "Quản trị"), -1002000000003)
        await w.deliver()
        await an.hears(an_code, "Sở Xây dựng")  # told where it went at the province
        await build.answers(an_code, "Sở Xây dựng đưa tuyến đường vào kế hoạch sửa chữa năm 2027.")
        await w.deliver()
        await an.hears(an_code, "kế hoạch sửa chữa")
        await w.td.chat.hears(an_code, "đã trả lời", "kế hoạch sửa chữa", limit=20)

        # the reports: the province sums its units, with a row per unit; a commune's is its own
        await w.ht.says("/stats")
        figures = text_of(await w.ht.chat.hears("Thống kê", "Theo từng đơn vị", limit=20))
        assert "Nhận được: 4" in figures, figures
        assert "UBND xã Thạch Đài: nhận 2" in figures and "UBND phường Cẩm Xuyên: nhận 1" in figures
        assert "UBND tỉnh Hà Tĩnh: nhận 1" in figures
        await w.ht.says("/stats CX")
        ward = text_of(await w.ht.chat.hears("Thống kê", "Theo trạng thái", limit=20))
        assert "Nhận được: 1" in ward and "Theo từng đơn vị" not in ward
        await w.td.says("/stats")
        own = text_of(await w.td.chat.hears("Thống kê", "Theo trạng thái", limit=20))
        assert "Nhận được: 2" in own and "Theo từng đơn vị" not in own
        await w.td.says("/stats CX")  # not below the commune
        assert "Không có đơn vị" in text_of(await w.td.chat.hears("CX", limit=20))

        # the province's files: a sheet and a table per unit (each unit's own report lists its questions)
        await w.ht.says("/report 2026H2")
        workbook = load_workbook(io.BytesIO(w.ht.file(await w.ht.chat.hears("Bảng tổng hợp", limit=30))))
        assert "Danh sách" not in workbook.sheetnames
        rows = [[c for c in row if c is not None] for row in workbook["Theo đơn vị hành chính"].values]
        by_name = {row[0]: row[1] for row in rows if len(row) > 1 and str(row[0]).startswith("UBND")}
        assert by_name == {"UBND tỉnh Hà Tĩnh": 1, "UBND xã Thạch Đài": 2, "UBND phường Cẩm Xuyên": 1}, rows
        document = docx.Document(io.BytesIO(w.ht.file(await w.ht.chat.hears("Dự thảo báo cáo", limit=30))))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        assert "UBND phường Cẩm Xuyên" in cells and "Đơn vị hành chính" in cells
        await w.td.says("/report 2026H2")  # the commune's own: its questions listed
        own = load_workbook(io.BytesIO(w.td.file(await w.td.chat.hears("Bảng tổng hợp", limit=30))))
        assert "Danh sách" in own.sheetnames and "Theo đơn vị hành chính" not in own.sheetnames
        listed = [row[0] for row in own["Danh sách"].values if row and dsl.CODE.fullmatch(str(row[0]))]
        assert listed == [an_code, dung_code]
        # the reporting window's button, in the commune: its own questions only
        workbook, _document = await w.td.report_files()
        window = load_workbook(io.BytesIO(w.td.file(workbook)))
        listed = [row[0] for row in window["Danh sách"].values if row and dsl.CODE.fullmatch(str(row[0]))]
        assert listed == [an_code, dung_code]


async def test_a_communes_own_days_off_move_its_conclusion_deadline_and_the_status_updates(database_url):
    """Thạch Đài is off on 14 and 15 Dec 2026 (its own days); Cẩm Xuyên is not. Both sessions are held
    on Thu 3 Dec: R4 (10 days) ends on Sun 13 Dec, a day off everywhere, so Mon 14 Dec for the ward
    and Wed 16 Dec for the commune — in the citizen's acknowledgement, the office's reminder the
    working day before, and the day each citizen is told the notice is late."""
    text = PROVINCE_FILE.read_text(encoding="utf-8").replace(
        "days_off = [2026-09-01]", "days_off = [2026-12-14, 2026-12-15, 2027-02-01, 2027-02-02]"
    )
    assert "2026-12-14" in text
    async with province(database_url, text) as w:
        an, binh = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Bình")
        await picks_by_link(an, "TD")
        await picks_by_link(binh, "CX")
        an_code = await asks_in(an, "Đối thoại xã", "Đường liên thôn xuống cấp, xin sửa chữa sớm")
        binh_code = await asks_in(binh, "Đối thoại phường", "Xin cấp sổ đỏ cho thửa đất của gia đình")
        assert "chậm nhất ngày 16/12/2026" in text_of(an.last_with(an_code, "Mã theo dõi"))
        assert "chậm nhất ngày 14/12/2026" in text_of(binh.last_with(binh_code, "Mã theo dõi"))
        await w.deliver()

        await w.at(date(2026, 12, 3), hour=11)
        await w.td.marks_held(40, "Đối thoại xã")
        await w.cx.marks_held(40, "Đối thoại phường")
        await w.days(date(2026, 12, 4), date(2026, 12, 11))
        await w.td.chat.hears("Nhắc", "Đối thoại xã", "16/12/2026", limit=20)  # Fri 11: day before
        await w.cx.chat.hears("Nhắc", "Đối thoại phường", "14/12/2026", limit=20)
        late = "hạn ban hành thông báo kết luận"
        await w.days(date(2026, 12, 12), date(2026, 12, 16))
        await binh.hears(binh_code, late, "14/12/2026", limit=20)  # told on Tue 15
        assert an.count(late) == 0, an.everything()  # the commune's deadline has not passed
        assert w.td.chat.count("Quá hạn") == 0
        assert w.cx.chat.count("Quá hạn", "Đối thoại phường") == 2  # Tue 15, Wed 16: each working day
        await w.days(date(2026, 12, 17), date(2026, 12, 17))
        await an.hears(an_code, late, "16/12/2026", limit=20)
        await w.td.chat.hears("Quá hạn", "Đối thoại xã", "16/12/2026", limit=20)

        # R5: 30 working days from each notice (Fri 18 Dec), by each unit's calendar — the commune's
        # days off in January move its due date, and its department's reminders (5 and 1 working days
        # before) come on the commune's working days
        await w.td.routes(an_code, "Địa chính")
        await w.cx.routes(binh_code, "Địa chính")
        await w.at(date(2026, 12, 18), hour=8)
        await w.td.issues_notice("Kết luận: giao Địa chính trả lời bằng văn bản.", "Đối thoại xã")
        await w.cx.issues_notice("Kết luận: giao Địa chính trả lời bằng văn bản.", "Đối thoại phường")
        await w.deliver()
        async with w.app.sessionmaker() as db:
            due = {
                s.code: s.response_due
                for s in await db.scalars(select(Submission).where(Submission.code.in_([an_code, binh_code])))
            }
        assert (due[an_code], due[binh_code]) == (date(2027, 2, 3), date(2027, 2, 1))
        await w.days(date(2026, 12, 19), date(2027, 1, 25))  # Mon 25 Jan: 5 working days before, in both
        soon = "Còn 5 ngày làm việc đến hạn trả lời"
        await w.td_land.chat.hears(soon, an_code, "03/02/2027", limit=30)
        await w.cx_land.chat.hears(soon, binh_code, "01/02/2027", limit=30)
        await w.days(date(2027, 1, 26), date(2027, 1, 29))  # Fri 29 Jan: 1 working day before, in both
        await w.td_land.chat.hears("Còn 1 ngày làm việc", an_code, "03/02/2027", limit=30)
        await w.cx_land.chat.hears("Còn 1 ngày làm việc", binh_code, "01/02/2027", limit=30)


async def test_a_commune_office_menu_offers_forwarding_up_the_province_office_menu_does_not(database_url):
    async with province(database_url) as w:
        offices = (HT_OFFICE, TD_OFFICE, CX_OFFICE)
        await w.tg.wait_for(  # the menus are set at start-up: Vietnamese (fallback), vi, en for each
            lambda: all(sum(str(chat) in k[0] for k in w.tg.commands) >= 3 for chat in offices), timeout=5
        )
        menu: dict[int, dict[str, list[str]]] = {}
        for (scope, lang), cmds in w.tg.commands.items():
            for chat in offices:
                if str(chat) in scope:
                    menu.setdefault(chat, {})[lang] = [
                        c["command"] if isinstance(c, dict) else c for c in cmds
                    ]
        for chat in (TD_OFFICE, CX_OFFICE):  # a commune, a ward: the province is above them
            assert all("forward_up" in cmds and "inbox" in cmds for cmds in menu[chat].values()), menu[chat]
        assert all("forward_up" not in cmds and "inbox" in cmds for cmds in menu[HT_OFFICE].values())
        await w.td.says("/lenh_khong_co")  # a command the bot does not know: the list, forward_up too
        assert "/forward_up" in text_of(await w.td.chat.hears("Các lệnh trong nhóm này"))
        await w.ht.says("/lenh_khong_co")
        assert "/forward_up" not in text_of(await w.ht.chat.hears("Các lệnh trong nhóm này"))


def test_a_bad_province_file_names_the_unit_the_line_and_the_field():
    text = PROVINCE_FILE.read_text(encoding="utf-8")
    broken = text.replace('parent = "HT"\ncode_prefix = "CX"', 'parent = "HT"\ncode_prefix = "cx"')
    with pytest.raises(DirectoryError) as caught:
        parse(broken, "province.toml")
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if row == 'code = "CX"') - 1
    assert str(caught.value).startswith(
        f"province.toml, unit 'CX', line {line}, [[units]] #3: field 'code_prefix'"
    )
    broken = text.replace('department = "TNMT"\n\n[[units]]', 'department = "NONE"\n\n[[units]]')
    assert broken != text
    with pytest.raises(
        DirectoryError, match=r"unit 'HT', line \d+, \[\[units.staff\]\] #2: field 'department'"
    ):
        parse(broken, "province.toml")
    broken = text.replace('parent = "HT"\ncode_prefix = "TD"', 'parent = "XX"\ncode_prefix = "TD"')
    with pytest.raises(DirectoryError, match=r"\[\[units\]\] #2: field 'parent'"):
        parse(broken, "province.toml")


async def test_a_single_unit_file_shows_no_commune_step(database_url):
    async with dsl.procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks("Đường thôn 3 bị hỏng nặng, khi nào sửa?")
        assert "xã/phường nào" not in an.everything()
        assert not any("🏠" in b for m in w.tg.messages(an.chat_id) for b in labels(m))
        assert code.startswith("TD-")


@pytest.fixture
async def province_on_zalo(sessionmaker):
    """The sample province with a session in each unit, and a Zalo citizen's channel over the fake."""
    from bot.channels.zalo.channel import ZaloChannel
    from bot.channels.zalo.client import ZaloClient
    from bot.channels.zalo.receiver import Receiver
    from bot.simulator.zalo import FakeZaloServer
    from tests.test_zalo_conversation import Handled

    clock = FixedClock(START)
    async with sessionmaker() as db:
        await apply(db, parse(PROVINCE_FILE.read_text(encoding="utf-8")), clock.now())
        await db.commit()
    async with sessionmaker() as db:
        for code, title in (("HT", "Đối thoại cấp tỉnh"), ("TD", "Đối thoại xã"), ("CX", "Đối thoại phường")):
            with units.scoped((await units.by_code(db, code)).id):
                await create_session(
                    db,
                    title=title,
                    place="Hội trường",
                    starts_at=clock.now() + timedelta(days=20),
                    now=clock.now(),
                    announce=True,
                )
        await db.commit()
    async with FakeZaloServer() as server:
        client = ZaloClient(server.token, server.base_url, timeout=5)
        channel = ZaloChannel(client, sessionmaker, clock, Settings(_env_file=None))
        lock, handled = asyncio.Lock(), Handled()

        async def handle(ev):
            async with lock:
                try:
                    await channel.handle(ev)
                finally:
                    await handled.done()

        receiver = Receiver(handle, sessionmaker, clock)
        stop = asyncio.Event()
        task = asyncio.create_task(receiver.poll(client, stop, timeout=1))
        yield server, handled
        stop.set()
        await asyncio.wait_for(task, 5)
        await receiver.drain()


async def test_on_zalo_the_commune_is_a_numbered_option_or_typed(province_on_zalo):
    from tests.test_zalo_conversation import USER, ZaloCitizen

    server, handled = province_on_zalo
    citizen = ZaloCitizen(server, USER, handled)
    await citizen.says("/start")
    assert "Đã ghi nhận" not in await citizen.says("1")  # consents; no commune chosen yet
    asked = await citizen.says("/ask")
    assert (
        "xã/phường nào" in asked and "1. UBND xã Thạch Đài" in asked and "2. UBND phường Cẩm Xuyên" in asked
    )
    assert "UBND tỉnh" not in asked  # the province is not a citizen's commune
    chosen = await citizen.says("2")
    assert "Đã ghi nhận" in chosen and "Cẩm Xuyên" in chosen
    assert "Đối thoại phường" in chosen and "Đối thoại cấp tỉnh" in chosen and "Đối thoại xã" not in chosen
    await citizen.says("/cancel")
    menu = await citizen.says("/menu")
    option = next(line.split(".")[0] for line in menu.splitlines() if "Xã/phường của tôi" in line)
    assert "gõ một phần tên" in await citizen.says(option)
    assert "Không tìm thấy" in await citizen.says("Hà Nội")
    moved = await citizen.says("thach dai")
    assert "Đã ghi nhận" in moved and "Thạch Đài" in moved


async def test_a_deadline_handed_up_follows_the_receiving_units_days_off(sessionmaker):
    """A commune's question on the written-response clock, handed up: its due date is set again from
    that day by the province's calendar (the province's own days off), not the commune's."""
    from bot.domain import at_session, intake, ladder
    from bot.domain.deadlines import load_calendar, response_due
    from bot.domain.sessions import mark_held
    from bot.i18n import local_date

    province_days_off = 'code_prefix = "HT"\noffice_chat_id = -1002000000001\n'
    text = PROVINCE_FILE.read_text(encoding="utf-8").replace(
        province_days_off,
        province_days_off + "days_off = [2027-01-04, 2027-01-05, 2027-01-06, 2027-01-07, 2027-01-08]\n",
    )
    assert "2027-01-04" in text
    now = START
    async with sessionmaker() as db:
        await apply(db, parse(text), now)
        await db.commit()
    async with sessionmaker() as db:
        td, ht = await units.by_code(db, "TD"), await units.by_code(db, "HT")
        with units.scoped(td.id):
            session = await create_session(
                db,
                title="Đối thoại xã",
                place="Hội trường",
                starts_at=now + timedelta(days=10),
                now=now,
                announce=True,
            )
        citizen = await intake.give_consent(db, "telegram", "1001", "vi", now)
        sub = await intake.submit(
            db,
            citizen=citizen,
            session_id=session.id,
            topic_id=None,
            text="Đường liên thôn xuống cấp nghiêm trọng",
            attachments=[],
            name="An",
            phone=None,
            address=None,
            public_name=False,
            now=now,
            default_prefix="DT",
        )
        await db.commit()
        held = now + timedelta(days=10, hours=3)
        with units.scoped(td.id):
            await mark_held(db, session.id, "office:1", held, participants=50)
            await at_session.issue_conclusion_notice(db, session.id, "Kết luận", None, "office:1", held)
        await db.commit()
        later = now + timedelta(days=12)
        with units.scoped(td.id):
            moved = await ladder.forward_up(
                db, sub.id, note="Vượt thẩm quyền", actor="office:1", now=later, unit_id=td.id
            )
        await db.commit()
        by_province = response_due(local_date(later), await load_calendar(db, ht.id))
        by_commune = response_due(local_date(later), await load_calendar(db, td.id))
        assert by_province != by_commune  # the province's five days off lie within the 30 working days
        assert (moved.unit_id, moved.origin_unit_id, moved.status) == (ht.id, td.id, "received")
        assert moved.response_due == by_province and moved.department_id is None


async def test_a_new_session_is_announced_to_its_own_units_citizens(sessionmaker):
    """Citizens who asked to hear of new sessions hear of their commune's and the province's only."""
    from bot.domain import intake
    from storage.models import Outbox

    now = START
    async with sessionmaker() as db:
        await apply(db, parse(PROVINCE_FILE.read_text(encoding="utf-8")), now)
        await db.commit()
    async with sessionmaker() as db:
        chats = {}
        for chat, code in (("2001", "TD"), ("2002", "CX")):
            citizen = await intake.give_consent(db, "telegram", chat, "vi", now)
            citizen.unit_id = (await units.by_code(db, code)).id
            await intake.subscribe_to_sessions(db, citizen)
            chats[code] = chat
        await db.commit()
    for code, title in (("TD", "Đối thoại xã"), ("HT", "Đối thoại cấp tỉnh")):
        async with sessionmaker() as db:
            with units.scoped((await units.by_code(db, code)).id):
                await create_session(
                    db,
                    title=title,
                    place="Hội trường",
                    starts_at=now + timedelta(days=10),
                    now=now,
                    announce=True,
                )
            await db.commit()
    async with sessionmaker() as db:
        told = (
            await db.execute(
                select(Outbox.chat_id, Outbox.payload).where(Outbox.purpose == "session_announced")
            )
        ).all()
    heard = sorted((chat, "cấp tỉnh" in str(payload)) for chat, payload in told)
    assert heard == [("2001", False), ("2001", True), ("2002", True)], heard
