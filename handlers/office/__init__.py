"""The office group: one small handler per button (triage, extensions, sessions), the commands, and
the replies to the bot's prompts.

Guarded here, for every module below: only the registered office group (``OfficeChat``), only office
staff or admins (``StaffOnly``). Every press re-loads what it acts on, and the domain checks the
state again inside the transaction."""

from __future__ import annotations

from aiogram import Router

from bot.channels.telegram.filters import OfficeChat
from bot.settings import Settings
from handlers.office import (
    agenda,
    classify,
    commands,
    extensions,
    forwarding,
    ladder,
    recording,
    replies,
    reporting,
    sessions,
    triage,
)
from handlers.staff import guarded

# questions recorded by the office, the agenda at the session, forwarding, classification, reports
MORE = (recording, agenda, forwarding, classify)


def make_router(settings: Settings) -> Router:
    router = guarded("office", OfficeChat(), "office", settings)
    router.include_routers(
        triage.make_router(),
        extensions.make_router(),
        sessions.make_router(),
        commands.make_router(),
        recording.make_router(settings),
        agenda.make_router(),
        forwarding.make_router(),
        ladder.make_router(),
        classify.make_router(),
        reporting.make_router(),
        replies.make_router(
            {
                **triage.REPLIES,
                **sessions.REPLIES,
                **commands.REPLIES,
                **{k: v for m in MORE for k, v in m.REPLIES.items()},
            }
        ),
    )
    return router
