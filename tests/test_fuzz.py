"""Fuzzing: a few hundred schema-generated updates (bot/simulator/fuzz.py) through the real polling
loop: each is handled or ignored with a logged warning — no unhandled exception — and every call the
bot makes is within the Bot API's description (the fake server checks; ``running_bot`` asserts no
violations). bench/fuzz.py runs 5,000."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time

from bot.simulator.fuzz import UpdateFuzzer
from tests.scenario import running_bot


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def feed(world, fuzzer: UpdateFuzzer, count: int) -> None:
    """Push ``count`` updates; one of a kind no library knows goes straight into the queue (the fake
    server would not deliver a kind the bot did not ask for)."""
    tg = world.tg
    for _ in range(count):
        update = fuzzer.update()
        if "future_kind" in update:
            update["update_id"] = next(tg._update_ids)
            tg._updates.append(update)
            tg._new_update.set()
        else:
            await tg._push(update)


async def drained(world, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while world.tg._updates or world.app.dp._handle_update_tasks:
        assert time.monotonic() < deadline, "updates still being handled"
        await asyncio.sleep(0.05)


async def test_fuzzed_updates_are_handled_or_ignored_without_a_traceback(tmp_path):
    seed = int(os.environ.get("DOITHOAI_FUZZ_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}") as world:
            world.tg.any_chat = True
            await feed(world, UpdateFuzzer(seed), 300)
            await drained(world, timeout=120)
            assert not world.tg.violations, world.tg.violations[:5]
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []
