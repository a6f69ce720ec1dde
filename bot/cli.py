"""The ``doithoai`` command.

    doithoai run                 long polling (deletes a webhook first); migrates on start
    doithoai demo                the real bot against the built-in Bot API simulator, one citizen's transcript
    doithoai web [--host H] [--port P]   the public website alone (no Telegram connection)
    doithoai db upgrade          migrate the database
    doithoai directory load F    load departments, topics, staff and calendar from a TOML file
    doithoai session create …    create (and by default announce) a dialogue session
    doithoai session list
    doithoai report PERIOD [--out DIR]   the 6-month / annual report (.xlsx, .docx, .png)
    doithoai import-questions FILE --session N   questions gathered on paper (MTTQ…) from a spreadsheet
    doithoai import-questions --template FILE    the spreadsheet to fill in
    doithoai tick [--now ISO]    one deadline tick (enqueue what is due, deliver it)
    doithoai backup FILE         a consistent copy of the database (SQLite backup API / pg_dump)
    doithoai restore FILE        check a backup and put it in place of the database
    doithoai audit [--since D]   staff access to personal data (who, when, what, where)
    doithoai doctor              check the token, the groups, migrations and the calendar; say what to fix

Each subcommand is a function taking the parsed arguments and returning an exit code; to add one,
write the function and register it in ``build_parser``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.settings import Settings

Command = Callable[[argparse.Namespace], Awaitable[int]]


class CliError(Exception):
    """A mistake in what the operator typed: printed as one line, exit code 2."""


def _parse_local(value: str, tz: str) -> datetime:
    """ISO date-time; without an offset it is read in the deployment's timezone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"'{value}' is not a date-time like 2026-12-15T08:00") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


def _system_actor() -> str:
    """Who runs a command on the server, for the audit log."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (a container)
        import os

        return f"cli:uid {os.getuid()}"


async def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import make_engine, upgrade

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        applied = await upgrade(engine)
    finally:
        await engine.dispose()
    print("database migrated" if applied else "database already up to date")
    return 0


async def _with_db(fn: Callable[..., Awaitable[int]]) -> int:
    from bot.clock import SystemClock
    from bot.notify import sessionmaker_for
    from storage.db import make_engine, upgrade

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with sessionmaker_for(engine)() as db:
            code = await fn(db, settings, SystemClock().now())
            await db.commit()
            return code
    finally:
        await engine.dispose()


async def cmd_directory_load(args: argparse.Namespace) -> int:
    from bot.domain.directory import DirectoryError, load_file

    async def load(db, settings, now) -> int:
        try:
            report = await load_file(db, args.file, now)
        except DirectoryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        units = f"{report.units} units, " if report.units else ""
        print(
            f"loaded {units}{report.departments} departments, {report.topics} topics, {report.staff} staff, "
            f"{report.calendar_days} calendar days from {args.file}"
        )
        if report.staff_removed:
            print(f"removed {len(report.staff_removed)} staff no longer in the file (they lose access):")
            print("".join(f"  {who}\n" for who in report.staff_removed), end="")
        if report.staff_kept:
            print(
                f"kept {report.staff_kept} staff added in chat with /add_staff (the file does not name them; "
                "list them in the file to manage them there)"
            )
        for warning in report.warnings:
            print(f"note: {warning}")
        return 0

    return await _with_db(load)


async def cmd_session_create(args: argparse.Namespace) -> int:
    from bot.domain.errors import AnnouncementTooLate, DomainError
    from bot.domain.sessions import create_session

    async def create(db, settings, now) -> int:
        from bot.domain import units

        starts = _parse_local(args.starts_at, settings.timezone)
        closes = _parse_local(args.questions_close, settings.timezone) if args.questions_close else None
        unit = await units.by_code(db, args.unit) if args.unit else None
        if args.unit and unit is None:
            print(f"error: no unit {args.unit!r} in the directory", file=sys.stderr)
            return 2
        try:
            with units.scoped(unit.id if unit else None):  # the unit's own session
                session = await create_session(
                    db,
                    title=args.title,
                    starts_at=starts,
                    place=args.place,
                    now=now,
                    level=args.level,
                    kind=args.kind,
                    questions_close_at=closes,
                    announce=not args.draft,
                )
        except AnnouncementTooLate:
            print(
                "error: a session must be announced at least 7 days before it is held (R1); "
                "use --kind adhoc for an ad hoc session, or --draft to announce later",
                file=sys.stderr,
            )
            return 2
        except DomainError as exc:
            print(f"error: {exc.detail or exc.code}", file=sys.stderr)
            return 2
        print(
            f"session {session.id} created ({session.status}): {session.title}, "
            f"{session.starts_at.astimezone(ZoneInfo(settings.timezone)):%d/%m/%Y %H:%M}, {session.place}"
        )
        return 0

    return await _with_db(create)


async def cmd_session_list(args: argparse.Namespace) -> int:
    from bot.domain.sessions import list_sessions

    async def show(db, settings, now) -> int:
        tz = ZoneInfo(settings.timezone)
        sessions = await list_sessions(db)
        if not sessions:
            print("no sessions yet")
        for s in sessions:
            print(
                f"{s.id:>4}  {s.starts_at.astimezone(tz):%d/%m/%Y %H:%M}  {s.status:<16} {s.kind:<10} "
                f"{s.level:<5} {s.title} — {s.place}"
            )
        return 0

    return await _with_db(show)


async def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.domain import audit
    from bot.i18n import set_timezone, use_locale
    from bot.reports import ScopeError, write_report

    async def make(db, settings, now) -> int:
        set_timezone(settings.timezone)  # due dates and session days are local dates
        unit_ids = await _report_units(db, args.unit)
        with use_locale(args.lang):
            try:
                paths = await write_report(db, args.period, now, Path(args.out), unit_ids)
            except ScopeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
        await audit.record(  # the files name the askers who allowed it and quote every question
            db, actor=_system_actor(), action=audit.REPORT_CLI, subject=args.period, now=now
        )
        for path in paths:
            print(path)
        return 0

    return await _with_db(make)


async def _report_units(db, code: str | None) -> list[int] | None:
    """A deployment of many units: the unit named (``--unit``), or the one at the top (the province),
    with every unit below it — the files its office's ``/report`` gives. One unit: None (everything)."""
    from bot.domain import units

    if not await units.many(db):
        if code:
            raise CliError("--unit: this deployment has one unit")
        return None
    every = await units.all_units(db)
    if code:
        unit = await units.by_code(db, code)
        if unit is None:
            raise CliError(f"--unit: no unit {code!r}; the units: {', '.join(u.code for u in every)}")
    else:
        tops = [u for u in every if u.parent_id is None]
        if len(tops) != 1:
            raise CliError(f"name the unit with --unit ({', '.join(u.code for u in tops)})")
        unit = tops[0]
    return await units.subtree(db, unit.id)


async def cmd_import_questions(args: argparse.Namespace) -> int:
    """All rows or none: a bad row is reported with its row number and reason, and nothing is stored."""
    from pathlib import Path

    from bot.domain import importing, recording
    from bot.domain.errors import DomainError
    from bot.i18n import set_timezone, use_locale
    from bot.texts import office_extra as tx

    async def run(db, settings, now) -> int:
        set_timezone(settings.timezone)
        if args.template:
            Path(args.template).write_bytes(await importing.template_for(db))
            print(f"template written to {args.template}")
            if not args.file:
                return 0
        if not args.file or args.session is None:
            raise CliError("give the spreadsheet and --session N (see: doithoai session list)")
        try:
            content = Path(args.file).read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}") from exc
        with use_locale(args.lang):
            try:
                await recording.session_taking_recorded(db, args.session)
                problems, questions = await importing.read_questions(db, content, args.session)
                if problems:
                    print(
                        f"refused, nothing imported: {len(problems)} problem(s) in {args.file}",
                        file=sys.stderr,
                    )
                    for problem in problems:
                        print(f"  {tx.problem(problem)}", file=sys.stderr)
                    await db.rollback()
                    return 2
                subs = await recording.record_many(db, questions, "office:cli", now, settings.code_prefix)
            except DomainError as exc:
                raise CliError(f"session {args.session}: {exc.detail or exc.code}") from exc
        print(
            f"imported {len(subs)} question(s) into session {args.session}: "
            + ", ".join(s.code for s in subs)
        )
        return 0

    return await _with_db(run)


async def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    settings = Settings()
    return await run(
        settings,
        webhook=args.webhook,
        host=args.host,
        port=args.port,
        public_url=args.public_url or "",
        telegram_port=args.telegram_port,
        workers=args.workers,
        worker=args.worker,
    )


async def cmd_web(args: argparse.Namespace) -> int:
    from bot.web.server import run_standalone

    return await run_standalone(Settings(), host=args.host, port=args.port)


async def cmd_tick(args: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.clock import FixedClock, SystemClock
    from bot.notify.scheduler import run_tick

    settings = Settings()
    clock = FixedClock(_parse_local(args.now, settings.timezone)) if args.now else SystemClock()
    app = build_app(settings, clock=clock)
    try:
        await app.migrate()
        deliver = not args.no_deliver
        if deliver:
            from bot.ops.standby import run_is_active

            if await run_is_active(app.sessionmaker):
                print("`doithoai run` is active: it delivers what this tick enqueues", file=sys.stderr)
                deliver = False
        report = await run_tick(app, clock.now(), deliver=deliver)
    finally:
        await app.close()
    print(report)
    return 0


async def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from storage.backup import BackupError, backup

    settings = Settings()
    try:
        summary = await backup(settings.database_url, Path(args.file), overwrite=args.force)
    except BackupError as exc:
        print(f"error: backup not written: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {args.file} ({summary.describe()})")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from storage.backup import BackupError, check, restore, summarise

    settings = Settings()
    path = Path(args.file)
    try:
        found = await check(settings.database_url, path)
    except BackupError as exc:
        print(f"error: {path} cannot be restored: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: a doithoai database at {found.describe()}")
    current = await summarise(settings.database_url)
    if current is not None and not args.yes:
        print(
            f"This replaces the current database ({current.describe()}); a copy of it is kept. "
            "Stop `doithoai run` first, then run this again with --yes.",
            file=sys.stderr,
        )
        return 1
    try:
        restored, kept = await restore(settings.database_url, path)
    except BackupError as exc:
        print(f"error: restore failed: {exc}", file=sys.stderr)
        return 1
    kept_note = f"; the previous database was kept in {kept}" if kept else ""
    print(f"restored ({restored.describe()}){kept_note}")
    return 0


async def cmd_audit(args: argparse.Namespace) -> int:
    from bot.domain import audit

    since = _parse_local(args.since, Settings().timezone) if args.since else None

    async def show(db, settings, now) -> int:
        tz = ZoneInfo(settings.timezone)
        entries = await audit.latest(db, args.limit, since)
        if since is None:
            entries.reverse()  # oldest first, like a log
        if not entries:
            print("no access to personal data recorded" + (f" since {args.since}" if since else ""))
        for e in entries:
            where = f"chat {e.chat_id}" if e.chat_id else "command line"
            who = f"{e.actor} ({e.actor_name})" if e.actor_name else e.actor
            print(f"{e.at.astimezone(tz):%Y-%m-%d %H:%M:%S}  {who}  {where}  {e.action}  {e.subject}")
        return 0

    return await _with_db(show)


async def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.ops.doctor import run_doctor

    return await run_doctor(Settings())


async def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return await run_demo(verbose=args.verbose)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="doithoai", description="Đối thoại bot: citizens' questions for dialogue sessions"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="run the bot (Telegram long polling; Zalo too when DOITHOAI_ZALO_TOKEN is set)"
    )
    run.add_argument(
        "--webhook", action="store_true", help="receive Zalo events by webhook instead of polling"
    )
    run.add_argument("--host", default="0.0.0.0", help="Zalo webhook address (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=8081, help="Zalo webhook port (default 8081)")
    run.add_argument(
        "--public-url",
        metavar="URL",
        default="",
        help="with --webhook: the address this server is reached at from the internet, e.g. "
        "https://bot.example.gov.vn (Telegram's webhook is registered at URL/telegram/webhook, "
        "Zalo's at URL/zalo/webhook)",
    )
    run.add_argument("--telegram-port", type=int, default=8443, help="Telegram webhook port (default 8443)")
    run.add_argument(
        "--workers", type=int, default=1, help="Telegram webhook worker processes on one port (PostgreSQL)"
    )
    run.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)  # set by --workers
    run.set_defaults(func=cmd_run)
    tick = sub.add_parser("tick", help="run one deadline tick now (or at --now) and deliver what is due")
    tick.add_argument("--now", help="the time to act as, e.g. 2027-02-17T08:00 (local time)")
    tick.add_argument("--no-deliver", action="store_true", help="only enqueue; leave delivery to `run`")
    tick.set_defaults(func=cmd_tick)
    web = sub.add_parser("web", help="serve the public website alone (DOITHOAI_WEB_HOST, DOITHOAI_WEB_PORT)")
    web.add_argument("--host", help="address to listen on (default DOITHOAI_WEB_HOST, 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default DOITHOAI_WEB_PORT, else 8080)")
    web.set_defaults(func=cmd_web)
    demo = sub.add_parser("demo", help="play one citizen's conversation against the built-in simulator")
    demo.add_argument("--verbose", action="store_true", help="also print the bot's log")
    demo.set_defaults(func=cmd_demo)

    backup = sub.add_parser("backup", help="write a consistent copy of the database to FILE")
    backup.add_argument("file")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="check a backup and put it in place of the database")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="replace the current database (a copy is kept)")
    restore.set_defaults(func=cmd_restore)
    audit = sub.add_parser("audit", help="staff access to personal data: who, when, what, from which chat")
    audit.add_argument("--since", help="from this date or date-time on, e.g. 2026-12-01 (local time)")
    audit.add_argument("--limit", type=int, default=50, help="without --since: the last N entries (50)")
    audit.set_defaults(func=cmd_audit)
    doctor = sub.add_parser("doctor", help="check the setup and print what to fix (exit code 1 if anything)")
    doctor.set_defaults(func=cmd_doctor)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="migrate to the newest schema").set_defaults(func=cmd_db_upgrade)

    directory = sub.add_parser("directory", help="departments, topics, staff").add_subparsers(
        dest="dir_command", required=True
    )
    load = directory.add_parser("load", help="load a directory TOML file")
    load.add_argument("file")
    load.set_defaults(func=cmd_directory_load)

    session = sub.add_parser("session", help="dialogue sessions").add_subparsers(
        dest="session_command", required=True
    )
    create = session.add_parser("create", help="create a session (announced unless --draft)")
    create.add_argument("--title", required=True)
    create.add_argument("--starts-at", required=True, help="e.g. 2026-12-15T08:00 (local time)")
    create.add_argument("--place", required=True)
    create.add_argument("--level", choices=["xa", "huyen", "tinh"], default="xa")
    create.add_argument("--kind", choices=["periodic", "adhoc", "on_request"], default="periodic")
    create.add_argument("--questions-close", help="when questions close (default: when the session starts)")
    create.add_argument("--draft", action="store_true", help="create without announcing")
    create.add_argument("--unit", help="the unit's code, on a deployment of many units (the directory's)")
    create.set_defaults(func=cmd_session_create)
    session.add_parser("list", help="list sessions").set_defaults(func=cmd_session_list)

    report = sub.add_parser("report", help="the 6-month / annual report: .xlsx, .docx and the chart (.png)")
    report.add_argument("period", help="2026H1, 2026H2, 2026, 2026-01-01..2026-06-30, or #N for one session")
    report.add_argument("--out", default=".", help="the folder to write the files into (default: here)")
    report.add_argument("--lang", choices=["vi", "en"], default="vi", help="the files' language (default vi)")
    report.add_argument(
        "--unit", help="many units: the unit's code (default: the province, with a table per unit below it)"
    )
    report.set_defaults(func=cmd_report)

    questions = sub.add_parser(
        "import-questions", help="import questions gathered on paper (MTTQ, mass organisations) from a .xlsx"
    )
    questions.add_argument("file", nargs="?", help="the filled spreadsheet (.xlsx)")
    questions.add_argument("--session", type=int, help="the session's number (doithoai session list)")
    questions.add_argument("--template", metavar="FILE", help="write the spreadsheet to fill in to FILE")
    questions.add_argument("--lang", choices=["vi", "en"], default="vi", help="the problems' language")
    questions.set_defaults(func=cmd_import_questions)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.ops.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging(
        logging.INFO if args.command in ("run", "web") else logging.WARNING, json_lines=Settings().log_json
    )
    try:
        return asyncio.run(args.func(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
