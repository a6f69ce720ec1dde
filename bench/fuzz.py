"""Fuzzing at scale: N schema-generated updates (bot/simulator/fuzz.py; 5,000 by default) through the
bot's real polling loop against the fake Bot API, which checks every call against the vendored
Bot API description.

    .venv/bin/python bench/fuzz.py [--n 5000] [--seed S]

Prints the updates by kind, the unhandled exceptions (errors logged; target 0), the warnings for
updates ignored (no sender, unknown kind, flood), the calls outside the spec (target 0), and the
updates handled per second.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.simulator.fuzz import UpdateFuzzer  # noqa: E402
from tests.scenario import running_bot  # noqa: E402
from tests.test_fuzz import drained  # noqa: E402


class Tally(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage())
        else:
            self.warnings[record.getMessage().split(" ", 3)[-1][:60]] += 1


async def main(n: int, seed: int) -> None:
    tally = Tally()
    logging.getLogger().addHandler(tally)
    logging.getLogger().setLevel(logging.WARNING)
    fuzzer = UpdateFuzzer(seed)
    kinds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        async with running_bot(f"sqlite+aiosqlite:///{Path(tmp) / 'fuzz.db'}") as world:
            tg = world.tg
            tg.any_chat = True
            started = time.monotonic()
            for _ in range(n):
                update = fuzzer.update()
                kinds[next(iter(update))] += 1
                if "future_kind" in update:
                    update["update_id"] = next(tg._update_ids)
                    tg._updates.append(update)
                    tg._new_update.set()
                else:
                    await tg._push(update)
                if len(tg._updates) > 200:
                    await drained(world, timeout=600)
            await drained(world, timeout=600)
            elapsed = time.monotonic() - started
            violations = list(tg.violations)
            tg.violations.clear()  # reported below rather than raised by running_bot
    print(f"updates: {n} (seed {seed}): {dict(kinds.most_common())}")
    print(f"unhandled exceptions (errors logged): {len(tally.errors)}")
    for message in tally.errors[:5]:
        print("  ", message[:200])
    print(f"warnings: {sum(tally.warnings.values())}: {dict(tally.warnings.most_common(6))}")
    print(f"calls outside the spec: {len(violations)}")
    for violation in violations[:5]:
        print("  ", violation[:200])
    print(f"handled: {n / elapsed:.0f} updates/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    asyncio.run(main(args.n, args.seed))
