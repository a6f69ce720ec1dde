"""Flood control's counting (bot/channels/telegram/guard.py), on an injected monotonic clock."""

from __future__ import annotations

from bot.channels.telegram.guard import Flood


def test_more_than_the_limit_in_the_window_warns_once_then_ignores_for_a_while():
    now = [0.0]
    flood = Flood(max_updates=3, window_s=10, mute_s=30, monotonic=lambda: now[0])
    assert [flood.hit(1) for _ in range(3)] == ["ok", "ok", "ok"]
    assert flood.hit(2) == "ok"  # someone else is not affected
    assert flood.hit(1) == "warn"  # the fourth within 10 s: told once
    assert flood.hit(1) == "ignore"
    now[0] = 29.9
    assert flood.hit(1) == "ignore"
    assert flood.hit(2) == "ok"
    now[0] = 30.1
    assert flood.hit(1) == "ok"  # the pause is over, counting starts afresh


def test_a_person_pace_is_never_throttled():
    now = [0.0]
    flood = Flood(max_updates=20, window_s=10, mute_s=30, monotonic=lambda: now[0])
    for _ in range(200):  # one update every 0.6 s, for two minutes
        assert flood.hit(7) == "ok"
        now[0] += 0.6
