"""``doithoai run``: migrate, then long polling until interrupted (plus the background jobs).

``doithoai run --webhook --public-url URL``: Telegram posts the updates to ``URL/telegram/webhook``
(registered with a secret token at start), served on ``--telegram-port``. With ``--workers N`` this
process registers the webhook and starts N worker processes that listen on the same port
(SO_REUSEPORT) and share the database: see bot/channels/telegram/webhook.py, storage/locks.py,
bot/notify/shared_dispatcher.py and shared_rate.py, and README's deployment guide."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

from bot.app import build_app
from bot.settings import Settings
from bot.web.server import start_web

log = logging.getLogger(__name__)


async def run(
    settings: Settings,
    *,
    webhook: bool = False,
    host: str = "0.0.0.0",
    port: int = 8081,
    public_url: str = "",
    telegram_port: int = 8443,
    workers: int = 1,
    worker: int | None = None,
) -> int:
    """``worker``: this process is worker number ``worker`` of ``workers`` started by ``run`` itself."""
    if not settings.bot_token:
        log.error(
            "DOITHOAI_BOT_TOKEN is not set (see README); try `doithoai demo` to see the bot without one"
        )
        return 2
    telegram_webhook = webhook and bool(public_url or worker is not None)
    if workers > 1 or worker is not None:
        if not telegram_webhook:
            log.error("several workers receive Telegram by webhook: give --webhook --public-url URL")
            return 2
        if not settings.database_url.startswith("postgresql"):
            log.error("several workers share a PostgreSQL database (DOITHOAI_DATABASE_URL)")
            return 2
        settings = settings.model_copy(update={"workers": max(workers, 1)})
        if worker is None:
            return await run_workers(settings, public_url, telegram_port, host, port)
    first = worker in (None, 0)  # the website, the ops endpoint's port and Zalo: one process only
    app = build_app(settings)
    if worker is None and await app.migrate():
        log.info("database migrated")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    lease = keeping = None
    if worker is None:  # one active process per database, the others on standby; webhook workers
        from bot.ops.server import StandbyHealth
        from bot.ops.standby import RunLease  # share instead (per-chat locks, one rate, SKIP LOCKED)

        lease = RunLease(app.sessionmaker, settings.run_lease_s)
        standby = StandbyHealth(settings)  # /health says "standby" while this process waits
        try:
            turn = await lease.wait_for_turn(stop, on_standby=standby.start)
        finally:
            await standby.stop()
        if not turn:
            await app.close()
            return 0
        keeping = asyncio.create_task(lease.keep(stop))
    background = await start_background(app)
    from bot.ops.server import start_ops  # /health and /metrics, update counts, log context

    if not first and settings.ops_port:
        app.settings = settings = settings.model_copy(update={"ops_port": settings.ops_port + worker})
    background.append(await start_ops(app, background))
    if (settings.zalo_token or settings.zalo_channel == "oa") and first:
        from bot.channels.zalo.receiver import start_zalo

        background.append(await start_zalo(app, webhook=webhook, host=host, port=port, public_url=public_url))
        oa = settings.zalo_channel == "oa"
        log.info(
            "serving Zalo citizens by %s", "the OA's webhook" if oa else "webhook" if webhook else "polling"
        )
    if telegram_webhook:
        from bot.channels.telegram.webhook import register_webhook, serve_webhook

        if worker is None:
            url = await register_webhook(app, public_url, max_connections=settings.max_concurrent_updates)
            log.info("Telegram webhook registered at %s", url)
        background.insert(0, await serve_webhook(app, host, telegram_port, reuse_port=worker is not None))
        log.info("serving Telegram by webhook on %s:%d (worker %s)", host, telegram_port, worker)
    else:
        await app.start_polling(polling_timeout=30)
    if first:
        background += await start_web(app)  # the public website (DOITHOAI_WEB_PORT), the channel's settings
    warm_up(app)
    tune_garbage_collector()
    log.info("bot is running; press Ctrl+C to stop")
    await stop.wait()
    for job in background:
        await job.stop()
    await app.stop_polling()
    if lease is not None:
        keeping.cancel()
        await lease.release()  # in-flight deliveries are recorded, polling stopped: a standby may start
    await app.close()
    return 0


async def run_workers(settings: Settings, public_url: str, telegram_port: int, host: str, port: int) -> int:
    """Migrate, register the webhook, then run ``settings.workers`` worker processes on one port until
    interrupted (SIGINT/SIGTERM are passed on); if one of them ends, the others are stopped."""
    import sys

    from bot.channels.telegram.webhook import register_webhook

    app = build_app(settings)
    try:
        if await app.migrate():
            log.info("database migrated")
        url = await register_webhook(
            app, public_url, max_connections=settings.max_concurrent_updates * settings.workers
        )
        log.info("Telegram webhook registered at %s; starting %d workers", url, settings.workers)
    finally:
        await app.close()
    args = [sys.executable, "-m", "bot.cli", "run", "--webhook", "--public-url", public_url]
    args += ["--host", host, "--port", str(port), "--telegram-port", str(telegram_port)]
    args += ["--workers", str(settings.workers)]
    procs = [await asyncio.create_subprocess_exec(*args, "--worker", str(i)) for i in range(settings.workers)]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ended = [asyncio.ensure_future(p.wait()) for p in procs]
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait([stopping, *ended], return_when=asyncio.FIRST_COMPLETED)
    if not stop.is_set():
        log.error("a worker process ended; stopping the others")
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    codes = [await p.wait() for p in procs]
    stopping.cancel()
    return 0 if stop.is_set() and all(code == 0 for code in codes) else 1


def warm_up(app) -> None:
    """What the first update would otherwise load (before the collector freezes start-up's objects)."""
    from bot import i18n
    from bot.domain.deadlines import warm_up as calendar

    calendar(app.clock.now().date())
    i18n.warm_up()


def tune_garbage_collector() -> None:
    """A long-running bot allocates many short-lived objects per update (models, statements): the
    objects made at start-up are frozen out of the collector's sight and the youngest generation is
    collected less often. bench/intake.py: bot CPU per update about 15% lower."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


async def start_background(app) -> list:
    """The scheduler (a deadline tick every minute) and the outbox dispatcher."""
    from bot.notify.scheduler import start_background as start

    return [await start(app)]
