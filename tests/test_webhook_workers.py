"""Two webhook worker processes on one port, PostgreSQL (and Redis when DOITHOAI_TEST_REDIS_URL is set),
against the fake Bot API — the real ``doithoai run --webhook --public-url URL --workers 2``:

- citizens ask at the same time, each sending three documents in a burst: the fake posts a chat's
  updates one after the other, as Telegram does, to whichever worker the kernel picks (a new
  connection per post); the office receives every file in the order the citizen sent it;
- a crowd of 60 opens the bot at once: the replies of both workers keep to 30 per second overall
  (one budget shared by every worker, for replies and deliveries alike);
- a burst of outbox messages (two per chat, 160 in all) is delivered by both workers' dispatchers
  (someone opening the bot in the middle of it is answered within a second, ahead of the burst):
  every message once, a chat's two in order, and the fake Bot API — enforcing 30 per second overall,
  1 per second per private chat — never answers 429 (each worker alone would pace itself at 30/s);
- both workers handled updates.

Skipped without PostgreSQL (DOITHOAI_TEST_POSTGRES_URL): several workers need it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.notify.outbox import enqueue_many, row
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram, Limits
from storage.db import make_engine, make_sessionmaker
from storage.models import Outbox, OutboxStatus
from tests.test_webhook import free_port
from tests.workflow_world import OFFICE, load_directory, new_session

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242:WORKERS"
QUESTION = "Đường bê tông vào thôn Trung Sơn bị sụt lún sau mưa lũ, xe máy đi lại rất nguy hiểm."
WAIT = 60


async def ask_with_three_files(tg: FakeTelegram, user) -> list[str]:
    """The question flow; the three documents go in one burst (no waiting in between). Returns their
    file ids in the order sent."""

    async def step(action, replies: int = 1) -> dict:
        await action()
        for _ in range(replies):
            message = await tg.next_message(user.id, timeout=WAIT)
        return message

    def press(label: str):
        return lambda: tg.press(user.id, label)

    await step(lambda: tg.send_text(user, "/start"))
    await step(press("✅ Đồng ý"))  # straight to the topics: the one open session is chosen
    await step(press("Đất đai"))
    await step(lambda: tg.send_text(user, QUESTION))  # then the name is asked
    before = len(tg.messages(user.id))
    sent = [await tg.send_document(user, file_name=f"phan-{k}.pdf", content=b"%PDF-") for k in (1, 2, 3)]
    try:
        await tg.wait_for(lambda: "3/10" in tg.messages(user.id)[-1]["text"], timeout=WAIT)
    except TimeoutError:
        raise AssertionError(f"not all three files received:\n{tg.transcript(user.id)}") from None
    for _ in range(len(tg.messages(user.id)) - before):  # "received 1 of 10 files", 2 and 3 (or edits)
        await tg.next_message(user.id, timeout=WAIT)
    await step(lambda: tg.send_text(user, "Nguyễn Văn An"))
    await step(lambda: tg.send_contact(user, "+84912345678"))
    await step(lambda: tg.send_text(user, "Thôn Trung Sơn"))
    await step(press("Không nêu tên (ẩn danh)"))
    await step(press("✅ Gửi câu hỏi"))
    return [m["document"]["file_id"] for m in sent]


async def all_recorded(sessionmaker) -> list:
    """The outbox once no row is pending or being sent any more (the fake saw the message a moment
    before the worker recorded it), as (status, attempts)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        async with sessionmaker() as db:
            rows = (await db.execute(select(Outbox.status, Outbox.attempts))).all()
        if all(status not in (OutboxStatus.PENDING, OutboxStatus.SENDING) for status, _ in rows):
            return rows
        assert loop.time() < deadline, Counter(status for status, _ in rows)
        await asyncio.sleep(0.05)  # polling the database for the condition, within the deadline


@pytest.fixture(params=["postgres", "postgres+redis"])
async def redis_url(request):
    if request.param == "postgres":
        return ""
    url = os.environ.get("DOITHOAI_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("Redis not configured (DOITHOAI_TEST_REDIS_URL)")
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()  # conversation states of earlier tests (the same user ids)
    except OSError:
        pytest.skip("Redis unreachable")
    finally:
        await client.aclose()
    return url


async def test_two_webhook_workers_share_the_chats_the_outbox_and_the_rate(database_url, redis_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database")
    # The replies to a person's own action are sent at once (as with long polling): the limits the fake
    # enforces at first are the office group's; for the outbox burst, all of Telegram's.
    first_limits = Limits(global_per_s=1000, private_per_s=1000, group_per_min=120)
    async with FakeTelegram(token=TOKEN, limits=first_limits) as tg:
        tg.webhook_keepalive = False
        tg.group(OFFICE, "Văn phòng UBND xã")
        app = build_app(
            Settings(_env_file=None, telegram_api=tg.base_url, database_url=database_url, bot_token=TOKEN)
        )
        await app.migrate()
        async with app.sessionmaker() as db:
            await load_directory(db, app.clock.now())
            await new_session(db, app.clock.now())
            await db.commit()
        await app.close()

        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
        env |= {
            "DOITHOAI_DATABASE_URL": database_url,
            "DOITHOAI_BOT_TOKEN": TOKEN,
            "DOITHOAI_TELEGRAM_API": tg.base_url,
            "DOITHOAI_REDIS_URL": redis_url,
            "DOITHOAI_RATE_GROUP_PER_MIN": "120",  # the office's cards: keeps the test short
        }
        args = ["run", "--webhook", "--public-url", f"http://127.0.0.1:{port}", "--telegram-port", str(port)]
        args += ["--host", "127.0.0.1", "--port", str(free_port()), "--workers", "2"]
        parent = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
        )
        log: list[str] = []

        async def read_log() -> None:
            async for line in parent.stderr:
                log.append(line.decode(errors="replace"))

        reader = asyncio.create_task(read_log())
        try:
            await tg.wait_for(lambda: tg.webhook is not None, timeout=WAIT)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WAIT
            while sum("serving Telegram by webhook" in line for line in log) < 2:  # both listening
                assert loop.time() < deadline, "".join(log[-30:])
                await asyncio.sleep(0.05)  # polling the log for the condition, within the deadline

            # citizens at the same time, each with a burst of three files
            people = [tg.user(7100 + i, f"Dân {i}") for i in range(4)]
            sent = await asyncio.gather(*(ask_with_three_files(tg, p) for p in people))

            def office_files() -> list[str]:
                return [m["document"]["file_id"] for m in tg.messages(OFFICE) if "document" in m]

            await tg.wait_for(lambda: len(office_files()) == 12, timeout=WAIT)
            cards = [m["text"] for m in tg.messages(OFFICE) if "document" not in m]
            codes = [code for text in cards for code in re.findall(r"\b[A-Z]{2}-\d\d-\d{4}\b", text)[:1]]
            assert len(codes) == 4 and len(set(codes)) == 4, cards  # one card per question
            for files in sent:
                assert [f for f in office_files() if f in files] == files  # in the order sent

            # a crowd opens the bot at once, Telegram's limits enforced strictly: the workers' replies
            # draw on one shared budget (each worker alone would pace itself at 30 per second)
            tg.limits = Limits(global_per_s=30, private_per_s=1, group_per_min=120)
            crowd = [tg.user(7300 + i, f"Khách {i}") for i in range(60)]
            await asyncio.gather(*(tg.send_text(u, "/start") for u in crowd))
            for u in crowd:
                await tg.next_message(u.id, timeout=WAIT)
            assert tg.count_429 == 0

            # a burst through the outbox, with Telegram's limits enforced strictly
            chats = [tg.user(7200 + i, f"Người {i}").id for i in range(80)]
            now = datetime.now(UTC)
            engine = make_engine(database_url)
            try:
                async with make_sessionmaker(engine)() as db:
                    burst = [
                        row(key=f"burst:{c}:{n}", chat_id=c, purpose="test", text=f"tin {n} cho {c}", now=now)
                        for n in (1, 2)
                        for c in chats
                    ]
                    await enqueue_many(db, burst)
                    await db.commit()

                def burst_sent() -> int:
                    return sum(len(tg.messages(c)) for c in chats)

                # in the middle of it, someone opens the bot: answered ahead of the burst
                await tg.wait_for(lambda: burst_sent() >= 40, timeout=WAIT)
                asking = tg.user(7400, "Người hỏi giữa chừng")
                started = asyncio.get_running_loop().time()
                await tg.send_text(asking, "/start")
                await tg.next_message(asking.id, timeout=WAIT)
                waited = asyncio.get_running_loop().time() - started
                assert burst_sent() < len(burst), "the burst was over: nothing was measured"
                assert waited < 1.0, waited
                await tg.wait_for(lambda: all(len(tg.messages(c)) == 2 for c in chats), timeout=WAIT)
                for c in chats:
                    assert [m["text"] for m in tg.messages(c)] == [f"tin 1 cho {c}", f"tin 2 cho {c}"]
                outbox = await all_recorded(make_sessionmaker(engine))
            finally:
                await engine.dispose()
            assert tg.count_429 == 0
            assert not tg.violations
            assert Counter(status for status, _ in outbox) == {OutboxStatus.SENT: len(outbox)}
            assert {attempts for _, attempts in outbox} == {1}  # each sent once, never retried
        finally:
            with contextlib.suppress(ProcessLookupError):
                parent.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(parent.wait(), WAIT)
            await asyncio.wait_for(reader, WAIT)
            if os.environ.get("WORKERS_LOG"):
                Path(os.environ["WORKERS_LOG"]).write_text("".join(log))
        assert code == 0, "".join(log[-30:])
        handled = [int(n) for n in re.findall(r"telegram webhook: (\d+) update\(s\) handled", "".join(log))]
        assert len(handled) == 2, "".join(log[-30:])  # two workers…
        assert all(n > 0 for n in handled)  # …each handled some of the updates
        # twelve updates each (three of them files), the crowd's one and the one in the burst, each
        # handled once
        assert sum(handled) == len(people) * 12 + len(crowd) + 1


async def test_the_lock_per_chat_holds_across_processes(database_url):
    """Two isolations (as in two worker processes): the second waits for the chat's lock until the
    first lets it go; another chat is not held up."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL advisory locks")
    from aiogram.fsm.storage.base import StorageKey

    from storage.locks import AdvisoryLockIsolation

    first, second = AdvisoryLockIsolation(database_url), AdvisoryLockIsolation(database_url)
    chat, other = (
        StorageKey(bot_id=1, chat_id=7001, user_id=7001),
        StorageKey(bot_id=1, chat_id=7002, user_id=7002),
    )
    engine = make_engine(database_url)

    async def waiting_for_a_lock() -> bool:
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            return bool(
                await raw.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
            )

    order: list[str] = []
    release, held = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with first.lock(chat):
            order.append("first in")
            held.set()
            await release.wait()
            order.append("first out")

    async def wait_turn() -> None:
        async with second.lock(chat):
            order.append("second in")

    try:
        holder = asyncio.create_task(hold())
        await asyncio.wait_for(held.wait(), WAIT)
        waiter = asyncio.create_task(wait_turn())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while not await waiting_for_a_lock():
            assert loop.time() < deadline
            await asyncio.sleep(0.01)
        async with second.lock(other):  # another chat goes at once
            order.append("other chat")
        assert order == ["first in", "other chat"]
        release.set()
        await asyncio.wait_for(asyncio.gather(holder, waiter), WAIT)
        assert order == ["first in", "other chat", "first out", "second in"]
    finally:
        await first.close()
        await second.close()
        await engine.dispose()


async def test_a_worker_holds_many_chats_locks_on_one_connection(database_url):
    """Fifty chats handled at once in one worker take their locks on its one lock connection (a
    PostgreSQL server has 100 for every worker); two updates of one chat in the process still go one
    after the other, and every lock is let go."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL advisory locks")
    from aiogram.fsm.storage.base import StorageKey

    from storage.locks import AdvisoryLockIsolation

    worker, other_worker = AdvisoryLockIsolation(database_url), AdvisoryLockIsolation(database_url)
    keys = [StorageKey(bot_id=1, chat_id=8000 + i, user_id=8000 + i) for i in range(50)]
    inside, release = asyncio.Event(), asyncio.Event()
    held = 0
    order: list[str] = []

    async def handle(key: StorageKey, name: str = "") -> None:
        nonlocal held
        async with worker.lock(key):
            held += 1
            order.append(f"{name} in")
            if held == len(keys):
                inside.set()
            await release.wait()
            order.append(f"{name} out")

    try:
        tasks = [asyncio.create_task(handle(k, "a" if k is keys[0] else "")) for k in keys]
        second = asyncio.create_task(handle(keys[0], "b"))  # the first chat's next update
        await asyncio.wait_for(inside.wait(), WAIT)
        assert worker.engine.sync_engine.pool.checkedout() == 1  # one connection for fifty locks
        assert order.count("b in") == 0
        release.set()
        await asyncio.wait_for(asyncio.gather(*tasks, second), WAIT)
        assert order.index("a out") < order.index("b in")
        assert worker._local == {}
        for key in keys:  # all let go: another worker takes each at once
            async with other_worker.lock(key):
                pass
        assert other_worker.waiting == 0
    finally:
        await worker.close()
        await other_worker.close()
