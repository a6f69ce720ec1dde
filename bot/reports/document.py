"""The .docx report, in the form of Decree 30/2020/NĐ-CP (Phụ lục I; Phụ lục III, the form of a
document with a type name, "BÁO CÁO"):

- A4, margins top and bottom 2 cm, left 3 cm, right 1.5 cm; Times New Roman; page numbers from the
  second page, centred at the top.
- The header, a two-column table without borders: on the left the body above (when set, upper case,
  regular) and the issuing body (upper case, bold), a short line under it, then "Số: …/BC-…"; on the
  right the national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (upper case, bold, 12 pt), the motto
  "Độc lập - Tự do - Hạnh phúc" (bold, 13 pt) with a line under it as long as the motto, then the place
  and date line in italics, "Thạch Đài, ngày 02 tháng 12 năm 2026" (a day below 10 and a month below 3
  take a leading zero).
- The type name "BÁO CÁO" and the summary title (bold, centred), a short line under them.
- The body (14 pt, justified, first line indented): the situation, the results with their tables
  (sessions with their participants and whether each conclusion notice came within its 10 days,
  questions by source and nature, results, by department and topic, the written responses with their
  document numbers, what was forwarded and whether the higher level answered, complaints and
  denunciations set aside), limitations, then the parts only people can write — lessons learned, good
  practices, tasks for the next period — as headed paragraphs marked ``[…]`` for the office to fill.
- "Nơi nhận:" (the directory's recipients, the Dân vận committee among them where set, "Lưu: VT…")
  on the left; on the right the signature block: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" for the People's
  Committee, "T/M BAN THƯỜNG VỤ / BÍ THƯ" for the Party committee (or the directory's own lines).

The figures come from the same ``Report`` as /stats and the workbook."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from bot.i18n import Translator, current_locale, fmt_date
from bot.reports.metrics import Counts, Group, Report
from bot.texts import reports as tr
from bot.texts import units as tu

_ = Translator("reports")

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PLACEHOLDER = "[…]"
TEXT_WIDTH = 16.5  # cm: A4 (21 cm) less the 3 cm and 1.5 cm margins
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _place_of(unit: str) -> str:
    """ "UBND xã Thạch Đài" → "Thạch Đài" (for the place and date line)."""
    name = re.sub(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Đảng ủy|Đảng uỷ)\s+", "", unit.strip(), flags=re.I)
    name = re.sub(r"^(xã|phường|thị trấn|thị xã|huyện|quận|thành phố|tỉnh)\s+", "", name, flags=re.I)
    return name or "……"


def date_line(place: str, day) -> str:
    """Decree 30/2020: a day below 10 and a month below 3 are written with a leading zero."""
    d = f"{day.day:02d}"
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("{place}, ngày {d} tháng {m} năm {y}").format(place=place, d=d, m=m, y=day.year)


def _upper(text: str) -> str:
    return text.upper()


def issuer_block(report: Report) -> tuple[list[str], str, str, list[str]]:
    """(header lines: [body above?, issuing body], the number line, the place, the signature lines)."""
    issuer = report.issuer
    unit = tr.unit_name(report)
    name = issuer.name or unit
    party = issuer.kind == "party"
    lines: list[str] = []
    if issuer.parent:
        lines.append(_upper(issuer.parent))
    if current_locale() == "vi" and not party:
        m = re.match(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(.+)$", name.strip(), flags=re.I)
        lines += ["ỦY BAN NHÂN DÂN", _upper(m.group(2))] if m else [_upper(name)]
    else:
        lines.append(_upper(name))
    abbreviation = issuer.abbreviation or ("ĐU" if party else ("UBND" if current_locale() == "vi" else "PC"))
    number = (
        _("Số        -BC/{abbr}").format(abbr=abbreviation)
        if party
        else _("Số:        /BC-{abbr}").format(abbr=abbreviation)
    )
    place = issuer.place or (_place_of(str(report.unit.vi)) if current_locale() == "vi" else unit)
    if issuer.signature:
        signature = list(issuer.signature)
    elif party:
        signature = [_("T/M BAN THƯỜNG VỤ"), _("BÍ THƯ")]
    else:
        signature = [_("TM. ỦY BAN NHÂN DÂN"), _("CHỦ TỊCH")]
    return lines, number, place, signature


# --- low-level helpers ------------------------------------------------------------------------------------


def _font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(
    container, text: str = "", *, size: float = BODY_PT, bold=False, italic=False, align=None, indent=True
):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    elif indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.space_after = Pt(6)
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _heading(doc, text: str) -> None:
    p = _para(doc, text, bold=True, indent=False)
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.keep_with_next = True


def _rule(cell: _Cell, width_cm: float, cell_cm: float) -> None:
    """A horizontal line ``width_cm`` long, centred in the cell (a bottom border on an empty paragraph)."""
    p = cell.add_paragraph()
    margin = max(0.0, (cell_cm - width_cm) / 2)
    p.paragraph_format.left_indent = Cm(margin)
    p.paragraph_format.right_indent = Cm(margin)
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.space_before = Pt(0)
    _font(p.add_run(""), 2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)
    p.paragraph_format.line_spacing = Pt(2)


def _cell_lines(
    cell: _Cell, lines: list[tuple[str, float, bool, bool]], align=WD_ALIGN_PARAGRAPH.CENTER
) -> None:
    for run in list(cell.paragraphs[0].runs):
        run._r.getparent().remove(run._r)
    for i, (text, size, bold, italic) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(text), size, bold, italic)


def _fixed_widths(table, widths: list[float]) -> None:
    """Fixed layout with these column widths (cm), so Word and LibreOffice keep the table on the page."""
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) * 567)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w * 567)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w)


def _table(
    doc, header: list[str], rows: list[list[object]], widths: list[float], left: tuple[int, ...] = (0,)
) -> None:
    """A bordered table whose columns ``left`` are left-aligned (the others centred); the heading row
    repeats on every page."""
    assert sum(widths) <= TEXT_WIDTH + 0.01, widths
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_lines(cell, [(text, TABLE_PT - 1, True, False)])
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if i in left else WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(0)
            _font(p.add_run("" if value is None else str(value)), TABLE_PT)
    head = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the heading row repeats on every page
    head.append(repeat)
    _fixed_widths(table, widths)
    _cell_margins(table, 0.08)
    _para(doc, "", size=6, indent=False)


def _cell_margins(table, cm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(int(cm * 567)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _page_numbers(section) -> None:
    """From the second page, centred at the top (Decree 30/2020)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


# --- the document -----------------------------------------------------------------------------------------


def build_document(report: Report, chart_png: bytes | None = None) -> bytes:
    doc = Document()
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        section.header_distance = Cm(1)
        _page_numbers(section)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    unit = report.issuer.name or tr.unit_name(report)  # the issuer (a Party committee may issue it)
    scope = tr.scope_label(report)
    _header(doc, report)
    _title(doc, scope)
    _para(
        doc,
        _(
            "Thực hiện kế hoạch tiếp xúc, đối thoại trực tiếp với Nhân dân, {unit} báo cáo kết quả {scope} "
            "(số liệu tính đến ngày {day}) như sau:"
        ).format(unit=unit, scope=scope, day=fmt_date(report.today)),
    )
    _situation(doc, report, unit)
    _results(doc, report, chart_png)
    _limitations(doc, report)
    _to_be_written(doc)
    _proposals(doc, report)
    _para(
        doc,
        _(
            "Trên đây là báo cáo kết quả tiếp xúc, đối thoại trực tiếp với Nhân dân {scope} của {unit}./."
        ).format(scope=scope, unit=unit),
    )
    _signature(doc, report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _header(doc, report: Report) -> None:
    lines, number, place, _signature_lines = issuer_block(report)
    left_cm, right_cm = 7.0, 9.5
    header = doc.add_table(rows=2, cols=2)
    header.autofit = False
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    (left, right), (number_cell, date_cell) = header.rows[0].cells, header.rows[1].cells
    body = [(line, 12, False, False) for line in lines[:1]] if report.issuer.parent else []
    own = lines[len(body) :]
    _cell_lines(left, body + [(line, 13, True, False) for line in own])
    _rule(left, 2.2, left_cm)
    _cell_lines(
        right,
        [
            (_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, True, False),
            (_("Độc lập - Tự do - Hạnh phúc"), 13, True, False),
        ],
    )
    _rule(right, 6.0 if current_locale() == "vi" else 5.0, right_cm)
    _cell_lines(number_cell, [(number, 13, False, False)])
    _cell_lines(date_cell, [(date_line(place, report.today), 13, False, True)])
    _fixed_widths(header, [left_cm, right_cm])


def _title(doc, scope: str) -> None:
    _para(doc, "", size=8, indent=False)
    _para(
        doc, _("BÁO CÁO"), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
    ).paragraph_format.space_after = Pt(0)
    _para(
        doc,
        _(
            "Kết quả tiếp xúc, đối thoại trực tiếp với Nhân dân và giải quyết ý kiến, kiến nghị {scope}"
        ).format(scope=scope),
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    ).paragraph_format.space_after = Pt(0)
    line = _para(doc, "", size=2, align=WD_ALIGN_PARAGRAPH.CENTER)
    margin = (TEXT_WIDTH - 3.5) / 2
    line.paragraph_format.left_indent, line.paragraph_format.right_indent = Cm(margin), Cm(margin)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    line._p.get_or_add_pPr().append(borders)
    line.paragraph_format.space_after = Pt(12)


def _situation(doc, report: Report, unit: str) -> None:
    _heading(doc, _("I. TÌNH HÌNH CHUNG"))
    held = [s for s in report.sessions if s.held]
    _para(
        doc,
        _(
            "Trong kỳ, {unit} đã tổ chức {held} hội nghị đối thoại "
            "(trên tổng số {total} hội nghị đã lên kế hoạch)."
        ).format(unit=unit, held=len(held), total=len(report.sessions)),
    )
    for s in report.sessions:
        parts = _("- Ngày {day}: {title} ({kind}), tại {place}; {status}; nhận {n} ý kiến").format(
            day=fmt_date(s.day),
            title=s.title,
            kind=tr.kind_label(s.kind).lower(),
            place=s.place,
            status=tr.session_status_label(s.status).lower(),
            n=s.counts.received,
        )
        if s.participants is not None:
            parts += _("; {n} người tham dự").format(n=s.participants)
        _para(doc, parts + ".")
    if report.participants:
        _para(doc, _("Tổng số người tham dự các hội nghị có ghi nhận: {n}.").format(n=report.participants))
    _para(
        doc,
        _(
            "Ý kiến, kiến nghị của Nhân dân được tiếp nhận qua ứng dụng nhắn tin, tại hội nghị, qua Ủy "
            "ban Mặt "
            "trận Tổ quốc và các đoàn thể, bằng văn bản và qua điện thoại; văn phòng phân loại, giao đơn "
            "vị chuẩn "
            "bị trả lời; người có ý kiến được thông báo kết quả và thời hạn giải quyết."
        ),
    )


def _results(doc, report: Report, chart_png: bytes | None) -> None:
    t = report.totals
    _heading(doc, _("II. KẾT QUẢ CỤ THỂ"))
    _heading(doc, _("1. Tổ chức hội nghị"))
    rows = [
        [
            i,
            fmt_date(s.day),
            s.title,
            s.participants if s.participants is not None else "—",
            s.counts.received,
            s.counts.answered_at_session,
            tr.notice_label(s),
        ]
        for i, s in enumerate(report.sessions, start=1)
    ]
    header = [
        _("TT"),
        _("Ngày"),
        _("Hội nghị"),
        _("Người dự"),
        _("Ý kiến"),
        _("Trả lời tại HN"),
        _("Thông báo kết luận"),
    ]
    _table(doc, header, rows, [1.0, 2.4, 4.4, 1.6, 1.4, 1.9, 3.8], left=(2,))
    by_source = [
        [i, s.title, *[s.counts.by_source.get(k, 0) for k in tr.SOURCES], s.counts.received]
        for i, s in enumerate(report.sessions, start=1)
    ]
    header = [_("TT"), _("Ý kiến theo nguồn"), *[tr.source_short(k) for k in tr.SOURCES], _("Tổng")]
    _table(doc, header, by_source, [1.0, 5.0, 1.8, 1.8, 1.8, 1.7, 1.8, 1.6], left=(1,))
    late_notices = [
        s for s in report.sessions if s.notice_on_time is False or s.notice_late_as_of(report.today)
    ]
    if late_notices:
        _para(
            doc,
            _("Có {n} hội nghị ban hành thông báo kết luận chậm so với thời hạn 10 ngày.").format(
                n=len(late_notices)
            ),
        )
    elif any(s.notice_on is not None for s in report.sessions):
        _para(doc, _("Các thông báo kết luận đều được ban hành trong thời hạn 10 ngày sau hội nghị."))

    _heading(doc, _("2. Tiếp nhận ý kiến, kiến nghị"))
    _para(
        doc,
        _(
            "Tổng số ý kiến, kiến nghị nhận được: {received}; trong đó {merged} ý kiến trùng nội dung "
            "được gộp, {withdrawn} ý kiến người gửi rút lại, {rejected} ý kiến không tiếp nhận, {set_aside} "
            "khiếu nại, tố cáo chuyển xử lý theo quy định. Số vụ việc phải giải quyết: {cases}."
        ).format(
            received=t.received,
            merged=t.merged,
            withdrawn=t.withdrawn,
            rejected=t.rejected,
            set_aside=t.set_aside,
            cases=t.cases,
        ),
    )
    _table(doc, [_("Nguồn tiếp nhận"), _("Số ý kiến")], [list(r) for r in tr.source_rows(t)], [12, 4])
    natures = tr.nature_rows(t)
    if natures:
        _table(doc, [_("Tính chất"), _("Số ý kiến")], [list(r) for r in natures], [12, 4])

    _heading(doc, _("3. Kết quả giải quyết"))
    _para(
        doc,
        _(
            "Trả lời trực tiếp tại hội nghị: {at_session}; giải quyết sau hội nghị đúng hạn: {on_time}, "
            "trễ hạn: {late}; chuyển cấp có thẩm quyền: {forwarded} (cấp trên đã trả lời: {answered}, "
            "đang chờ: "
            "{awaiting}); đang giải quyết: {open} (trong đó quá hạn: {overdue}). Số ý kiến được gia hạn: "
            "{extended}. Tỉ lệ giải quyết đúng hạn: {rate}. Số ngày trung bình từ khi nhận đến khi trả "
            "lời: {days}."
        ).format(
            at_session=t.answered_at_session,
            on_time=t.responded_on_time,
            late=t.responded_late,
            forwarded=t.forwarded,
            answered=t.forwarded_answered,
            awaiting=t.forwarded_awaiting,
            open=t.open,
            overdue=t.overdue,
            extended=t.extended,
            rate=tr.pct(t.on_time_rate),
            days=tr.days(t.avg_days_to_respond),
        ),
    )
    if t.rated:
        _para(
            doc,
            _(
                "Mức độ hài lòng: có {n} lượt đánh giá; điểm trung bình {avg}; {rate} hài lòng (4–5 điểm)."
            ).format(n=t.rated, avg=tr.stars(t.avg_satisfaction), rate=tr.pct(t.satisfied_rate)),
        )
    else:
        _para(doc, _("Mức độ hài lòng: chưa có lượt đánh giá nào."))
    _table(doc, [_("Chỉ tiêu"), _("Số liệu")], [list(row) for row in tr.summary_rows(report)], [12, 4])
    _heading(doc, _("4. Kết quả theo đơn vị"))
    _group_table(doc, _("Đơn vị"), report.by_department, tr.department_name, report.totals)
    _heading(doc, _("5. Kết quả theo lĩnh vực"))
    _group_table(doc, _("Lĩnh vực"), report.by_topic, tr.topic_name, report.totals)
    number = 6
    if len(report.by_unit) > 1:  # a province's report: a table per unit (their questions: their reports)
        _heading(doc, f"{number}. {tu.unit_table_heading()}")
        _group_table(doc, tu.unit_column(), report.by_unit, lambda g: str(g.name), report.totals)
        _para(doc, tu.lists_in_unit_reports())
        if chart_png:
            doc.add_picture(io.BytesIO(chart_png), width=Cm(16))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    if len(report.by_year) > 1:
        _heading(doc, _("{n}. Kết quả theo năm").format(n=number))
        _group_table(doc, _("Năm"), report.by_year, lambda g: g.id, report.totals)
        number += 1

    _heading(doc, _("{n}. Trả lời bằng văn bản").format(n=number))
    responses = report.responses
    if responses:
        rows = [
            [
                f.code,
                tr.fact_department(f),
                tr.document_ref(f.response_doc_no, f.response_doc_date)
                if f.response_kind == "document"
                else tr.response_kind_label(f),
                fmt_date(f.settled_on) if f.settled_on else "—",
                tr.timeliness_label(f),
            ]
            for f in responses
        ]
        header = [_("Mã"), _("Đơn vị trả lời"), _("Văn bản trả lời"), _("Ngày"), _("Thời hạn")]
        _table(doc, header, rows, [2.3, 4.4, 4.8, 2.5, 2.5], left=(1, 2))
    else:
        _para(doc, _("Chưa có ý kiến nào được trả lời bằng văn bản trong kỳ."))
    number += 1

    _heading(doc, _("{n}. Kiến nghị chuyển cấp có thẩm quyền").format(n=number))
    forwarded = report.forwarded
    if forwarded:
        rows = [
            [
                f.code,
                f.forwarded_to or "—",
                tr.document_ref(f.forward_doc_no, f.forward_doc_date),
                _("Cấp trên đã trả lời") if f.answered_above else _("Đang chờ trả lời"),
            ]
            for f in forwarded
        ]
        header = [_("Mã"), _("Cơ quan có thẩm quyền"), _("Văn bản chuyển"), _("Kết quả")]
        _table(doc, header, rows, [2.3, 5.3, 4.7, 4.2], left=(1, 2))
    else:
        _para(doc, _("Không có kiến nghị nào vượt thẩm quyền phải chuyển cấp trên."))
    number += 1

    _heading(doc, _("{n}. Khiếu nại, tố cáo chuyển xử lý theo quy định").format(n=number))
    set_aside = report.set_aside
    if set_aside:
        _para(
            doc,
            _(
                "Có {n} nội dung là khiếu nại, tố cáo được chuyển xử lý theo quy định của pháp luật về "
                "khiếu nại, "
                "tố cáo (không tính vào số liệu giải quyết kiến nghị sau đối thoại): {codes}."
            ).format(
                n=len(set_aside),
                codes=", ".join(f"{f.code} ({tr.nature_label(f.nature or '')})" for f in set_aside),
            ),
        )
    else:
        _para(doc, _("Không có nội dung khiếu nại, tố cáo phải chuyển xử lý theo quy định."))
    if chart_png:
        doc.add_picture(io.BytesIO(chart_png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _limitations(doc, report: Report) -> None:
    _heading(doc, _("III. HẠN CHẾ, NGUYÊN NHÂN"))
    late, overdue = report.late, report.overdue
    if len(report.by_unit) > 1:  # a province's: how many, each unit's report names them
        counted = report.totals.late or report.totals.overdue
        late, overdue = [], []
        if counted:
            _para(doc, tu.late_counts(report.totals.late, report.totals.overdue))
    if not late and not overdue and not (len(report.by_unit) > 1 and counted):
        _para(doc, _("Không có ý kiến, kiến nghị nào bị trả lời trễ hạn hoặc quá hạn."))
    if late:
        _para(
            doc,
            _("Có {n} ý kiến được trả lời trễ hạn so với thời hạn quy định: {items}.").format(
                n=len(late), items="; ".join(_late_item(f) for f in late)
            ),
        )
    if overdue:
        _para(
            doc,
            _("Còn {n} ý kiến đã quá hạn nhưng chưa được trả lời: {items}.").format(
                n=len(overdue), items="; ".join(_late_item(f) for f in overdue)
            ),
        )
    if report.totals.forwarded_awaiting:
        _para(
            doc,
            _("Còn {n} kiến nghị đã chuyển cấp có thẩm quyền nhưng chưa có trả lời.").format(
                n=report.totals.forwarded_awaiting
            ),
        )
    _para(doc, _("Nguyên nhân: {placeholder}").format(placeholder=PLACEHOLDER), italic=True)


def _to_be_written(doc) -> None:
    """The parts the plans ask for that only people can write: headed, marked for the office to fill."""
    _heading(doc, _("IV. BÀI HỌC KINH NGHIỆM, CÁCH LÀM HAY"))
    _heading(doc, _("1. Bài học kinh nghiệm"))
    _para(doc, PLACEHOLDER, italic=True)
    _heading(doc, _("2. Cách làm hay, mô hình hiệu quả"))
    _para(doc, PLACEHOLDER, italic=True)
    _heading(doc, _("V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"))
    _para(doc, PLACEHOLDER, italic=True)


def _proposals(doc, report: Report) -> None:
    t = report.totals
    _heading(doc, _("VI. ĐỀ XUẤT, KIẾN NGHỊ"))
    for g in report.by_department:
        if g.counts.overdue:
            _para(
                doc,
                _("- Đề nghị {dept} khẩn trương trả lời {n} ý kiến đã quá hạn và báo cáo kết quả.").format(
                    dept=tr.department_name(g), n=g.counts.overdue
                ),
            )
    if t.forwarded_awaiting:
        _para(
            doc,
            _(
                "- Đề nghị cấp có thẩm quyền xem xét, giải quyết {n} kiến nghị đã chuyển và thông tin "
                "kết quả để trả "
                "lời cho Nhân dân."
            ).format(n=t.forwarded_awaiting),
        )
    _para(doc, f"- {PLACEHOLDER}", italic=True)


def _signature(doc, report: Report) -> None:
    _lines, _number, _place, signature = issuer_block(report)
    issuer = report.issuer
    recipients = list(issuer.recipients) or [_("Thường trực cấp ủy (b/c)"), _("Các đơn vị liên quan")]
    if issuer.dan_van and not any(issuer.dan_van in r for r in recipients):
        recipients.insert(0, _("{name} (b/c)").format(name=issuer.dan_van))
    archive = issuer.archive or _("VT")
    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    left, right = sign.rows[0].cells
    p = left.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(_("Nơi nhận:")), 12, True, True)
    lines = [f"- {line.rstrip(';.')};" for line in recipients]
    lines.append("- " + _("Lưu: {archive}.").format(archive=archive.rstrip(".")))
    for line in lines:
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _font(q.add_run(line), 11)
    blocks = [(line, 13, True, False) for line in signature]
    blocks += [("", 13, False, False)] * 3
    blocks.append((issuer.signer or _("[Họ và tên]"), 13, True, False))
    _cell_lines(right, blocks)
    _fixed_widths(sign, [8.0, 8.5])


def _group_table(doc, first: str, groups: list[Group], name, totals: Counts) -> None:
    groups = [*groups, Group(None, None, totals)]
    rows = [
        [
            name(g) if g.counts is not totals else _("Tổng cộng"),
            g.counts.cases,
            g.counts.answered_at_session,
            g.counts.responded_on_time,
            g.counts.responded_late,
            g.counts.forwarded,
            g.counts.open,
            g.counts.overdue,
            tr.pct(g.counts.on_time_rate),
        ]
        for g in groups
    ]
    header = [
        first,
        _("Phải giải quyết"),
        _("Tại hội nghị"),
        _("Trả lời đúng hạn"),
        _("Trả lời trễ hạn"),
        _("Chuyển cấp trên"),
        _("Đang giải quyết"),
        _("Quá hạn"),
        _("Tỉ lệ đúng hạn"),
    ]
    _table(doc, header, rows, [3.5, 1.6, 1.6, 1.6, 1.6, 1.7, 1.7, 1.4, 1.8])


def _late_item(fact) -> str:
    return _("{code} ({dept}, hạn {due}, trễ {n} ngày)").format(
        code=fact.code,
        dept=tr.fact_department(fact),
        due=fmt_date(fact.response_due) if fact.response_due else "—",
        n=fact.days_late,
    )
