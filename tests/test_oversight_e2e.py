"""The oversight group (Fatherland Front, People's Inspection Board), end to end over the fake Bot API:
only an admin links it, never in a staff group; /stats works there; staff commands are refused politely;
every Monday from 08:00 it gets the late and overdue questions — codes, departments, days late — and
nothing personal is ever sent to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import at_session, department, queries, sessions, triage
from bot.i18n import local_date
from bot.notify.scheduler import run_tick
from tests import workflow_world as ww
from tests.staff_world import World, staff_world, text_of

OVERSIGHT = -1001555000001
OFFICE_ACTOR = queries.office_actor(ww.OFFICE_STAFF)
LAND_ACTOR = queries.dept_actor(ww.DIA_CHINH_STAFF)
SOCIAL_ACTOR = queries.dept_actor(ww.XA_HOI_STAFF)
QUESTIONS = (
    "Đề nghị cấp sổ đỏ cho thửa đất số 45 của gia đình tôi ở thôn 3",
    "Kênh mương nội đồng thôn 5 bị bồi lấp, xin nạo vét",
    "Xin xét hộ cận nghèo cho gia đình tôi năm 2027",
)


async def link(w: World) -> None:
    group = w.tg.group(OVERSIGHT, "Giám sát – MTTQ xã")
    await w.tg.send_text(group, "/link_oversight", from_user=w.users["admin"])
    await w.said(OVERSIGHT, "nhóm giám sát")


async def late_and_overdue(w: World) -> dict[str, str]:
    """Three questions after the notice: one overdue, one answered late, one on time."""
    now = w.clock.now()
    async with w.app.sessionmaker() as db:
        session = await w.session(db)
        land, social = await ww.dept(db, "DIA_CHINH"), await ww.dept(db, "XA_HOI")
        overdue = await ww.ask(db, session, 1001, QUESTIONS[0], now, phone="0987111222", address="Xóm Đông")
        late = await ww.ask(db, session, 1002, QUESTIONS[1], now, name="Trần Thị Lan", phone="0987333444")
        on_time = await ww.ask(db, session, 1003, QUESTIONS[2], now, public_name=False, name="Lê Kín")
        for sub, dept in ((overdue, land), (late, land), (on_time, social)):
            await triage.route(db, sub.id, dept.id, OFFICE_ACTOR, now)
        held = session.starts_at
        await sessions.mark_held(db, session.id, "office:4000001", held)
        await at_session.issue_conclusion_notice(
            db, session.id, "Kết luận", None, OFFICE_ACTOR, held + timedelta(days=1)
        )
        due = (await queries.get_submission(db, late.id)).response_due
        await department.respond(
            db, on_time.id, social.id, "Đã xét.", None, SOCIAL_ACTOR, held + timedelta(days=5)
        )
        late_at = datetime.combine(due + timedelta(days=4), datetime.min.time(), UTC) + timedelta(hours=3)
        await department.respond(db, late.id, land.id, "Đã nạo vét.", None, LAND_ACTOR, late_at)
        await db.commit()
    return {"overdue": overdue.code, "late": late.code, "on_time": on_time.code, "due": due.isoformat()}


def personal(w: World) -> list[str]:
    return [*QUESTIONS, "0987111222", "0987333444", "Xóm Đông", "Trần Thị Lan", "Lê Kín", "Nguyễn Văn An"]


async def test_only_an_admin_links_the_oversight_group_and_never_in_a_staff_group(database_url):
    async with staff_world(database_url) as w:
        group = w.tg.group(OVERSIGHT, "Giám sát – MTTQ xã")
        await w.tg.send_text(group, "/link_oversight", from_user=w.users["office"])
        await w.said(OVERSIGHT, "không có quyền")
        await w.tg.send_text(w.groups["office"], "/link_oversight", from_user=w.users["admin"])
        await w.said(ww.OFFICE, "nhóm văn phòng hoặc nhóm của một đơn vị")
        await w.tg.send_text(w.groups["land"], "/link_oversight", from_user=w.users["admin"])
        await w.said(ww.DIA_CHINH_CHAT, "Không liên kết được")
        await w.tg.send_text(group, "/link_oversight", from_user=w.users["admin"])
        await w.said(OVERSIGHT, "✅ Nhóm này là nhóm giám sát")
        scope = f'{{"chat_id": {OVERSIGHT}, "type": "chat"}}'
        assert [c["command"] for c in w.tg.commands[(scope, "vi")]] == ["stats", "help"]
        assert w.tg.commands[(scope, "en")][0]["description"].startswith("Figures and chart")
        # the office group still works as the office group
        await w.tg.send_text(w.groups["office"], "/inbox", from_user=w.users["office"])
        await w.said(ww.OFFICE, "")
        assert "giám sát" not in text_of(w.tg.messages(ww.OFFICE)[-1])


async def test_stats_work_and_staff_commands_are_refused_politely_without_personal_data(database_url):
    async with staff_world(database_url) as w:
        await link(w)
        codes = await late_and_overdue(w)
        w.clock.set(datetime.fromisoformat(codes["due"] + "T02:00:00+00:00") + timedelta(days=10))
        group, member = w.tg.group(OVERSIGHT, "Giám sát – MTTQ xã"), w.users["outsider"]
        await w.tg.send_text(group, "/stats 2026", from_user=member)
        photo = await w.said(OVERSIGHT, "Thống kê")
        assert "photo" in photo
        figures = text_of(await w.said(OVERSIGHT, "Theo trạng thái"))
        assert "• Nhận được: 3" in figures and codes["overdue"] in figures and "Quá hạn (1)" in figures
        for command in ("/inbox", "/publish TD-26-0001", "/sessions", "/mine", "/report 2026"):
            await w.tg.send_text(group, command, from_user=w.users["office"])
            await w.said(OVERSIGHT, "không dùng trong nhóm giám sát")
        await w.tg.send_text(group, "/stats 2030", from_user=member)
        await w.said(OVERSIGHT, "Không có hội nghị nào")
        await w.tg.send_text(group, "/stats abc", from_user=member)
        await w.said(OVERSIGHT, "Nhóm giám sát chỉ xem số liệu")
        await w.tg.send_text(group, "/help", from_user=member)
        await w.said(OVERSIGHT, "Nhóm giám sát chỉ xem số liệu")
        cb = await w.tg.send_callback(group, w.users["office"], 1, "o:rt:1:1")
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        await w.tg.send_text(group, "chào cả nhóm", from_user=member)  # people talking: no answer
        everything = w.all_text(OVERSIGHT)
        for secret in personal(w):
            assert secret not in everything, secret
        assert not any("document" in m for m in w.tg.messages(OVERSIGHT))


async def test_the_weekly_digest_lists_late_and_overdue_questions_once_a_week(database_url):
    async with staff_world(database_url) as w:
        await link(w)
        codes = await late_and_overdue(w)
        due = datetime.fromisoformat(codes["due"]).date()
        # the first Monday after the day of the late answer (given 4 days after the due date)
        monday = due + timedelta(days=5)
        while monday.weekday() != 0:
            monday += timedelta(days=1)
        at_seven = datetime.combine(monday, datetime.min.time(), UTC)  # 07:00 in Hà Nội
        report = await run_tick(w.app, at_seven, deliver=False)
        assert "oversight_weekly" not in report.enqueued
        report = await run_tick(w.app, at_seven + timedelta(hours=1, minutes=1), deliver=False)
        assert report.enqueued["oversight_weekly"] == 1
        report = await run_tick(w.app, at_seven + timedelta(days=2), deliver=False)  # Wednesday: done already
        assert "oversight_weekly" not in report.enqueued
        await w.deliver()
        digest = text_of(await w.said(OVERSIGHT, "Giám sát: câu hỏi trễ hạn, quá hạn"))
        overdue_days = (monday - due).days
        assert (
            f"{codes['overdue']} – Địa chính – Xây dựng: hạn {due:%d/%m/%Y}, đã quá {overdue_days} ngày"
            in digest
        )
        assert (
            f"{codes['late']} – Địa chính – Xây dựng: hạn {due:%d/%m/%Y}" in digest and "trễ 4 ngày" in digest
        )
        assert codes["on_time"] not in digest
        for secret in personal(w):
            assert secret not in digest, secret
        # the next Monday: another digest (the late answer is older than a week now)
        report = await run_tick(w.app, at_seven + timedelta(days=7, hours=2), deliver=False)
        assert report.enqueued["oversight_weekly"] == 1
        await w.deliver()
        second = text_of(await w.said(OVERSIGHT, "Giám sát"))
        assert codes["overdue"] in second and codes["late"] not in second
        assert local_date(w.clock.now()) < monday  # the ticks ran at the times given, not the world's clock
