"""The bot's reply latency while CLI commands work on the same SQLite database.

The bot (its real polling loop, against the fake Bot API) answers citizens who write outside a
conversation (one menu reply each, a read and a small write); meanwhile ``doithoai report`` and
``doithoai tick`` run again and again as separate processes on the same database file. Reads take
no lock and a transaction waits for the write lock with asyncio sleeps (storage/db.py), so a CLI
command holding the lock delays only the replies that must write, by as long as it holds it.

    .venv/bin/python bench/lockwait.py [--seconds 20] [--submissions 2000]

Prints the median and worst reply latency with nothing else running, then while the commands
run, and how many commands ran.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scenario import running_bot  # noqa: E402

FAST = {
    "rate_private_per_s": 1000,
    "rate_group_per_min": 100_000,
    "rate_global_per_s": 1000,
    "flood_max_updates": 0,
}


async def probe(world, seconds: float, people: list) -> list[float]:
    """Each person writes, waits for the reply, and writes again: the reply latencies."""
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def one(person) -> None:
        while time.monotonic() < stop:
            sent = time.monotonic()
            await person.say("xin chào")
            await person.hears("Ông/Bà muốn làm gì", timeout=120)
            latencies.append(time.monotonic() - sent)
            await asyncio.sleep(0.2)  # a person's pace

    await asyncio.gather(*(one(p) for p in people))
    return latencies


async def commands(url: str, seconds: float, outdir: Path) -> tuple[int, list[float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
    env.update(DOITHOAI_DATABASE_URL=url, DOITHOAI_BOT_TOKEN="", DOITHOAI_REDIS_URL="")
    stop = time.monotonic() + seconds
    took: list[float] = []
    runs = 0
    while time.monotonic() < stop:
        for argv in (["report", "2026", "--out", str(outdir)], ["tick", "--no-deliver"]):
            started = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                f"from bot.cli import main; raise SystemExit(main({argv!r}))",
                cwd=str(ROOT),
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await proc.wait()
            took.append(time.monotonic() - started)
            runs += 1
    return runs, took


def describe(name: str, values: list[float]) -> None:
    values = sorted(values)
    print(
        f"{name}: {len(values)} replies, median {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {values[int(len(values) * 0.95) - 1] * 1000:.0f} ms, worst {values[-1] * 1000:.0f} ms"
    )


async def main(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'lockwait.db'}"
        async with running_bot(url, **FAST) as world:
            people = [world.citizen(7000 + i, f"Người {i}") for i in range(5)]
            for person in people:  # each past the welcome and the consent once
                await person.say("/start")
                await person.hears("Xin chào")
                await person.press("✅ Đồng ý")
                await person.hears("Cảm ơn")
            idle = await probe(world, seconds / 2, people)
            busy_task = asyncio.create_task(commands(url, seconds, Path(tmp)))
            busy = await probe(world, seconds, people)
            runs, took = await busy_task
        describe("nothing else running", idle)
        describe("while `doithoai report` and `doithoai tick` run", busy)
        print(f"CLI commands run meanwhile: {runs} (each {min(took):.1f}–{max(took):.1f} s)")
        print(f"worst reply while the commands ran ÷ worst idle: {max(busy) / max(idle):.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.seconds))
