"""A province's directory file, checked and reloaded (issue #15): a bad file is refused naming the unit,
the line and the field (a misspelt field, parents in a loop, two top units, a ward under a commune);
reloading moves and removes the staff the file moved or removed, keeps those added in chat, and says
so."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.domain.directory import DirectoryError, load_file, parse
from tests.dsl import Department, text_of
from tests.test_units import ADMIN, CX_LAND, PROVINCE_FILE, TD_LAND, asks_in, picks_by_link, province

SAMPLE = PROVINCE_FILE.read_text(encoding="utf-8")
TD_PARENT = 'parent = "HT"\ncode_prefix = "TD"'
CX_PARENT = 'level = "ward"\nparent = "HT"'


def line_of(text: str, row: str) -> int:
    """The line of ``row`` (a unit's ``code = "TD"``: its ``[[units]]`` header is the line before)."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line == row)


def edited(old: str, new: str) -> str:
    assert SAMPLE.count(old) == 1, old
    return SAMPLE.replace(old, new)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        # a misspelt field was ignored: Thạch Đài became a second top unit, with no province above it
        (
            edited(TD_PARENT, 'parnet = "HT"\ncode_prefix = "TD"'),
            "unit 'TD', line {TD}, [[units]] #2: field 'parnet': is not a known field "
            "(did you mean 'parent'?)",
        ),
        (
            edited('level = "province"\n', 'level = "province"\nparent = "TD"\n'),
            "unit 'HT', line {HT}, [[units]] #1: field 'parent': the parents go round in a loop "
            "(HT → TD → HT)",
        ),
        (
            edited('level = "commune"\nparent = "HT"', 'level = "province"'),
            "unit 'TD', line {TD}, [[units]] #2: field 'level': 'HT' is already the province",
        ),
        (
            edited('level = "commune"\nparent = "HT"', 'level = "district"'),
            "unit 'TD', line {TD}, [[units]] #2: field 'parent': is missing: 'HT' is already the top unit",
        ),
        (
            edited(CX_PARENT, 'level = "ward"\nparent = "TD"'),
            "unit 'CX', line {CX}, [[units]] #3: field 'parent': 'TD' is a commune: a ward's parent is a "
            "province or a district",
        ),
        (
            edited(TD_PARENT, 'parent = "XX"\ncode_prefix = "TD"'),
            "unit 'TD', line {TD}, [[units]] #2: field 'parent': 'XX' is not another unit's code",
        ),
        (
            edited('code = "CX"', 'code = "TD"'),
            "unit 'TD', line {CX}, [[units]] #3: field 'code': 'TD' appears twice (also [[units]] #2)",
        ),
        # Cẩm Xuyên's land office given Thạch Đài's group: said at that department, not at the unit
        (
            edited("chat_id = -1002000000202", "chat_id = -1002000000102"),
            "unit 'CX', line {CX_DEPT}, [[units.departments]] #4: field 'chat_id': chat -1002000000102 is "
            "also unit 'TD's DIA_CHINH group",
        ),
        (
            edited('name = "Lê Văn Phường', 'nmae = "Lê Văn Phường'),
            "unit 'CX', line {CX_STAFF}, [[units.staff]] #5: field 'nmae': is not a known field (did you "
            "mean 'name'?)",
        ),
        (
            SAMPLE + '\n[[departments]]\ncode = "KHAC"\n',
            "line {END}: 'departments' is not a known table or field (in a file of [[units]], it belongs "
            "inside each unit)",
        ),
    ],
    ids=[
        "misspelt",
        "loop",
        "two provinces",
        "two tops",
        "ward under commune",
        "no such parent",
        "code twice",
        "department chat",
        "staff field",
        "top-level table",
    ],
)
def test_a_bad_province_file_is_refused_naming_the_unit_the_line_and_the_field(broken, expected):
    lines = {
        "HT": line_of(broken, 'code = "HT"') - 1,
        "TD": line_of(broken, 'code = "TD"') - 1,
        "CX": line_of(SAMPLE, 'code = "CX"') - 1,
        "CX_DEPT": line_of(SAMPLE, 'code = "CX"') + 8,
        "CX_STAFF": line_of(SAMPLE, 'name = "Lê Văn Phường (Văn phòng phường Cẩm Xuyên)"') - 2,
        "END": len(SAMPLE.splitlines()) + 2,
    }
    with pytest.raises(DirectoryError) as refused:
        parse(broken, "province.toml")
    assert str(refused.value).startswith("province.toml, "), str(refused.value)
    assert expected.format(**lines) in str(refused.value), str(refused.value)


def test_a_misspelt_field_in_a_communes_file_is_refused():
    commune = PROVINCE_FILE.with_name("sample_commune.toml").read_text(encoding="utf-8")
    parse(commune)  # as it is, it loads
    for old, new, expected in (
        ('code_prefix = "TD"', 'code_prefx = "TD"', "line 5, [unit]: field 'code_prefx'"),
        ('keywords = ["loa"', 'keyword = ["loa"', "[[departments]] #4: field 'keyword'"),
        ("follow_up_working_days = 30", "follow_up_days = 30", "[forwarding]: field 'follow_up_days'"),
    ):
        assert commune.count(old) == 1, old
        with pytest.raises(DirectoryError, match=r"did you mean") as refused:
            parse(commune.replace(old, new), "commune.toml")
        assert expected in str(refused.value), str(refused.value)


async def test_reloading_the_directory_moves_and_removes_staff_but_keeps_those_added_in_chat(
    database_url, tmp_path
):
    """Bình (6000102) moves from Thạch Đài's land office to Cẩm Xuyên's, whose member (6000202) leaves;
    a member the admin added in Thạch Đài's land group with /add_staff stays."""
    async with province(database_url) as w:
        an, chi = w.citizen(1001, "Nguyễn Văn An"), w.citizen(1002, "Trần Thị Chi")
        await picks_by_link(an, "TD")
        await picks_by_link(chi, "CX")
        an_code = await asks_in(an, "Đối thoại xã", "Xin cấp sổ đỏ cho thửa đất của gia đình ở thôn 3")
        chi_code = await asks_in(chi, "Đối thoại phường", "Xin cấp sổ đỏ cho thửa đất ven đường tỉnh")
        await w.td.routes(an_code, "Địa chính")
        await w.cx.routes(chi_code, "Địa chính")
        admin = w.tg.user(ADMIN, "Quản trị")
        await w.tg.send_text(w.td_land.group, "/add_staff 7002 Phan Văn Mới", from_user=admin)
        await w.td_land.chat.hears("7002")

        moved = SAMPLE.replace("user_id = 6000102", "user_id = 6000199").replace(
            "user_id = 6000202", "user_id = 6000102"
        )
        (tmp_path / "province.toml").write_text(moved, encoding="utf-8")
        async with w.app.sessionmaker() as db:  # doithoai directory load province.toml
            report = await load_file(db, tmp_path / "province.toml", w.clock.now())
            await db.commit()

        answer = await w.td_land.press_on(await w.td_land.card_of(an_code), "✍️ Trả lời")
        assert "không có quyền" in answer.get("text", "").lower(), answer  # Bình, no longer here
        answer = await w.cx_land.press_on(await w.cx_land.card_of(chi_code), "✍️ Trả lời")
        assert "không có quyền" in answer.get("text", "").lower(), answer  # Đất, no longer in the file
        newcomer = Department(w, w.tg.user(7002, "Mới"), TD_LAND)
        await newcomer.answers(an_code, "Gia đình nộp hồ sơ tại bộ phận một cửa của xã.")
        binh = Department(w, w.tg.user(6000102, "Bình"), CX_LAND)
        await binh.answers(chi_code, "Gia đình nộp hồ sơ tại bộ phận một cửa của phường.")
        await w.deliver()
        assert "một cửa của xã" in text_of(await an.hears(an_code, "một cửa"))
        assert "một cửa của phường" in text_of(await chi.hears(chi_code, "một cửa"))
        assert sorted(report.staff_removed) == [  # what `doithoai directory load` prints
            "6000102 Trần Văn Bình (Địa chính Thạch Đài) (TD DIA_CHINH)",
            "6000202 Võ Thị Đất (Địa chính Cẩm Xuyên) (CX DIA_CHINH)",
        ]
        assert report.staff_kept == 1


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_directory_load_says_whom_it_removed_and_what_it_left(env, capsys):
    assert main(["directory", "load", str(PROVINCE_FILE)]) == 0
    out = capsys.readouterr().out
    assert "loaded 3 units, 4 departments, 4 topics, 6 staff" in out and "removed" not in out, out
    ward = SAMPLE.index('[[units]]\ncode = "CX"')
    smaller = SAMPLE[:ward] + SAMPLE[SAMPLE.index("# The province's own days off") :]  # the ward leaves
    construction = SAMPLE[SAMPLE.index('[[units.departments]]\ncode = "XAY_DUNG"') :].split("\n\n")[0]
    smaller = smaller.replace(construction, "").replace('department = "XAY_DUNG"', 'department = "TNMT"')
    (env / "province.toml").write_text(smaller, encoding="utf-8")
    assert main(["directory", "load", str(env / "province.toml")]) == 0
    out = capsys.readouterr().out
    assert "removed 2 staff no longer in the file (they lose access):" in out, out
    assert "  6000201 Lê Văn Phường (Văn phòng phường Cẩm Xuyên) (CX)" in out, out
    assert "  6000202 Võ Thị Đất (Địa chính Cẩm Xuyên) (CX DIA_CHINH)" in out, out
    assert "note: unit CX (UBND phường Cẩm Xuyên) is no longer in the file: left as it is" in out, out
    assert "note: department HT/XAY_DUNG is no longer in the file: left as it is" in out, out
