"""Many units on one deployment: a province and its communes and wards (issue #15).

Each unit has its own office group, code prefix, departments, topics, staff, sessions and days off
(``units`` rows, loaded from the directory). A deployment with one unit (or none: the single-unit
directory file) behaves as it always did.

Staff of one unit never see another unit's rows. The office and department routers resolve the
unit of the group an action comes from and run the handler inside ``scoped(unit_id)``: every ORM
statement of that task then carries ``unit_id = :unit`` for questions, sessions, departments and
topics (``with_loader_criteria``), so a forged button naming another unit's question finds nothing
and is refused like a stale one. The notification layer, the read cache and reports given their
units read ``unscoped()``; the ticks run unconfined. Rows created inside a scope take its unit
(sessions) or their session's (questions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from bot.domain.directory import office_chat_id
from bot.domain.text import fold
from storage import readcache
from storage.models import Department, DialogueSession, Submission, Topic, Unit, UnitLevel
from storage.unitscope import creating_in, current, scoped, unscoped

__all__ = ["current", "scoped", "unscoped"]
SCOPED = (Submission, DialogueSession, Department, Topic)
UPPER_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT)


@dataclass(frozen=True)
class UnitInfo:
    """A unit as read at almost every step (a short-lived copy of its row)."""

    id: int
    code: str
    name_vi: str
    name_en: str
    level: str
    parent_id: int | None
    code_prefix: str | None
    office_chat_id: int | None
    days_off: tuple[date, ...]
    folded: str

    @property
    def upper(self) -> bool:
        return self.level in UPPER_LEVELS

    def name(self, locale: str | None) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi


# --- the scope of one staff action ---------------------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _confine(state: ORMExecuteState) -> None:
    unit = current()
    if unit is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # only the statement's own subjects: a question of the province forwarded by a commune still
    # shows its session and topic (loaded with it), which are the commune's
    subjects = {mapper.class_ for mapper in state.all_mappers} & set(SCOPED)
    if subjects:
        state.statement = state.statement.options(
            *(with_loader_criteria(model, model.unit_id == unit) for model in subjects)
        )


@event.listens_for(DialogueSession, "before_insert")
def _session_unit(mapper, connection, target: DialogueSession) -> None:
    if target.unit_id is None and creating_in() is not None:
        target.unit_id = creating_in()


@event.listens_for(Submission, "before_insert")
def _submission_unit(mapper, connection, target: Submission) -> None:
    if target.unit_id is not None:
        return
    session = target.__dict__.get("session")
    if session is not None:
        target.unit_id = session.unit_id
    elif target.session_id is not None:
        target.unit_id = connection.scalar(
            select(DialogueSession.unit_id).where(DialogueSession.id == target.session_id)
        )


# --- reading units ----------------------------------------------------------------------------------


async def all_units(db: AsyncSession) -> list[UnitInfo]:
    """Every active unit (a short-lived copy, read at each step of a citizen's conversation)."""

    async def load() -> list[UnitInfo]:
        rows = await db.scalars(select(Unit).where(Unit.active).order_by(Unit.id))
        return [
            UnitInfo(
                u.id,
                u.code,
                u.name_vi,
                u.name_en,
                u.level,
                u.parent_id,
                u.code_prefix,
                u.office_chat_id,
                tuple(date.fromisoformat(d) for d in u.days_off or ()),
                u.name_folded or fold(u.name_vi),
            )
            for u in rows
        ]

    return await readcache.cached(db.bind, "units", load)


async def many(db: AsyncSession) -> bool:
    """Whether the deployment has more than one unit (the citizen's choice and the scopes exist)."""
    return len(await all_units(db)) > 1


async def get(db: AsyncSession, unit_id: int | None) -> UnitInfo | None:
    if unit_id is None:
        return None
    return next((u for u in await all_units(db) if u.id == unit_id), None)


async def by_code(db: AsyncSession, code: str) -> UnitInfo | None:
    code = code.strip().upper()
    return next((u for u in await all_units(db) if u.code == code), None)


async def for_office_chat(db: AsyncSession, chat_id: int) -> UnitInfo | None:
    return next((u for u in await all_units(db) if u.office_chat_id == chat_id), None)


async def top(db: AsyncSession) -> UnitInfo | None:
    """The unit at the top (the province): its office is also the deployment's (``app_config``), the
    group of what belongs to no unit."""
    everything = await all_units(db)
    return next((u for u in everything if u.parent_id is None), everything[0] if everything else None)


async def parent_of(db: AsyncSession, unit_id: int | None) -> UnitInfo | None:
    unit = await get(db, unit_id)
    return await get(db, unit.parent_id) if unit is not None else None


async def line_of(db: AsyncSession, unit_id: int | None) -> list[int]:
    """The unit and the units above it (a citizen of a commune is offered their commune's sessions
    and the province's)."""
    out: list[int] = []
    unit = await get(db, unit_id)
    while unit is not None and unit.id not in out:
        out.append(unit.id)
        unit = await get(db, unit.parent_id)
    return out


async def subtree(db: AsyncSession, unit_id: int) -> list[int]:
    """The unit and every unit below it, the unit first (a province's report covers its communes)."""
    everything = await all_units(db)
    out, frontier = [unit_id], [unit_id]
    while frontier:
        frontier = [u.id for u in everything if u.parent_id in frontier and u.id not in out]
        out += frontier
    return out


async def choosable(db: AsyncSession) -> list[UnitInfo]:
    """The units a citizen picks as their own: communes and wards (every unit when none are)."""
    units = await all_units(db)
    local = [u for u in units if not u.upper]
    return local or units


async def match(db: AsyncSession, typed: str) -> list[UnitInfo]:
    """The units a citizen means by what they typed, with or without diacritics, abbreviated or
    not: "thach dai", "Thạch Đài", "X. Thạch Đài", "xã thạch đài", "thachdai", "Thạch Đài, Hà Tĩnh",
    "phuong cam xuyen ha tinh", a part of the name ("cam x"); an exact code ("TD", "u_td") too.
    A name written whole inside what was typed wins over partial matches; of a unit and the unit
    above it both named ("… Hà Tĩnh"), the lower one."""
    return match_in(await choosable(db), typed)


def match_in(units: Sequence[UnitInfo], typed: str) -> list[UnitInfo]:
    """``match`` among these units (an office's own and those below it, for ``/stats``)."""
    words = _core(fold(typed))
    if not words:
        return []
    code = typed.strip().upper().removeprefix("U_")
    exact = [u for u in units if u.code == code]
    if exact:
        return exact
    named = [u for u in units if _contains(words, _core(u.folded))]
    if named:
        parents = {u.parent_id for u in named}
        return [u for u in named if u.id not in parents]
    joined, squeezed = " ".join(words), "".join(words)
    return [u for u in units if joined in " ".join(_core(u.folded)) or squeezed in "".join(_core(u.folded))]


# How a unit's level is written before its name, whole or abbreviated ("P." folds to "p").
_LEVELS = {
    tuple(words.split())
    for words in (
        "ubnd", "uy ban nhan dan", "xa", "x", "phuong", "p", "thi tran", "tt", "huyen", "h", "quan", "q",
        "thanh pho", "tp", "thi xa", "tx", "tinh", "dac khu",
    )
}  # fmt: skip


def _core(folded: str) -> list[str]:
    """The words of a folded name without the level words before it ("ubnd xa thach dai" → thach dai)."""
    words = folded.split()
    stripped = True
    while stripped and words:
        stripped = False
        for level in _LEVELS:
            if tuple(words[: len(level)]) == level and len(words) > len(level):
                words, stripped = words[len(level) :], True
                break
    return words


def _contains(words: list[str], name: list[str]) -> bool:
    """Whether the name's words appear one after the other in what was typed."""
    size = len(name)
    return size > 0 and any(words[i : i + size] == name for i in range(len(words) - size + 1))


async def office_groups(db: AsyncSession) -> dict[int | None, int]:
    """Which office group hears about what belongs to each unit (its questions, its sessions, its
    citizens): on a deployment of many units each unit's own group — the top unit's (the province's)
    is the deployment's group when it has none of its own — and any other unit without one is absent:
    its citizens' names and phone numbers are never shown in another unit's group, they wait in its
    /inbox until an admin links its group (/link_office CODE). Key None (what belongs to no unit) and
    every unit of a deployment of one unit: the deployment's office group, as before units existed.
    The deployment's group stands in for nobody when it is another unit's office (a commune's own
    deployment grown into a province's, its group kept by the commune)."""
    everything = await all_units(db)
    deployment = await office_chat_id(db)
    if len(everything) <= 1:
        groups: dict[int | None, int] = {u.id: deployment for u in everything if deployment is not None}
        return {**groups, None: deployment} if deployment is not None else groups
    groups = {u.id: u.office_chat_id for u in everything if u.office_chat_id}
    first = await top(db)
    if deployment is None or any(chat == deployment and u != first.id for u, chat in groups.items()):
        return groups
    if first.id not in groups:
        groups[first.id] = deployment
    groups[None] = deployment
    return groups


async def office_for(db: AsyncSession, unit_id: int | None) -> int | None:
    """The office group of ``unit_id`` by ``office_groups``' rule (None: nowhere to send it)."""
    return (await office_groups(db)).get(unit_id)


async def prefix_for(db: AsyncSession, unit_id: int | None) -> str | None:
    unit = await get(db, unit_id)
    return unit.code_prefix if unit is not None else None


async def unit_of_submission(db: AsyncSession, submission_id: int) -> int | None:
    with unscoped():
        return await db.scalar(select(Submission.unit_id).where(Submission.id == submission_id))
