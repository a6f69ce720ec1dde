"""The files the office files, opened the way the office opens them: the workbook with openpyxl, the
report with python-docx, the chart as a PNG — from the hand-counted world in tests/report_fixture.py.
The same figures must appear in /stats, the workbook and the document."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.i18n import use_locale
from bot.reports import Files, metrics, render, render_sync, resolve, write_report
from bot.reports.periods import half_period, year_period
from bot.texts import reports as tr
from tests import report_fixture as rf

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def h1_report(sessionmaker) -> metrics.Report:
    async with sessionmaker() as db:
        await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 1), rf.NOW)
        await db.commit()
    return report


def png_size(data: bytes) -> tuple[int, int]:
    """Check the PNG's structure (signature, IHDR, every chunk's CRC, IEND) and return its size."""
    assert data.startswith(PNG_SIGNATURE)
    pos, chunks = len(PNG_SIGNATURE), []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return struct.unpack(">II", chunks[0][1][:8])


def sheet_rows(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def docx_text(content: bytes) -> tuple[str, list]:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts), document.tables


async def test_the_chart_is_a_valid_png_with_every_vietnamese_glyph(sessionmaker):
    report = await h1_report(sessionmaker)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" otherwise
        files = render_sync(report, documents=False)
    width, height = png_size(files.chart)
    assert width >= 800 and height >= 300
    from PIL import Image

    image = Image.open(io.BytesIO(files.chart))
    image.verify()
    assert files.chart_name == "bao-cao-2026H1.png"


def test_the_chart_of_an_empty_period_still_renders():
    report = metrics.Report(today=rf.NOW.date(), unit=metrics.Name("", ""), period=year_period(2030))
    width, _ = png_size(render_sync(report, documents=False).chart)
    assert width > 0


async def test_the_chart_segments_are_the_department_figures(sessionmaker):
    from bot.reports.chart import segments

    report = await h1_report(sessionmaker)
    # on time, late, overdue, open within time, forwarded (never judged on time)
    assert segments(report) == [
        ("Địa chính – Xây dựng", (4, 1, 0, 1, 0)),
        ("Văn hóa – Xã hội", (1, 0, 1, 1, 1)),
        ("Chưa phân công", (0, 0, 0, 1, 0)),
    ]


async def test_the_workbook_summary_by_department_by_topic_and_every_submission(sessionmaker):
    report = await h1_report(sessionmaker)
    files = render_sync(report)
    wb = openpyxl.load_workbook(io.BytesIO(files.workbook))
    assert wb.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo lĩnh vực", "Theo năm", "Hài lòng", "Danh sách"]

    summary = {row[0]: row[1] for row in sheet_rows(wb["Tổng hợp"]) if row[0] and row[1] is not None}
    assert summary["Số hội nghị đối thoại đã tổ chức"] == 2
    assert summary["Số người tham dự (các hội nghị có ghi nhận: 1)"] == 120
    assert summary["Số ý kiến, kiến nghị nhận được"] == 14
    assert summary["   trong đó: gộp vào ý kiến trùng"] == 1
    assert summary["Số vụ việc phải giải quyết"] == 11
    assert summary["Trả lời trực tiếp tại hội nghị"] == 2
    assert summary["Giải quyết sau hội nghị, đúng hạn"] == 3
    assert summary["Giải quyết sau hội nghị, trễ hạn"] == 1
    assert summary["Chuyển cấp có thẩm quyền"] == 1
    assert summary["Đang giải quyết, quá hạn"] == 1
    assert summary["Được gia hạn"] == 2
    assert summary["Người gửi đề nghị xem xét lại"] == 1
    assert summary["Tỉ lệ giải quyết đúng hạn"] == pytest.approx(5 / 7)
    assert summary["   trong đó: đang chờ cấp trên trả lời"] == 1 and summary["Qua Telegram/Zalo"] == 14
    assert summary["Số ngày trung bình từ khi nhận đến khi trả lời"] == pytest.approx(53.8)
    assert summary["Điểm hài lòng trung bình (1–5)"] == pytest.approx(3.8)
    assert summary["Tỉ lệ hài lòng (4–5 điểm)"] == pytest.approx(0.6)
    assert wb["Tổng hợp"]["A1"].value == "UBND XÃ THẠCH ĐÀI"

    departments = {row[0]: row[1:] for row in sheet_rows(wb["Theo đơn vị"])[5:]}
    # received, cases, at session, on time, late, forwarded, open, overdue, extended, rate, days, satisfaction
    assert departments["Địa chính – Xây dựng"][:9] == (7, 6, 2, 2, 1, 0, 1, 0, 0)
    assert departments["Địa chính – Xây dựng"][9] == pytest.approx(0.8)
    assert departments["Văn hóa – Xã hội"][:9] == (5, 4, 0, 1, 0, 1, 2, 1, 2)
    assert departments["Chưa phân công"][:2] == (2, 1) and departments["Chưa phân công"][9] is None
    assert departments["Tổng cộng"][:9] == (14, 11, 2, 3, 1, 1, 4, 1, 2)

    topics = {row[0]: row[1] for row in sheet_rows(wb["Theo lĩnh vực"])[5:]}
    assert topics == {"Đất đai": 6, "Chính sách xã hội": 5, "Chưa phân loại": 3, "Tổng cộng": 14}
    years = {row[0]: row[1] for row in sheet_rows(wb["Theo năm"])[5:]}
    assert years == {2026: 14, "Tổng cộng": 14}

    rows = sheet_rows(wb["Danh sách"])
    header = rows[4]
    listed = {row[0]: dict(zip(header, row, strict=True)) for row in rows[5:]}
    assert len(listed) == 14 and "TD-0015" not in listed
    late = listed["TD-0003"]
    assert late["Số ngày trễ"] == 7 and late["Đúng/trễ hạn"] == "Trễ hạn"
    assert late["Ngày giải quyết"].date() == rf.date(2026, 5, 4)
    extended = listed["TD-0004"]
    assert extended["Hạn trả lời ban đầu"].date() == rf.DUE
    assert extended["Hạn trả lời (sau gia hạn)"].date() == rf.EXTENDED_DUE
    assert extended["Lý do gia hạn"] == "Cần đo đạc lại thửa đất" and extended["Đúng/trễ hạn"] == "Đúng hạn"
    assert (
        listed["TD-0005"]["Trạng thái"] == "Đang giải quyết – quá hạn"
        and listed["TD-0005"]["Số ngày trễ"] == 10
    )
    assert listed["TD-0006"]["Chuyển đến"] == "UBND huyện Thạch Hà"
    assert listed["TD-0007"]["Trạng thái"] == "Gộp vào TD-0002" and listed["TD-0007"]["Đúng/trễ hạn"] is None
    assert listed["TD-0008"]["Trạng thái"] == "Người gửi rút lại"
    assert listed["TD-0009"]["Trạng thái"] == "Không tiếp nhận"
    assert listed["TD-0010"]["Xem xét lại (lần)"] == 1
    assert (
        listed["TD-0001"]["Người gửi"] == rf.PUBLIC_NAME and listed["TD-0001"]["Mức độ hài lòng (1–5)"] == 5
    )
    # the citizen who did not allow the name is anonymous; no contact details anywhere
    assert listed["TD-0011"]["Người gửi"] == "Ẩn danh"
    every_cell = "\n".join(
        str(v) for ws in wb.worksheets for row in sheet_rows(ws) for v in row if v is not None
    )
    assert rf.HIDDEN_NAME not in every_cell and rf.PHONE not in every_cell
    assert "Thôn 3" not in every_cell  # the address (the questions say "thôn 3" in lower case)


async def test_the_document_is_a_vietnamese_administrative_report(sessionmaker):
    report = await h1_report(sessionmaker)
    files = render_sync(report)
    text, tables = docx_text(files.document)
    header, numbers = tables[0].rows[0].cells, tables[0].rows[1].cells
    assert header[0].text.split("\n")[:2] == ["ỦY BAN NHÂN DÂN", "XÃ THẠCH ĐÀI"]
    assert "Số:" in numbers[0].text and "/BC-UBND" in numbers[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text
    assert "Độc lập - Tự do - Hạnh phúc" in header[1].text
    assert numbers[1].text == "Thạch Đài, ngày 25 tháng 5 năm 2026"
    assert "BÁO CÁO" in text and "6 tháng đầu năm 2026" in text
    positions = [
        text.index(section)
        for section in (
            "I. TÌNH HÌNH CHUNG",
            "II. KẾT QUẢ CỤ THỂ",
            "III. HẠN CHẾ, NGUYÊN NHÂN",
            "IV. BÀI HỌC KINH NGHIỆM, CÁCH LÀM HAY",
            "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
            "VI. ĐỀ XUẤT, KIẾN NGHỊ",
            "Nơi nhận:",
        )
    ]
    assert positions == sorted(positions)
    # the same figures as the metrics (and the workbook)
    assert "đã tổ chức 2 hội nghị đối thoại" in text
    assert "Tổng số ý kiến, kiến nghị nhận được: 14" in text and "Số vụ việc phải giải quyết: 11" in text
    assert "Trả lời trực tiếp tại hội nghị: 2; giải quyết sau hội nghị đúng hạn: 3, trễ hạn: 1" in text
    assert "Tỉ lệ giải quyết đúng hạn: 71,4%" in text and "53,8 ngày" in text
    assert "điểm trung bình 3,8/5; 60,0% hài lòng" in text
    assert "TD-0003 (Địa chính – Xây dựng, hạn 27/04/2026, trễ 7 ngày)" in text
    assert "TD-0005 (Văn hóa – Xã hội, hạn 15/05/2026, trễ 10 ngày)" in text
    assert "120 người tham dự" in text
    by_heading = {table.rows[0].cells[0].text: table for table in tables[1:]}
    figures = {row.cells[0].text: row.cells[1].text for row in by_heading["Chỉ tiêu"].rows}
    assert (
        figures["Số ý kiến, kiến nghị nhận được"] == "14" and figures["Tỉ lệ giải quyết đúng hạn"] == "71,4%"
    )
    by_department = [[cell.text for cell in row.cells] for row in by_heading["Đơn vị"].rows]
    assert by_department[1] == ["Địa chính – Xây dựng", "6", "2", "2", "1", "0", "1", "0", "80,0%"]
    assert by_department[-1] == ["Tổng cộng", "11", "2", "3", "1", "1", "4", "1", "71,4%"]
    forwarded = [
        [cell.text for cell in row.cells] for row in by_heading["Mã"].rows if row.cells[0].text == "TD-0006"
    ]
    assert forwarded == [["TD-0006", "UBND huyện Thạch Hà", "—", "Đang chờ trả lời"]]
    # the chart is embedded; the body is Times New Roman 13–14 pt
    document = docx.Document(io.BytesIO(files.document))
    assert len(document.inline_shapes) == 1
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs if run.font.size}
    assert sizes and all(11 <= s <= 14 for s in sizes)
    assert rf.HIDDEN_NAME not in text and rf.PHONE not in text


async def test_stats_the_workbook_and_the_document_agree(sessionmaker):
    report = await h1_report(sessionmaker)
    with use_locale("vi"):
        stats = tr.stats_text(report)
        files = render_sync(report)
    assert "• Nhận được: 14 (gộp 1, rút lại 1, không tiếp nhận 1)" in stats
    assert "• Trả lời tại hội nghị: 2" in stats
    assert "• Trả lời bằng văn bản: 4 (đúng hạn 3, trễ hạn 1)" in stats
    assert "• Đang giải quyết: 4 (quá hạn 1)" in stats
    assert "• Địa chính – Xây dựng: 80,0% (4/5), đang giải quyết 1" in stats
    assert "• Văn hóa – Xã hội: 50,0% (1/2), đang giải quyết 2" in stats
    assert (
        "• Chung: 71,4%" in stats
        and "53,8 ngày" in stats
        and "3,8/5 (5 lượt đánh giá; 60,0% hài lòng)" in stats
    )
    assert "TD-0005 – Văn hóa – Xã hội: hạn 15/05/2026, trễ 10 ngày" in stats
    wb = openpyxl.load_workbook(io.BytesIO(files.workbook))
    summary = {row[0]: row[1] for row in sheet_rows(wb["Tổng hợp"]) if row[0]}
    text, _ = docx_text(files.document)
    for label, value in tr.summary_rows(report):
        cell = summary[label]
        if isinstance(value, int):
            assert cell == value, label
    assert f"đang giải quyết: {report.totals.open} (trong đó quá hạn: {report.totals.overdue})" in text
    assert len(stats) < 4096 and len(tr.stats_caption(report)) < 1024


async def test_the_english_files_use_the_english_catalog(sessionmaker):
    report = await h1_report(sessionmaker)
    with use_locale("en"):
        files = await render(report)
        stats = tr.stats_text(report)
    wb = openpyxl.load_workbook(io.BytesIO(files.workbook))
    assert wb.sheetnames == ["Summary", "By department", "By topic", "By year", "Satisfaction", "Submissions"]
    text, _ = docx_text(files.document)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in text and "III. LIMITATIONS AND CAUSES" in text
    assert "first half of 2026" in text and "Land administration" in text
    assert "• Overall: 71.4%" in stats


async def test_a_session_report_and_the_command_line_files(sessionmaker, tmp_path: Path):
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        paths = await write_report(db, "2026H1", rf.NOW, tmp_path)
        session_report = await resolve(db, f"#{ids['S2']}", rf.NOW)
        await db.commit()
    assert sorted(p.name for p in paths) == [
        "bao-cao-2026H1.docx",
        "bao-cao-2026H1.png",
        "bao-cao-2026H1.xlsx",
    ]
    wb = openpyxl.load_workbook(paths[0])
    assert len(sheet_rows(wb["Danh sách"])) == 5 + 14
    files: Files = render_sync(session_report)
    assert files.workbook_name == f"bao-cao-hoi-nghi-{ids['S2']}.xlsx"
    text, _ = docx_text(files.document)
    assert "hội nghị “Đối thoại về đường liên thôn” ngày 20/05/2026" in text
    assert "Không có ý kiến, kiến nghị nào bị trả lời trễ hạn hoặc quá hạn." in text


def test_the_command_line_writes_the_three_files(tmp_path: Path, monkeypatch, capsys):
    import asyncio

    from bot.cli import main
    from storage.db import make_engine, make_sessionmaker, upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        async with make_sessionmaker(engine)() as db:
            await rf.build(db)
            await db.commit()
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", url)
    out = tmp_path / "bao-cao"
    assert main(["report", "2026H1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == [
        "bao-cao-2026H1.docx",
        "bao-cao-2026H1.png",
        "bao-cao-2026H1.xlsx",
    ]
    wb = openpyxl.load_workbook(out / "bao-cao-2026H1.xlsx")
    assert len(sheet_rows(wb["Danh sách"])) == 5 + 14
    assert main(["report", "2026H3", "--out", str(out)]) == 2
    assert "2026H1" in capsys.readouterr().err


async def test_a_multi_year_review_has_a_row_per_year(sessionmaker):
    async with sessionmaker() as db:
        await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await resolve(db, "2025-2027", rf.NOW)
        await db.commit()
    assert [(g.id, g.counts.received) for g in report.by_year] == [(2026, 15)]
    assert report.period.code == "2025-2027"
    text, tables = docx_text(render_sync(report).document)
    assert "giai đoạn 2025–2027" in text and "5. Kết quả theo lĩnh vực" in text
    assert "Kết quả theo năm" not in text  # one year only: no table by year


def test_the_command_line_report_of_a_province_has_a_table_per_unit(tmp_path: Path, monkeypatch, capsys):
    """`doithoai report` on a deployment of many units: the province's files, as its office's /report
    gives them (a sheet per unit, no list of every question), or one unit's with --unit."""
    import asyncio

    from bot.cli import main
    from bot.domain.directory import apply, parse
    from storage.db import make_engine, make_sessionmaker, upgrade
    from tests.dsl import START
    from tests.test_units import PROVINCE_FILE

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        async with make_sessionmaker(engine)() as db:
            await apply(db, parse(PROVINCE_FILE.read_text(encoding="utf-8")), START)
            await db.commit()
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOITHOAI_DATABASE_URL", url)
    assert main(["report", "2026", "--out", str(tmp_path / "tinh")]) == 0
    province = openpyxl.load_workbook(tmp_path / "tinh" / "bao-cao-2026.xlsx")
    assert "Theo đơn vị hành chính" in province.sheetnames and "Danh sách" not in province.sheetnames
    assert main(["report", "2026", "--unit", "td", "--out", str(tmp_path / "xa")]) == 0
    commune = openpyxl.load_workbook(tmp_path / "xa" / "bao-cao-2026.xlsx")
    assert "Danh sách" in commune.sheetnames and "Theo đơn vị hành chính" not in commune.sheetnames
    capsys.readouterr()
    assert main(["report", "2026", "--unit", "XX", "--out", str(tmp_path)]) == 2
    assert "TD" in capsys.readouterr().err
