"""A province on one deployment (issue #15): 100 units, 100,000 questions, on PostgreSQL.

    .venv/bin/python bench/province.py [--units 100] [--questions 100000] [--database-url URL]

Without --database-url a fresh database is made on the local server (``--server``, default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards; a --database-url must name an
empty database. It loads a generated directory of ``--units`` units (a province and its communes) with
one command's function (``directory.load_file``), seeds a year of sessions and questions in every
status (bulk inserts: a benchmark's fixture, not a scenario), then times, in one run:

- a deadline tick (the scheduler's real ``deadline_tick``, in one transaction, committed): the first
  one (a year of questions never ticked before: every status update and reminder of the year is
  enqueued at once) and a second one the same day (the steady state, after ``ANALYZE outbox`` as
  autovacuum does after that many new rows) — target under 1 s;
- a province-wide ``/stats`` (the figures of every unit, the per-unit table, the chart) — target under
  2 s — twice: the first in the process also imports matplotlib for the chart (once per process), the
  second is what a running bot spends;
- the annual report (the figures, the workbook and the document) — target under 10 s.

The intake figures (updates/s with 1 and 2 webhook worker processes, and their ratio) are the scale
work's: ``intake_figures`` below is where they are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain import units  # noqa: E402
from bot.domain.directory import load_file  # noqa: E402
from bot.i18n import set_timezone  # noqa: E402
from bot.notify import sessionmaker_for  # noqa: E402
from bot.notify.ticks import deadline_tick  # noqa: E402
from bot.reports import render, resolve  # noqa: E402
from bot.reports.metrics import EXCEPTIONS  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.texts import reports as tr  # noqa: E402
from bot.texts import units as tu  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Citizen,
    Department,
    DialogueSession,
    SessionStatus,
    Submission,
    SubmissionStatus,
    Topic,
)

S = SubmissionStatus
NOW = datetime(2026, 12, 15, 2, tzinfo=UTC)  # 09:00 local, a Tuesday
DEPARTMENTS = ("DIA_CHINH", "NONG_NGHIEP", "XA_HOI", "VAN_HOA", "CONG_AN")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def prefix(i: int) -> str:
    return "HT" if i == 0 else "X" + LETTERS[(i // 26) % 26] + LETTERS[i % 26]


def directory_text(count: int) -> str:
    """A province (unit 0) and ``count - 1`` communes, each with five departments and topics, staff,
    and a day off of its own."""
    out = []
    for i in range(count):
        code = "HT" if i == 0 else f"XA{i:03d}"
        out += [
            "[[units]]",
            f'code = "{code}"',
            f'name_vi = "{"UBND tỉnh Hà Tĩnh" if i == 0 else f"UBND xã Số {i}"}"',
            f'level = "{"province" if i == 0 else "commune"}"',
            *([] if i == 0 else ['parent = "HT"']),
            f'code_prefix = "{prefix(i)}"',
            f"office_chat_id = -100300{i:04d}000",
            # each commune's own day off (a local festival): every unit has a calendar of its own
            *([] if i == 0 else [f"days_off = [2026-{3 + i % 9:02d}-{10 + i % 15:02d}]"]),
            "",
        ]
        for j, dept in enumerate(DEPARTMENTS):
            out += [
                "[[units.departments]]",
                f'code = "{dept}"',
                f'name_vi = "Phòng {dept}"',
                f'name_en = "{dept}"',
                f"chat_id = -100300{i:04d}{j + 1:03d}",
                "",
                "[[units.topics]]",
                f'code = "{dept}"',
                f'name_vi = "Lĩnh vực {dept}"',
                f'name_en = "{dept}"',
                f'department = "{dept}"',
                "",
            ]
        out += ["[[units.staff]]", f"user_id = {7_000_000 + i}", 'role = "office"', ""]
    return "\n".join(out)


async def seed(maker, questions: int) -> None:
    """Per unit: a session held in the spring (concluded) and one in the autumn (notice issued), the
    questions spread over them in every status, a tenth of the open ones overdue."""
    rng = random.Random(15)
    async with maker() as db:
        all_units = await units.all_units(db)
        depts: dict[int, list[int]] = {}
        for d in await db.scalars(select(Department)):
            depts.setdefault(d.unit_id, []).append(d.id)
        topics: dict[int, list[int]] = {}
        for t in await db.scalars(select(Topic)):
            topics.setdefault(t.unit_id, []).append(t.id)
        rows = []
        for u in all_units:
            for month, status in ((4, SessionStatus.CLOSED), (10, SessionStatus.CONCLUDED)):
                held = datetime(2026, month, 15, 2, tzinfo=UTC)
                rows.append(
                    {
                        "title": f"Đối thoại tháng {month} — {u.name_vi}",
                        "level": "tinh" if u.upper else "xa",
                        "kind": "periodic",
                        "starts_at": held,
                        "place": "Hội trường",
                        "status": status,
                        "announced_at": held - timedelta(days=20),
                        "held_at": held,
                        "notice_at": held + timedelta(days=7),
                        "participants": 120,
                        "created_at": held - timedelta(days=30),
                        "unit_id": u.id,
                    }
                )
        await db.execute(insert(DialogueSession), rows)
        sessions = [(s.id, s.unit_id, s.starts_at) for s in await db.scalars(select(DialogueSession))]
        citizens = [
            {
                "channel": "telegram",
                "chat_id": str(100_000 + i),
                "locale": "vi",
                "consent_at": NOW - timedelta(days=300),
                "created_at": NOW - timedelta(days=300),
                "notify_sessions": False,
                "unit_id": sessions[i % len(sessions)][1],
            }
            for i in range(questions // 2)
        ]
        for start in range(0, len(citizens), 10_000):
            await db.execute(insert(Citizen), citizens[start : start + 10_000])
        citizen_ids = list(await db.scalars(select(Citizen.id).order_by(Citizen.id)))
        await db.commit()
    prefixes = {u.id: u.code_prefix for u in all_units}
    numbers: dict[int, int] = {}
    batch = []
    for i in range(questions):
        session_id, unit_id, held = sessions[i % len(sessions)]
        spring = held.month == 4
        roll = rng.random()
        if roll < 0.3:
            status = S.RESPONDED
        elif roll < 0.5:
            status = S.ANSWERED_AT_SESSION
        elif roll < 0.6:
            status = S.FORWARDED
        elif roll < 0.65:
            status = S.MERGED
        elif roll < 0.7:
            status = S.REJECTED
        else:
            status = S.RESPONDED if spring else S.AWAITING_RESPONSE
        created = held - timedelta(days=rng.randint(3, 15))
        due = (held + timedelta(days=50)).date() if status in (S.RESPONDED, S.AWAITING_RESPONSE) else None
        if status == S.AWAITING_RESPONSE and rng.random() < 0.1:
            due = date(2026, 12, 1)  # overdue
        elif status == S.AWAITING_RESPONSE:
            due = date(2027, 1, 20)
        numbers[unit_id] = numbers.get(unit_id, 0) + 1
        dept = rng.choice(depts[unit_id]) if status not in (S.MERGED, S.REJECTED) else None
        answered = created + timedelta(days=rng.randint(10, 40)) if status == S.RESPONDED else None
        batch.append(
            {
                "code": f"{prefixes[unit_id]}-26-{numbers[unit_id]:04d}",
                "session_id": session_id,
                "citizen_id": citizen_ids[i % len(citizen_ids)],
                "channel": "telegram",
                "topic_id": rng.choice(topics[unit_id]),
                "department_id": dept,
                "text": f"Câu hỏi số {i} về đường giao thông, đất đai và môi trường của thôn {i % 17}",
                "asker_name": f"Người dân {i}",
                "status": status,
                "response_due": due,
                "responded_at": answered,
                "answered_at": answered or (held if status == S.ANSWERED_AT_SESSION else None),
                "response_text": "Đã trả lời bằng văn bản." if status == S.RESPONDED else None,
                "session_answer": "Trả lời tại hội nghị." if status == S.ANSWERED_AT_SESSION else None,
                "forwarded_to": "Sở Tài nguyên và Môi trường" if status == S.FORWARDED else None,
                "rejection_reason": "Không thuộc phạm vi" if status == S.REJECTED else None,
                "created_at": created,
                "updated_at": answered or created,
                "routed_at": created + timedelta(days=1) if dept else None,
                "unit_id": unit_id,
                "satisfaction": rng.randint(1, 5) if status == S.RESPONDED and rng.random() < 0.3 else None,
            }
        )
        if len(batch) == 10_000:
            async with maker() as db:
                await db.execute(insert(Submission), batch)
                await db.commit()
            batch = []
    if batch:
        async with maker() as db:
            await db.execute(insert(Submission), batch)
            await db.commit()
    async with maker() as db:  # the history the figures read: received, routed, answered (by whom)
        for statement in EVENTS:
            await db.execute(text(statement))
        await db.commit()


# Answers by a staff member of the department (or the unit's office at the session), as the
# satisfaction per staff member reads them.
EVENTS = [
    "INSERT INTO submission_events (submission_id, at, actor, action, detail) "
    "SELECT id, created_at, 'citizen', 'submit', CAST('{}' AS JSON) FROM submissions",
    "INSERT INTO submission_events (submission_id, at, actor, action, detail) "
    "SELECT id, routed_at, 'office:1', 'route', CAST('{}' AS JSON) FROM submissions "
    "WHERE routed_at IS NOT NULL",
    "INSERT INTO submission_events (submission_id, at, actor, action, detail) "
    "SELECT id, answered_at, 'dept:' || (900000 + department_id), 'respond', CAST('{}' AS JSON) "
    "FROM submissions WHERE status = 'responded'",
    "INSERT INTO submission_events (submission_id, at, actor, action, detail) "
    "SELECT id, answered_at, 'office:' || (800000 + unit_id), 'answer_at_session', CAST('{}' AS JSON) "
    "FROM submissions WHERE status = 'answered_at_session'",
    "ANALYZE submission_events",
]


async def timed(label: str, work) -> float:
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    print(f"{label:<58} {elapsed:8.3f} s")
    return elapsed, result


def intake_figures() -> None:
    """Intake updates/s with 1 and 2 webhook worker processes, and their ratio: printed by the scale
    work (Telegram webhook mode with several workers), which fills this in."""
    print("intake, 1 vs 2 webhook workers: not measured here (see the webhook workers' benchmark)")


async def run(url: str, count: int, questions: int) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    maker = sessionmaker_for(engine)
    settings = Settings(_env_file=None, database_url=url, bot_token="")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province.toml"
        path.write_text(directory_text(count), encoding="utf-8")

        async def load():
            async with maker() as db:
                report = await load_file(db, path, NOW)
                await db.commit()
                return report

        elapsed, report = await timed(f"directory load: {count} units, {report_size(path)}", load)
    print(
        f"  {report.units} units, {report.departments} departments, {report.topics} topics, "
        f"{report.staff} staff"
    )
    started = time.perf_counter()
    await seed(maker, questions)
    print(f"seeded {questions} questions in {time.perf_counter() - started:.1f} s")
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()

    async def tick():
        async with maker() as db:
            result = await deadline_tick(db, NOW, settings)
            await db.commit()
            return result

    first, report1 = await timed("deadline tick, the first of the day (a year's catch-up)", tick)
    print(f"  {report1}")
    if engine.dialect.name == "postgresql":  # as autovacuum does after that many new outbox rows
        async with engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE outbox")
            await conn.commit()
    second, _ = await timed("deadline tick, again the same day (steady state; target < 1 s)", tick)

    async with maker() as db:
        province = next(u for u in await units.all_units(db) if u.parent_id is None)
        everyone = await units.subtree(db, province.id)
        await db.commit()

    async def stats():
        async with maker() as db:
            report = await resolve(db, "2026H2", NOW, everyone, facts=EXCEPTIONS)
            await db.commit()
        files = await render(report, documents=False)
        text = tr.stats_text(report) + tu.report_units(report.by_unit)
        return report, files, text

    cold, _ = await timed("province-wide /stats 2026H2, the first (imports matplotlib)", stats)
    stats_time, (report, _files, text) = await timed(
        "province-wide /stats 2026H2 again, as a running bot (< 2 s)", stats
    )
    print(f"  {report.totals.received} questions, {len(report.by_unit)} unit rows, {len(text)} characters")

    async def annual():
        async with maker() as db:
            report = await resolve(db, "2026", NOW, everyone)
            await db.commit()
        return report, await render(report)

    annual_time, (year, files) = await timed(
        "the annual report 2026: figures, workbook, document (< 10 s)", annual
    )
    print(
        f"  {year.totals.received} questions; workbook {len(files.workbook) // 1024} KiB, "
        f"document {len(files.document) // 1024} KiB"
    )
    print(
        f"targets met: tick {second < 1.0} ({second:.2f}/1 s), /stats {stats_time < 2.0} "
        f"({stats_time:.2f}/2 s), report {annual_time < 10.0} ({annual_time:.2f}/10 s)"
    )
    intake_figures()
    await engine.dispose()


def report_size(path: Path) -> str:
    return f"{path.stat().st_size // 1024} KiB"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    set_timezone("Asia/Ho_Chi_Minh")
    if args.database_url:
        await run(args.database_url, args.units, args.questions)
        return
    import asyncpg

    name = f"doithoai_province_{os.getpid()}"
    admin = await asyncpg.connect(args.server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = args.server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        await run(f"{base}/{name}", args.units, args.questions)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
