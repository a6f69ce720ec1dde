"""Serving the public website: inside ``doithoai run`` (``start_web(app)``, when ``DOITHOAI_WEB_PORT``
is set) or alone (``doithoai web``: ``run_standalone``, which never imports aiogram).

``DOITHOAI_WEB_PORT`` unset: no site in ``doithoai run``; 0: any free port (tests).

``start_web`` also stores what the bot's own posts need to know in the database (the public channel,
the site's address and the bot's username: ``bot.notify.public.configure``), whether or not the site
is served by this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock

log = logging.getLogger(__name__)

STANDALONE_PORT = 8080


class WebHandle:
    """The running site; ``await handle.stop()`` closes it (``doithoai run``'s background jobs)."""

    def __init__(self, runner: web.AppRunner, site: web.TCPSite) -> None:
        self.runner, self.site = runner, site

    @property
    def port(self) -> int:
        server = self.site._server  # noqa: SLF001 - aiohttp keeps the bound sockets there
        return server.sockets[0].getsockname()[1] if server and server.sockets else 0

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(
    settings: Any,
    sessionmaker: Any,
    clock: Clock,
    *,
    host: str | None = None,
    port: int | None = None,
    **options: Any,
) -> WebHandle:
    from bot.web.app import make_web_app

    app = make_web_app(settings, sessionmaker, clock, **options)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.web_host, port if port is not None else settings.web_port)
    await site.start()
    handle = WebHandle(runner, site)
    log.info("public website on http://%s:%s/", host or settings.web_host, handle.port)
    return handle


async def start_web(app: Any) -> list[WebHandle]:
    """``doithoai run``: record the public settings and the bot's username; serve the site when a port
    is set. Returns the handles to stop."""
    from bot.notify.public import configure

    username = None
    with contextlib.suppress(Exception):
        username = (await app.bot.me()).username
    async with app.sessionmaker() as db:
        await configure(db, app.settings, username)
        await db.commit()
    if app.settings.web_port is None:
        return []
    return [await serve(app.settings, app.sessionmaker, app.clock, bot_username=username)]


async def run_standalone(settings: Any, *, host: str | None = None, port: int | None = None) -> int:
    """``doithoai web``: the site alone, on its own database connection, until interrupted."""
    from bot import i18n
    from storage.db import make_engine, make_sessionmaker, upgrade

    i18n.set_timezone(settings.timezone)
    engine = make_engine(settings.database_url)
    await upgrade(engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    handle = await serve(
        settings,
        make_sessionmaker(engine),
        SystemClock(),
        host=host,
        port=port
        if port is not None
        else (STANDALONE_PORT if settings.web_port is None else settings.web_port),
    )
    print(f"public website on http://{host or settings.web_host}:{handle.port}/ (Ctrl+C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        await handle.stop()
        await engine.dispose()
    return 0
