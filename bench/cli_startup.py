"""What a CLI command costs to start: `doithoai session list` beside `python -c pass`, in one run.

    .venv/bin/python bench/cli_startup.py [--runs 5]

Commands that do not talk to Telegram (session list, report, directory load, db upgrade) must not
import aiogram (tests/test_cli_imports.py); this prints their CPU time (user + system, of the child
process) and wall time, the median of the runs, and the ratio to a bare interpreter.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOITHOAI = Path(sys.executable).with_name("doithoai")


def measure(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DOITHOAI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db"}
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "doithoai session list": [str(DOITHOAI), "session", "list"],
            "doithoai report 2026": [str(DOITHOAI), "report", "2026", "--out", tmp],
            "python -c 'import aiogram.types'": [sys.executable, "-c", "import aiogram.types"],
        }
        measure(commands["doithoai session list"], env, tmp)  # migrate the database once
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):  # in turns, so the machine's drift touches every command alike
            for name, cmd in commands.items():
                results[name].append(measure(cmd, env, tmp))
    base = statistics.median(cpu for cpu, _ in results["python -c pass"])
    print(f"{'command':<36} {'CPU s':>7} {'wall s':>7} {'CPU ÷ python -c pass':>22}")
    for name, runs in results.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        print(f"{name:<36} {cpu:7.2f} {wall:7.2f} {cpu / base:22.1f}")


if __name__ == "__main__":
    main()
