"""The operations endpoint of ``doithoai run``: ``GET /health`` and ``GET /metrics`` (Prometheus) on a
small aiohttp app of its own, at ``DOITHOAI_OPS_HOST``:``DOITHOAI_OPS_PORT`` (127.0.0.1 by default;
no endpoint unless a port is set). The update middleware (counting, log context) is installed
either way.

``/health`` answers 200 with a JSON body when the database answers, the Telegram polling loop runs
and the minute tick has run in the last ``TICK_STALE`` (once the bot has been up that long), else 503
with the same body saying which check failed. A process waiting as a hot standby answers 200 with
``"status": "standby"`` (``StandbyHealth``) until it takes over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.ops.metrics import OpsMetrics, UpdateMetrics

log = logging.getLogger(__name__)

TICK_STALE = 300.0  # seconds without a finished tick before /health fails
DB_TIMEOUT = 5.0


class Ops:
    """The metrics of one running application, and its endpoint when configured."""

    def __init__(self, app: Any, background: list[Any] | None = None) -> None:
        self.app = app
        self.metrics = OpsMetrics()
        self.started = time.monotonic()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.metrics.read_deliveries_from(self._delivery_stats)
        app.dp.update.outer_middleware(UpdateMetrics(self.metrics))
        for job in background or ():
            scheduler = getattr(job, "scheduler", None)
            if scheduler is not None:
                self.time_ticks(scheduler)

    def _delivery_stats(self) -> Any:
        dispatcher = self.app.extras.get("dispatcher")
        return dispatcher.stats if dispatcher is not None else None

    def time_ticks(self, scheduler: Any) -> None:
        """Time the scheduler's jobs from its own events (submitted → executed)."""
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED

        started: dict[str, float] = {}

        def on_event(event: Any) -> None:
            if event.code == EVENT_JOB_SUBMITTED:
                started[event.job_id] = time.perf_counter()
                return
            begun = started.pop(event.job_id, None)
            if event.code == EVENT_JOB_EXECUTED and begun is not None:
                self.metrics.tick_done(time.perf_counter() - begun)

        scheduler.add_listener(on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    # --- the endpoints ------------------------------------------------------------------------------

    async def health(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {}
        ok = True
        try:
            async with asyncio.timeout(DB_TIMEOUT), self.app.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                await conn.rollback()
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            checks["database"] = f"failed: {type(exc).__name__}: {exc}"[:300]
            ok = False
        polling = getattr(self.app, "_polling", None)
        if self.app.extras.get("telegram_webhook") is not None:  # updates come by webhook instead
            checks["telegram_webhook"] = "ok"
        elif polling is None or polling.done():
            checks["telegram_polling"] = "stopped"
            ok = False
        else:
            checks["telegram_polling"] = "ok"
        up = time.monotonic() - self.started
        last = self.metrics.tick_last_monotonic
        if last is not None:
            checks["last_tick_seconds_ago"] = round(time.monotonic() - last, 1)
        if (last is None and up > TICK_STALE) or (last is not None and time.monotonic() - last > TICK_STALE):
            checks["tick"] = "stale"
            ok = False
        else:
            checks["tick"] = "ok"
        if checks["database"] == "ok":
            checks["outbox"] = await self.metrics.refresh_outbox(self.app.sessionmaker, self.app.clock.now())
        return ok, {"status": "ok" if ok else "fail", "checks": checks}

    async def _health(self, request: web.Request) -> web.Response:
        ok, body = await self.health()
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            await self.metrics.refresh_outbox(self.app.sessionmaker, self.app.clock.now())
        except Exception:  # the other metrics are still worth serving
            log.warning("metrics: could not read the outbox backlog", exc_info=True)
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def serve(self, host: str, port: int) -> str:
        routes = {"/health": self._health, "/metrics": self._metrics}
        self._runner, self.url = await _serve(routes, host, port)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def _serve(routes: dict[str, Any], host: str, port: int) -> tuple[web.AppRunner, str]:
    web_app = web.Application()
    for path, handler in routes.items():
        web_app.router.add_get(path, handler)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
    return runner, f"http://{host}:{bound[1]}"


class StandbyHealth:
    """``/health`` of a ``doithoai run`` waiting as a hot standby (bot/ops/standby.py): 200 with
    ``{"status": "standby", "checks": {"run_lease": "held by …"}}`` — alive and ready to take over,
    not serving. Started when the process starts waiting, stopped when it takes over (the active
    process's endpoint then takes the port)."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.holder = ""
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self, holder: str) -> None:
        self.holder = holder
        host, port = self.settings.ops_host, self.settings.ops_port
        if port is None or self._runner is not None:
            return
        try:
            self._runner, self.url = await _serve({"/health": self._health}, host, port)
        except OSError as exc:  # e.g. the active process on this machine has the port
            log.warning("standby: cannot serve /health on %s:%s (%s)", host, port, exc)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "standby", "checks": {"run_lease": f"held by {self.holder}"}})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def start_ops(app: Any, background: list[Any] | None = None) -> Ops:
    """Install the update metrics on ``app`` and, when ``settings.ops_port`` is set, serve
    ``/health`` and ``/metrics``; ``await ops.stop()`` ends it."""
    ops = Ops(app, background)
    host, port = app.settings.ops_host, app.settings.ops_port
    if port is None:
        return ops
    try:
        url = await ops.serve(host, port)
    except OSError as exc:  # the citizens' bot runs on; the missing endpoint is visible from outside
        log.error("cannot serve /health and /metrics on %s:%s (%s): check DOITHOAI_OPS_PORT", host, port, exc)
        return ops
    log.info("health and metrics at %s/health and %s/metrics", url, url)
    return ops
