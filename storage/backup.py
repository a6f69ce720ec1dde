"""``doithoai backup`` and ``doithoai restore``: a consistent copy of the database, checked before it
is put back.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page while
the bot keeps running; the copy is a plain SQLite file (rollback journal, not WAL), checked with
``PRAGMA integrity_check`` before it replaces ``FILE``. PostgreSQL: ``pg_dump --format=custom`` (one
consistent snapshot) and ``pg_restore --clean --if-exists --single-transaction`` (all or nothing);
the PostgreSQL client tools must be installed (Debian: ``postgresql-client``, the server's major
version or newer).

Before restoring, the backup is checked: a readable database (SQLite) or archive (PostgreSQL) of
doithoai (it has the migrations table) at a migration this version knows; anything else is refused
with the reason. The database being replaced is first copied beside it (SQLite) or beside the backup
(PostgreSQL), so a restore can itself be undone. Stop ``doithoai run`` before restoring: a running
bot keeps in-memory copies (conversations, settings) of the database it was started on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text

from storage.db import alembic_config, make_engine


class BackupError(Exception):
    """What went wrong, in one sentence for the operator."""


@dataclass
class Summary:
    """What a database (or a backup of one) holds."""

    revision: str | None
    submissions: int | None = None
    citizens: int | None = None

    def describe(self) -> str:
        if self.submissions is None:
            return f"migration {self.revision}"
        return f"migration {self.revision}, {self.submissions} questions, {self.citizens} citizens"


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def libpq_url(url: str) -> str:
    """The URL pg_dump and pg_restore understand (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _kept_path(beside: Path) -> Path:
    """A new file name for the copy of a database about to be replaced (never an existing file)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")  # names a file; not application time
    candidate = beside.with_name(f"{beside.name}.before-restore-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = beside.with_name(f"{beside.name}.before-restore-{stamp}-{n}")
    return candidate


def check_revision(revision: str | None) -> None:
    """Refuse a backup this version cannot run on."""
    if revision is None:
        raise BackupError("it is not a doithoai database (it has no migration table)")
    if revision in heads():
        return
    if revision in known_revisions():
        return  # older: restored, then migrated
    expected = ", ".join(sorted(heads()))
    raise BackupError(
        f"it is at migration {revision}, which this version of doithoai does not know (it expects "
        f"{expected}): restore it with the version that made it"
    )


# --- SQLite -------------------------------------------------------------------------------------------


def _sqlite_summary(conn: sqlite3.Connection) -> Summary:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        return Summary(None)
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    summary = Summary(row[0] if row else None)
    if {"submissions", "citizens"} <= tables:
        summary.submissions = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        summary.citizens = conn.execute("SELECT count(*) FROM citizens").fetchone()[0]
    return summary


def _sqlite_check_file(path: Path) -> Summary:
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not a readable SQLite database (it has no SQLite header)")
    try:
        # read-only and immutable: checking a backup never writes beside it
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro&immutable=1", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the database in {path} is damaged ({result})")
            return _sqlite_summary(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from exc


def _sqlite_copy(source: Path, target: Path, *, journal: str) -> None:
    """A consistent copy with the online backup API (the source may be in use), checked, then moved
    into place (a half-written copy never has the target's name)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute(f"PRAGMA journal_mode={journal}")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the copy failed its integrity check ({result})")
        finally:
            dst.close()
            src.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_restore(backup: Path, database: Path) -> Path | None:
    """Replace the database's content with the backup's, in place (through the backup API, so the
    database file, its WAL and its permissions stay consistent). Returns the copy of what was there."""
    kept = None
    if database.exists():
        kept = _kept_path(database)
        _sqlite_copy(database, kept, journal="DELETE")
    src = sqlite3.connect(f"file:{backup.resolve()}?mode=ro&immutable=1", uri=True)
    dst = sqlite3.connect(database, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the restored database failed its integrity check ({result})")
    finally:
        dst.close()
        src.close()
    return kept


# --- PostgreSQL ----------------------------------------------------------------------------------------


async def _run(*argv: str) -> str:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(
            f"{argv[0]} is not installed (Debian: apt-get install postgresql-client, the server's version)"
        )
    proc = await asyncio.create_subprocess_exec(
        tool, *argv[1:], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{argv[0]} failed: {message[-1] if message else proc.returncode}")
    return out.decode(errors="replace")


async def _pg_check_file(path: Path) -> Summary:
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        listing = await _run("pg_restore", "--list", str(path))
    except BackupError as exc:
        raise BackupError(f"{path} is not a pg_dump archive ({exc})") from exc
    if "TABLE DATA public alembic_version" not in listing:
        return Summary(None)
    data = await _run("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path))
    lines = data.splitlines()
    revision = None
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            revision = None if lines[i + 1] == "\\." else lines[i + 1].strip()
    return Summary(revision)


# --- both ------------------------------------------------------------------------------------------------


async def summarise(url: str) -> Summary | None:
    """What the configured database holds now (None when it does not exist or has no tables)."""
    if is_sqlite(url) and not sqlite_path(url).exists():
        return None
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            try:
                revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            except Exception:  # no migration table: an empty database
                return None
            summary = Summary(revision)
            try:
                summary.submissions = await conn.scalar(text("SELECT count(*) FROM submissions"))
                summary.citizens = await conn.scalar(text("SELECT count(*) FROM citizens"))
            except Exception:
                pass
            return summary
    finally:
        await engine.dispose()


async def backup(url: str, target: Path, *, overwrite: bool = False) -> Summary:
    """Write a consistent copy of the database to ``target``; returns what it holds."""
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists (choose another name, or --force to replace it)")
    if is_sqlite(url):
        source = sqlite_path(url)
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        _sqlite_copy(source, target, journal="DELETE")
        return _sqlite_check_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        await _run("pg_dump", "--format=custom", "--no-owner", f"--file={tmp}", libpq_url(url))
        summary = await _pg_check_file(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    current = await summarise(url)
    return current or summary


async def check(url: str, path: Path) -> Summary:
    """Is ``path`` a backup this version can restore into this kind of database? Raises BackupError
    saying why not."""
    summary = _sqlite_check_file(path) if is_sqlite(url) else await _pg_check_file(path)
    check_revision(summary.revision)
    return summary


async def restore(url: str, path: Path) -> tuple[Summary, Path | None]:
    """Check the backup, keep a copy of the current database, put the backup in its place, and migrate
    it if it is older. Returns what was restored and where the previous database was kept."""
    summary = await check(url, path)
    if is_sqlite(url):
        kept = _sqlite_restore(path, sqlite_path(url))
    else:
        kept = None
        if await summarise(url) is not None:
            kept = _kept_path(path)
            await _run("pg_dump", "--format=custom", "--no-owner", f"--file={kept}", libpq_url(url))
        await _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={libpq_url(url)}",
            str(path),
        )
    if summary.revision not in heads():
        from storage.db import upgrade

        engine = make_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
    return (await summarise(url)) or summary, kept
