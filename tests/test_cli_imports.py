"""Commands that do not talk to Telegram start quickly: they never import aiogram (its types cost
seconds of CPU to import on a small machine). bench/cli_startup.py prints what a command costs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenario import SAMPLE_DIRECTORY

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from bot.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "aiogram" or m.startswith("aiogram."))
print("AIOGRAM:", len(loaded), loaded[:3])
raise SystemExit(code)
"""


def run(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "DOITHOAI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["db", "upgrade"],
        ["directory", "load", str(SAMPLE_DIRECTORY)],
        ["session", "list"],
        ["report", "2026", "--out", "out"],
        ["import-questions", "--template", "mau.xlsx"],
    ],
    ids=["db upgrade", "directory load", "session list", "report", "import-questions"],
)
def test_a_command_that_does_not_talk_to_telegram_does_not_import_aiogram(args, tmp_path):
    out = run(args, tmp_path)
    assert "AIOGRAM: 0 []" in out, out


def test_the_probe_would_see_aiogram_if_a_command_imported_it(tmp_path):
    # The check above cannot pass by accident: the same probe after `tick` (which sends) sees it.
    out = run(["tick", "--no-deliver"], tmp_path)
    assert "AIOGRAM: 0" not in out and "AIOGRAM:" in out
