"""The .docx summary report, laid out as a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP):
issuing body and number on the left, the national motto on the right, the place and date line, the title,
then the sections: situation, results in figures, limitations and causes, proposals; recipients and the
signature block. Times New Roman, 13–14 pt. The figures come from the same ``Report`` as /stats and
the workbook; the parts only people can write are left as marked placeholders for the office to edit."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from bot.i18n import Translator, current_locale, fmt_date
from bot.reports.metrics import Counts, Group, Report
from bot.texts import reports as tr

_ = Translator("reports")

FONT = "Times New Roman"
BODY_PT = 14
PLACEHOLDER = "[…]"


def _place_of(unit: str) -> str:
    """ "UBND xã Thạch Đài" → "Thạch Đài" (for the place and date line)."""
    name = re.sub(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", unit.strip(), flags=re.I)
    name = re.sub(r"^(xã|phường|thị trấn|thị xã|huyện|quận|thành phố|tỉnh)\s+", "", name, flags=re.I)
    return name or "……"


def _issuer_lines(unit: str) -> tuple[list[str], str]:
    """The issuing body's lines (upper case) and the abbreviation in the document number."""
    if current_locale() == "vi":
        m = re.match(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(.+)$", unit.strip(), flags=re.I)
        if m:
            return ["ỦY BAN NHÂN DÂN", m.group(2).upper()], "UBND"
    return [unit.upper() or "……"], "……"


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
    p.paragraph_format.space_after = Pt(4)
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _cell_lines(cell: _Cell, lines: list[tuple[str, float, bool, bool]]) -> None:
    cell.paragraphs[0].text = ""
    for i, (text, size, bold, italic) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(text), size, bold, italic)


def _table(doc, header: list[str], rows: list[list[object]], widths: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_lines(cell, [(text, 12, True, False)])
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.paragraphs[0].text = ""
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run("" if value is None else str(value)), 12)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def build_document(report: Report, chart_png: bytes | None = None) -> bytes:
    doc = Document()
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    unit = tr.unit_name(report)
    t = report.totals
    scope = tr.scope_label(report)

    # --- header: issuing body and number | national motto; place and date ---------------------------
    issuer, abbr = _issuer_lines(unit)
    header = doc.add_table(rows=1, cols=2)
    header.autofit = False
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    _cell_lines(
        left,
        [(line, 13, True, False) for line in issuer]
        + [("———", 13, False, False), (_("Số:      /BC-{abbr}").format(abbr=abbr), 13, False, False)],
    )
    _cell_lines(
        right,
        [
            (_("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, True, False),
            (_("Độc lập - Tự do - Hạnh phúc"), 13, True, False),
            ("————————————", 13, False, False),
        ],
    )
    d = report.today
    place_line = _("{place}, ngày {d} tháng {m} năm {y}").format(
        place=_place_of(str(report.unit.vi)) if current_locale() == "vi" else unit,
        d=d.day,
        m=d.month,
        y=d.year,
    )
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(place_line), 13, False, True)

    # --- title --------------------------------------------------------------------------------------
    _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, _("BÁO CÁO"), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc,
        _(
            "Kết quả tiếp xúc, đối thoại trực tiếp với Nhân dân và giải quyết ý kiến, kiến nghị "
            "sau đối thoại {scope}"
        ).format(scope=scope),
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _para(doc, "————", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc,
        _(
            "Thực hiện kế hoạch tiếp xúc, đối thoại trực tiếp với Nhân dân, {unit} báo cáo kết quả {scope} "
            "(số liệu tính đến ngày {day}) như sau:"
        ).format(unit=unit, scope=scope, day=fmt_date(report.today)),
    )

    # --- I. situation -------------------------------------------------------------------------------
    _para(doc, _("I. TÌNH HÌNH CHUNG"), bold=True, indent=False)
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
        _para(
            doc,
            _("Tổng số người tham dự các hội nghị có ghi nhận: {n}.").format(n=report.participants),
        )
    _para(
        doc,
        _(
            "Ý kiến, kiến nghị của Nhân dân được tiếp nhận qua ứng dụng nhắn tin; văn phòng phân loại theo "
            "lĩnh vực, giao đơn vị chuẩn bị trả lời; người gửi được thông báo kết quả và thời hạn giải quyết."
        ),
    )

    # --- II. results in figures ---------------------------------------------------------------------
    _para(doc, _("II. KẾT QUẢ CỤ THỂ"), bold=True, indent=False)
    _para(doc, _("1. Tiếp nhận ý kiến, kiến nghị"), bold=True, indent=False)
    _para(
        doc,
        _(
            "Tổng số ý kiến, kiến nghị nhận được: {received}; trong đó {merged} ý kiến trùng nội dung "
            "được gộp, {withdrawn} ý kiến người gửi rút lại, {rejected} ý kiến không tiếp nhận. "
            "Số vụ việc phải giải quyết: {cases}."
        ).format(
            received=t.received, merged=t.merged, withdrawn=t.withdrawn, rejected=t.rejected, cases=t.cases
        ),
    )
    _para(doc, _("2. Kết quả giải quyết"), bold=True, indent=False)
    _para(
        doc,
        _(
            "Trả lời trực tiếp tại hội nghị: {at_session}; giải quyết sau hội nghị đúng hạn: {on_time}, "
            "trễ hạn: {late}; chuyển cấp có thẩm quyền: {forwarded}; đang giải quyết: {open} "
            "(trong đó quá hạn: {overdue}). Số ý kiến được gia hạn: {extended}. "
            "Tỉ lệ giải quyết đúng hạn: {rate}. Số ngày trung bình từ khi nhận đến khi trả lời: {days}."
        ).format(
            at_session=t.answered_at_session,
            on_time=t.responded_on_time,
            late=t.responded_late,
            forwarded=t.forwarded,
            open=t.open,
            overdue=t.overdue,
            extended=t.extended,
            rate=tr.pct(t.on_time_rate),
            days=tr.days(t.avg_days_to_respond),
        ),
    )
    _para(doc, _("3. Mức độ hài lòng của người dân"), bold=True, indent=False)
    if t.rated:
        _para(
            doc,
            _("Có {n} lượt đánh giá; điểm trung bình {avg}; {rate} hài lòng (4–5 điểm).").format(
                n=t.rated, avg=tr.stars(t.avg_satisfaction), rate=tr.pct(t.satisfied_rate)
            ),
        )
    else:
        _para(doc, _("Chưa có lượt đánh giá nào."))
    _para(doc, _("4. Bảng số liệu"), bold=True, indent=False)
    _table(doc, [_("Chỉ tiêu"), _("Số liệu")], [list(row) for row in tr.summary_rows(report)], [12, 4])
    _para(doc, "")
    _para(doc, _("5. Kết quả theo đơn vị"), bold=True, indent=False)
    _group_table(doc, _("Đơn vị"), report.by_department, tr.department_name, report.totals)
    _para(doc, "")
    _para(doc, _("6. Kết quả theo lĩnh vực"), bold=True, indent=False)
    _group_table(doc, _("Lĩnh vực"), report.by_topic, tr.topic_name, report.totals)
    if len(report.by_year) > 1:
        _para(doc, "")
        _para(doc, _("7. Kết quả theo năm"), bold=True, indent=False)
        _group_table(doc, _("Năm"), report.by_year, lambda g: g.id, report.totals)
    if chart_png:
        _para(doc, "")
        doc.add_picture(io.BytesIO(chart_png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    # --- III. limitations and causes ----------------------------------------------------------------
    _para(doc, _("III. HẠN CHẾ, NGUYÊN NHÂN"), bold=True, indent=False)
    late, overdue = report.late, report.overdue
    if not late and not overdue:
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
    _para(doc, _("Nguyên nhân: {placeholder}").format(placeholder=PLACEHOLDER), italic=True)

    # --- IV. proposals ------------------------------------------------------------------------------
    _para(doc, _("IV. ĐỀ XUẤT, KIẾN NGHỊ"), bold=True, indent=False)
    for g in report.by_department:
        if g.counts.overdue:
            _para(
                doc,
                _("- Đề nghị {dept} khẩn trương trả lời {n} ý kiến đã quá hạn và báo cáo kết quả.").format(
                    dept=tr.department_name(g), n=g.counts.overdue
                ),
            )
    if t.forwarded:
        _para(
            doc,
            _(
                "- Đề nghị cấp có thẩm quyền xem xét, giải quyết {n} ý kiến đã chuyển và thông tin kết quả."
            ).format(n=t.forwarded),
        )
    _para(doc, f"- {PLACEHOLDER}", italic=True)
    _para(
        doc,
        _(
            "Trên đây là báo cáo kết quả tiếp xúc, đối thoại trực tiếp với Nhân dân {scope} của {unit}./."
        ).format(scope=scope, unit=unit),
    )

    # --- recipients and signature ---------------------------------------------------------------------
    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    left, right = sign.rows[0].cells
    left.width, right.width = Cm(8), Cm(8.5)
    left.paragraphs[0].text = ""
    p = left.paragraphs[0]
    _font(p.add_run(_("Nơi nhận:")), 12, True, True)
    for line in (_("- Thường trực cấp ủy (b/c);"), _("- Các đơn vị liên quan;"), _("- Lưu: VT.")):
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _font(q.add_run(line), 11)
    signer = _("TM. ỦY BAN NHÂN DÂN") if abbr == "UBND" else _("THỦ TRƯỞNG CƠ QUAN")
    _cell_lines(
        right,
        [
            (signer, 13, True, False),
            (_("CHỦ TỊCH") if abbr == "UBND" else "", 13, True, False),
            ("", 13, False, False),
            ("", 13, False, False),
            ("", 13, False, False),
            (_("[Họ và tên]"), 13, True, False),
        ],
    )

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


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
    _table(doc, header, rows, [4.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.4, 1.6])


def _late_item(fact) -> str:
    return _("{code} ({dept}, hạn {due}, trễ {n} ngày)").format(
        code=fact.code,
        dept=tr.fact_department(fact),
        due=fmt_date(fact.response_due) if fact.response_due else "—",
        n=fact.days_late,
    )
