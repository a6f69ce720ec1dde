"""A session with Telegram and Zalo citizens taken through its deadlines: the same ticks, the same
outbox, each citizen told on their own channel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import build_app
from bot.clock import FixedClock
from bot.domain import at_session, queries, triage
from bot.domain.directory import apply, parse
from bot.domain.intake import give_consent, submit
from bot.domain.sessions import create_session, mark_held
from bot.i18n import local_date
from bot.notify.scheduler import run_tick
from bot.settings import Settings
from bot.simulator.telegram import FakeTelegram
from bot.simulator.zalo import FakeZaloServer
from storage.models import Department, Outbox
from tests.scenario import SAMPLE_DIRECTORY, START

TELEGRAM_CHAT = "1001"
ZALO_CHAT = "6ede9afa66b88fe6d6a9"
QUESTION = "Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm."


async def run_session(database_url: str, **overrides):
    """Two citizens (Telegram, Zalo) ask; routed; session held; notice; then time passes the R5 due."""
    clock = FixedClock(START)
    tg = FakeTelegram(any_chat=True)
    zalo = FakeZaloServer()
    await tg.start()
    await zalo.start()
    settings = Settings(
        _env_file=None,
        telegram_api=tg.base_url,
        database_url=database_url,
        redis_url="",
        bot_token="4242:MIXED",
        zalo_token=zalo.token,
        zalo_api=zalo.base_url,
        **overrides,
    )
    app = build_app(settings, clock=clock)
    await app.migrate()
    async with app.sessionmaker() as db:
        now = clock.now()
        await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), now)
        session = await create_session(
            db,
            title="Hội nghị đối thoại quý IV",
            place="Hội trường UBND xã",
            starts_at=now + timedelta(days=20),
            now=now,
            announce=True,
        )
        land = await db.scalar(select(Department).where(Department.code == "DIA_CHINH"))
        codes = []
        for channel, chat in (("telegram", TELEGRAM_CHAT), ("zalo", ZALO_CHAT)):
            citizen = await give_consent(db, channel, chat, "vi", now)
            sub = await submit(
                db,
                citizen=citizen,
                session_id=session.id,
                topic_id=None,
                text=QUESTION,
                attachments=[],
                name="Nguyễn Văn An",
                phone=None,
                address="Thôn Trung Sơn",
                public_name=False,
                now=now,
                default_prefix="TD",
            )
            await triage.route(db, sub.id, land.id, "office:5000001", now)
            codes.append(sub.code)
        await db.commit()
    held = session.starts_at + timedelta(hours=3)
    async with app.sessionmaker() as db:
        await mark_held(db, session.id, "office:5000001", held)
        _, ids = await at_session.issue_conclusion_notice(
            db, session.id, "Kết luận của Chủ tịch UBND xã", None, "office:5000001", held + timedelta(days=2)
        )
        due = (await queries.get_submission(db, ids[0])).response_due
        await db.commit()
    return app, tg, zalo, clock, codes, due


async def close(app, tg, zalo):
    await app.close()
    await tg.stop()
    await zalo.stop()


async def test_telegram_and_zalo_citizens_are_all_told_when_the_response_is_late(database_url):
    app, tg, zalo, clock, codes, due = await run_session(database_url)
    try:
        # The day after the R5 due date, in the morning, with no written response given.
        clock.set(START.replace(year=due.year, month=due.month, day=due.day) + timedelta(days=1, hours=1))
        assert local_date(clock.now()) > due
        await run_tick(app, clock.now())
        telegram_texts = [m.get("text", "") for m in tg.messages(int(TELEGRAM_CHAT))]
        zalo_texts = [s.params.get("text", "") for s in zalo.sent if s.chat_id == ZALO_CHAT]
        assert any(codes[0] in t and "chưa có trả lời" in t for t in telegram_texts), telegram_texts
        assert any(codes[1] in t and "chưa có trả lời" in t for t in zalo_texts), zalo_texts
        # Zalo gets plain text, never Telegram's HTML.
        assert not any("<b>" in t or "&lt;" in t for t in zalo_texts)
        # Earlier messages reached both too: routed, then the conclusion notice.
        assert any("Thông báo kết luận" in t for t in zalo_texts)
        assert any("Thông báo kết luận" in t for t in telegram_texts)
        # A second tick the same day repeats nothing.
        before = len(zalo.sent), len(tg.messages(int(TELEGRAM_CHAT)))
        await run_tick(app, clock.now() + timedelta(minutes=1))
        assert (len(zalo.sent), len(tg.messages(int(TELEGRAM_CHAT)))) == before
        assert tg.violations == []
    finally:
        await close(app, tg, zalo)


async def test_an_official_account_window_that_has_closed_is_a_failure_the_office_sees(database_url):
    app, tg, zalo, clock, codes, due = await run_session(database_url, zalo_proactive_window_days=7)
    try:
        clock.set(START.replace(year=due.year, month=due.month, day=due.day) + timedelta(days=1, hours=1))
        office_before = len(tg.messages(-1001000000001))
        await run_tick(app, clock.now())
        await run_tick(app, clock.now() + timedelta(minutes=1))  # delivers the office's failure notice
        late_to_zalo = [
            s
            for s in zalo.sent
            if s.chat_id == ZALO_CHAT
            and codes[1] in s.params.get("text", "")
            and "chưa có trả lời" in s.params.get("text", "")
        ]
        assert late_to_zalo == []
        async with app.sessionmaker() as db:
            failed = list(
                await db.scalars(select(Outbox).where(Outbox.channel == "zalo", Outbox.status == "failed"))
            )
        assert failed and all("window" in (row.last_error or "") for row in failed)
        told = [m.get("text", "") for m in tg.messages(-1001000000001)[office_before:]]
        assert any(codes[1] in t for t in told), told
    finally:
        await close(app, tg, zalo)
