"""The .xlsx workbook the office files: summary (with the sessions), by department, by topic, and every
submission with its dates, due dates, days late, status and satisfaction. Names are shown only where the
citizen allowed it; no phone numbers or addresses leave the bot."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from bot.reports.metrics import Group, Report
from bot.texts import reports as tr
from bot.texts import units as tu

_ = Translator("reports")

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
LATE_FILL = PatternFill("solid", fgColor="F8CBAD")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "dd/mm/yyyy"


def build_workbook(report: Report) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = _("Tổng hợp")
    _summary_sheet(summary, report)
    _group_sheet(
        wb.create_sheet(_("Theo đơn vị")), _("Đơn vị"), report.by_department, tr.department_name, report
    )
    _group_sheet(wb.create_sheet(_("Theo lĩnh vực")), _("Lĩnh vực"), report.by_topic, tr.topic_name, report)
    _group_sheet(wb.create_sheet(_("Theo năm")), _("Năm"), report.by_year, lambda g: g.id, report)
    _satisfaction_sheet(wb.create_sheet(_("Hài lòng")), report)
    if len(report.by_unit) > 1:  # a province's: a row per unit; each unit's own report lists its questions
        first = tu.unit_column()
        _group_sheet(wb.create_sheet(tu.unit_sheet()), first, report.by_unit, lambda g: str(g.name), report)
    else:
        _list_sheet(wb.create_sheet(_("Danh sách")), report)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(ws: Worksheet, report: Report, heading: str) -> int:
    ws["A1"] = tr.unit_name(report).upper()
    ws["A1"].font = BOLD
    ws["A2"] = heading
    ws["A2"].font = Font(bold=True, size=13)
    ws["A3"] = _("Kỳ: {scope}. Số liệu tính đến ngày {day}.").format(
        scope=tr.scope_label(report), day=report.today.strftime("%d/%m/%Y")
    )
    ws["A3"].font = Font(italic=True)
    return 5


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    row = _title(ws, report, _("TỔNG HỢP KẾT QUẢ ĐỐI THOẠI VÀ GIẢI QUYẾT KIẾN NGHỊ"))
    _header(ws, row, [_("Chỉ tiêu"), _("Số liệu")])
    t = report.totals
    numeric = {
        _("Tỉ lệ giải quyết đúng hạn"): (t.on_time_rate, "0.0%"),
        _("Tỉ lệ hài lòng (4–5 điểm)"): (t.satisfied_rate, "0.0%"),
        _("Số ngày trung bình từ khi nhận đến khi trả lời"): (t.avg_days_to_respond, "0.0"),
        _("Điểm hài lòng trung bình (1–5)"): (t.avg_satisfaction, "0.00"),
    }
    for label, value in tr.summary_rows(report):
        row += 1
        ws.cell(row=row, column=1, value=label).border = BOX
        cell = ws.cell(row=row, column=2)
        if label in numeric:
            cell.value, cell.number_format = numeric[label]
        else:
            cell.value = value
        cell.border = BOX
    row += 2
    ws.cell(row=row, column=1, value=_("Các hội nghị")).font = BOLD
    row += 1
    columns = [
        _("Số"),
        _("Ngày"),
        _("Hội nghị"),
        _("Hình thức"),
        _("Trạng thái"),
        _("Người tham dự"),
        _("Ý kiến nhận được"),
        _("Trả lời tại hội nghị"),
        _("Trả lời đúng hạn"),
        _("Trả lời trễ hạn"),
        _("Chuyển cấp trên"),
        _("Đang giải quyết"),
        _("Quá hạn"),
        _("Ngày thông báo kết luận"),
        _("Hạn thông báo kết luận"),
        _("Thông báo kết luận"),
        *[tr.source_short(k) for k in tr.SOURCES],
    ]
    _header(ws, row, columns)
    for s in report.sessions:
        row += 1
        c = s.counts
        values = [
            s.id,
            s.day,
            s.title,
            tr.kind_label(s.kind),
            tr.session_status_label(s.status),
            s.participants,
            c.received,
            c.answered_at_session,
            c.responded_on_time,
            c.responded_late,
            c.forwarded,
            c.open,
            c.overdue,
            s.notice_on,
            s.notice_due,
            tr.notice_label(s),
            *[c.by_source.get(k, 0) for k in tr.SOURCES],
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BOX
            if col in (2, 14, 15):
                cell.number_format = DATE_FORMAT
    row += 2
    ws.cell(row=row, column=1, value=_("Theo nguồn tiếp nhận")).font = BOLD
    for label, n in [*tr.source_rows(report.totals), ("", None), *tr.nature_rows(report.totals)]:
        row += 1
        if n is None:
            ws.cell(row=row, column=1, value=_("Theo tính chất")).font = BOLD
            continue
        ws.cell(row=row, column=1, value=label).border = BOX
        ws.cell(row=row, column=2, value=n).border = BOX
    _widths(ws, [58, 14, 40, 14, 24, 12, 12, 12, 12, 12, 12, 12, 10, 14, 14, 26, 10, 10, 10, 10, 10])
    ws.column_dimensions["A"].width = 58


def _group_sheet(ws: Worksheet, first: str, groups: list[Group], name, report: Report) -> None:
    row = _title(ws, report, _("KẾT QUẢ GIẢI QUYẾT THEO {what}").format(what=first.upper()))
    columns = [first, *tr.group_columns()]
    _header(ws, row, columns)
    fmt = {9: "0.0%", 10: "0.0", 11: "0.00"}  # positions in tr.group_values
    for group in groups:
        row += 1
        ws.cell(row=row, column=1, value=name(group)).border = BOX
        for i, value in enumerate(tr.group_values(group), start=2):
            cell = ws.cell(row=row, column=i, value=value)
            cell.border = BOX
            if i - 2 in fmt:
                cell.number_format = fmt[i - 2]
    row += 1
    total = Group(None, None, report.totals)
    ws.cell(row=row, column=1, value=_("Tổng cộng")).font = BOLD
    for i, value in enumerate(tr.group_values(total), start=2):
        cell = ws.cell(row=row, column=i, value=value)
        cell.font, cell.border = BOLD, BOX
        if i - 2 in fmt:
            cell.number_format = fmt[i - 2]
    _widths(ws, [40] + [12] * len(tr.group_columns()))
    ws.freeze_panes = ws.cell(row=6, column=2)


def _satisfaction_sheet(ws: Worksheet, report: Report) -> None:
    """The citizens' ratings per department and per staff member who answered."""
    row = _title(ws, report, _("MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN"))
    fmt = {1: "0.00", 2: "0.0%"}  # positions in tr.satisfaction_values
    for first, groups, name in (
        (_("Đơn vị"), report.by_department, tr.department_name),
        (_("Người trả lời"), report.by_answerer, tr.answerer_name),
    ):
        _header(ws, row, [first, *tr.satisfaction_columns()])
        for group in [*groups, Group(None, None, report.totals)]:
            row += 1
            total = group.name is None and group.counts is report.totals
            label = _("Tổng cộng") if total else name(group)
            ws.cell(row=row, column=1, value=label).border = BOX
            for i, value in enumerate(tr.satisfaction_values(group), start=2):
                cell = ws.cell(row=row, column=i, value=value)
                cell.border = BOX
                if total:
                    cell.font = BOLD
                if i - 2 in fmt:
                    cell.number_format = fmt[i - 2]
        row += 2
    _widths(ws, [40] + [12] * len(tr.satisfaction_columns()))


def _list_sheet(ws: Worksheet, report: Report) -> None:
    row = _title(ws, report, _("DANH SÁCH Ý KIẾN, KIẾN NGHỊ"))
    columns = [
        _("Mã"),
        _("Ngày nhận"),
        _("Hội nghị"),
        _("Người gửi"),
        _("Lĩnh vực"),
        _("Đơn vị giải quyết"),
        _("Nội dung"),
        _("Trạng thái"),
        _("Hạn trả lời ban đầu"),
        _("Hạn trả lời (sau gia hạn)"),
        _("Lý do gia hạn"),
        _("Ngày giải quyết"),
        _("Đúng/trễ hạn"),
        _("Số ngày trễ"),
        _("Chuyển đến"),
        _("Xem xét lại (lần)"),
        _("Mức độ hài lòng (1–5)"),
        _("Nguồn"),
        _("Tính chất"),
        _("Văn bản trả lời (số, ngày)"),
        _("Văn bản chuyển (số, ngày)"),
    ]
    _header(ws, row, columns)
    header_row = row
    for fact in report.facts:
        row += 1
        values = [
            fact.code,
            fact.received_on,
            f"#{fact.session_id} {fact.session_title}",
            tr.asker(fact),
            tr.fact_topic(fact),
            tr.fact_department(fact),
            fact.text,
            tr.status_label(fact),
            fact.original_due,
            fact.response_due if fact.extended else None,
            fact.extension_reason,
            fact.settled_on,
            tr.timeliness_label(fact),
            fact.days_late,
            fact.forwarded_to,
            fact.reopened or None,
            fact.satisfaction,
            tr.source_label(fact.source) + (f" – {fact.source_org}" if fact.source_org else ""),
            tr.nature_label(fact.nature or "") if fact.nature else None,
            tr.document_ref(fact.response_doc_no, fact.response_doc_date) if fact.response_doc_no else None,
            tr.document_ref(fact.forward_doc_no, fact.forward_doc_date) if fact.forward_doc_no else None,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border, cell.alignment = BOX, WRAP
            if col in (2, 9, 10, 12):
                cell.number_format = DATE_FORMAT
        if fact.days_late:
            ws.cell(row=row, column=14).fill = LATE_FILL
    _widths(ws, [12, 12, 28, 20, 22, 26, 60, 24, 13, 13, 28, 13, 12, 10, 24, 10, 12, 26, 16, 26, 26])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    if report.facts:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{row}"
