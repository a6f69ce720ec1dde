"""The scheduler's tick itself: one at a time across processes, and `doithoai tick` at a chosen time.
(What a tick tells whom is in tests/test_deadlines_e2e.py and tests/test_scenarios.py, through the
product.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.notify.scheduler import LEASE_NAME, TickParts, acquire_lease, run_tick
from bot.settings import Settings


async def test_only_one_tick_at_a_time(sessionmaker):
    now = datetime(2026, 12, 29, 1, tzinfo=UTC)
    assert await acquire_lease(sessionmaker, LEASE_NAME, "other-process", now)
    parts = TickParts(sessionmaker, Settings(_env_file=None))
    report = await run_tick(parts, now, holder="me", lease_now=now)
    assert report.skipped
    # the other holder crashed: its lease expires after 5 minutes
    later = now + timedelta(minutes=6)
    report = await run_tick(parts, later, holder="me", lease_now=later)
    assert not report.skipped


def test_cli_tick_at_a_chosen_time(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DOITHOAI_BOT_TOKEN", "1:TEST")
    assert main(["tick", "--now", "2027-02-17T08:00", "--no-deliver"]) == 0
    assert "tick 2027-02-17: enqueued 0" in capsys.readouterr().out
