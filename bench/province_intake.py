"""Intake in webhook mode on PostgreSQL: updates per second with 1 and with 2 worker processes.

The real ``doithoai run --webhook --public-url URL --workers N`` runs against the fake Bot API, which
posts the updates to the webhook as Telegram does (a chat's updates one after the other, chats at
once, up to setWebhook's ``max_connections``). N simulated citizens each complete the 9-step question
flow at once (bench/intake.py's steps); the same run measures 1 worker, then 2, a few rounds each way,
and prints the ratio of the median rounds. One worker is ``--workers 1``, as a deployment would run
it: a single process keeps a chat's conversation state in memory and needs no lock per chat; each of
two workers reads the state from the database and takes the chat's lock (storage/locks.py).

    .venv/bin/python bench/province_intake.py --database-url postgresql+asyncpg://…/EMPTY_DB \\
        [--citizens 200] [--rounds 2]

The database must be empty (it is migrated and given the sample directory); each round brings new
citizens. Everything — the fake server and the citizens, the workers, PostgreSQL — shares this
machine's cores: read the ratio with the CPU figures printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import UNPACED, _cpu_seconds, drive, steps  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.domain.directory import load_file  # noqa: E402
from bot.domain.sessions import create_session  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.simulator.telegram import FakeTelegram  # noqa: E402

TOKEN = "4242:PROVINCE"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def prepare(database_url: str, base_url: str) -> None:
    app = build_app(
        Settings(_env_file=None, telegram_api=base_url, database_url=database_url, bot_token=TOKEN)
    )
    await app.migrate()
    async with app.sessionmaker() as db:
        await load_file(db, ROOT / "directory" / "sample_commune.toml", app.clock.now())
        await create_session(
            db,
            title="Hội nghị đối thoại",
            place="Hội trường",
            starts_at=app.clock.now() + timedelta(days=20),
            now=app.clock.now(),
            announce=True,
        )
        await db.commit()
    await app.close()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found += [int(entry.name), *_descendants(int(entry.name))]
    return found


async def one_round(
    tg: FakeTelegram, database_url: str, workers: int, citizens: int, first_user: int, redis_url: str = ""
) -> dict:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
    if os.environ.get("BENCH_WORKER_PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["BENCH_WORKER_PYTHONPATH"]
    env |= {
        "DOITHOAI_DATABASE_URL": database_url,
        "DOITHOAI_BOT_TOKEN": TOKEN,
        "DOITHOAI_TELEGRAM_API": tg.base_url,
        # the workers' capacity is measured, not Telegram's limits (bench/intake.py's UNPACED): with
        # them, 30 messages per second overall hold any number of workers near 20 updates per second
        **{f"DOITHOAI_{name.upper()}": str(value) for name, value in UNPACED.items()},
        "DOITHOAI_REDIS_URL": redis_url,
    }
    args = ["run", "--webhook", "--public-url", f"http://127.0.0.1:{port}", "--telegram-port", str(port)]
    args += ["--host", "127.0.0.1", "--port", str(free_port()), "--workers", str(workers)]
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    log: list[str] = []

    async def read_log() -> None:
        async for line in parent.stderr:
            log.append(line.decode(errors="replace"))

    reader = asyncio.create_task(read_log())
    try:
        await tg.wait_for(lambda: tg.webhook is not None, timeout=60)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while sum("serving Telegram by webhook" in line for line in log) < workers:  # all listening
            assert loop.time() < deadline, "".join(log[-20:])
            await asyncio.sleep(0.05)
        # warm-up: every worker answers before the clock starts
        warm = [tg.user(first_user - 1 - i, f"Khởi động {i}") for i in range(20)]
        await asyncio.gather(*(tg.send_text(u, "/start") for u in warm))
        for u in warm:
            await tg.next_message(u.id, timeout=120)
        procs = [parent.pid, *_descendants(parent.pid)]
        cpu_before = {pid: _cpu_seconds(pid) for pid in procs}
        driver_before = time.process_time()
        users = [tg.user(first_user + i, f"Dân {i}", language_code="vi") for i in range(citizens)]
        try:
            seconds, latencies, updates = await drive(tg, users, steps)
        except Exception:
            print("".join(log[-40:]), file=sys.stderr)  # what the workers said
            raise
        worker_cpu = sum(_cpu_seconds(pid) - before for pid, before in cpu_before.items())
        driver_cpu = time.process_time() - driver_before
    finally:
        with contextlib.suppress(ProcessLookupError):
            parent.send_signal(signal.SIGTERM)
        await parent.wait()
        await reader
        await tg._stop_webhook(drop=True)
    per_worker = [int(n) for n in re.findall(r"telegram webhook: (\d+) update\(s\) handled", "".join(log))]
    return {
        "ups": updates / seconds,
        "seconds": seconds,
        "updates": updates,
        "p50": statistics.median(latencies) * 1000,
        "worker_cpu_ms": worker_cpu / updates * 1000,
        "driver_cpu_ms": driver_cpu / updates * 1000,
        "per_worker": per_worker,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="postgresql+asyncpg://… of an EMPTY database")
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--redis-url",
        default="",
        help="redis://… (an empty database): conversation state, locks and rate there",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("several workers need PostgreSQL: give --database-url postgresql+asyncpg://…")
    print(
        f"citizens: {args.citizens} × 9 updates, rounds: {args.rounds} (1 worker, then 2), "
        f"cores: {os.cpu_count()}"
    )
    results: dict[int, list[dict]] = {1: [], 2: []}
    async with FakeTelegram(token=TOKEN) as tg:
        await prepare(args.database_url, tg.base_url)
        first = 1_000_000
        for number in range(1, args.rounds + 1):
            for workers in (1, 2):
                first += args.citizens + 100
                r = await one_round(tg, args.database_url, workers, args.citizens, first, args.redis_url)
                results[workers].append(r)
                print(
                    f"round {number}, {workers} worker(s): {r['updates']} updates in {r['seconds']:.1f} s = "
                    f"{r['ups']:.0f} updates/s, p50 {r['p50']:.0f} ms; CPU per update: workers "
                    f"{r['worker_cpu_ms']:.2f} ms, fake server + citizens {r['driver_cpu_ms']:.2f} ms; "
                    f"updates per worker {r['per_worker']}",
                    flush=True,
                )
        assert not tg.violations, tg.violations[:3]
    one = statistics.median(r["ups"] for r in results[1])
    two = statistics.median(r["ups"] for r in results[2])
    print(f"1 worker: {one:.0f} updates/s; 2 workers: {two:.0f} updates/s (medians)")
    print(f"ratio 2 workers / 1 worker: {two / one:.2f}  (target >= 1.5)")


if __name__ == "__main__":
    asyncio.run(main())
