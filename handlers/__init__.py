"""Chat handlers, one router per audience. Routers are built per application (a router can have
only one parent, and tests build many applications), so each module exposes ``make_router``."""

from __future__ import annotations

from aiogram import Router

from bot.settings import Settings


def get_routers(settings: Settings) -> list[Router]:
    from handlers import citizen, department, followup, menus, office, reports, staff

    routers: list[Router] = []
    # Staff routers (office group, department groups) go here, before the citizens' router.
    routers.append(followup.make_router(settings))  # citizens' rating buttons (fu:…), private chats
    routers.append(menus.make_router(settings))
    routers.append(staff.make_link_router(settings))
    routers.append(reports.make_router(settings))  # before the office router's catch-all
    routers.append(office.make_router(settings))
    routers.append(department.make_router(settings))
    routers.append(staff.make_fallback_router(settings))
    routers.append(citizen.make_router(settings))
    return routers
