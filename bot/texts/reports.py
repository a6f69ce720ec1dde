"""Every sentence and label of the reports: /stats and /report in the office group, and the labels the
chart, the workbook and the document share. Message ids are Vietnamese (domain "reports")."""

from __future__ import annotations

from bot.i18n import Translator, current_locale, esc, fmt_date
from bot.reports.metrics import AT_SESSION, FORWARDED, LATE, ON_TIME, OVERDUE, RESPONDED, Fact, Group, Report
from storage.models import SubmissionStatus

_ = Translator("reports")
S = SubmissionStatus

OVERDUE_SHOWN = 15  # /stats lists at most this many overdue questions


# --- numbers -------------------------------------------------------------------------------------


def num(value: float, digits: int = 1) -> str:
    """1,5 in Vietnamese, 1.5 in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if current_locale() == "vi" else text


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{num(rate * 100)}%"


def days(value: float | None) -> str:
    return "—" if value is None else _("{n} ngày").format(n=num(value))


def stars(value: float | None) -> str:
    return "—" if value is None else _("{avg}/5").format(avg=num(value))


# --- names ---------------------------------------------------------------------------------------


def unit_name(report: Report) -> str:
    return str(report.unit) or _("Cơ quan, đơn vị")


def department_name(group: Group) -> str:
    return str(group.name) if group.name else _("Chưa phân công")


def topic_name(group: Group) -> str:
    return str(group.name) if group.name else _("Chưa phân loại")


def fact_department(fact: Fact) -> str:
    return str(fact.department) if fact.department else _("Chưa phân công")


def fact_topic(fact: Fact) -> str:
    return str(fact.topic) if fact.topic else _("Chưa phân loại")


def asker(fact: Fact) -> str:
    return fact.asker or _("Ẩn danh")


def scope_label(report: Report) -> str:
    """ "6 tháng đầu năm 2026" or "hội nghị “…” ngày 15/12/2026"."""
    if report.session is not None:
        return _("hội nghị “{title}” ngày {day}").format(
            title=report.session.title, day=fmt_date(report.session.day)
        )
    if report.period is not None:
        return report.period.label()
    return ""


def status_label(fact: Fact) -> str:
    """What became of one submission, in a word or three."""
    if fact.status == S.MERGED:
        return _("Gộp vào {code}").format(code=fact.merged_into or "?")
    if fact.status == S.WITHDRAWN:
        return _("Người gửi rút lại")
    if fact.status == S.REJECTED:
        return _("Không tiếp nhận")
    if fact.status == S.SET_ASIDE:
        return _("Chuyển xử lý theo quy định về khiếu nại, tố cáo")
    if fact.outcome == AT_SESSION:
        return _("Đã trả lời tại hội nghị")
    if fact.outcome == FORWARDED:
        if fact.answered_above:
            return _("Chuyển cấp có thẩm quyền – đã có trả lời")
        return _("Chuyển cấp có thẩm quyền – chờ trả lời")
    if fact.outcome == RESPONDED:
        return _("Đã trả lời bằng văn bản")
    if fact.timeliness == OVERDUE:
        return _("Đang giải quyết – quá hạn")
    if fact.status == S.RECEIVED:
        return _("Chưa phân công")
    return _("Đang giải quyết")


def timeliness_label(fact: Fact) -> str:
    return {
        ON_TIME: _("Đúng hạn"),
        LATE: _("Trễ hạn"),
        OVERDUE: _("Quá hạn"),
    }.get(fact.timeliness or "", "")


def chart_series() -> list[str]:
    """Legend of the chart, in the order of the bars' segments."""
    return [
        _("Đúng hạn"),
        _("Trễ hạn"),
        _("Quá hạn, chưa xong"),
        _("Đang giải quyết, trong hạn"),
        _("Chuyển cấp có thẩm quyền"),
    ]


def chart_rate(rate: float | None) -> str:
    return "" if rate is None else _("đúng hạn {rate}").format(rate=pct(rate))


def chart_title(report: Report) -> str:
    return _("Kết quả giải quyết theo đơn vị – {scope}").format(scope=scope_label(report))


def chart_footer(report: Report) -> str:
    return _("{unit} – số liệu tính đến ngày {day}").format(
        unit=unit_name(report), day=fmt_date(report.today)
    )


def chart_axis() -> str:
    return _("Số câu hỏi (không tính câu gộp, rút lại, không tiếp nhận)")


def chart_empty() -> str:
    return _("Chưa có câu hỏi nào trong kỳ này")


def kind_label(kind: str) -> str:
    return {
        "periodic": _("Định kỳ"),
        "adhoc": _("Đột xuất"),
        "on_request": _("Theo yêu cầu"),
    }.get(kind, kind)


def session_status_label(status: str) -> str:
    return {
        "draft": _("Nháp"),
        "announced": _("Đã thông báo, đang nhận câu hỏi"),
        "questions_closed": _("Đã khoá nhận câu hỏi"),
        "held": _("Đã tổ chức"),
        "concluded": _("Đã ban hành thông báo kết luận"),
        "closed": _("Đã kết thúc"),
    }.get(status, status)


# --- the R7 figures, as (label, value) rows: the summary sheet and the document's table ----------


def source_label(source: str) -> str:
    return {
        "chat": _("Qua Telegram/Zalo"),
        "floor": _("Phát biểu tại hội nghị"),
        "front": _("MTTQ, đoàn thể tổng hợp"),
        "paper": _("Bằng giấy, thư"),
        "phone": _("Qua điện thoại"),
    }.get(source, source)


SOURCES = ("chat", "floor", "front", "paper", "phone")


def source_short(source: str) -> str:
    """A table column's heading for a source."""
    return {
        "chat": _("Tin nhắn"),
        "floor": _("Tại hội nghị"),
        "front": _("MTTQ, đoàn thể"),
        "paper": _("Giấy, thư"),
        "phone": _("Điện thoại"),
    }.get(source, source)


NATURES = ("proposal", "feedback", "policy", "complaint", "denunciation", "")


def nature_label(nature: str) -> str:
    return {
        "proposal": _("Kiến nghị"),
        "feedback": _("Phản ánh"),
        "policy": _("Hỏi đáp chính sách"),
        "complaint": _("Khiếu nại"),
        "denunciation": _("Tố cáo"),
    }.get(nature, _("Chưa phân loại"))


def source_rows(counts) -> list[tuple[str, int]]:
    """(label, count) by source, the Front and mass organisations each by name after theirs."""
    rows = []
    for source in SOURCES:
        n = counts.by_source.get(source, 0)
        rows.append((source_label(source), n))
        if source == "front":
            rows += [(_("   trong đó: {org}").format(org=org), k) for org, k in sorted(counts.by_org.items())]
    return rows


def nature_rows(counts) -> list[tuple[str, int]]:
    return [(nature_label(n), counts.by_nature.get(n, 0)) for n in NATURES if counts.by_nature.get(n, 0)]


def response_kind_label(fact: Fact) -> str:
    if fact.response_kind == "document":
        return _("Văn bản")
    if fact.response_kind == "file":
        return _("Tệp đính kèm (không số)")
    return _("Trả lời bằng tin nhắn")


def document_ref(number: str | None, day) -> str:
    if number and day:
        return _("Số {no} ngày {day}").format(no=number, day=fmt_date(day))
    return number or "—"


def notice_label(session) -> str:
    """Whether a session's conclusion notice came within its 10 days (R4)."""
    if not session.held:
        return "—"
    if session.notice_on is None:
        return (
            _("Chưa ban hành (hạn {due})").format(due=fmt_date(session.notice_due))
            if session.notice_due
            else "—"
        )
    if session.notice_on_time:
        return _("{day}, đúng hạn").format(day=fmt_date(session.notice_on))
    return _("{day}, trễ hạn (hạn {due})").format(
        day=fmt_date(session.notice_on), due=fmt_date(session.notice_due)
    )


def summary_rows(report: Report) -> list[tuple[str, str | int]]:
    t = report.totals
    rows: list[tuple[str, str | int]] = [
        (_("Số hội nghị đối thoại đã tổ chức"), report.sessions_held),
        (
            _("Số người tham dự (các hội nghị có ghi nhận: {n})").format(n=report.sessions_with_participants),
            report.participants,
        ),
        (_("Số ý kiến, kiến nghị nhận được"), t.received),
        (_("   trong đó: gộp vào ý kiến trùng"), t.merged),
        (_("   trong đó: người gửi rút lại"), t.withdrawn),
        (_("   trong đó: không tiếp nhận"), t.rejected),
        (_("   trong đó: khiếu nại, tố cáo chuyển xử lý theo quy định"), t.set_aside),
        (_("Số vụ việc phải giải quyết"), t.cases),
        (_("Trả lời trực tiếp tại hội nghị"), t.answered_at_session),
        (_("Giải quyết sau hội nghị, đúng hạn"), t.responded_on_time),
        (_("Giải quyết sau hội nghị, trễ hạn"), t.responded_late),
        (_("   trong đó: trả lời bằng văn bản có số"), t.responded_document),
        (_("Chuyển cấp có thẩm quyền"), t.forwarded),
        (_("   trong đó: cấp trên đã trả lời"), t.forwarded_answered),
        (_("   trong đó: đang chờ cấp trên trả lời"), t.forwarded_awaiting),
        (_("Đang giải quyết, trong hạn"), t.open_in_time),
        (_("Đang giải quyết, quá hạn"), t.overdue),
        (_("Được gia hạn"), t.extended),
        (_("Người gửi đề nghị xem xét lại"), t.reopened),
        (_("Tỉ lệ giải quyết đúng hạn"), pct(t.on_time_rate)),
        (_("Số ngày trung bình từ khi nhận đến khi trả lời"), days(t.avg_days_to_respond)),
        (_("Số lượt đánh giá mức độ hài lòng"), t.rated),
        (_("Điểm hài lòng trung bình (1–5)"), stars(t.avg_satisfaction)),
        (_("Tỉ lệ hài lòng (4–5 điểm)"), pct(t.satisfied_rate)),
    ]
    return rows


def group_columns() -> list[str]:
    """Columns of the by-department and by-topic tables."""
    return [
        _("Nhận được"),
        _("Phải giải quyết"),
        _("Trả lời tại hội nghị"),
        _("Trả lời đúng hạn"),
        _("Trả lời trễ hạn"),
        _("Chuyển cấp trên"),
        _("Đang giải quyết"),
        _("Quá hạn"),
        _("Gia hạn"),
        _("Tỉ lệ đúng hạn"),
        _("Số ngày TB"),
        _("Hài lòng TB"),
    ]


def group_values(group: Group) -> list[str | int | float | None]:
    c = group.counts
    return [
        c.received,
        c.cases,
        c.answered_at_session,
        c.responded_on_time,
        c.responded_late,
        c.forwarded,
        c.open,
        c.overdue,
        c.extended,
        c.on_time_rate,
        c.avg_days_to_respond,
        c.avg_satisfaction,
    ]


# --- /stats and /report in the office group ------------------------------------------------------


def usage_stats(units: bool = False) -> str:
    """``units``: the office has units below it (one of them can be named)."""
    text = _(
        "Cách dùng: /stats (6 tháng hiện tại), /stats 2026H1, /stats 2026, /stats 01/01/2026-30/06/2026, "
        "hoặc /stats #SỐ_HỘI_NGHỊ (xem số hội nghị bằng /sessions)."
    )
    if units:
        text += " " + _("Thêm mã hoặc tên một đơn vị trực thuộc để xem riêng đơn vị đó: /stats 2026 TD.")
    return text


def usage_report() -> str:
    return _(
        "Cách dùng: /report 2026H1 (6 tháng đầu năm), /report 2026H2, /report 2026 (cả năm), "
        "hoặc /report 01/01/2026-30/06/2026. Bot gửi lại bảng tính .xlsx và báo cáo .docx."
    )


def session_not_found(number: int) -> str:
    return _("Không có hội nghị số {n}. Xem các hội nghị bằng /sessions.").format(n=number)


def working() -> str:
    return _("⏳ Đang tổng hợp số liệu, xin chờ một chút…")


def failed() -> str:
    return _("Không tạo được báo cáo lúc này. Xin thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên.")


def stats_heading(report: Report) -> str:
    """The figures' first line; on a deployment of many units it names the unit they are of."""
    heading = _("📊 <b>Thống kê {scope}</b>").format(scope=esc(scope_label(report)))
    return f"{heading}\n{esc(str(report.unit))}" if report.names_unit and str(report.unit) else heading


def stats_caption(report: Report) -> str:
    """A short caption for the chart (Telegram allows 1024 characters)."""
    t = report.totals
    return "\n".join(
        [
            stats_heading(report),
            _("Nhận {received} ý kiến; {cases} vụ việc phải giải quyết.").format(
                received=t.received, cases=t.cases
            ),
            _("Đúng hạn: {rate}. Quá hạn chưa xong: {overdue}.").format(
                rate=pct(t.on_time_rate), overdue=t.overdue
            ),
        ]
    )


def stats_text(report: Report) -> str:
    t = report.totals
    lines = [stats_heading(report)]
    lines.append(_("Số liệu tính đến ngày {day}.").format(day=fmt_date(report.today)))
    if report.session is None:
        lines.append(
            _("Hội nghị đã tổ chức: {held}/{total}.").format(
                held=report.sessions_held, total=len(report.sessions)
            )
        )
    if report.participants:
        lines.append(_("Người tham dự: {n}.").format(n=report.participants))
    lines += [
        "",
        _("<b>Theo trạng thái</b>"),
        _("• Nhận được: {n}").format(n=t.received)
        + (
            _(" (gộp {m}, rút lại {w}, không tiếp nhận {r})").format(m=t.merged, w=t.withdrawn, r=t.rejected)
            if t.merged or t.withdrawn or t.rejected
            else ""
        ),
        _("• Theo nguồn: {sources}").format(
            sources="; ".join(
                f"{esc(label.strip())} {n}" for label, n in source_rows(t) if n and not label.startswith(" ")
            )
        ),
        _("• Trả lời tại hội nghị: {n}").format(n=t.answered_at_session),
        _("• Trả lời bằng văn bản: {n} (đúng hạn {ok}, trễ hạn {late})").format(
            n=t.responded, ok=t.responded_on_time, late=t.responded_late
        ),
        _("• Chuyển cấp có thẩm quyền: {n} (cấp trên đã trả lời {a}, đang chờ {w})").format(
            n=t.forwarded, a=t.forwarded_answered, w=t.forwarded_awaiting
        ),
        _("• Đang giải quyết: {n} (quá hạn {o})").format(n=t.open, o=t.overdue),
        _("• Được gia hạn: {n}; xem xét lại: {r}").format(n=t.extended, r=t.reopened),
        *(
            [
                _(
                    "• Khiếu nại, tố cáo chuyển xử lý theo quy định: {n} (không tính vào số liệu đối thoại)"
                ).format(n=t.set_aside)
            ]
            if t.set_aside
            else []
        ),
        "",
        _("<b>Tỉ lệ đúng hạn theo đơn vị</b>"),
    ]
    for group in report.by_department:
        c = group.counts
        if not c.cases:
            continue
        lines.append(
            _("• {name}: {rate} ({ok}/{judged}), đang giải quyết {open}").format(
                name=esc(department_name(group)),
                rate=pct(c.on_time_rate),
                ok=c.on_time,
                judged=c.judged,
                open=c.open,
            )
        )
    lines.append(_("• Chung: {rate}").format(rate=pct(t.on_time_rate)))
    lines += [
        "",
        _("Số ngày trung bình từ khi nhận đến khi trả lời: {d}").format(d=days(t.avg_days_to_respond)),
        _("Hài lòng: {avg} ({n} lượt đánh giá; {rate} hài lòng)").format(
            avg=stars(t.avg_satisfaction), n=t.rated, rate=pct(t.satisfied_rate)
        )
        if t.rated
        else _("Hài lòng: chưa có đánh giá."),
        *satisfaction_lines(report),
    ]
    overdue = report.overdue
    lines.append("")
    if not overdue:
        lines.append(_("✅ Không có câu hỏi nào quá hạn."))
    else:
        lines.append(_("<b>⚠️ Quá hạn ({n})</b>").format(n=len(overdue)))
        for fact in overdue[:OVERDUE_SHOWN]:
            lines.append(
                _("• {code} – {dept}: hạn {due}, trễ {late} ngày").format(
                    code=fact.code,
                    dept=esc(fact_department(fact)),
                    due=fmt_date(fact.response_due) if fact.response_due else "—",
                    late=fact.days_late,
                )
            )
        if len(overdue) > OVERDUE_SHOWN:
            lines.append(
                _("… và {n} câu hỏi khác (xem bảng tính /report).").format(n=len(overdue) - OVERDUE_SHOWN)
            )
    return "\n".join(lines)


def satisfaction_line(name: str, c) -> str:
    return _("• {name}: {avg} ({n} lượt; {rate} hài lòng)").format(
        name=esc(name), avg=stars(c.avg_satisfaction), n=c.rated, rate=pct(c.satisfied_rate)
    )


def satisfaction_lines(report: Report) -> list[str]:
    """Satisfaction per department and per staff member who answered (those with ratings)."""
    depts = [g for g in report.by_department if g.counts.rated]
    people = [g for g in report.by_answerer if g.counts.rated]
    lines: list[str] = []
    if depts:
        lines += [_("<b>Hài lòng theo đơn vị</b>")]
        lines += [satisfaction_line(department_name(g), g.counts) for g in depts]
    if people:
        lines += [_("<b>Hài lòng theo người trả lời</b>")]
        lines += [satisfaction_line(answerer_name(g), g.counts) for g in people]
    return lines


def answerer_name(group: Group) -> str:
    return str(group.name) if group.name else "—"


def satisfaction_columns() -> list[str]:
    return [
        _("Lượt đánh giá"),
        _("Hài lòng TB"),
        _("Tỉ lệ hài lòng (4–5 điểm)"),
        *[_("{n} điểm").format(n=n) for n in range(1, 6)],
    ]


def satisfaction_values(group: Group) -> list[int | float | None]:
    c = group.counts
    return [c.rated, c.avg_satisfaction, c.satisfied_rate, *[c.ratings[n] for n in range(1, 6)]]


def nothing_in_scope(report: Report) -> str:
    return _("Không có hội nghị nào trong {scope}.").format(scope=esc(scope_label(report)))


def workbook_caption(report: Report) -> str:
    return _(
        "📗 Bảng tổng hợp {scope}: tổng hợp, theo đơn vị, theo lĩnh vực, danh sách từng câu hỏi."
    ).format(scope=esc(scope_label(report)))


def document_caption(report: Report) -> str:
    return _("📄 Dự thảo báo cáo {scope}: kiểm tra, bổ sung phần hạn chế và đề xuất, rồi trình ký.").format(
        scope=esc(scope_label(report))
    )


def menu_entries() -> list[tuple[str, str]]:
    """The office group's menu entries for these commands."""
    return [
        ("stats", _("Thống kê và biểu đồ: /stats 2026H1")),
        ("report", _("Báo cáo 6 tháng, năm (.xlsx, .docx)")),
    ]
