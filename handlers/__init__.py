"""Chat handlers, one router per audience. Routers are built per application (a router can have
only one parent, and tests build many applications), so each module exposes ``make_router``."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.filters import GROUPS, PRIVATE, ChatType
from bot.settings import Settings


def _scoped(name: str, chat_types: tuple[str, ...], children: list[Router]) -> Router:
    """A parent router that lets through only messages and buttons from these chat types, so an
    update from a private chat never runs the groups' filters, and the other way round."""
    router = Router(name=name)
    router.message.filter(ChatType(chat_types))
    router.callback_query.filter(ChatType(chat_types))
    router.include_routers(*children)
    return router


def get_routers(settings: Settings) -> list[Router]:
    from handlers import (
        audit,
        authority,
        citizen,
        department,
        followup,
        menus,
        office,
        oversight,
        publication,
        reports,
        staff,
    )

    private = _scoped(
        "private",
        PRIVATE,
        [
            followup.make_router(settings),  # citizens' rating buttons (c:…)
            staff.make_private_fallback_router(settings),  # staff commands used in a private chat
            citizen.make_router(settings),  # everything else a citizen sends
        ],
    )
    groups = _scoped(
        "groups",
        GROUPS,
        [
            staff.make_link_router(settings),
            oversight.make_router(settings),  # /link_oversight; the oversight group's /stats and refusals
            reports.make_router(settings),  # before the office router's catch-all
            audit.make_router(settings),  # /audit (admins only), before the office router
            publication.make_router(settings),  # /publish, 📢 buttons: before the office's catch-all
            office.make_router(settings),
            department.make_router(settings),
            authority.make_router(settings),  # a competent authority's own group answers what was forwarded
            staff.make_group_fallback_router(settings),
        ],
    )
    return [menus.make_router(settings), private, groups]
