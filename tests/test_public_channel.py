"""The public Telegram channel: the announcement when a session is announced, the conclusion notice (its
text and its file) when issued, and the monthly summary from the deadline tick — each posted once. The
session operations are driven from the office group as the office does it; the lead's hooks call
``post_announcement`` / ``post_conclusion`` after them, as these tests do. The website then serves the
notice's file, fetched from the (fake) Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.domain import queries, sessions, triage
from bot.notify.public import configure, post_announcement, post_conclusion
from bot.notify.scheduler import run_tick
from bot.web import links
from bot.web.app import make_web_app
from storage.models import DialogueSession, Outbox
from tests import workflow_world as ww
from tests.staff_world import World, later, staff_world, text_of

CHANNEL = -1001777000001
SITE = "https://doithoai.thachdai.gov.vn"
PDF = b"%PDF-1.4\n% ket luan\n"


def with_channel(w: World) -> None:
    """The deployment's settings name the channel and the site (as DOITHOAI_PUBLIC_CHANNEL_ID does)."""
    w.tg.group(CHANNEL, "Kênh công khai xã Thạch Đài")
    w.app.settings.public_channel_id = CHANNEL
    w.app.settings.public_url = SITE


async def configured(w: World) -> None:
    async with w.app.sessionmaker() as db:
        await configure(db, w.app.settings, "doithoai_bot")
        await db.commit()


def sent_html(w: World, chat_id: int) -> list[str]:
    """The HTML the bot sent to a chat (what people read is the text; the links are in the HTML)."""
    return [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in w.tg.calls
        if c.ok and str(c.params.get("chat_id")) == str(chat_id)
    ]


async def channel_rows(w: World) -> list[Outbox]:
    async with w.app.sessionmaker() as db:
        rows = list(
            await db.scalars(select(Outbox).where(Outbox.chat_id == str(CHANNEL)).order_by(Outbox.id))
        )
        await db.commit()
    return rows


async def test_an_announced_session_is_posted_to_the_channel_once(database_url):
    async with staff_world(database_url) as w:
        with_channel(w)
        await configured(w)
        office, group = w.users["office"], w.groups["office"]
        async with w.app.sessionmaker() as db:
            draft = await sessions.create_session(
                db,
                title="Đối thoại về quy hoạch khu dân cư",
                place="Nhà văn hóa thôn 2",
                starts_at=w.clock.now() + timedelta(days=12),
                now=w.clock.now(),
            )
            await db.commit()
            # a draft is never posted
            assert await post_announcement(db, draft, w.clock.now()) is None
            await db.commit()
        # the office announces it from the group, as it does
        await w.tg.send_text(group, "/sessions", from_user=office)
        card = await w.said(ww.OFFICE, "Đối thoại về quy hoạch khu dân cư")
        cb = await w.tg.press(ww.OFFICE, "📣 Thông báo hội nghị", from_user=office, message=card)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "Đã thông báo hội nghị")
        # … and the announcement event posted it; posting again adds nothing
        async with w.app.sessionmaker() as db:
            session = await db.get(DialogueSession, draft.id)
            assert await post_announcement(db, session, w.clock.now()) is None
            await db.commit()
        await w.deliver()
        post = text_of(await w.said(CHANNEL, "Thông báo hội nghị đối thoại"))
        assert "Đối thoại về quy hoạch khu dân cư" in post and "Nhà văn hóa thôn 2" in post
        assert "05/12/2026" in post  # 12 days ahead: the 7-day rule held
        html = sent_html(w, CHANNEL)[-1]
        assert f'<a href="https://t.me/doithoai_bot?start=s{draft.id}">' in html
        assert f'<a href="{SITE}/hoi-nghi/{draft.id}">' in html
        assert len(await channel_rows(w)) == 1


async def test_the_conclusion_notice_is_posted_with_its_file_and_the_site_serves_the_file(database_url):
    async with staff_world(database_url) as w:
        with_channel(w)
        await configured(w)
        office, group = w.users["office"], w.groups["office"]
        sub = await w.submit(1001, "Đường liên thôn 3 hỏng nặng, khi nào sửa chữa?")
        # no channel message for a session without a notice
        async with w.app.sessionmaker() as db:
            assert await post_conclusion(db, await w.session(db), w.clock.now()) is None
            await db.commit()
        await w.tg.send_text(group, "/sessions", from_user=office)
        card = await w.said(ww.OFFICE, "Hội nghị đối thoại quý IV")
        later(w, days=20)
        cb = await w.tg.press(ww.OFFICE, "✅ Đã tổ chức", from_user=office, message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(group, "85", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, "đã tổ chức")
        later(w, days=2)
        current = next(m for m in w.tg.messages(ww.OFFICE) if m["message_id"] == card["message_id"])
        cb = await w.tg.press(ww.OFFICE, "📜 Ra thông báo kết luận", from_user=office, message=current)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_document(
            group,
            "thong-bao-ket-luan.pdf",
            PDF,
            from_user=office,
            caption="Chủ tịch UBND xã kết luận: giao Địa chính trả lời về đường liên thôn 3.",
            reply_to=prompt["message_id"],
        )
        await w.said(ww.OFFICE, "Đã ra thông báo kết luận")
        async with w.app.sessionmaker() as db:
            session = await w.session(db)
            assert await post_conclusion(db, session, w.clock.now()) is None  # the notice event posted it
            await db.commit()
        await w.deliver()
        post = text_of(await w.said(CHANNEL, "Thông báo kết luận hội nghị"))
        assert "Chủ tịch UBND xã kết luận" in post and "30 ngày làm việc" in post
        assert sub.code not in post and "0912345678" not in post and "Nguyễn Văn An" not in post
        document = await w.said(CHANNEL, "Hội nghị đối thoại quý IV")
        assert w.tg.files[document["document"]["file_id"]] == PDF

        # the website serves the same file, asking the Bot API for it
        app = make_web_app(w.app.settings, w.app.sessionmaker, w.clock, cache_ttl=0)
        async with TestClient(TestServer(app)) as client:
            resp = await client.get(links.notice_file(w.session_id))
            assert resp.status == 200 and resp.headers["Content-Type"] == "application/pdf"
            assert await resp.read() == PDF
            page = await (await client.get(links.session(w.session_id))).text()
            assert "Chủ tịch UBND xã kết luận" in page
            assert 'href="https://t.me/doithoai_bot' not in page  # questions are closed: no way to ask


async def test_the_monthly_summary_is_posted_once_on_the_first_days_of_a_month(database_url):
    async with staff_world(database_url) as w:
        with_channel(w)
        async with w.app.sessionmaker() as db:
            session = await w.session(db)
            land = await ww.dept(db, "DIA_CHINH")
            sub = await ww.ask(db, session, 1001, "Đường liên thôn 3 hỏng nặng, khi nào sửa?", w.clock.now())
            await triage.route(db, sub.id, land.id, queries.office_actor(ww.OFFICE_STAFF), w.clock.now())
            await db.commit()
        # 1 January 2027: before 08:00 nothing; from 08:00 the summary of December; once
        early = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội
        report = await run_tick(w.app, early, deliver=False)
        assert "public_monthly" not in report.enqueued
        report = await run_tick(w.app, early + timedelta(hours=1), deliver=False)
        assert report.enqueued["public_monthly"] == 1
        report = await run_tick(w.app, early + timedelta(hours=5), deliver=False)
        assert "public_monthly" not in report.enqueued
        await w.deliver()
        summary = text_of(await w.said(CHANNEL, "Tổng kết tháng 12/2026"))
        assert "Nhận 1 ý kiến" in summary and f'<a href="{SITE}/giai-trinh">' in sent_html(w, CHANNEL)[-1]
        assert "0912345678" not in summary and "Nguyễn Văn An" not in summary and sub.code not in summary
        # the 9th of a month is too late to post a missed summary; and without a channel, nothing
        report = await run_tick(w.app, datetime(2027, 2, 9, 2, 0, tzinfo=UTC), deliver=False)
        assert "public_monthly" not in report.enqueued
        w.app.settings.public_channel_id = None
        report = await run_tick(w.app, datetime(2027, 3, 1, 2, 0, tzinfo=UTC), deliver=False)
        assert "public_monthly" not in report.enqueued
        assert len(await channel_rows(w)) == 1
