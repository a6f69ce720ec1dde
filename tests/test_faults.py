"""Fault injection: hard kills during a fan-out, two processes on one database, a flood from one
person, and citizens pressing buttons during a fan-out — all against the fake Bot API with
Telegram's limits enforced (30/s overall, 1/s per private chat, 20/min per group: 429 with
``retry_after`` beyond them).

The kill tests start real ``doithoai run`` processes (tests/faults_world.py) and ``kill -9`` them
at random moments (the seed is in the test's output): nothing may be lost, and a notice may be
repeated only if its row was caught in flight by a kill."""

from __future__ import annotations

import asyncio
import os
import random
import time

import pytest

from bot.simulator.telegram import FakeTelegram
from bot.simulator.telegram import Limits as FakeLimits
from storage.models import OutboxStatus
from tests.faults_world import Fleet, fill_notices, outbox_statuses, sent_notices, stranded

pytestmark = pytest.mark.faults

CONCURRENCY = 16  # the dispatcher's requests in flight at most


async def until(condition, timeout: float, every: float = 0.2) -> None:
    """Wait for an async condition (a database query) with a timeout."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every)


async def all_sent(database_url: str, count: int) -> bool:
    return (await outbox_statuses(database_url))[OutboxStatus.SENT] == count


async def test_kill_9_during_a_fan_out_ten_times_loses_nothing(database_url):
    seed = int(os.environ.get("DOITHOAI_FAULTS_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    rng = random.Random(seed)
    count = 240
    async with FakeTelegram(limits=FakeLimits(), any_chat=True) as tg:
        chats = await fill_notices(database_url, count)
        fleet = Fleet(database_url, tg.base_url)

        def total() -> int:
            return sum(sent_notices(tg, chats).values())

        in_flight_at_kill: list[int] = []
        try:
            for _ in range(10):
                proc = await fleet.start()
                target = total() + rng.randint(2, 14)
                await tg.wait_for(lambda t=target: total() >= t, timeout=60)
                await asyncio.sleep(rng.random() * 0.2)  # a random moment within the next sends
                await fleet.kill(proc)
                in_flight_at_kill.append(stranded(await outbox_statuses(database_url)))
                assert in_flight_at_kill[-1] <= CONCURRENCY
            final = await fleet.start()
            await until(lambda: all_sent(database_url, count), timeout=120)
            await fleet.stop(final)
        finally:
            await fleet.close()
        received = sent_notices(tg, chats)
        assert set(received) == set(chats)  # nothing lost
        repeated = sum(n - 1 for n in received.values())
        assert repeated <= sum(in_flight_at_kill)  # only rows caught in flight by a kill
        assert tg.count_429 == 0
        assert tg.violations == []
        print(f"kills: {len(in_flight_at_kill)}, in flight {in_flight_at_kill}, repeated {repeated}")


async def test_a_second_run_waits_as_a_standby_and_takes_over_when_the_first_dies(database_url):
    count = 450  # 15 s at 30/s: the first is still sending when it is killed
    async with FakeTelegram(limits=FakeLimits(), any_chat=True) as tg:
        chats = await fill_notices(database_url, count)
        fleet = Fleet(database_url, tg.base_url)

        def total() -> int:
            return sum(sent_notices(tg, chats).values())

        try:
            first = await fleet.start()
            await tg.wait_for(lambda: total() >= 5, timeout=60)
            second = await fleet.start()
            await tg.wait_for(lambda: fleet.said(second, "hot standby"), timeout=60)
            await tg.wait_for(lambda: total() >= 60, timeout=60)
            assert second.returncode is None
            await fleet.kill(first)
            in_flight = stranded(await outbox_statuses(database_url))
            assert total() < count

            async def took_over() -> bool:
                return fleet.said(second, "taking over")

            await until(took_over, timeout=30)
            await until(lambda: all_sent(database_url, count), timeout=120)
            await fleet.stop(second)
        finally:
            await fleet.close()
        received = sent_notices(tg, chats)
        assert set(received) == set(chats)
        assert sum(n - 1 for n in received.values()) <= in_flight
        assert tg.count_429 == 0  # two processes never drew on Telegram's limits at once


LIMITED = {"rate_private_per_s": 1.0, "rate_group_per_min": 20.0, "rate_global_per_s": 30.0}


async def test_one_person_flooding_is_asked_to_slow_down_and_others_are_served(tmp_path):
    from tests.scenario import running_bot

    url = f"sqlite+aiosqlite:///{tmp_path / 'flood.db'}"
    async with running_bot(url, flood_max_updates=20, flood_window_s=10, **LIMITED) as world:
        world.tg.limits = FakeLimits()
        flooder = world.citizen(9001, "Nhanh")
        others = [world.citizen(9100 + i, f"Người {i}") for i in range(3)]
        for i in range(60):
            await flooder.say(f"tin {i}")
        for person in others:
            await person.say("/start")
        for person in others:
            await person.hears("Xin chào Ông/Bà", timeout=15)
            await person.press("✅ Đồng ý")
            await person.hears("Cảm ơn", timeout=15)

        def slowed() -> bool:
            return any("quá nhanh" in (m.get("text") or "") for m in world.tg.messages(flooder.chat_id))

        await world.tg.wait_for(slowed, timeout=60)
        replies = world.tg.messages(flooder.chat_id)
        bot_replies = [m for m in replies if m.get("from", {}).get("is_bot")]
        assert sum("quá nhanh" in (m.get("text") or "") for m in bot_replies) == 1
        assert len(bot_replies) <= 21  # 20 answered, then one "please slow down"; the rest ignored
        assert world.tg.count_429 == 0


async def test_citizens_pressing_buttons_during_a_fan_out_are_answered_within_2_s(tmp_path):
    from bot.runner import start_background
    from tests.scenario import running_bot

    url = f"sqlite+aiosqlite:///{tmp_path / 'fanout.db'}"
    async with running_bot(url, **LIMITED) as world:
        world.tg.limits = FakeLimits()
        world.tg.any_chat = True
        chats = await fill_notices(url, 400, now=world.clock.now())
        background = await start_background(world.app)
        try:
            await world.tg.wait_for(lambda: sum(sent_notices(world.tg, chats).values()) >= 30, timeout=30)
            for i in range(6):
                person = world.citizen(9200 + i, f"Người {i}")
                await person.say("/start")
                await person.hears("Xin chào Ông/Bà", timeout=2)
                await person.press("✅ Đồng ý")
                await person.hears("Cảm ơn", timeout=2)
            assert sum(sent_notices(world.tg, chats).values()) < len(chats)  # still fanning out
        finally:
            for job in background:
                await job.stop()
        assert world.tg.count_429 == 0


async def test_a_reply_refused_with_429_is_sent_after_retry_after_and_a_lost_one_is_logged(tmp_path, caplog):
    from tests.scenario import running_bot

    url = f"sqlite+aiosqlite:///{tmp_path / 'retry.db'}"
    async with running_bot(url, reply_attempts=3) as world:
        lan = world.citizen(9301, "Lan")
        world.tg.fail_next(
            "sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}
        )  # noqa: E501
        await lan.say("/start")
        await lan.hears("Xin chào Ông/Bà")  # the same reply, once, after the pause
        assert [c.ok for c in world.tg.calls if c.method == "sendMessage"] == [False, True]

        world.tg.fail_next("sendMessage", 502, "Bad Gateway", times=3)
        with caplog.at_level("WARNING"):
            await lan.say("/start")
            await world.tg.wait_for(
                lambda: sum(1 for c in world.tg.calls if c.method == "sendMessage") == 5, timeout=10
            )
            await world.tg.wait_for(lambda: "failed after 3 attempt(s)" in caplog.text, timeout=10)
        assert f"to chat {lan.chat_id} failed after 3 attempt(s)" in caplog.text
        await lan.say("/start")  # the error handler sent nothing more: the next message is this reply
        await lan.hears("Xin chào Ông/Bà")
