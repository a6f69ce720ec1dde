"""Intake benchmark: N citizens complete the whole question flow at once against the fake Bot API.

Prints updates handled per second and p50/p95 handling latency for the real bot, then, in the same
run and against the same fake server, a bare aiogram echo bot's updates per second, and the ratio.
The machine's speed drifts from minute to minute, so the two take turns for a few rounds (an echo
before the first flow round and after each: a round's ratio is against the mean of the echo just
before and just after it) and the median round's figures are printed (each round's too).

    .venv/bin/python bench/intake.py [--citizens 500] [--rounds 3] [--database-url URL]

A --database-url must name an empty database (the simulated citizens must be new to it; each round
brings new ones); the default is a temporary SQLite file per round.

It also prints the CPU time each process spent per update. BENCH_PROFILE=FILE writes a cProfile of
the bot process to FILE (the figures are then slower: the profiler costs more than the bot);
BENCH_PYSPY=FILE a sampling profile while the citizens are driven (needs `pip install py-spy`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from sqlalchemy import func, select

from bot.app import build_app, make_bot
from bot.domain.directory import load_file
from bot.domain.sessions import create_session
from bot.runner import tune_garbage_collector, warm_up
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from storage.models import DialogueSession

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Đường bê tông vào thôn Trung Sơn bị sụt lún sau mưa lũ, xe máy đi lại rất nguy hiểm."
TIMEOUT = 120


def steps(tg, user):
    """(action, number of bot messages it produces) for one citizen's whole flow: 9 updates (the only
    open session is chosen for them, the question's photo would travel with it, every step is one
    message)."""
    chat = user["id"] if isinstance(user, dict) else user.id
    return [
        (lambda: tg.send_text(user, "/start"), 1),
        (lambda: tg.press(chat, "✅ Đồng ý"), 1),
        (lambda: tg.press(chat, "Đất đai"), 1),
        (lambda: tg.send_text(user, QUESTION), 1),
        (lambda: tg.send_text(user, "Nguyễn Văn An"), 1),
        (lambda: tg.send_contact(user, "+84912345678"), 1),
        (lambda: tg.send_text(user, "Thôn Trung Sơn"), 1),
        (lambda: tg.press(chat, "Không nêu tên (ẩn danh)"), 1),
        (lambda: tg.press(chat, "✅ Gửi câu hỏi"), 1),
    ]


async def drive(tg, users, make_steps) -> tuple[float, list[float], int]:
    """Plays every user's steps at once; returns (wall time, per-step latencies, updates sent)."""
    latencies: list[float] = []
    count = 0

    async def one(user):
        nonlocal count
        chat = user["id"] if isinstance(user, dict) else user.id
        for action, replies in make_steps(tg, user):
            started = time.perf_counter()
            await action()
            await tg.next_message(chat, timeout=TIMEOUT)
            latencies.append(time.perf_counter() - started)
            for _ in range(replies - 1):
                await tg.next_message(chat, timeout=TIMEOUT)
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    return time.perf_counter() - started, latencies, count


# What is measured is the bot's own capacity: the fake server enforces no limits, and the bot's pacer
# (which keeps Telegram's 30 messages/s overall and 1/s per private chat, bot/notify/ratelimit.py) is
# set out of the way — with it, any bot answering 100 people at once is held near 30 replies/s.
UNPACED = {
    "rate_global_per_s": 100_000,
    "rate_private_per_s": 100_000,
    "rate_group_per_min": 1_000_000,
    "flood_max_updates": 0,
}


async def _run_bot_process(kind: str, base_url: str, database_url: str) -> int:
    """Child process: the bot under test (the real app, or a bare aiogram echo bot) until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if kind == "flow":
        settings = Settings(
            _env_file=None,
            telegram_api=base_url,
            database_url=database_url,
            bot_token="4242:BENCH",
            redis_url="",
            **UNPACED,
        )
        app = build_app(settings)
        counts = _count_statements(app.engine) if os.environ.get("BENCH_STATEMENTS") else None
        await app.start_polling()
        warm_up(app)  # as `doithoai run` does
        tune_garbage_collector()
        profile = None
        if os.environ.get("BENCH_PROFILE"):  # from here: the start-up is not what is measured
            import cProfile

            profile = cProfile.Profile()
            if os.environ.get("BENCH_PROFILE_STEP"):  # --by-step turns it on and off around that step
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGUSR1, profile.enable)
                loop.add_signal_handler(signal.SIGUSR2, profile.disable)
            else:
                profile.enable()
        print("ready", flush=True)
        await stop.wait()
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        await app.close()
        if counts is not None:
            Path(os.environ["BENCH_STATEMENTS"]).write_text(json.dumps(counts))

        return 0
    if kind == "echo":  # bare aiogram: its default session and settings
        bot = Bot("4343:ECHO", session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    else:  # "echo-tuned": the same Bot API client and process settings as the real bot
        bot = make_bot(Settings(_env_file=None, telegram_api=base_url, bot_token="4343:ECHO", **UNPACED))
        tune_garbage_collector()
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text)

    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    print("ready", flush=True)
    await stop.wait()
    await dp.stop_polling()
    await task
    await bot.session.close()
    return 0


def _count_statements(engine) -> dict[str, int]:
    """Database round trips the bot makes, by kind (BENCH_STATEMENTS=FILE, printed per update): each
    statement SQLAlchemy executes, each connection checked out of the pool, each BEGIN/COMMIT/ROLLBACK."""
    from collections import Counter

    from sqlalchemy import event

    counts: Counter[str] = Counter()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany) -> None:
        counts["statements"] += 1
        counts["statement: " + " ".join(statement.split()[:4])[:60]] += 1
        if os.environ.get("BENCH_TRACE"):
            print("SQL", " ".join(statement.split()[:6])[:80], file=sys.stderr)

    def note(name: str) -> None:
        counts[name] += 1
        if os.environ.get("BENCH_TRACE"):
            print("SQL", name, file=sys.stderr)

    for name in ("begin", "commit", "rollback"):
        event.listen(engine.sync_engine, name, lambda conn, _n=name: note(_n))
    event.listen(engine.sync_engine.pool, "checkout", lambda *a: note("checkout"))
    event.listen(engine.sync_engine.pool, "connect", lambda *a: note("new connection"))
    if engine.dialect.name == "postgresql":  # statements sent on asyncpg's own connection too
        import asyncpg

        for method in ("execute", "fetch", "fetchrow", "fetchval"):
            original = getattr(asyncpg.Connection, method)

            async def counted(self, query, *args, _original=original, **kw):
                words = " ".join(str(query).split()[:4])[:60]
                if words.split(" ")[0].rstrip(";").upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):  # above
                    note("statements")
                    note("asyncpg: " + words)
                return await _original(self, query, *args, **kw)

            setattr(asyncpg.Connection, method, counted)
        from asyncpg.transaction import Transaction  # what reaches the server (storage.db.NOT_BEGUN)

        for method in ("start", "commit", "rollback"):
            original = getattr(Transaction, method)

            async def sent(self, _original=original, _name=method):
                note(f"server: {'BEGIN' if _name == 'start' else _name.upper()}")
                return await _original(self)

            setattr(Transaction, method, sent)
    return counts


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu_seconds() -> float:
    """CPU time used so far by the database server's processes on this machine (PostgreSQL's
    backends, those still running: a connection closed during the run takes its share with it)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += _cpu_seconds(int(entry.name))
    return total


async def _start_pyspy(pid: int) -> asyncio.subprocess.Process:
    """A sampling profile of the bot process into BENCH_PYSPY (py-spy's raw format) until SIGINT."""
    spy = await asyncio.create_subprocess_exec(
        "py-spy", "record", "--pid", str(pid), "--rate", "500", "--format", "raw",
        "-o", os.environ["BENCH_PYSPY"], stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # py-spy attaches
    return spy


@contextlib.asynccontextmanager
async def bot_process(kind: str, base_url: str, database_url: str = "", cpu: dict | None = None):
    """The bot runs in its own process, as it would beside the real Telegram: the fake server and the
    simulated people (this process) do not compete with it for the interpreter. ``cpu["bot"]`` and
    ``cpu["driver"]`` receive the CPU seconds each process spent inside the block."""
    args = [sys.executable, __file__, "--serve-bot", kind, base_url, database_url or "-"]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"the {kind} bot did not start")
        bot_before, driver_before = _cpu_seconds(proc.pid), time.process_time()
        server_before = _server_cpu_seconds()
        spy = None
        if os.environ.get("BENCH_PYSPY") and kind == "flow" and not os.environ.get("BENCH_PROFILE_STEP"):
            spy = await _start_pyspy(proc.pid)
        yield proc.pid
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()
        if cpu is not None:
            cpu["bot"] = _cpu_seconds(proc.pid) - bot_before
            cpu["driver"] = time.process_time() - driver_before
            cpu["server"] = _server_cpu_seconds() - server_before
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


STEP_NAMES = ["/start", "consent", "topic", "question", "name", "contact", "address", "anonymous", "submit"]


per_step_wall: dict[str, float] = {}


async def drive_by_step(tg, users, make_steps, pid: int) -> dict[str, float]:
    """Every user takes step 1 at once, then step 2…: the bot's CPU milliseconds per update, by step
    (and in ``per_step_wall`` the seconds until every user had the step's answer)."""
    per_step: dict[str, float] = {}
    walls = per_step_wall
    plans = [(user, make_steps(tg, user)) for user in users]

    async def one(user, action, replies):
        chat = user["id"] if isinstance(user, dict) else user.id
        await action()
        for _ in range(replies):
            await tg.next_message(chat, timeout=TIMEOUT)

    profiled = os.environ.get("BENCH_PROFILE_STEP")
    for index, name in enumerate(STEP_NAMES):
        spy = None
        if name == profiled and os.environ.get("BENCH_PYSPY"):
            spy = await _start_pyspy(pid)
        elif name == profiled:
            os.kill(pid, signal.SIGUSR1)
        before, started = _cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(one(user, *plan[index]) for user, plan in plans))
        per_step[name] = (_cpu_seconds(pid) - before) / len(users) * 1000
        walls[name] = time.perf_counter() - started
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()
        elif name == profiled:
            os.kill(pid, signal.SIGUSR2)
    return per_step


async def bench_flow(
    n: int, database_url: str, cpu: dict, first_user: int = 900_000
) -> tuple[float, list[float], int]:
    async with FakeTelegram() as tg:
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:BENCH",
            redis_url="",
        )
        app = build_app(settings)  # only to prepare the database
        await app.migrate()
        async with app.sessionmaker() as db:
            await load_file(db, ROOT / "directory" / "sample_commune.toml", app.clock.now())
            if await db.scalar(select(func.count()).select_from(DialogueSession)) == 0:  # one per database
                await create_session(  # (the rounds on one --database-url share it: one open session)
                    db,
                    title="Hội nghị đối thoại",
                    place="Hội trường",
                    starts_at=app.clock.now() + timedelta(days=20),
                    now=app.clock.now(),
                    announce=True,
                )
            await db.commit()
        await app.close()
        users = [tg.user(first_user + i, f"Dân {i}", language_code="vi") for i in range(n)]
        async with bot_process("flow", tg.base_url, database_url, cpu) as pid:
            if cpu.get("by_step"):
                cpu["by_step"] = await drive_by_step(tg, users, steps, pid)
                return 1.0, [0.0], 1
            result = await drive(tg, users, steps)
        assert not tg.violations, tg.violations[:3]
        return result


def print_statements(path: str, updates: int) -> None:
    counts = json.loads(Path(path).read_text())
    print(f"database round trips per update (the bot process, {updates} updates):")
    for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        if count / updates >= 0.05:
            print(f"  {count / updates:6.2f}  {name}")


def echo_steps(tg, user):
    """As many updates per user as the flow has."""
    return [(lambda i=i: tg.send_text(user, f"tin nhắn {i}"), 1) for i in range(len(steps(tg, user)))]


async def bench_echo(n: int, cpu: dict, kind: str = "echo") -> tuple[float, list[float], int]:
    async with FakeTelegram() as tg:
        users = [tg.user(800_000 + i, f"Echo {i}") for i in range(n)]
        async with bot_process(kind, tg.base_url, cpu=cpu):
            return await drive(tg, users, echo_steps)


@dataclass
class Run:
    seconds: float
    latencies: list[float]
    n: int
    cpu: dict

    @property
    def ups(self) -> float:
        return self.n / self.seconds


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


async def main() -> None:
    if sys.argv[1:2] == ["--serve-bot"]:
        kind, base_url, database_url = sys.argv[2:5]
        raise SystemExit(await _run_bot_process(kind, base_url, database_url))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--statements", action="store_true", help="count the bot's database round trips per update"
    )
    parser.add_argument(
        "--by-step", action="store_true", help="the bot's CPU per update for each step of the flow, then stop"
    )
    args = parser.parse_args()
    if args.by_step:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            await bench_flow(args.citizens, url, cpu := {"by_step": True})
        echo: dict = {}
        run = Run(*await bench_echo(args.citizens, echo), echo)
        print(f"the bot's CPU per update by step, {args.citizens} citizens at a time (ms), and the time")
        print("until all of them had the step's answer (s):")
        for name, ms in cpu["by_step"].items():
            print(f"  {name:10} {ms:5.2f}   {per_step_wall[name]:5.2f} s")
        average = sum(cpu["by_step"].values()) / len(STEP_NAMES)
        print(f"  {'whole flow':10} {average:5.2f} per update on average")
        print(f"  bare aiogram echo: {run.cpu['bot'] / run.n * 1000:.2f}")
        return
    counted = str(Path(tempfile.mkdtemp()) / "statements.json") if args.statements else ""
    if counted:
        os.environ["BENCH_STATEMENTS"] = counted
    backend = args.database_url.split(":")[0] if args.database_url else "sqlite"
    print(
        f"citizens: {args.citizens}, database: {backend}, "
        f"rounds: {args.rounds} (the echo bot, then the intake flow and the echo bot again, each round)"
    )
    rounds = []
    # The echo runs before the first round and after every round: each flow round is compared with
    # the mean of the echo just before and just after it (the machine's speed drifts during a round).
    before = Run(*await bench_echo(args.citizens, first_cpu := {}), first_cpu)
    for number in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            first_user = 900_000 + number * args.citizens  # new people each round (one --database-url)
            flow = Run(*await bench_flow(args.citizens, url, flow_cpu := {}, first_user), flow_cpu)
        echo = Run(*await bench_echo(args.citizens, echo_cpu := {}), echo_cpu)
        both = (before.ups + echo.ups) / 2
        rounds.append((flow.ups / both, flow, echo))
        print(
            f"round {number}: intake {flow.ups:.0f} updates/s, bare aiogram echo {before.ups:.0f} before "
            f"and {echo.ups:.0f} after, ratio {flow.ups / both:.2f} (bot CPU per update "
            f"{flow.cpu['bot'] / flow.n * 1000:.2f} ms, echo {echo.cpu['bot'] / echo.n * 1000:.2f} ms)",
            flush=True,
        )
        before = echo
    if counted:
        print_statements(counted, rounds[-1][1].n)  # the last round's
        os.unlink(counted)
    ratio, flow, echo = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]  # the median round
    print("the median round:")
    print(
        f"  intake flow: {flow.n} updates in {flow.seconds:.1f} s = {flow.ups:.0f} updates/s; "
        f"handling latency p50 {pct(flow.latencies, 50):.0f} ms, p95 {pct(flow.latencies, 95):.0f} ms"
    )
    print(
        f"  bare aiogram echo bot: {echo.n} updates in {echo.seconds:.1f} s = {echo.ups:.0f} updates/s; "
        f"p50 {pct(echo.latencies, 50):.0f} ms, p95 {pct(echo.latencies, 95):.0f} ms"
    )
    for name, run in (("intake", flow), ("echo", echo)):
        print(
            f"  CPU per update ({name}): bot {run.cpu['bot'] / run.n * 1000:.2f} ms, "
            f"fake server + simulated citizens {run.cpu['driver'] / run.n * 1000:.2f} ms"
            + (f", PostgreSQL {run.cpu['server'] / run.n * 1000:.2f} ms" if run.cpu["server"] > 0 else "")
        )
    tuned = Run(*await bench_echo(args.citizens, {}, "echo-tuned"), {})
    print(
        f"echo bot with the real bot's Bot API client and GC settings (make_bot): {tuned.ups:.0f} "
        f"updates/s; ratio intake (median round) / this echo: {flow.ups / tuned.ups:.2f}"
    )
    print(f"ratio (intake / bare aiogram echo), median of {len(rounds)} rounds: {ratio:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    asyncio.run(main())
