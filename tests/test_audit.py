"""The audit log of staff access to personal data: /sub, /find, the agenda and report files are
recorded; an admin reads the log with /audit in the office group or `doithoai audit`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.cli import main
from bot.domain import audit
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import AuditEntry
from tests import workflow_world as ww
from tests.staff_world import staff_world, text_of


async def test_staff_access_is_recorded_and_only_an_admin_reads_it(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, "Đường thôn Đông bị sạt lở sau mưa, đề nghị xã kiểm tra")
        office, group = w.users["office"], w.groups["office"]
        await w.tg.send_text(group, f"/sub {sub.code}", from_user=office)
        await w.said(ww.OFFICE, "0912345678")
        await w.tg.send_text(group, "/find sạt lở", from_user=office)
        await w.said(ww.OFFICE, "Kết quả")
        await w.tg.send_text(group, "/agenda", from_user=office)
        await w.tg.wait_for(lambda: any(m.get("document") for m in w.tg.messages(ww.OFFICE)))
        await w.tg.send_text(group, "/report 2026", from_user=office)
        await w.tg.wait_for(lambda: sum(bool(m.get("document")) for m in w.tg.messages(ww.OFFICE)) == 3, 30)
        # an office member who is not an admin cannot read the log
        await w.tg.send_text(group, "/audit", from_user=office)
        assert "Chỉ quản trị viên" in text_of(await w.said(ww.OFFICE, "nhật ký"))
        await w.tg.send_text(group, "/audit mười", from_user=w.users["admin"])
        await w.said(ww.OFFICE, "Cách dùng: /audit")
        await w.tg.send_text(group, "/audit", from_user=w.users["admin"])
        shown = text_of(await w.said(ww.OFFICE, "lượt xem dữ liệu cá nhân"))
        lines = shown.splitlines()
        assert len(lines) == 5, shown  # the title, then newest first
        assert "tải báo cáo" in lines[1] and "2026" in lines[1]
        assert "tải chương trình hội nghị" in lines[2] and "nhóm văn phòng" in lines[2]
        assert "tìm câu hỏi" in lines[3] and sub.code in lines[3]
        assert "xem câu hỏi" in lines[4] and sub.code in lines[4] and "Hoa Văn phòng" in lines[4]
        assert f"tg:{ww.OFFICE_STAFF}" in lines[4]
        async with w.app.sessionmaker() as db:
            entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert [e.action for e in entries] == [
            audit.VIEW_SUBMISSION,
            audit.FIND,
            audit.AGENDA,
            audit.REPORT_FILES,
        ]
        assert {e.chat_id for e in entries} == {str(ww.OFFICE)}
        # the search words (perhaps a name) are not kept, only what was found
        assert "sạt lở" not in entries[1].subject and entries[1].detail == {"found": 1}


async def test_the_audit_log_on_the_command_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'doithoai.db'}"
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    engine = make_engine(url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as db:
        for day, code in ((1, "TD-26-0001"), (5, "TD-26-0002")):
            await audit.record(
                db,
                actor="tg:5000001",
                actor_name="Hoa Văn phòng",
                chat_id=ww.OFFICE,
                action=audit.VIEW_SUBMISSION,
                subject=code,
                now=datetime(2026, 12, day, 2, 0, tzinfo=UTC),
            )
        await db.commit()
    await engine.dispose()
    # the command runs its own event loop: call it off this one
    import asyncio

    assert await asyncio.to_thread(main, ["audit"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2026-12-01 09:00:00  tg:5000001 (Hoa Văn phòng)  chat -1001000000001")
    assert out[0].endswith("view_submission  TD-26-0001") and "TD-26-0002" in out[1]
    assert await asyncio.to_thread(main, ["audit", "--since", "2026-12-03"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "TD-26-0002" in out[0]
    # a report written on the server is itself recorded
    assert await asyncio.to_thread(main, ["report", "2026", "--out", "out"]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["audit"]) == 0
    out = capsys.readouterr().out.splitlines()
    report = [line for line in out if "report_cli" in line]
    assert len(out) == 3 and len(report) == 1 and "  cli:" in report[0]
    assert report[0].endswith("command line  report_cli  2026")
