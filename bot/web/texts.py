"""Every word of the public website (gettext domain "web"; message ids are Vietnamese). Templates call
these functions (``{{ t.nav_home() }}``) and never hold a sentence of their own; they return plain text,
which Jinja2 escapes."""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n import Translator, current_locale, fmt_date, fmt_datetime
from bot.reports.metrics import Name
from bot.reports.periods import Period
from bot.texts.reports import num, pct

_ = Translator("web")


def name(value: Name | None, fallback: str = "") -> str:
    return str(value) if value is not None and str(value) else fallback


def date_(value: date | datetime | None) -> str:
    return fmt_date(value) if value is not None else "—"


def datetime_(value: datetime | None) -> str:
    return fmt_datetime(value) if value is not None else "—"


def percent(rate: float | None) -> str:
    return pct(rate)


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else num(value, digits)


def og_locale() -> str:
    return "en_US" if current_locale() == "en" else "vi_VN"


# --- the frame -------------------------------------------------------------------------------------------


def site_name() -> str:
    return _("Đối thoại với Nhân dân")


def skip_to_content() -> str:
    return _("Bỏ qua, đến nội dung chính")


def nav_label() -> str:
    return _("Các mục chính")


def nav_home() -> str:
    return _("Trang chủ")


def nav_accountability() -> str:
    return _("Đúng hạn hay trễ hạn")


def nav_lookup() -> str:
    return _("Tra cứu mã câu hỏi")


def other_language() -> str:
    return _("English")


def other_language_code() -> str:
    return "en" if current_locale() == "vi" else "vi"


def footer_privacy() -> str:
    return _(
        "Trang này không đăng số điện thoại, địa chỉ, hay câu hỏi nào Văn phòng chưa duyệt công khai. "
        "Tên người hỏi chỉ hiện khi người hỏi đồng ý."
    )


def footer_updated(when: datetime) -> str:
    return _("Số liệu cập nhật lúc {when}.").format(when=fmt_datetime(when))


# --- home ------------------------------------------------------------------------------------------------


def home_title() -> str:
    return _("Hội nghị đối thoại với Nhân dân")


def home_description(unit: str) -> str:
    return _(
        "{unit}: lịch hội nghị đối thoại, cách gửi câu hỏi, các câu trả lời "
        "và việc trả lời có đúng hạn không."
    ).format(unit=unit)


def card_home() -> str:
    return _("Lịch hội nghị · Cách gửi câu hỏi · Các câu trả lời · Đúng hạn hay trễ hạn")


def card_when_where(when: datetime, place: str) -> str:
    return _("{when} · {place}").format(when=fmt_datetime(when), place=place)


def home_intro() -> str:
    return _(
        "Lịch các hội nghị đối thoại trực tiếp giữa chính quyền và Nhân dân, cách gửi câu hỏi trước hội "
        "nghị, các câu hỏi đã được trả lời, và việc trả lời có đúng thời hạn pháp luật quy định không."
    )


def upcoming_heading() -> str:
    return _("Hội nghị sắp tới")


def no_upcoming() -> str:
    return _("Chưa có hội nghị nào sắp diễn ra. Lịch hội nghị được đăng ở đây ít nhất 7 ngày trước.")


def past_heading() -> str:
    return _("Các hội nghị đã qua")


def no_past() -> str:
    return _("Chưa có hội nghị nào.")


def latest_heading() -> str:
    return _("Hội nghị gần nhất đã trả lời những gì")


def see_all_answers(n: int) -> str:
    return _.n("Xem tất cả {n} câu trả lời", "Xem tất cả {n} câu trả lời", n).format(n=n)


def see_details() -> str:
    return _("Xem chi tiết")


# --- how to ask ------------------------------------------------------------------------------------------


def how_to_ask_heading() -> str:
    return _("Cách gửi câu hỏi")


def how_to_ask_intro() -> str:
    return _(
        "Ông/Bà gửi câu hỏi, kiến nghị trước hội nghị ngay trên điện thoại, bằng Telegram hoặc Zalo. "
        "Sau khi gửi, Ông/Bà nhận một mã theo dõi và được báo khi có câu trả lời."
    )


def ask_telegram() -> str:
    return _("Gửi qua Telegram")


def ask_zalo() -> str:
    return _("Gửi qua Zalo")


def ask_qr_caption() -> str:
    return _("Quét mã này bằng camera điện thoại để mở bot trên Telegram.")


def ask_qr_alt(title: str) -> str:
    return _("Mã QR mở bot Telegram để gửi câu hỏi cho hội nghị «{title}»").format(title=title)


def ask_qr_zalo_alt() -> str:
    return _("Mã QR mở bot Zalo để gửi câu hỏi")


def ask_in_person() -> str:
    return _("Ông/Bà cũng có thể hỏi trực tiếp tại hội nghị, hoặc nhờ tổ trưởng, trưởng thôn chuyển câu hỏi.")


def ask_not_available() -> str:
    return _("Cách gửi qua điện thoại sẽ được thông báo tại trụ sở Ủy ban và nhà văn hóa thôn.")


def print_poster() -> str:
    return _("In thông báo có mã QR để dán ở bảng tin")


# --- sessions --------------------------------------------------------------------------------------------


def when() -> str:
    return _("Thời gian")


def where() -> str:
    return _("Địa điểm")


def kind() -> str:
    return _("Hình thức")


def kind_label(value: str) -> str:
    return {
        "periodic": _("Định kỳ"),
        "adhoc": _("Đột xuất, theo chuyên đề"),
        "on_request": _("Theo yêu cầu của Nhân dân"),
    }.get(value, value)


def state() -> str:
    return _("Tình trạng")


def session_state(view) -> str:
    if view.open_for_questions:
        return _("Đang nhận câu hỏi")
    return {
        "announced": _("Đã thông báo"),
        "questions_closed": _("Đã hết hạn nhận câu hỏi"),
        "held": _("Đã tổ chức, chờ thông báo kết luận"),
        "concluded": _("Đã có thông báo kết luận"),
        "closed": _("Đã kết thúc"),
    }.get(view.status, view.status)


def topics_label() -> str:
    return _("Lĩnh vực nhận câu hỏi")


def names(values) -> str:
    return ", ".join(name(v) for v in values)


def questions_until() -> str:
    return _("Nhận câu hỏi đến")


def announced_on() -> str:
    return _("Ngày thông báo")


def announced_days(view) -> str:
    if view.announced_days_before is None:
        return "—"
    return _.n(
        "{day} (trước hội nghị {n} ngày)", "{day} (trước hội nghị {n} ngày)", view.announced_days_before
    ).format(day=fmt_date(view.announced_at), n=view.announced_days_before)


def participants() -> str:
    return _("Số người tham dự")


def announcement_heading() -> str:
    return _("Thông báo hội nghị")


def deadlines_heading() -> str:
    return _("Thời hạn theo quy định")


def deadline_notice() -> str:
    return _("Thông báo kết luận (trong 10 ngày sau hội nghị)")


def deadline_notice_value(view, today: date) -> str:
    if view.conclusion_due is None:
        return _("sau khi hội nghị diễn ra")
    if view.notice_at is not None:
        issued = fmt_date(view.notice_at)
        if view.notice_late:
            return _("hạn {due}; ban hành ngày {day}, trễ hạn").format(
                due=fmt_date(view.conclusion_due), day=issued
            )
        return _("hạn {due}; ban hành ngày {day}, đúng hạn").format(
            due=fmt_date(view.conclusion_due), day=issued
        )
    if today > view.conclusion_due:
        return _("hạn {due}; chưa ban hành, đã quá hạn").format(due=fmt_date(view.conclusion_due))
    return _("hạn {due}; chưa ban hành").format(due=fmt_date(view.conclusion_due))


def deadline_response() -> str:
    return _("Trả lời bằng văn bản (30 ngày làm việc sau thông báo kết luận)")


def deadline_response_value(view) -> str:
    if view.response_due is None:
        return _("tính từ ngày ban hành thông báo kết luận")
    return _("hạn {due}, trừ câu hỏi được gia hạn (người hỏi được báo ngày mới)").format(
        due=fmt_date(view.response_due)
    )


def counts_heading() -> str:
    return _("Số câu hỏi")


def counts_summary(c) -> str:
    return _(
        "Nhận {received} câu hỏi, kiến nghị; {cases} việc phải giải quyết (sau khi gộp câu trùng, "
        "bỏ câu người hỏi rút lại hoặc không thuộc nội dung hội nghị)."
    ).format(received=c.received, cases=c.cases)


def by_state_caption() -> str:
    return _("Theo kết quả")


def by_topic_caption() -> str:
    return _("Theo lĩnh vực")


def topic() -> str:
    return _("Lĩnh vực")


def no_topic() -> str:
    return _("Chưa phân loại")


def col_received() -> str:
    return _("Nhận")


def col_settled() -> str:
    return _("Đã trả lời")


def col_open() -> str:
    return _("Đang giải quyết")


def state_rows(c) -> list[tuple[str, int]]:
    return [
        (_("Trả lời ngay tại hội nghị"), c.answered_at_session),
        (_("Trả lời bằng văn bản, đúng hạn"), c.responded_on_time),
        (_("Trả lời bằng văn bản, trễ hạn"), c.responded_late),
        (_("Chuyển cấp có thẩm quyền"), c.forwarded),
        (_("Đang giải quyết, còn trong hạn"), c.open_in_time),
        (_("Đang giải quyết, đã quá hạn"), c.overdue),
    ]


def notice_heading() -> str:
    return _("Thông báo kết luận")


def notice_issued_on(day: datetime) -> str:
    return _("Ban hành ngày {day}.").format(day=fmt_date(day))


def notice_not_yet() -> str:
    return _("Chưa có thông báo kết luận.")


def notice_download() -> str:
    return _("Tải văn bản thông báo kết luận")


def answers_heading(n: int) -> str:
    return _.n(
        "Câu hỏi và câu trả lời đã công khai ({n})", "Câu hỏi và câu trả lời đã công khai ({n})", n
    ).format(n=n)


def answers_intro() -> str:
    return _(
        "Văn phòng chọn công khai các câu hỏi đã được trả lời, sau khi bỏ thông tin cá nhân. "
        "Người hỏi theo dõi câu hỏi của mình bằng mã theo dõi."
    )


def no_answers() -> str:
    return _("Chưa có câu hỏi nào được công khai.")


def question_label() -> str:
    return _("Câu hỏi")


def answer_label() -> str:
    return _("Trả lời")


def asked_by(asker: str | None) -> str:
    return _("Người hỏi: {name}").format(name=asker) if asker else _("Người hỏi không nêu tên")


def answered_how(item) -> str:
    if item.at_session:
        return _("Trả lời tại hội nghị ngày {day}").format(day=date_(item.answered_on))
    return _("Trả lời bằng văn bản ngày {day}").format(day=date_(item.answered_on))


def answered_by(department: str) -> str:
    return _("Đơn vị trả lời: {name}").format(name=department)


def answer_in_writing_only() -> str:
    return _("Đã trả lời bằng văn bản gửi riêng người hỏi.")


def reopened() -> str:
    return _("Người hỏi đề nghị xem xét lại; đang giải quyết tiếp.")


def read_more() -> str:
    return _("Đọc toàn văn")


def pagination_label() -> str:
    return _("Các trang câu trả lời")


def previous_page() -> str:
    return _("Trang trước")


def next_page() -> str:
    return _("Trang sau")


def page_of(page: int, pages: int) -> str:
    return _("Trang {page}/{pages}").format(page=page, pages=pages)


def question_title(code: str) -> str:
    return _("Câu hỏi {code}").format(code=code)


def back_to_session(title: str) -> str:
    return _("Về trang hội nghị «{title}»").format(title=title)


def session_description(view) -> str:
    return _("Hội nghị đối thoại {when} tại {place}: thông báo, số câu hỏi, kết luận và câu trả lời.").format(
        when=fmt_datetime(view.starts_at), place=view.place
    )


# --- accountability --------------------------------------------------------------------------------------


def accountability_title() -> str:
    return _("Trả lời có đúng hạn không")


def accountability_description(unit: str) -> str:
    return _(
        "{unit}: từng đơn vị nhận bao nhiêu câu hỏi, trả lời đúng hạn bao nhiêu, trễ hạn, quá hạn, và mức độ "
        "hài lòng của người hỏi."
    ).format(unit=unit)


def accountability_scope(period: Period, today: date) -> str:
    return _("Các hội nghị từ {start} đến {end}. Số liệu tính đến ngày {today}.").format(
        start=fmt_date(period.start), end=fmt_date(period.end), today=fmt_date(today)
    )


def last_twelve_months() -> str:
    return _("12 tháng qua")


def unit_on_time() -> str:
    return _("Tỉ lệ trả lời đúng hạn của cả đơn vị")


def unit_on_time_detail(c) -> str:
    return _("{ok} trên {judged} câu hỏi đã đến hạn hoặc đã trả lời.").format(ok=c.on_time, judged=c.judged)


def by_month_caption() -> str:
    return _("Theo tháng tổ chức hội nghị")


def month_rate(rate: float | None, judged: int) -> str:
    if rate is None:
        return _("chưa đến hạn")
    return _("{rate} ({n} câu)").format(rate=pct(rate), n=judged)


def departments_heading() -> str:
    return _("Từng đơn vị")


def unassigned() -> str:
    return _("Chưa giao đơn vị")


def fig_received() -> str:
    return _("Câu hỏi nhận được")


def fig_on_time() -> str:
    return _("Trả lời đúng hạn")


def fig_late() -> str:
    return _("Trả lời trễ hạn")


def fig_overdue() -> str:
    return _("Quá hạn, chưa trả lời")


def fig_open() -> str:
    return _("Đang giải quyết, còn trong hạn")


def fig_working_days() -> str:
    return _("Số ngày làm việc trung bình để trả lời")


def fig_satisfaction() -> str:
    return _("Mức hài lòng trung bình (1–5)")


def satisfaction_value(avg: float | None, n: int) -> str:
    if avg is None:
        return _("chưa có đánh giá")
    return _.n("{avg} ({n} lượt đánh giá)", "{avg} ({n} lượt đánh giá)", n).format(avg=num(avg), n=n)


def overdue_codes() -> str:
    return _("Mã các câu hỏi quá hạn")


def overdue_code_line(code: str, due: date | None, days_late: int | None) -> str:
    return _("{code}: hạn {due}, quá {n} ngày").format(code=code, due=date_(due), n=days_late or 0)


def how_counted_heading() -> str:
    return _("Cách tính")


def how_counted() -> str:
    return _(
        "Câu hỏi đúng hạn: trả lời tại hội nghị, hoặc trả lời bằng văn bản (hay chuyển cấp có thẩm quyền) "
        "không muộn hơn hạn — 30 ngày làm việc sau thông báo kết luận, hoặc ngày được gia hạn. Quá hạn: "
        "đã qua hạn mà chưa trả lời. Tỉ lệ đúng hạn tính trên các câu hỏi đã trả lời hoặc đã đến hạn. "
        "Câu hỏi trùng được gộp, câu người hỏi rút lại hoặc không thuộc nội dung hội nghị không tính. "
        "Ngày làm việc không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ."
    )


def other_period_label() -> str:
    return _("Xem kỳ khác (ví dụ 2026, 2026H1, 2026Q3)")


def show() -> str:
    return _("Xem")


def no_sessions_in_period() -> str:
    return _("Chưa có hội nghị nào trong thời gian này.")


# --- look-up ---------------------------------------------------------------------------------------------


def lookup_title() -> str:
    return _("Tra cứu câu hỏi bằng mã theo dõi")


def lookup_description() -> str:
    return _("Nhập mã theo dõi để xem câu hỏi đang ở bước nào và hạn trả lời.")


def lookup_label() -> str:
    return _("Mã theo dõi (ví dụ TD-26-0042), có trong tin nhắn bot đã gửi Ông/Bà")


def lookup_button() -> str:
    return _("Tra cứu")


def lookup_privacy() -> str:
    return _(
        "Trang tra cứu chỉ cho biết tình trạng và thời hạn, không hiện nội dung hay thông tin người hỏi."
    )


def lookup_not_found(code: str) -> str:
    return _(
        "Không tìm thấy câu hỏi có mã {code}. Xin kiểm tra lại mã trong tin nhắn bot đã gửi Ông/Bà, "
        "hoặc nhắn cho bot để xem các câu hỏi của mình."
    ).format(code=code)


def lookup_malformed(text: str) -> str:
    return _("«{text}» không phải mã theo dõi. Mã có dạng TD-26-0042: chữ, năm, số thứ tự.").format(text=text)


def lookup_result(code: str) -> str:
    return _("Kết quả tra cứu mã {code}").format(code=code)


def session_label() -> str:
    return _("Hội nghị")


def department_label() -> str:
    return _("Đơn vị giải quyết")


def received_on() -> str:
    return _("Ngày nhận")


def response_due_label() -> str:
    return _("Hạn trả lời bằng văn bản")


def response_due_value(fact) -> str:
    if fact.response_due is None:
        return _("tính từ ngày ban hành thông báo kết luận")
    if fact.extended and fact.original_due and fact.original_due != fact.response_due:
        return _("{due} (gia hạn; hạn ban đầu {original})").format(
            due=fmt_date(fact.response_due), original=fmt_date(fact.original_due)
        )
    return fmt_date(fact.response_due)


def settled_on_label() -> str:
    return _("Ngày trả lời")


def forwarded_to() -> str:
    return _("Đã chuyển tới")


def timeliness(fact) -> str:
    if fact.timeliness == "on_time":
        return _("Đúng hạn")
    if fact.timeliness == "late":
        return _.n("Trễ hạn {n} ngày", "Trễ hạn {n} ngày", fact.days_late or 0).format(n=fact.days_late or 0)
    if fact.timeliness == "overdue":
        return _.n("Đã quá hạn {n} ngày", "Đã quá hạn {n} ngày", fact.days_late or 0).format(
            n=fact.days_late or 0
        )
    if fact.timeliness == "pending":
        return _("Đang giải quyết, còn trong hạn")
    return "—"


def timeliness_label() -> str:
    return _("Thời hạn")


def status_label(status: str) -> str:
    return {
        "received": _("Văn phòng đã tiếp nhận"),
        "routed": _("Đã chuyển đơn vị phụ trách chuẩn bị trả lời"),
        "answered_at_session": _("Đã trả lời tại hội nghị"),
        "awaiting_response": _("Đang chờ trả lời bằng văn bản"),
        "responded": _("Đã trả lời bằng văn bản"),
        "forwarded": _("Đã chuyển cấp có thẩm quyền"),
        "merged": _("Đã gộp với câu hỏi cùng nội dung"),
    }.get(status, status)


def merged_into(code: str) -> str:
    return _("Gộp với câu hỏi {code}: cùng một câu trả lời.").format(code=code)


def see_published() -> str:
    return _("Xem câu hỏi và câu trả lời đã công khai")


# --- the poster --------------------------------------------------------------------------------------------


def poster_title() -> str:
    return _("Thông báo hội nghị đối thoại với Nhân dân")


def poster_ask() -> str:
    return _("Gửi câu hỏi trước hội nghị bằng điện thoại")


def poster_steps() -> list[str]:
    return [
        _("Mở camera hoặc Zalo, quét mã QR."),
        _("Bấm «Bắt đầu» (Start) trong cuộc trò chuyện với bot."),
        _("Bấm «Gửi câu hỏi» và làm theo hướng dẫn. Bot gửi lại mã theo dõi."),
    ]


def poster_telegram() -> str:
    return _("Telegram")


def poster_zalo() -> str:
    return _("Zalo")


def poster_until(when: datetime | None) -> str:
    return _("Nhận câu hỏi đến {when}.").format(when=datetime_(when))


def poster_site(url: str) -> str:
    return _("Kết quả trả lời được công khai tại: {url}").format(url=url)


# --- errors ------------------------------------------------------------------------------------------------


def not_found_title() -> str:
    return _("Không tìm thấy trang")


def not_found_text() -> str:
    return _("Trang Ông/Bà tìm không có, hoặc chưa được công khai.")


def bad_request_title() -> str:
    return _("Yêu cầu chưa đúng")


def error_title() -> str:
    return _("Trang đang gặp lỗi")


def error_text() -> str:
    return _("Xin thử lại sau ít phút.")


def go_home() -> str:
    return _("Về trang chủ")
