"""`doithoai backup` and `doithoai restore`: a round trip on SQLite and PostgreSQL, and the backups
that are refused, with the reason."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.domain.directory import apply, parse
from bot.domain.sessions import create_session
from storage.backup import BackupError, backup, check, restore
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import DialogueSession
from tests.scenario import SAMPLE_DIRECTORY, START


async def _sessions(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return list(await db.scalars(select(DialogueSession.title).order_by(DialogueSession.id)))
    finally:
        await engine.dispose()


async def _add_session(url: str, title: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as db:
        if not await db.scalar(select(func.count()).select_from(DialogueSession)):
            await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), START)
        await create_session(
            db, title=title, place="Hội trường", starts_at=START + timedelta(days=20), now=START
        )
        await db.commit()
    await engine.dispose()


async def test_a_backup_restores_the_database_as_it_was(database_url, tmp_path):
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    await _add_session(database_url, "Quý III")
    copy = tmp_path / "backups" / "doithoai.backup"
    summary = await backup(database_url, copy)
    assert copy.is_file() and summary.revision == "0001"
    with pytest.raises(BackupError, match="already exists"):
        await backup(database_url, copy)
    await _add_session(database_url, "Quý IV (sau bản sao)")
    assert await _sessions(database_url) == ["Quý III", "Quý IV (sau bản sao)"]
    restored, kept = await restore(database_url, copy)
    assert await _sessions(database_url) == ["Quý III"]
    assert restored.revision == "0001" and kept is not None and kept.is_file()
    # the copy kept before restoring is itself a good backup
    await restore(database_url, kept)
    assert await _sessions(database_url) == ["Quý III", "Quý IV (sau bản sao)"]


async def test_a_backup_of_another_version_is_refused(database_url, tmp_path):
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    await _add_session(database_url, "Quý III")
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    await engine.dispose()
    copy = tmp_path / "newer.backup"
    await backup(database_url, copy)
    with pytest.raises(BackupError, match="migration 9999, which this version of doithoai does not know"):
        await check(database_url, copy)


async def test_files_that_are_not_backups_are_refused_with_the_reason(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    notes = tmp_path / "notes.txt"
    notes.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        await check(url, notes)
    with pytest.raises(BackupError, match="does not exist"):
        await check(url, tmp_path / "missing.db")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="not a doithoai database"):
        await check(url, other)
    await _add_session(url, "Quý III")
    good = tmp_path / "good.db"
    await backup(url, good)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(BackupError):
        await check(url, damaged)


def test_backup_and_restore_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'doithoai.db'}")
    assert main(["directory", "load", str(SAMPLE_DIRECTORY)]) == 0
    assert main(["backup", "backup-1.db"]) == 0
    written = capsys.readouterr().out
    assert "backup written to backup-1.db (migration 0001, 0 questions, 0 citizens)" in written
    assert main(["backup", "backup-1.db"]) == 1
    assert "already exists" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["restore", "notes.txt"]) == 1
    refused = capsys.readouterr().err
    assert "notes.txt cannot be restored: notes.txt is not a readable SQLite database" in refused
    assert main(["restore", "backup-1.db"]) == 1  # the database has data: say so, change nothing
    captured = capsys.readouterr()
    assert "migration 0001" in captured.out and "Stop `doithoai run` first" in captured.err
    assert main(["restore", "backup-1.db", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "restored (migration 0001" in out and "doithoai.db.before-restore-" in out
