"""Roles and registered groups: who is office staff, who belongs to which department, which chat is which."""

from __future__ import annotations

import pytest

from bot.domain import access
from bot.domain.errors import InvalidInput, NotAllowed
from bot.settings import Settings
from storage.models import StaffRole
from tests.workflow_world import (
    ADMIN,
    DIA_CHINH_CHAT,
    DIA_CHINH_STAFF,
    OFFICE,
    OFFICE_STAFF,
    XA_HOI_STAFF,
    dept,
    load_directory,
)

SETTINGS = Settings(_env_file=None, admin_ids=[ADMIN])
CITIZEN = 1001


@pytest.fixture
async def db(sessionmaker, clock):
    async with sessionmaker() as session:
        await load_directory(session, clock.now())
        yield session


async def test_the_office_group_and_department_groups_come_from_the_directory(db):
    assert await access.is_office_chat(db, OFFICE)
    assert not await access.is_office_chat(db, DIA_CHINH_CHAT)
    assert not await access.is_office_chat(db, -100999)
    land = await access.department_for_chat(db, DIA_CHINH_CHAT)
    assert land is not None and land.code == "DIA_CHINH"
    assert await access.department_for_chat(db, OFFICE) is None
    assert await access.department_for_chat(db, -100999) is None


async def test_office_staff_are_the_directory_office_staff_and_admins(db):
    assert await access.is_office_staff(db, OFFICE_STAFF, SETTINGS)
    assert await access.is_office_staff(db, ADMIN, SETTINGS)
    assert not await access.is_office_staff(db, DIA_CHINH_STAFF, SETTINGS)
    assert not await access.is_office_staff(db, CITIZEN, SETTINGS)
    assert not await access.is_office_staff(db, None, SETTINGS)


async def test_department_staff_belong_to_their_own_department_only(db):
    land, social = await dept(db, "DIA_CHINH"), await dept(db, "XA_HOI")
    assert await access.is_department_staff(db, DIA_CHINH_STAFF, land.id, SETTINGS)
    assert not await access.is_department_staff(db, DIA_CHINH_STAFF, social.id, SETTINGS)
    assert await access.is_department_staff(db, XA_HOI_STAFF, social.id, SETTINGS)
    assert not await access.is_department_staff(db, OFFICE_STAFF, land.id, SETTINGS)
    assert not await access.is_department_staff(db, CITIZEN, land.id, SETTINGS)
    assert await access.is_department_staff(db, ADMIN, land.id, SETTINGS)


async def test_linking_groups_refuses_mixing_the_office_and_a_department(db):
    with pytest.raises(NotAllowed):
        await access.link_office(db, DIA_CHINH_CHAT)
    with pytest.raises(NotAllowed):
        await access.link_department(db, OFFICE, "XA_HOI")
    with pytest.raises(InvalidInput):
        await access.link_department(db, -100777, "NO_SUCH")
    # a new group takes over a department
    moved = await access.link_department(db, -100777, "dia_chinh")
    assert moved.chat_id == -100777
    assert await access.department_for_chat(db, DIA_CHINH_CHAT) is None
    await access.link_office(db, -100888)
    assert await access.is_office_chat(db, -100888) and not await access.is_office_chat(db, OFFICE)


async def test_adding_staff_is_idempotent(db, clock):
    first = await access.add_staff(
        db, user_id=777, name="Phạm Văn C", role=StaffRole.OFFICE, department_id=None, now=clock.now()
    )
    again = await access.add_staff(
        db, user_id=777, name="", role=StaffRole.OFFICE, department_id=None, now=clock.now()
    )
    assert first.id == again.id and again.name == "Phạm Văn C"
    assert await access.is_office_staff(db, 777, SETTINGS)
