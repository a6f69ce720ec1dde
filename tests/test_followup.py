"""After a written response: the citizen rates it, or says it is not resolved and it goes back to the
office. Over the fake Bot API with the real polling loop, the tick and the dispatcher."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.notify.scheduler import run_tick
from handlers.followup import RatingRefused, rate
from storage.models import Submission, SubmissionStatus
from tests import workflow_world as ww
from tests.staff_world import labels, staff_world, text_of


async def responded(w, chat_id: int, text: str, locale: str = "vi") -> Submission:
    sub = await w.submit(chat_id, text, locale=locale)
    async with w.app.sessionmaker() as db:
        await db.execute(
            update(Submission)
            .where(Submission.id == sub.id)
            .values(
                status=SubmissionStatus.RESPONDED,
                department_id=1,
                responded_at=w.clock.now(),
                response_text="Đã xử lý xong.",
            )
        )
        await db.commit()
    return await w.load(sub.code)


async def test_the_citizen_rates_the_response_and_the_office_hears_it(database_url):
    async with staff_world(database_url) as w:
        sub = await responded(w, 1001, "Đường thôn 3 bị sụt lún sau mưa lũ, đề nghị sửa chữa.")
        report = await run_tick(w.app, w.clock.now())
        assert report.enqueued["rate"] == 1
        ask = await w.said(1001, sub.code, "1 (không hài lòng)")
        assert labels(ask) == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐", "❌ Chưa được giải quyết"]
        await w.tg.press(1001, "4⭐", message=ask)
        await w.said(1001, "Cảm ơn Ông/Bà đã đánh giá (4/5)")
        rated = await w.load(sub.code)
        assert (rated.satisfaction, rated.rated_at) == (4, w.clock.now())
        await run_tick(w.app, w.clock.now())
        assert "người dân đánh giá 4/5" in w.all_text(ww.OFFICE)
        # The buttons are gone; an old press of the same message is refused politely.
        assert labels(w.tg.messages(1001)[-2]) == []
        async with w.app.sessionmaker() as db:
            with pytest.raises(RatingRefused) as exc:
                await rate(db, sub.id, "telegram", "1001", 5, w.clock.now())
        assert exc.value.reason == "already"


async def test_not_resolved_reopens_it_to_the_office(database_url):
    async with staff_world(database_url) as w:
        sub = await responded(w, 1002, "Trợ cấp người cao tuổi tháng 10 chưa nhận được.")
        await run_tick(w.app, w.clock.now())
        ask = await w.said(1002, sub.code)
        await w.tg.press(1002, "❌ Chưa được giải quyết", message=ask)
        await w.said(1002, "chưa được giải quyết", "Văn phòng sẽ xem xét lại")
        reopened = await w.load(sub.code)
        assert (reopened.status, reopened.reopened_count, reopened.satisfaction) == (
            SubmissionStatus.RECEIVED,
            1,
            None,
        )
        await run_tick(w.app, w.clock.now())
        card = await w.said(ww.OFFICE, sub.code, "CHƯA được giải quyết")
        assert labels(card)  # a triage card: the office routes it again
        assert "Trợ cấp người cao tuổi" in text_of(card)


async def test_only_the_asker_can_rate(database_url):
    async with staff_world(database_url) as w:
        sub = await responded(w, 1001, "Đường thôn 3 bị sụt lún sau mưa lũ, đề nghị sửa chữa.")
        async with w.app.sessionmaker() as db:
            with pytest.raises(RatingRefused) as exc:
                await rate(db, sub.id, "telegram", "1002", 5, w.clock.now())
            assert exc.value.reason == "not_yours"
            with pytest.raises(RatingRefused):
                await rate(db, sub.id, "telegram", "1001", 9, w.clock.now())


async def test_inside_run_the_scheduler_asks_on_its_own(database_url):
    from bot.notify.scheduler import start_background

    async with staff_world(database_url) as w:
        sub = await responded(w, 1003, "Xin hỏi thủ tục đăng ký kinh doanh hộ gia đình.", "en")
        handle = await start_background(w.app)  # as in `doithoai run`: a tick now, then every minute
        try:
            ask = await w.said(1003, sub.code)  # Minh reads English
            assert "Are you satisfied" in text_of(ask) and "❌ Not resolved" in labels(ask)
        finally:
            await handle.stop()
