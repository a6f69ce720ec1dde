"""``doithoai demo``: the real bot against the built-in Bot API simulator; one citizen's conversation.

No token and no network: a local fake Bot API server (the same one the tests use) plays Telegram,
a temporary SQLite database holds the data, and the transcript is printed as a person would read it.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_app
from bot.domain.directory import load_file
from bot.domain.sessions import create_session
from bot.settings import Settings

SAMPLE_DIRECTORY = Path(__file__).resolve().parent.parent / "directory" / "sample_commune.toml"
CITIZEN_ID = 700001
OFFICE_CHAT = -1001000000001  # as in directory/sample_commune.toml
STEP_TIMEOUT = 10


async def _setup(app) -> None:
    await app.migrate()
    now = app.clock.now()
    tz = ZoneInfo(app.settings.timezone)
    starts = (now.astimezone(tz) + timedelta(days=14)).replace(hour=8, minute=0, second=0, microsecond=0)
    async with app.sessionmaker() as db:
        await load_file(db, SAMPLE_DIRECTORY, now)
        await create_session(
            db,
            title="Hội nghị đối thoại với Nhân dân xã Thạch Đài",
            starts_at=starts,
            place="Hội trường UBND xã",
            now=now,
            announce=True,
        )
        await db.commit()


async def play(tg, chat_id: int) -> str:
    """One citizen's whole conversation, pressing the buttons the bot actually sent."""
    user = tg.user(chat_id, "Lan", language_code="vi")

    async def step(action, *args, **kw):
        await action(*args, **kw)
        return await tg.next_message(chat_id, timeout=STEP_TIMEOUT)

    await tg.send_text(user, "/start")
    await tg.next_message(chat_id, timeout=STEP_TIMEOUT)  # welcome and the consent question
    await step(tg.press, chat_id, "✅ Đồng ý")  # thanks; the only open session, named; the topics
    await step(tg.press, chat_id, "Đất đai")
    await step(  # the question as a photo's caption: the photo goes with it
        tg.send_photo,
        user,
        caption="Đường bê tông vào thôn Trung Sơn bị sụt lún sau mưa lũ tháng 10, "
        "xe máy đi lại rất nguy hiểm. Đề nghị xã sớm sửa chữa.",
    )
    await step(tg.send_text, user, "Nguyễn Thị Lan")
    await step(tg.send_contact, user, "+84912345678")  # phone saved, and the address question
    await step(tg.send_text, user, "Thôn Trung Sơn")
    await step(tg.press, chat_id, "Được nêu tên")
    await step(tg.press, chat_id, "✅ Gửi câu hỏi")  # acknowledgement with the tracking code, and the menu
    # A second question: the details Lan gave are confirmed in one step.
    await step(tg.press, chat_id, "✍️ Gửi câu hỏi")
    await step(tg.press, chat_id, "Môi trường")
    await step(tg.send_text, user, "Đề nghị xã bố trí thêm thùng rác ở chợ thôn Trung Sơn, rác tràn ra.")
    await step(tg.press, chat_id, "✅ Đúng")
    await step(tg.press, chat_id, "✅ Gửi câu hỏi")
    await step(tg.press, chat_id, "📋 Câu hỏi của tôi")
    return tg.transcript(chat_id)


async def run_demo(verbose: bool = False) -> int:
    from bot.simulator.telegram import FakeTelegram

    if verbose:
        logging.getLogger().setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as tg:
            settings = Settings(
                _env_file=None,
                bot_token="",
                telegram_api=tg.base_url,
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
                redis_url="",
            )
            app = build_app(settings)
            try:
                await _setup(app)
                office = tg.group(OFFICE_CHAT, "Văn phòng UBND xã")
                await app.start_polling()
                transcript = await play(tg, CITIZEN_ID)
                # The office hears of the new question through the outbox, as in `doithoai run`.
                from bot.notify.dispatcher import telegram_dispatcher

                await telegram_dispatcher(app).deliver_all()
                office_view = tg.transcript(office.id)
            finally:
                await app.close()
    print("=== Người dân (Telegram, trò chuyện riêng với bot) ===")
    print(transcript)
    print("\n=== Nhóm Văn phòng (office group) ===")
    print(office_view)
    ok = "Mã theo dõi" in transcript and not tg.violations
    for violation in tg.violations:
        print("Bot API violation:", violation)
    print(
        "\n"
        + (
            "Demo finished: the question was stored and acknowledged with a tracking code."
            if ok
            else "Demo FAILED: no acknowledgement with a tracking code."
        )
    )
    return 0 if ok else 1
