"""The crash window, measured: a notice to N private chats through the outbox, ``kill -9`` of the
running ``doithoai run`` at random moments (restarted each time), against the fake Bot API with
Telegram's limits enforced; then the bot runs until everything is sent.

    .venv/bin/python bench/crash.py [--n 3000] [--kills 10] [--database-url URL] [--seed S]

Prints, per kill, the rows caught in flight (status 'sending' right after the kill); then the
chats that never got the notice (lost), the notices received twice (duplicates, at most the sum of
the in-flight rows), 429 answers, and how long the whole run took.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.simulator.telegram import FakeTelegram  # noqa: E402
from bot.simulator.telegram import Limits as FakeLimits  # noqa: E402
from storage.models import OutboxStatus  # noqa: E402
from tests.faults_world import Fleet, fill_notices, outbox_statuses, sent_notices, stranded  # noqa: E402


async def main(n: int, kills: int, url: str, seed: int) -> None:
    rng = random.Random(seed)
    started = time.monotonic()
    async with FakeTelegram(limits=FakeLimits(), any_chat=True) as tg:
        chats = await fill_notices(url, n)
        fleet = Fleet(url, tg.base_url)

        def total() -> int:
            return sum(sent_notices(tg, chats).values())

        in_flight: list[int] = []
        try:
            for _ in range(kills):
                proc = await fleet.start()
                target = total() + rng.randint(5, max(6, n // (kills + 2)))
                await tg.wait_for(lambda t=target: total() >= t, timeout=600)
                await asyncio.sleep(rng.random() * 0.3)
                await fleet.kill(proc)
                in_flight.append(stranded(await outbox_statuses(url)))
                print(f"kill {len(in_flight)}: {total()} sent, {in_flight[-1]} row(s) caught in flight")
            final = await fleet.start()
            deadline = time.monotonic() + 3600
            while (await outbox_statuses(url))[OutboxStatus.SENT] < n:
                if time.monotonic() > deadline:
                    raise SystemExit("not everything was sent within an hour")
                await asyncio.sleep(0.5)
            await fleet.stop(final)
        finally:
            await fleet.close()
        received = sent_notices(tg, chats)
        lost = n - len(received)
        repeated = sum(k - 1 for k in received.values())
        statuses = await outbox_statuses(url)
        print(f"database: {url.split(':', 1)[0]}, notices: {n}, kills: {kills}, seed: {seed}")
        print(f"in flight at each kill: {in_flight} (max {max(in_flight, default=0)})")
        print(f"lost: {lost}")
        print(f"duplicates: {repeated} (bound: sum of in-flight rows = {sum(in_flight)})")
        print(f"still 'sending' at the end: {statuses[OutboxStatus.SENDING]}")
        print(f"429 answers: {tg.count_429}")
        print(f"calls outside the spec: {len(tg.violations)}")
        print(f"total time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'crash.db'}"
        asyncio.run(main(args.n, args.kills, url, args.seed))
