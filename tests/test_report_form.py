"""The report's form, as Decree 30/2020/NĐ-CP lays out an administrative document: checked in the .docx
itself, then on the pages LibreOffice prints (``soffice --headless`` to PDF, ``pdftoppm`` to images,
``pdftotext -bbox`` for where each word lands): the header's two columns with the issuing body on the
left and the national title and motto on the right, the motto's line, the title centred, every table
and line inside the margins. The rendering tests skip, with the reason, where LibreOffice or poppler
is not installed (.ci/run installs them)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from html import unescape as html_unescape
from pathlib import Path

import docx
import pytest

from bot.domain.reporting import Issuer
from bot.i18n import use_locale
from bot.reports import metrics, render_sync
from bot.reports.document import date_line
from bot.reports.periods import half_period
from tests import report_fixture as rf

CM = 360000  # EMU per centimetre


async def h1_report(sessionmaker) -> metrics.Report:
    async with sessionmaker() as db:
        await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 1), rf.NOW)
        await db.commit()
    return report


def party(report: metrics.Report) -> metrics.Report:
    return replace(
        report,
        issuer=Issuer(
            kind="party",
            name="Đảng ủy xã Thạch Đài",
            parent="Đảng bộ huyện Thạch Hà",
            dan_van="Ban Dân vận Huyện ủy",
            recipients=["Thường trực Huyện ủy (b/c)", "Các chi bộ trong toàn xã"],
            archive="VP",
        ),
    )


# --- the .docx itself ----------------------------------------------------------------------------------


def test_the_date_line_writes_days_below_10_and_months_below_3_with_a_leading_zero():
    with use_locale("vi"):
        assert date_line("Thạch Đài", date(2026, 12, 2)) == "Thạch Đài, ngày 02 tháng 12 năm 2026"
        assert date_line("Thạch Đài", date(2027, 1, 5)) == "Thạch Đài, ngày 05 tháng 01 năm 2027"
        assert date_line("Thạch Đài", date(2027, 2, 28)) == "Thạch Đài, ngày 28 tháng 02 năm 2027"
        assert date_line("Thạch Đài", date(2026, 6, 15)) == "Thạch Đài, ngày 15 tháng 6 năm 2026"


async def test_the_page_the_header_the_title_and_the_signature_follow_the_decree(sessionmaker):
    report = await h1_report(sessionmaker)
    with use_locale("vi"):
        document = docx.Document(io.BytesIO(render_sync(report).document))
    section = document.sections[0]
    assert (round(section.page_width / CM, 1), round(section.page_height / CM, 1)) == (21.0, 29.7)
    assert 2.0 <= section.top_margin / CM <= 2.5 and 2.0 <= section.bottom_margin / CM <= 2.5
    assert 2.99 <= section.left_margin / CM <= 3.5 and 1.49 <= section.right_margin / CM <= 2.0  # twips
    assert section.different_first_page_header_footer  # page numbers from the second page
    assert "PAGE" in section.header._element.xml

    header = document.tables[0]
    left, right = header.rows[0].cells
    runs = {run.text: run for p in left.paragraphs + right.paragraphs for run in p.runs if run.text}
    assert runs["ỦY BAN NHÂN DÂN"].bold and runs["XÃ THẠCH ĐÀI"].bold
    title = runs["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]  # "HÒA", as the Decree's forms spell it
    assert title.bold and title.font.size.pt in (12, 13)
    motto = runs["Độc lập - Tự do - Hạnh phúc"]
    assert motto.bold and motto.font.size.pt in (13, 14)
    assert any("w:bottom" in p._p.xml for p in right.paragraphs)  # the line under the motto
    number, place = header.rows[1].cells
    assert re.fullmatch(r"Số: +/BC-UBND", number.text)
    assert place.text == "Thạch Đài, ngày 25 tháng 5 năm 2026" and place.paragraphs[0].runs[0].italic

    paragraphs = [p for p in document.paragraphs if p.text]
    kind = next(p for p in paragraphs if p.text == "BÁO CÁO")
    assert kind.alignment == 1 and kind.runs[0].bold  # centred
    texts = [p.text for p in paragraphs]
    for heading in (
        "1. Bài học kinh nghiệm",
        "2. Cách làm hay, mô hình hiệu quả",
        "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
    ):
        assert texts[texts.index(heading) + 1] == "[…]"  # headed, for the office to write
    signature = document.tables[-1]
    recipients, signer = signature.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert recipients.paragraphs[-1].text == "- Lưu: VT."
    assert [p.text for p in signer.paragraphs][:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


async def test_a_party_committee_signs_on_behalf_of_its_standing_committee_and_informs_dan_van(sessionmaker):
    report = party(await h1_report(sessionmaker))
    with use_locale("vi"):
        document = docx.Document(io.BytesIO(render_sync(report).document))
    header = document.tables[0]
    assert [p.text for p in header.rows[0].cells[0].paragraphs][:2] == [
        "ĐẢNG BỘ HUYỆN THẠCH HÀ",
        "ĐẢNG ỦY XÃ THẠCH ĐÀI",
    ]
    assert re.fullmatch(r"Số +-BC/ĐU", header.rows[1].cells[0].text)
    recipients, signer = document.tables[-1].rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:",
        "- Ban Dân vận Huyện ủy (b/c);",
        "- Thường trực Huyện ủy (b/c);",
        "- Các chi bộ trong toàn xã;",
        "- Lưu: VP.",
    ]
    assert [p.text for p in signer.paragraphs][:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]


# --- the printed pages ------------------------------------------------------------------------------------

TOOLS = ("soffice", "pdftoppm", "pdftotext")
missing = [tool for tool in TOOLS if shutil.which(tool) is None]
needs_tools = pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)} (see .ci/run)")


def to_pdf(content: bytes, folder: Path) -> Path:
    source = folder / "bao-cao.docx"
    source.write_bytes(content)
    profile = folder / "lo-profile"  # a profile of its own: runs side by side do not share a lock
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / "bao-cao.pdf"


def pages(pdf: Path, folder: Path, dpi: int = 50) -> list:
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True, timeout=120
    )
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


def words(pdf: Path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, word, xMin, yMin, xMax, yMax) in points, from ``pdftotext -bbox`` (glyphs a fallback font
    drew — some Vietnamese letters — come as words of their own: touching pieces are joined)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    found, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', line)
        if m:
            word = (page, html_unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5)))
            last = found[-1] if found else None
            if last and last[0] == page and abs(last[3] - word[3]) < 1 and abs(word[2] - last[4]) < 1:
                found[-1] = (page, last[1] + word[1], last[2], last[3], word[4], max(last[5], word[5]))
            else:
                found.append(word)
    return found


def ink_box(image, threshold: int = 160) -> tuple[int, int, int, int]:
    """The box around every dark pixel of a page image (left, top, right, bottom)."""
    mask = image.point(lambda v: 255 if v < threshold else 0)
    box = mask.getbbox()
    assert box is not None, "an empty page"
    return box


def longest_dark_run(image, y: int, x0: int, x1: int, threshold: int = 160) -> int:
    best = run = 0
    for x in range(x0, x1):
        run = run + 1 if image.getpixel((x, y)) < threshold else 0
        best = max(best, run)
    return best


@needs_tools
async def test_the_printed_report_looks_like_an_administrative_document(sessionmaker, tmp_path):
    report = await h1_report(sessionmaker)
    with use_locale("vi"):
        files = render_sync(report)
    pdf = to_pdf(files.document, tmp_path)
    images = pages(pdf, tmp_path)
    assert len(images) >= 3
    width, height = images[0].size
    assert abs(height / width - 29.7 / 21) < 0.01  # A4, portrait
    per_cm = width / 21
    for number, image in enumerate(images, start=1):
        left, top, right, bottom = ink_box(image)
        # everything — text, tables, their borders, the chart — stays inside the margins (3 cm, 1.5 cm)
        assert left >= per_cm * 2.8, f"page {number} spills into the left margin"
        assert right <= width - per_cm * 1.3, f"page {number}: something does not fit the page's width"
        assert bottom <= height - per_cm * 1.5, f"page {number} spills into the bottom margin"

    placed = words(pdf)
    page_width_pt = 595.3

    def first(text: str, page: int = 1) -> tuple[float, float, float, float]:
        for p, word, *box in placed:
            if p == page and word == text:
                return tuple(box)
        raise AssertionError(f"{text!r} not on page {page}")

    # the header's two columns: the issuing body on the left, the national title and motto on the right
    issuer, nation, independence = first("ỦY"), first("CỘNG"), first("Độc")
    assert issuer[2] < page_width_pt * 0.45 < nation[0]
    assert abs(issuer[1] - nation[1]) < 6  # on the same line
    assert nation[1] < independence[1] < nation[1] + 25  # the motto right under the title
    date_word = first("ngày")
    assert date_word[0] > page_width_pt * 0.45 and date_word[1] > independence[1]
    number = first("Số:")
    assert number[2] < page_width_pt * 0.45 and abs(number[1] - date_word[1]) < 6  # số and date level
    # the type name centred on the text area (3 cm to 1.5 cm), under the header
    kind = [box for p, word, *box in placed if p == 1 and word == "BÁO"][0]
    area_centre = (3 + (21 - 1.5)) / 2 / 21 * page_width_pt
    assert kind[1] > date_word[3]
    assert abs((kind[0] + first("CÁO")[2]) / 2 - area_centre) < 12

    # a line under the motto, about as long as the motto, in the right column
    image, scale = images[0], width / page_width_pt
    below = int(independence[3] * scale) + 1
    runs = [
        longest_dark_run(image, y, int(page_width_pt * 0.45 * scale), width - 1)
        for y in range(below, below + int(12 * scale))
    ]
    motto_width = (first("phúc")[2] - independence[0]) * scale
    assert 0.6 * motto_width <= max(runs) <= 1.3 * motto_width

    # the tables are drawn: long horizontal rules inside the text area on the pages that hold them
    ruled = [
        max(longest_dark_run(img, y, 0, width - 1) for y in range(0, img.size[1], 2)) for img in images[1:3]
    ]
    assert all(run >= per_cm * 12 for run in ruled)


@needs_tools
async def test_the_printed_party_report_keeps_its_header_and_signature_on_the_page(sessionmaker, tmp_path):
    report = party(await h1_report(sessionmaker))
    with use_locale("vi"):
        files = render_sync(report)
    pdf = to_pdf(files.document, tmp_path)
    placed = words(pdf)
    last = max(p for p, *_ in placed)
    assert any(p == 1 and w == "ĐẢNG" for p, w, *_ in placed)
    assert any(p == last and w == "T/M" for p, w, *_ in placed)
    images = pages(pdf, tmp_path)
    width = images[0].size[0]
    for image in images:
        left, _top, right, _bottom = ink_box(image)
        assert left >= width / 21 * 2.8 and right <= width - width / 21 * 1.3
