"""Who may do what, where: admins, office staff, department staff, and the registered group chats.

Admins are ``settings.admin_ids``. Office staff are ``staff`` rows with role "office"; department
staff are rows with role "department" and their ``department_id``. The office group is the
``app_config`` key ``office_chat_id``; a department's group is ``departments.chat_id``.

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
from bot.domain.errors import InvalidInput, NotAllowed
from bot.settings import Settings
from storage.models import Department, Staff, StaffRole

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


async def link_office(db: AsyncSession, chat_id: int) -> None:
    if await department_for_chat(db, chat_id) is not None:
        raise NotAllowed("this chat is a department group")
    await _set_config(db, "office_chat_id", str(chat_id))
    await db.flush()


async def link_department(db: AsyncSession, chat_id: int, code: str) -> Department:
    dept = await db.scalar(select(Department).where(Department.code == code.strip().upper()))
    if dept is None:
        raise InvalidInput("unknown department code", code=code)
    if await is_office_chat(db, chat_id):
        raise NotAllowed("this chat is the office group")
    other = await department_for_chat(db, chat_id)
    if other is not None and other.id != dept.id:
        other.chat_id = None
        await db.flush()
    dept.chat_id = chat_id
    await db.flush()
    return dept


async def add_staff(
    db: AsyncSession,
    *,
    user_id: int,
    name: str,
    role: str,
    department_id: int | None,
    now: datetime,
) -> Staff:
    existing = await db.scalar(
        select(Staff).where(
            Staff.user_id == user_id, Staff.role == role, Staff.department_id == department_id
        )
    )
    if existing is not None:
        existing.name = name or existing.name
        return existing
    row = Staff(user_id=user_id, name=name, role=role, department_id=department_id, created_at=now)
    db.add(row)
    await db.flush()
    return row
