"""The command line, as an operator uses it."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.scenario import SAMPLE_DIRECTORY


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_database_upgrade_then_nothing_to_do(env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "database migrated" in out and "already up to date" in out


def test_directory_load_and_a_bad_file(env, capsys):
    assert main(["directory", "load", str(SAMPLE_DIRECTORY)]) == 0
    assert "loaded 7 departments, 9 topics, 3 staff, 2 calendar days" in capsys.readouterr().out
    bad = env / "bad.toml"
    bad.write_text('[unit]\nname_vi = "X"\n\n[[departments]]\ncode = "x"\n', encoding="utf-8")
    assert main(["directory", "load", str(bad)]) == 2
    assert "line 4" in capsys.readouterr().err
    assert main(["directory", "load", str(env / "missing.toml")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_session_create_enforces_the_seven_day_announcement_rule(env, capsys):
    assert (
        main(
            [
                "session",
                "create",
                "--title",
                "Đối thoại quý IV",
                "--starts-at",
                "2099-12-15T08:00",
                "--place",
                "Hội trường UBND xã",
            ]
        )
        == 0
    )
    assert "announced" in capsys.readouterr().out
    from datetime import datetime, timedelta

    soon = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT08:00")
    assert main(["session", "create", "--title", "Gấp", "--starts-at", soon, "--place", "Nhà văn hóa"]) == 2
    assert "at least 7 days" in capsys.readouterr().err
    assert (
        main(
            [
                "session",
                "create",
                "--title",
                "Gấp",
                "--starts-at",
                soon,
                "--place",
                "Nhà văn hóa",
                "--kind",
                "adhoc",
            ]
        )
        == 0
    )
    assert main(["session", "create", "--title", "X", "--starts-at", "not-a-date", "--place", "Y"]) != 0
    capsys.readouterr()
    assert main(["session", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Đối thoại quý IV" in listing and "15/12/2099 08:00" in listing and "adhoc" in listing


def test_the_demo_plays_a_whole_submission_and_exits_0(env, capsys, monkeypatch):
    monkeypatch.delenv("DOITHOAI_BOT_TOKEN", raising=False)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Mã theo dõi: TD-26-0001" in out  # the citizen's acknowledgement
    assert "📥 Câu hỏi mới TD-26-0001" in out  # the office group's triage card
    assert "Demo finished" in out
