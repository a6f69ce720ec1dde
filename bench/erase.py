"""What "delete my data" costs when the outbox holds many recent messages, in one run.

    .venv/bin/python bench/erase.py [--rows 10000] [--database-url URL-of-a-scratch-database]

Erasing a citizen also cuts their words out of any other message written since their first
question that still holds its content (delivered ones are emptied after DOITHOAI_OUTBOX_KEEP_DAYS).
bot.domain.privacy lets the database pick the candidates (a substring test on the stored JSON)
before parsing them; this prints that beside parsing and redacting every such message in Python,
and the whole erasure (it runs in the citizen's update, holding SQLite's write lock).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bot.domain import privacy  # noqa: E402
from bot.domain.privacy import Secrets  # noqa: E402
from bot.notify.outbox import enqueue  # noqa: E402
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.models import Citizen, Outbox  # noqa: E402
from tests import workflow_world as ww  # noqa: E402

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
NAME, PHONE, ADDRESS = "Nguyễn Văn Thử", "0987000111", "Xóm Đình, thôn Trung Sơn"
QUESTION = "Đường bê tông vào xóm Đình bị sụt lún sau mưa lũ, đề nghị xã kiểm tra và sửa chữa sớm."


def card(i: int) -> str:
    return (
        f"<b>Câu hỏi mới TD-26-{i:04d}</b>\nNgười hỏi: Trần Thị {i}\nĐiện thoại: 09{i:08d}\n"
        + "Nội dung một câu hỏi khác, dài vừa phải. " * 25
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'erase.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as db:
            await ww.load_directory(db, NOW)
            session = await ww.new_session(db, NOW)
            await ww.ask(db, session, 4242, QUESTION, NOW, name=NAME, phone=PHONE, address=ADDRESS)
            for i in range(args.rows):
                later = NOW + timedelta(seconds=1)
                await enqueue(db, key=f"b{i}", chat_id=-100 - i % 7, purpose="x", text=card(i), now=later)
            await enqueue(db, key="quote", chat_id=-101, purpose="x", text=f"Về câu của {NAME}", now=later)
            await db.commit()
        secrets = Secrets()
        secrets.add(NAME, PHONE, ADDRESS, QUESTION)

        async with sessionmaker() as db:  # every message parsed and redacted in Python
            start = time.perf_counter()
            rows = await db.execute(select(Outbox.id, Outbox.payload).where(Outbox.created_at >= NOW))
            everything = sum(1 for _id, p in rows.all() if secrets.redact(p, 4) != p)
            parse_all = time.perf_counter() - start
            await db.rollback()
        async with sessionmaker() as db:  # the database picks the candidates first
            start = time.perf_counter()
            picked = await privacy._redact_outbox_since(db, NOW, secrets)
            prefilter = time.perf_counter() - start
            await db.rollback()
        async with sessionmaker() as db:
            citizen = await db.scalar(select(Citizen).where(Citizen.chat_id == "4242"))
            start = time.perf_counter()
            await privacy.erase_citizen(db, citizen, NOW + timedelta(minutes=1))
            await db.commit()
            whole = time.perf_counter() - start
        await engine.dispose()
    assert everything == picked == 2, (everything, picked)  # their own triage card, and the quote
    print(f"{args.rows} recent messages, {url.split(':')[0]}:")
    print(f"  parse and redact every message:     {parse_all * 1000:8.1f} ms")
    ratio = parse_all / prefilter
    print(f"  the database picks the candidates:  {prefilter * 1000:8.1f} ms  ({ratio:.1f}x faster)")
    print(f"  the whole erasure (committed):      {whole * 1000:8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
