"""The scheduler's tick itself: one at a time across processes, and `doithoai tick` at a chosen time.
(What a tick tells whom is in tests/test_deadlines_e2e.py and tests/test_scenarios.py, through the
product.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from bot.notify import scheduler
from bot.notify.scheduler import LEASE_NAME, TickParts, acquire_lease, run_tick
from bot.settings import Settings


def _parts(sessionmaker) -> TickParts:
    return TickParts(sessionmaker, Settings(_env_file=None))


async def test_only_one_tick_at_a_time(sessionmaker):
    wall = FixedClock(datetime(2026, 12, 29, 1, tzinfo=UTC))
    assert await acquire_lease(sessionmaker, LEASE_NAME, "other-process", wall.now())
    report = await run_tick(_parts(sessionmaker), wall.now(), holder="me", wall=wall)
    assert report.skipped
    # the other holder crashed: its lease expires after 5 minutes
    wall.advance(timedelta(minutes=6))
    report = await run_tick(_parts(sessionmaker), wall.now(), holder="me", wall=wall)
    assert not report.skipped


async def _killed_before_release(monkeypatch):
    async def dies_first(*args, **kwargs) -> None:  # kill -9 mid-tick: the lease is never released
        return None

    monkeypatch.setattr(scheduler, "release_lease", dies_first)


async def test_a_tick_run_for_next_year_and_killed_does_not_stop_the_live_ticks(sessionmaker, monkeypatch):
    wall = FixedClock(datetime(2026, 12, 29, 1, tzinfo=UTC))
    await _killed_before_release(monkeypatch)
    next_year = wall.now() + timedelta(days=365)
    assert not (await run_tick(_parts(sessionmaker), next_year, holder="cli", wall=wall)).skipped
    monkeypatch.undo()
    wall.advance(timedelta(minutes=6))  # the lease outlives the dead process by minutes, not a year
    assert not (await run_tick(_parts(sessionmaker), wall.now(), holder="bot", wall=wall)).skipped


async def test_a_tick_run_for_last_year_still_holds_the_lease_against_the_live_bot(sessionmaker, monkeypatch):
    wall = FixedClock(datetime(2026, 12, 29, 1, tzinfo=UTC))
    await _killed_before_release(monkeypatch)
    last_year = wall.now() - timedelta(days=365)
    assert not (await run_tick(_parts(sessionmaker), last_year, holder="cli", wall=wall)).skipped
    monkeypatch.undo()
    # still running (as far as anyone knows): the live bot must not tick beside it
    assert (await run_tick(_parts(sessionmaker), wall.now(), holder="bot", wall=wall)).skipped


def test_cli_tick_at_a_chosen_time(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DOITHOAI_BOT_TOKEN", "1:TEST")
    assert main(["tick", "--now", "2027-02-17T08:00", "--no-deliver"]) == 0
    assert "tick 2027-02-17: enqueued 0" in capsys.readouterr().out
