"""Satisfaction through the product: asked after an answer at the session and after a written
response, of every asker (a merged asker too); the figures per department and per staff member who
answered, in /stats and in the workbook."""

from __future__ import annotations

import io
from datetime import date, datetime, time

from openpyxl import load_workbook

from bot.i18n import timezone
from bot.reports import metrics
from bot.reports.periods import half_period
from tests.dsl import labels, procedure, text_of
from tests.workflow_world import OFFICE

LAND_Q = "Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm."
LAND_Q_AGAIN = "Đề nghị xã sửa đường vào thôn Trung Sơn bị sạt lở từ tháng 9 năm nay."
PLOT_Q = "Xin hỏi thủ tục tách thửa đất ở thôn 5 cần những giấy tờ gì và mất bao lâu?"
HELD = date(2026, 12, 18)
HOA = "Nguyễn Thị Hoa (Văn phòng)"
BINH = "Trần Văn Bình (Địa chính)"


def local(day: date, hh: int = 9) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=timezone())


async def rates(citizen, code: str, label: str) -> None:
    request = citizen.last_with("hài lòng", code)
    assert "❌ Chưa được giải quyết" in labels(request)
    await citizen.presses(label, request)
    await citizen.hears("Cảm ơn Ông/Bà đã đánh giá")


async def test_every_asker_is_asked_and_the_figures_name_departments_and_who_answered(database_url):
    async with procedure(database_url, days_ahead=25) as w:
        an, binh, cuc = w.citizen(101, "Nguyễn Văn An"), w.citizen(102, "Lê Thị Bình"), w.citizen(103, "Cúc")
        road = await an.asks(LAND_Q)
        again = await binh.asks(LAND_Q_AGAIN)
        plot = await cuc.asks(PLOT_Q)
        await w.office.merges(again, into=road)
        await w.office.routes(road, "Địa chính")
        await w.office.routes(plot, "Địa chính")
        await w.land.answers(plot, "Hồ sơ tách thửa gồm đơn, sổ đỏ và bản vẽ; giải quyết trong 15 ngày.")
        await w.at(local(HELD, 11))
        await w.office.marks_held(70)
        await w.office.answers_at_session(road, "Xã sẽ sửa đường trong tháng 12.")
        await w.at(local(HELD, 12))
        await w.tick()
        # the answer at the session (its asker and the merged one) and the written one are all asked
        for citizen, code in ((an, road), (binh, again), (cuc, plot)):
            await citizen.hears("hài lòng", code)
        await rates(an, road, "5⭐")
        await rates(binh, again, "3⭐")
        await rates(cuc, plot, "4⭐")

        async with w.app.sessionmaker() as db:
            report = await metrics.for_period(db, half_period(2026, 2), w.clock.now())
        assert report.totals.rated == 3
        by_name = {str(g.name): g.counts for g in report.by_answerer}
        assert set(by_name) == {HOA, BINH}
        assert (by_name[HOA].rated, by_name[HOA].avg_satisfaction) == (2, 4.0)  # 5 and the merged 3
        assert (by_name[BINH].rated, by_name[BINH].avg_satisfaction) == (1, 4.0)
        (land,) = [g for g in report.by_department if g.counts.rated]
        assert (land.counts.rated, land.counts.avg_satisfaction) == (3, 4.0)

        office = w.group(OFFICE)
        await w.office.says("/stats 2026H2")
        stats = text_of(await office.hears("Hài lòng theo người trả lời", limit=12))
        assert "Hài lòng theo đơn vị" in stats and "Địa chính – Xây dựng: 4,0/5 (3 lượt" in stats
        assert f"{HOA}: 4,0/5 (2 lượt" in stats and f"{BINH}: 4,0/5 (1 lượt" in stats

        files = await w.office.report_files()
        book = load_workbook(io.BytesIO(w.office.file(files[0])))
        rows = [[c.value for c in row] for row in book["Hài lòng"].iter_rows()]
        assert [HOA, 2, 4.0] in [r[:3] for r in rows] and [BINH, 1, 4.0] in [r[:3] for r in rows]
