from datetime import date

import pytest
from sqlalchemy import func, select

from bot.domain.directory import DirectoryError, apply, office_chat_id, parse
from storage.models import CalendarDay, Department, Staff, Topic
from tests.scenario import SAMPLE_DIRECTORY, START


def sample() -> str:
    return SAMPLE_DIRECTORY.read_text(encoding="utf-8")


async def test_sample_directory_loads_and_reloading_updates_instead_of_duplicating(sessionmaker):
    async with sessionmaker() as db:
        first = await apply(db, parse(sample()), START)
        await db.commit()
    edited = sample().replace('name_vi = "Công an xã"', 'name_vi = "Công an xã Thạch Đài"')
    async with sessionmaker() as db:
        await apply(db, parse(edited), START)
        await db.commit()
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Department)) == first.departments == 7
        assert await db.scalar(select(func.count()).select_from(Topic)) == first.topics == 9
        assert await db.scalar(select(func.count()).select_from(Staff)) == first.staff == 3
        assert await db.scalar(select(func.count()).select_from(CalendarDay)) == 2
        police = await db.scalar(select(Department).where(Department.code == "CONG_AN"))
        assert police.name_vi == "Công an xã Thạch Đài"
        assert await office_chat_id(db) == -1001000000001
        land = await db.scalar(select(Topic).where(Topic.code == "DAT_DAI"))
        assert land.department.code == "DIA_CHINH"
        makeup = await db.get(CalendarDay, date(2025, 4, 26))
        assert makeup.kind == "work"


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            '[unit]\nname_vi = "X"\n\n[[departments]]\ncode = "bad code"\nname_vi = "A"\nname_en = "A"\n',
            "line 4, [[departments]] #1: field 'code'",
        ),
        (
            '[unit]\nname_vi = "X"\n\n[[departments]]\ncode = "A1"\nname_vi = "A"\n',
            "line 4, [[departments]] #1: field 'name_en': is missing",
        ),
        (
            '[unit]\nname_vi = "X"\n\n[[topics]]\ncode = "T1"\nname_vi = "A"\nname_en = "A"\n'
            'department = "NOPE"\n',
            "field 'department': 'NOPE' is not a department code",
        ),
        ('[unit]\nname_vi = "X"\noffice_chat_id = "abc"\n', "[unit]: field 'office_chat_id'"),
        (
            '[unit]\nname_vi = "X"\n\n[[staff]]\nuser_id = -5\nrole = "office"\n',
            "[[staff]] #1: field 'user_id'",
        ),
        ('[unit]\nname_vi = "X"\n[calendar]\ndays_off = ["soon"]\n', "field 'days_off[0]'"),
        ('[unit\nname_vi = "X"\n', "not valid TOML"),
    ],
)
def test_a_bad_directory_file_is_refused_naming_the_line_and_field(broken, expected):
    with pytest.raises(DirectoryError) as error:
        parse(broken, "commune.toml")
    assert expected in str(error.value)
    assert str(error.value).startswith("commune.toml")
