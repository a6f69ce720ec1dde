"""Operations: `doithoai doctor` against the fake Bot API, the health and metrics endpoint of a running
bot, and JSON log lines."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date

import aiohttp
from sqlalchemy import update

from bot.clock import FixedClock
from bot.domain.directory import apply, parse
from bot.ops.doctor import run_doctor
from bot.ops.logs import JsonFormatter, log_context
from bot.ops.server import start_ops
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import CalendarDay, Department
from tests.scenario import SAMPLE_DIRECTORY, START
from tests.staff_world import staff_world
from tests.workflow_world import ADMIN, DIA_CHINH_CHAT, OFFICE

XA_HOI = -1001000000004
NONG_NGHIEP = -1001000000003
VAN_HOA = -1001000000005


async def _directory(database_url: str) -> None:
    engine = make_engine(database_url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as db:
        await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), START)
        await db.commit()
    await engine.dispose()


async def doctor(settings: Settings) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = await run_doctor(settings, FixedClock(START), out=lines.append)
    return code, lines


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FIX")]


async def test_doctor_names_each_group_the_bot_is_not_in_or_cannot_write_to(database_url):
    await _directory(database_url)
    async with FakeTelegram() as tg:
        tg.group(OFFICE, "Văn phòng UBND")
        tg.group(DIA_CHINH_CHAT, "Địa chính")
        # Xã hội's group: the bot was never added (Telegram does not know the chat for it)
        tg.group(NONG_NGHIEP, "Nông nghiệp")
        tg.set_bot_status(NONG_NGHIEP, "kicked")
        tg.group(VAN_HOA, "Văn hoá")
        tg.set_bot_status(VAN_HOA, "restricted")
        for chat_id in range(-1001000000008, -1001000000005):
            tg.group(chat_id, f"Đơn vị {chat_id}")
            tg.set_bot_status(chat_id, "member")
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            bot_token="4242:TEST",
            database_url=database_url,
            admin_ids=[ADMIN],
        )
        code, lines = await doctor(settings)
    assert code == 1
    fixes = problems(lines)
    xa_hoi = [line for line in fixes if "XA_HOI" in line]
    assert len(xa_hoi) == 1 and "not in this group" in xa_hoi[0] and "/link_department XA_HOI" in xa_hoi[0]
    assert str(XA_HOI) in xa_hoi[0] and "@doithoai_bot" in xa_hoi[0]
    kicked = [line for line in fixes if "NONG_NGHIEP" in line]
    assert len(kicked) == 1 and "no longer in it" in kicked[0]
    restricted = [line for line in fixes if "VAN_HOA" in line]
    assert len(restricted) == 1 and "may not send messages" in restricted[0]
    assert any(line.startswith("ok") and "office group «Văn phòng UBND»" in line for line in lines)
    assert any(line.startswith("ok") and "CONG_AN" in line and "member" in line for line in lines)
    # the sample directory lists days for 2025 and 2026; deadlines now reach into 2027
    assert [line for line in fixes if "calendar 2027" in line], lines
    assert any(line.startswith("ok") and "calendar 2026" in line for line in lines)
    assert len(fixes) == 4 and lines[-1] == "4 problem(s) to fix"


async def test_doctor_passes_when_everything_is_in_place_and_says_what_is_missing_otherwise(database_url):
    await _directory(database_url)
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as db:
        db.add(CalendarDay(day=date(2027, 2, 3), kind="off", note="Nghỉ Tết (theo thông báo)"))
        await db.commit()
    async with FakeTelegram() as tg:
        for chat_id in range(-1001000000008, -1001000000000):
            tg.group(chat_id, f"Nhóm {chat_id}")
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            bot_token="4242:TEST",
            database_url=database_url,
            admin_ids=[ADMIN],
        )
        code, lines = await doctor(settings)
        assert (code, lines[-1]) == (0, "all checks passed"), lines
        # a department without a group, no admins, a token Telegram refuses
        async with make_sessionmaker(engine)() as db:
            await db.execute(update(Department).where(Department.code == "TAI_CHINH").values(chat_id=None))
            await db.commit()
        tg.token = "4242:RIGHT"
        code, lines = await doctor(settings.model_copy(update={"admin_ids": []}))
    await engine.dispose()
    fixes = problems(lines)
    assert code == 1
    assert any("Telegram refuses the token" in line and "DOITHOAI_BOT_TOKEN" in line for line in fixes)
    assert any("DOITHOAI_ADMIN_IDS is empty" in line for line in fixes)
    # without a token that works the groups cannot be checked; the database and calendar still are
    assert any(line.startswith("ok") and "database" in line for line in lines)


async def test_doctor_reports_a_database_that_is_not_migrated(tmp_path):
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}",
        bot_token="",
        admin_ids=[ADMIN],
    )
    code, lines = await doctor(settings)
    fixes = problems(lines)
    assert code == 1
    assert any("doithoai db upgrade" in line for line in fixes)
    assert any("DOITHOAI_BOT_TOKEN is not set" in line for line in fixes)


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as s, s.get(url) as resp:
        return resp.status, await resp.text()


def _sample(metrics: str, name: str, **labels: str) -> float | None:
    """A sample's value in the Prometheus text format (labels in any order)."""
    for line in metrics.splitlines():
        series, _, value = line.rpartition(" ")
        metric, _, rest = series.partition("{")
        found = dict(pair.split("=", 1) for pair in rest.rstrip("}").split(",") if pair)
        if metric == name and {k: v.strip('"') for k, v in found.items()} == labels:
            return float(value)
    return None


async def metrics_once(base: str, name: str, value: float, **labels: str) -> str:
    """The metrics page once ``name{labels}`` reaches ``value`` (an update is counted just after its
    last reply is sent), within a few seconds."""

    async def reached() -> str:
        while True:
            _, page = await _get(f"{base}/metrics")
            if _sample(page, name, **labels) == value:
                return page

    return await asyncio.wait_for(reached(), timeout=5)


async def test_health_and_metrics_of_a_running_bot(database_url):
    async with staff_world(database_url) as w:
        w.app.settings.ops_port = 0  # any free port
        ops = await start_ops(w.app)
        try:
            status, body = await _get(f"{ops.url}/health")
            health = json.loads(body)
            assert status == 200 and health["status"] == "ok", health
            assert health["checks"]["database"] == "ok" and health["checks"]["telegram_polling"] == "ok"
            sub = await w.submit(1001, "Đèn đường ở ngõ 4 thôn Đông bị hỏng đã lâu")
            await w.tg.send_text(w.groups["office"], f"/sub {sub.code}", from_user=w.users["office"])
            await w.said(OFFICE, sub.code)
            await w.tg.send_text(w.users["lan"], "/start")
            await w.said(1002, "Nghị định 13/2023/NĐ-CP")
            handled = {"type": "message", "outcome": "handled"}
            metrics = await metrics_once(ops.url, "doithoai_updates_total", 2, **handled)
            assert _sample(metrics, "doithoai_outbox_backlog", channel="telegram", status="pending") == 1
            assert _sample(metrics, "doithoai_outbox_oldest_pending_seconds", channel="telegram") is not None
            assert "doithoai_tick_duration_seconds_count" in metrics
            # the dispatcher's counts (429s, failures) appear once a dispatcher runs
            from bot.notify.dispatcher import telegram_dispatcher

            w.app.extras["dispatcher"] = dispatcher = telegram_dispatcher(w.app)
            w.tg.fail_next(
                "sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}
            )
            await dispatcher.deliver_all()
            status, metrics = await _get(f"{ops.url}/metrics")
            assert _sample(metrics, "doithoai_deliveries_total", result="sent") == 1
            assert _sample(metrics, "doithoai_deliveries_total", result="retried_429") == 1
            assert _sample(metrics, "doithoai_deliveries_total", result="failed") == 0
            assert _sample(metrics, "doithoai_outbox_backlog", channel="telegram", status="pending") is None
            # polling stopped: the health check says so
            await w.app.stop_polling()
            status, body = await _get(f"{ops.url}/health")
            assert status == 503 and json.loads(body)["checks"]["telegram_polling"] == "stopped"
        finally:
            await ops.stop()


async def test_the_minute_tick_is_timed_and_its_absence_fails_the_health_check(database_url):
    from bot.notify.scheduler import start_background
    from bot.ops import server

    async with staff_world(database_url) as w:
        w.app.settings.ops_port = 0
        background = await start_background(w.app)
        ops = await start_ops(w.app, [background])
        try:
            await asyncio.wait_for(ops.metrics.ticked.wait(), timeout=20)
            status, metrics = await _get(f"{ops.url}/metrics")
            assert _sample(metrics, "doithoai_tick_duration_seconds_count") == 1
            assert _sample(metrics, "doithoai_tick_last_success_timestamp_seconds") > 0
            status, body = await _get(f"{ops.url}/health")
            assert status == 200 and json.loads(body)["checks"]["tick"] == "ok"
            server.TICK_STALE, stale = -1.0, server.TICK_STALE  # as if the last tick were long ago
            try:
                status, body = await _get(f"{ops.url}/health")
            finally:
                server.TICK_STALE = stale
            assert status == 503 and json.loads(body)["checks"]["tick"] == "stale"
        finally:
            await ops.stop()
            await background.stop()


def test_json_log_lines_carry_the_update_context_and_extras():
    formatter = JsonFormatter()
    record = logging.LogRecord("doithoai.x", logging.WARNING, __file__, 1, "sent %s", ("Ông Bà",), None)
    record.purpose = "triage_card"
    token = log_context.set({"update": "message", "chat_id": -100, "user_id": 7})
    try:
        line = formatter.format(record)
    finally:
        log_context.reset(token)
    entry = json.loads(line)
    assert (
        entry["level"] == "WARNING" and entry["logger"] == "doithoai.x" and entry["message"] == "sent Ông Bà"
    )
    assert (entry["chat_id"], entry["user_id"], entry["purpose"]) == (-100, 7, "triage_card")
    assert entry["time"].endswith("+00:00") and "\n" not in line
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(formatter.format(record))["exception"]


async def _run_settings(url: str, tg: FakeTelegram, **extra: object) -> tuple[Settings, int]:
    """``doithoai run``'s settings on a directory loaded into ``url``, with its ops endpoint on a free
    port (returned)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await _directory(url)
    settings = Settings(
        _env_file=None,
        telegram_api=tg.base_url,
        bot_token="4242:TEST",
        database_url=url,
        redis_url="",
        ops_port=port,
        **extra,
    )
    return settings, port


async def test_doithoai_run_serves_health_and_metrics_until_it_is_stopped(tmp_path):
    import os
    import signal

    from bot.runner import run

    async with FakeTelegram() as tg:
        settings, port = await _run_settings(f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", tg)
        task = asyncio.create_task(run(settings))
        try:
            # the endpoint starts before polling: once the bot polls, it answers
            await tg.wait_for(lambda: tg.pending_polls > 0, timeout=30)
            status, body = await _get(f"http://127.0.0.1:{port}/health")
            assert status == 200, body
            body = json.loads(body)
            assert body["checks"]["telegram_polling"] == "ok"
            user = tg.user(1001, "Lan")
            await tg.send_text(user, "/start")
            await tg.next_message(1001, timeout=10)
            base = f"http://127.0.0.1:{port}"
            await metrics_once(base, "doithoai_updates_total", 1, type="message", outcome="handled")
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # as systemd stops it
            assert await asyncio.wait_for(task, timeout=30) == 0
    assert tg.violations == []


async def test_a_standby_says_so_on_its_health_endpoint_until_it_takes_over(tmp_path):
    """A second ``doithoai run`` waiting for the run lease answers /health with 200 and "standby"
    (alive, not serving; who holds the lease); once the holder lets go it takes over, and /health is
    the active process's."""
    import os
    import signal

    from bot.ops.standby import RunLease
    from bot.runner import run

    url = f"sqlite+aiosqlite:///{tmp_path / 'standby.db'}"
    async with FakeTelegram() as tg:
        settings, port = await _run_settings(url, tg, run_lease_s=2.0)
        engine = make_engine(url)
        holder = RunLease(make_sessionmaker(engine), 2.0, holder="may-chu-chinh:1")
        assert await holder.wait_for_turn(asyncio.Event())
        task = asyncio.create_task(run(settings))
        try:

            async def standby() -> bool:
                try:
                    status, body = await _get(f"http://127.0.0.1:{port}/health")
                except aiohttp.ClientConnectionError:
                    return False
                return status == 200 and json.loads(body)["status"] == "standby"

            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while not await standby():
                assert loop.time() < deadline and not task.done()
                await asyncio.sleep(0.05)  # polling the endpoint, within the deadline
            _, body = await _get(f"http://127.0.0.1:{port}/health")
            assert json.loads(body)["checks"]["run_lease"] == "held by may-chu-chinh:1"
            assert tg.pending_polls == 0  # not polling Telegram
            await holder.release()
            await tg.wait_for(lambda: tg.pending_polls > 0, timeout=30)  # it took over
            status, body = await _get(f"http://127.0.0.1:{port}/health")
            assert status == 200 and json.loads(body)["checks"]["telegram_polling"] == "ok", body
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
            assert await asyncio.wait_for(task, timeout=30) == 0
            await engine.dispose()


def test_doithoai_logs_one_json_object_per_line_when_asked(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DOITHOAI_LOG_JSON": "1",
        "DOITHOAI_BOT_TOKEN": "",
        "DOITHOAI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert entries[-1]["level"] == "ERROR" and "DOITHOAI_BOT_TOKEN is not set" in entries[-1]["message"]
    assert entries[-1]["logger"] == "bot.runner"
