"""Who may do what, where: admins, office staff, department staff, and the registered group chats.

Admins are ``settings.admin_ids``. Office staff are ``staff`` rows with role "office"; department
staff are rows with role "department" and their ``department_id``. The office group is the
``app_config`` key ``office_chat_id``; on a deployment of many units, each unit's is its
``units.office_chat_id`` (the top unit's is also the ``app_config`` one), and office staff rows carry
their unit. A department's group is ``departments.chat_id``.

Every refusal goes through ``refuse(...)``: it is logged (who, where, what) and nothing changes.
The aiogram side (filters and middlewares for the office and department routers) is in
``bot.channels.telegram.filters``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import units
from bot.domain.directory import _set_config, office_chat_id
from bot.domain.errors import InvalidInput, NotAllowed, UnitNeeded
from bot.settings import Settings
from storage.models import Department, Staff, StaffRole, Unit

log = logging.getLogger("doithoai.access")


# --- plain questions over the database ------------------------------------------------------------


def is_admin(user_id: int | None, settings: Settings) -> bool:
    return user_id is not None and user_id in settings.admin_ids


async def is_office_chat(db: AsyncSession, chat_id: int) -> bool:
    office = await office_chat_id(db)
    if office is not None and office == chat_id:
        return True
    return await units.for_office_chat(db, chat_id) is not None


async def department_for_chat(db: AsyncSession, chat_id: int) -> Department | None:
    return await db.scalar(select(Department).where(Department.chat_id == chat_id, Department.active))


async def is_office_staff(
    db: AsyncSession, user_id: int | None, settings: Settings, unit_id: int | None = None
) -> bool:
    """Office staff (of ``unit_id``'s office, on a deployment of many units), or an admin."""
    if user_id is None:
        return False
    if is_admin(user_id, settings):
        return True
    mine = [Staff.unit_id == unit_id] if unit_id is not None else []
    found = await db.scalar(
        select(Staff.id).where(Staff.user_id == user_id, Staff.role == StaffRole.OFFICE, *mine).limit(1)
    )
    return found is not None


async def is_department_staff(
    db: AsyncSession, user_id: int | None, department_id: int, settings: Settings
) -> bool:
    if user_id is None:
        return False
    if is_admin(user_id, settings):
        return True
    found = await db.scalar(
        select(Staff.id)
        .where(
            Staff.user_id == user_id,
            Staff.role == StaffRole.DEPARTMENT,
            Staff.department_id == department_id,
        )
        .limit(1)
    )
    return found is not None


def refuse(reason: str, *, user_id: int | None, chat_id: int | None, action: str) -> None:
    """Log a refused action. Callers then answer politely and change nothing."""
    log.warning("refused %s: user=%s chat=%s reason=%s", action, user_id, chat_id, reason)


# --- linking groups and adding staff (admin commands and the CLI) --------------------------------


async def office_unit(db: AsyncSession, chat_id: int) -> units.UnitInfo | None:
    """The unit whose office group ``chat_id`` is (None: a deployment of one unit). The deployment's
    office group (``app_config``) is the top unit's, whichever unit row names it."""
    if not await units.many(db):
        return None
    unit = await units.for_office_chat(db, chat_id)
    return unit if unit is not None else await units.top(db)


async def link_office(db: AsyncSession, chat_id: int, unit_code: str = "") -> units.UnitInfo | None:
    """Make ``chat_id`` an office group. One unit: the deployment's office, as always. Many: the
    office of the unit named (a commune's group must never become the province's, which also gets
    what belongs to no unit); the top unit's is the deployment's too. Returns the unit linked."""
    if await department_for_chat(db, chat_id) is not None:
        raise NotAllowed("this chat is a department group")
    if not await units.many(db):
        await _set_config(db, "office_chat_id", str(chat_id))
        await db.flush()
        return None
    unit = await units.by_code(db, unit_code) if unit_code.strip() else None
    if unit is None:
        raise UnitNeeded(
            "name the unit whose office this is", code=unit_code, units=await units.all_units(db)
        )
    top = await units.top(db)
    holder = await units.for_office_chat(db, chat_id)
    deployment = await office_chat_id(db) == chat_id and holder is None
    is_top = top is not None and unit.id == top.id
    if (holder is not None and holder.id != unit.id) or (deployment and not is_top):
        raise NotAllowed("this chat is another unit's office group", unit=holder or top)
    row = await db.get(Unit, unit.id)
    assert row is not None
    row.office_chat_id = chat_id
    if is_top:
        await _set_config(db, "office_chat_id", str(chat_id))
    await db.flush()
    return unit


async def link_department(db: AsyncSession, chat_id: int, code: str, unit_code: str = "") -> Department:
    """Make ``chat_id`` the group of the department ``code`` (of the unit ``unit_code``, which must be
    named when several units have that code: never the first found)."""
    return await link_department_id(db, chat_id, (await _department(db, code, unit_code)).id)


async def link_department_id(db: AsyncSession, chat_id: int, department_id: int) -> Department:
    dept = await db.get(Department, department_id)
    if dept is None:
        raise InvalidInput("unknown department", department_id=department_id)
    if await is_office_chat(db, chat_id):
        raise NotAllowed("this chat is the office group")
    other = await department_for_chat(db, chat_id)
    if other is not None and other.id != dept.id:
        other.chat_id = None
        await db.flush()
    dept.chat_id = chat_id
    await db.flush()
    return dept


async def _department(db: AsyncSession, code: str, unit_code: str) -> Department:
    found = list(
        await db.scalars(
            select(Department).where(Department.code == code.strip().upper()).order_by(Department.id)
        )
    )
    if unit_code.strip():
        unit = await units.by_code(db, unit_code)
        found = [d for d in found if unit is not None and d.unit_id == unit.id]
    if not found:
        raise InvalidInput("unknown department code", code=code)
    if len(found) > 1:
        having = [(d.id, await units.get(db, d.unit_id)) for d in found]
        having = [(i, u) for i, u in having if u is not None]
        raise UnitNeeded(
            "several units have this department code",
            code=code,
            units=[u for _i, u in having],
            ids=[i for i, _u in having],  # each unit's department of that code
        )
    return found[0]


async def add_staff(
    db: AsyncSession,
    *,
    user_id: int,
    name: str,
    role: str,
    department_id: int | None,
    now: datetime,
    unit_id: int | None = None,
) -> Staff:
    """A staff member of a department, or of ``unit_id``'s office (a deployment of many units: office
    staff of one unit are not another's)."""
    mine = [Staff.unit_id == unit_id] if role == StaffRole.OFFICE and unit_id is not None else []
    existing = await db.scalar(
        select(Staff).where(
            Staff.user_id == user_id, Staff.role == role, Staff.department_id == department_id, *mine
        )
    )
    if existing is not None:
        existing.name = name or existing.name
        existing.unit_id = unit_id if unit_id is not None else existing.unit_id
        return existing
    row = Staff(
        user_id=user_id, name=name, role=role, department_id=department_id, created_at=now, unit_id=unit_id
    )
    db.add(row)
    await db.flush()
    return row
