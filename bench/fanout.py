"""Fan-out benchmark: N notifications to N distinct chats through the outbox dispatcher against the
fake Bot API with Telegram's limits on (30/s overall, 1/s per chat, 20/min per group); then the time
of one deadline tick with 20,000 … 200,000 submissions stored on SQLite.

    .venv/bin/python bench/fanout.py [--n 10000] [--sizes 20000,200000] [--skip-fanout] [--skip-tick]

Prints: delivered messages/s as a fraction of the 30/s cap (target ≥ 0.95), 429s received (0),
duplicates (0), losses (0); tick time per size (target < 200 ms at 200,000) and its growth.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import make_bot  # noqa: E402
from bot.channels.telegram.sender import TelegramSender  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.i18n import set_timezone  # noqa: E402
from bot.notify.dispatcher import OutboxDispatcher  # noqa: E402
from bot.notify.ratelimit import Limits  # noqa: E402
from bot.notify.ticks import deadline_tick  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.simulator.telegram import FakeTelegram  # noqa: E402
from bot.simulator.telegram import Limits as FakeLimits  # noqa: E402
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    AppConfig,
    Citizen,
    Department,
    DialogueSession,
    Outbox,
    OutboxStatus,
    SessionStatus,
    Submission,
    SubmissionStatus,
)

CAP = 30.0


async def fanout(n: int, workdir: Path) -> None:
    url = f"sqlite+aiosqlite:///{workdir / 'fanout.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    now = datetime.now(UTC)
    clock = FixedClock(now)
    async with sm() as db:
        rows = [
            {
                "key": f"bench:{i}",
                "channel": "telegram",
                "chat_id": str(10_000_000 + i),
                "purpose": "bench",
                "payload": {"text": f"<b>Thông báo</b> số {i}: hạn trả lời đã qua, đơn vị đã được nhắc."},
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
            for i in range(n)
        ]
        await db.execute(insert(Outbox), rows)
        await db.commit()
    async with FakeTelegram(
        limits=FakeLimits(global_per_s=CAP, private_per_s=1, group_per_min=20), any_chat=True
    ) as tg:
        bot = make_bot(Settings(telegram_api=tg.base_url, bot_token="42:BENCH"))
        dispatcher = OutboxDispatcher(sm, {"telegram": TelegramSender(bot)}, {"telegram": Limits()}, clock)
        print(f"fan-out: {n} messages to {n} chats (expect ~{n / CAP:.0f} s at the cap) …", flush=True)
        start = time.perf_counter()
        await dispatcher.deliver_all()
        elapsed = time.perf_counter() - start
        await bot.session.close()
        received = tg.sent_per_chat
    duplicates = sum(c - 1 for c in received.values() if c > 1)
    losses = n - len(received)
    rate = n / elapsed
    print(
        f"  elapsed {elapsed:.1f} s, delivered {rate:.2f} msg/s = {rate / CAP:.3f} of the 30/s cap "
        "(target ≥ 0.95)"
    )
    print(f"  429 received: {tg.count_429} (target 0); duplicates: {duplicates} (0); losses: {losses} (0)")
    await engine.dispose()


async def populate(sm, size: int, today: date) -> None:
    """A deployment with ``size`` submissions over past sessions, mostly settled, a few open."""
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    rnd = random.Random(size)
    async with sm() as db:
        db.add(AppConfig(key="office_chat_id", value="-1001"))
        for d in range(10):
            db.add(
                Department(
                    id=d + 1, code=f"D{d}", name_vi=f"Đơn vị {d}", name_en=f"Unit {d}", chat_id=-2000 - d
                )
            )
        await db.flush()
        citizens = max(1, size // 2)
        await db.execute(
            insert(Citizen),
            [
                {
                    "id": i + 1,
                    "channel": "telegram",
                    "chat_id": str(100 + i),
                    "locale": "vi",
                    "created_at": t0,
                }
                for i in range(citizens)
            ],
        )
        sessions = max(1, size // 500)
        session_rows = []
        for s in range(sessions):
            held = datetime.combine(today - timedelta(days=7 * (sessions - s)), datetime.min.time(), UTC)
            session_rows.append(
                {
                    "id": s + 1,
                    "title": f"Phiên {s}",
                    "starts_at": held,
                    "place": "UBND",
                    "status": SessionStatus.CLOSED,
                    "held_at": held,
                    "notice_at": held + timedelta(days=5),
                    "created_at": t0,
                }
            )
        await db.execute(insert(DialogueSession), session_rows)
        batch = []
        for i in range(size):
            s = i * sessions // size
            held = session_rows[s]["held_at"].date()
            due = held + timedelta(days=45)
            open_ = due >= today - timedelta(days=3) and rnd.random() < 0.5
            status = SubmissionStatus.AWAITING_RESPONSE if open_ else SubmissionStatus.RESPONDED
            batch.append(
                {
                    "code": f"DT-{i:07d}",
                    "session_id": s + 1,
                    "citizen_id": i % citizens + 1,
                    "channel": "telegram",
                    "department_id": i % 10 + 1,
                    "text": "Câu hỏi",
                    "status": status,
                    "response_due": due,
                    "original_due": due,
                    "responded_at": None
                    if open_
                    else datetime.combine(due, datetime.min.time(), UTC) - timedelta(days=3),
                    "satisfaction": None if open_ else 4,
                    "reopened_count": 0,
                    "created_at": t0,
                    "updated_at": t0,
                }
            )
            if len(batch) == 20_000:
                await db.execute(insert(Submission), batch)
                batch = []
        if batch:
            await db.execute(insert(Submission), batch)
        await db.commit()


async def tick_time(size: int, workdir: Path) -> float:
    url = f"sqlite+aiosqlite:///{workdir / f'tick-{size}.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    now = datetime(2027, 3, 2, 2, 0, tzinfo=UTC)
    await populate(sm, size, now.date())
    settings = Settings()
    async with sm() as db:  # the first tick enqueues what is due (once)
        first = time.perf_counter()
        report = await deadline_tick(db, now, settings)
        await db.commit()
        first = time.perf_counter() - first
    times = []
    for k in range(1, 8):  # then every minute: the steady state
        async with sm() as db:
            start = time.perf_counter()
            await deadline_tick(db, now + timedelta(minutes=k), settings)
            await db.commit()
            times.append(time.perf_counter() - start)
    async with sm() as db:  # the next day: that day's due dates pass, reminders go out
        start = time.perf_counter()
        day = await deadline_tick(db, now + timedelta(days=1), settings)
        await db.commit()
        day_ms = (time.perf_counter() - start) * 1000
    await engine.dispose()
    steady = statistics.median(times)
    print(
        f"  {size:>7} submissions: first tick {first * 1000:.0f} ms (enqueued {report.total}), "
        f"then {steady * 1000:.1f} ms per tick (median of {len(times)}); "
        f"next day's tick {day_ms:.0f} ms (enqueued {day.total})",
        flush=True,
    )
    return steady


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="notifications in the fan-out (default 10000)")
    parser.add_argument("--sizes", default="20000,200000", help="submissions stored for the tick timing")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-tick", action="store_true")
    args = parser.parse_args()
    set_timezone("Asia/Ho_Chi_Minh")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not args.skip_fanout:
            await fanout(args.n, workdir)
        if not args.skip_tick:
            sizes = [int(s) for s in args.sizes.split(",") if s]
            print("deadline tick on SQLite (target < 200 ms at 200,000):", flush=True)
            results = {size: await tick_time(size, workdir) for size in sizes}
            if len(sizes) >= 2:
                a, b = sizes[0], sizes[-1]
                print(
                    f"  growth {a}→{b} ({b / a:.0f}× the data): {results[b] / results[a]:.2f}× the time",
                )


if __name__ == "__main__":
    asyncio.run(main())
