"""The conclusion notice for a big session: 5,000 open questions (500 of them merged duplicates).

    .venv/bin/python bench/notice.py [--questions 5000] [--merged 500] [--database-url URL]

Issuing the notice moves every open question onto the written-response clock, writes a history row
for each, and queues a message for every asker and one per department — all in one transaction.
Prints the wall time of that transaction (the domain operation and its messages, committed) and the
SQL statements it executed, which must not grow with the number of questions (target: fewer than
50 statements, under 3 s, on SQLite). Run twice with different sizes to see the count stay put.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain import at_session, sessions  # noqa: E402
from bot.domain.deadlines import load_calendar  # noqa: E402
from bot.domain.directory import load_file  # noqa: E402
from bot.i18n import set_timezone  # noqa: E402
from bot.notify import sessionmaker_for  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import Citizen, Department, Outbox, Submission, SubmissionStatus  # noqa: E402

START = datetime(2026, 11, 23, 2, tzinfo=UTC)


async def seed(db, questions: int, merged: int) -> int:
    """A held session with ``questions`` open questions, ``merged`` of them merged into others."""
    await load_file(db, ROOT / "directory" / "sample_commune.toml", START)
    session = await sessions.create_session(
        db,
        title="Hội nghị đối thoại lớn",
        place="Hội trường",
        starts_at=START + timedelta(days=20),
        now=START,
        announce=True,
    )
    departments = list(await db.scalars(select(Department.id)))
    await db.execute(
        insert(Citizen),
        [
            {
                "channel": "telegram",
                "chat_id": str(10_000 + i),
                "locale": "vi" if i % 5 else "en",
                "consent_at": START,
                "created_at": START,
                "notify_sessions": False,
            }
            for i in range(questions)
        ],
    )
    citizen_ids = list(await db.scalars(select(Citizen.id).order_by(Citizen.id)))
    targets = questions - merged
    rows = []
    for i in range(questions):
        routed = i < targets and i % 3 != 0
        rows.append(
            {
                "code": f"TD-26-{i + 1:05d}",
                "session_id": session.id,
                "citizen_id": citizen_ids[i],
                "channel": "telegram",
                "text": f"Câu hỏi số {i + 1} về đường liên thôn và đất đai của thôn {i % 12}",
                "asker_name": f"Người dân {i + 1}",
                "status": SubmissionStatus.ROUTED
                if routed
                else (SubmissionStatus.RECEIVED if i < targets else SubmissionStatus.MERGED),
                "department_id": departments[i % len(departments)] if routed else None,
                "created_at": START,
                "updated_at": START,
            }
        )
    await db.execute(insert(Submission), rows)
    ids = list(await db.scalars(select(Submission.id).order_by(Submission.id)))
    from sqlalchemy import update

    for n, sub_id in enumerate(ids[targets:]):
        await db.execute(
            update(Submission).where(Submission.id == sub_id).values(merged_into_id=ids[n % targets])
        )
    await db.commit()
    await sessions.mark_held(
        db, session.id, "office:1", START + timedelta(days=20, hours=3), participants=300
    )
    await db.commit()
    return session.id


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--merged", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    set_timezone("Asia/Ho_Chi_Minh")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/notice.db"
        engine = make_engine(url)
        await upgrade(engine)
        maker = sessionmaker_for(engine)
        async with maker() as db:
            session_id = await seed(db, args.questions, args.merged)
        statements = 0

        def count(*_args) -> None:
            nonlocal statements
            statements += 1

        async with maker() as db:
            await load_calendar(db)  # as in the running bot, whose every tick has it loaded
            await db.commit()
        async with maker() as db:
            event.listen(engine.sync_engine, "before_cursor_execute", count)
            started, cpu = time.perf_counter(), time.process_time()
            _, ids = await at_session.issue_conclusion_notice(
                db,
                session_id,
                "Chủ tịch UBND xã kết luận: giao các đơn vị trả lời.",
                None,
                "office:1",
                START + timedelta(days=22),
            )
            await db.commit()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            event.remove(engine.sync_engine, "before_cursor_execute", count)
            queued = await db.scalar(
                select(func.count(Outbox.id)).where(Outbox.purpose == "conclusion_notice")
            )
        await engine.dispose()
    print(f"database: {url.split(':')[0]}")
    print(f"questions: {args.questions} ({args.merged} merged); open ones on the clock: {len(ids)}")
    print(f"messages queued: {queued} (every asker, and one per department)")
    print(f"statements executed: {statements} (target < 50)")
    print(f"wall time: {elapsed:.2f} s (target < 3 s); CPU time of this process: {cpu:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
