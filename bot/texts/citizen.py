"""Every sentence a citizen reads in the conversation. Message ids are Vietnamese."""

from __future__ import annotations

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from storage.models import DialogueSession, Submission, SubmissionEvent, SubmissionStatus, Topic

_ = Translator("citizen")


def name_of(item: Topic | object) -> str:
    """Vietnamese or English name of a directory item (topic, department)."""
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi  # type: ignore[attr-defined]


# --- buttons -------------------------------------------------------------------------------------


def btn_agree() -> str:
    return _("✅ Đồng ý")


def btn_decline() -> str:
    return _("Không đồng ý")


def btn_ask() -> str:
    return _("✍️ Gửi câu hỏi")


def btn_my() -> str:
    return _("📋 Câu hỏi của tôi")


def btn_help() -> str:
    return _("❓ Hướng dẫn")


def btn_privacy() -> str:
    return _("🔒 Dữ liệu cá nhân")


def btn_language() -> str:
    return _("🌐 Ngôn ngữ / Language")


def btn_cancel() -> str:
    return _("✖️ Huỷ")


def btn_back() -> str:
    return _("⬅️ Quay lại")


def btn_menu() -> str:
    return _("🏠 Menu chính")


def btn_done_files() -> str:
    return _("➡️ Xong, tiếp tục")


def btn_skip() -> str:
    return _("Bỏ qua")


def btn_share_phone() -> str:
    return _("📱 Gửi số điện thoại của tôi")


def btn_use_saved(value: str) -> str:
    return _("Dùng: {value}").format(value=value[:40])


def btn_public_yes() -> str:
    return _("Được nêu tên")


def btn_public_no() -> str:
    return _("Không nêu tên (ẩn danh)")


def btn_confirm() -> str:
    return _("✅ Gửi câu hỏi")


def btn_edit() -> str:
    return _("✏️ Sửa")


def btn_notify_me() -> str:
    return _("🔔 Báo cho tôi khi có hội nghị")


def btn_withdraw() -> str:
    return _("↩️ Rút câu hỏi")


def btn_withdraw_yes() -> str:
    return _("Có, rút câu hỏi")


def btn_export() -> str:
    return _("📄 Tải dữ liệu của tôi")


def btn_delete() -> str:
    return _("🗑 Xoá dữ liệu của tôi")


def btn_delete_yes() -> str:
    return _("Có, xoá hết")


def edit_labels() -> dict[str, str]:
    return {
        "session": _("Hội nghị"),
        "topic": _("Lĩnh vực"),
        "text": _("Nội dung câu hỏi"),
        "media": _("Ảnh, tài liệu"),
        "name": _("Họ tên"),
        "phone": _("Số điện thoại"),
        "address": _("Địa chỉ"),
        "public": _("Nêu tên công khai"),
    }


# --- screens -------------------------------------------------------------------------------------


def welcome() -> str:
    return _(
        "Xin chào Ông/Bà! Đây là kênh gửi câu hỏi, kiến nghị đến <b>hội nghị đối thoại</b> "
        "giữa lãnh đạo địa phương và Nhân dân."
    )


def consent() -> str:
    return _(
        "Để nhận và trả lời câu hỏi, chúng tôi cần lưu: họ tên, số điện thoại (nếu Ông/Bà cho), "
        "địa chỉ, nội dung câu hỏi và ảnh, tài liệu gửi kèm.\n\n"
        "Dữ liệu chỉ dùng để giải quyết câu hỏi và báo kết quả cho Ông/Bà, theo Nghị định "
        "13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân. Ông/Bà có thể xem, tải về hoặc xoá dữ liệu "
        "bất cứ lúc nào bằng lệnh /privacy.\n\nÔng/Bà có đồng ý không?"
    )


def consent_declined() -> str:
    return _("Chúng tôi không lưu thông tin gì của Ông/Bà. Khi cần, Ông/Bà bấm /start để bắt đầu lại.")


def consent_thanks() -> str:
    return _("Cảm ơn Ông/Bà đã đồng ý.")


def main_menu() -> str:
    return _("Ông/Bà muốn làm gì? Xin chọn một nút bên dưới.")


def guidance() -> str:
    return _(
        "Xin lỗi, tôi chưa hiểu. Ông/Bà vui lòng chọn một nút bên dưới "
        "(hoặc gõ /ask để gửi câu hỏi, /my để xem câu hỏi đã gửi)."
    )


def help_text() -> str:
    return _(
        "<b>Hướng dẫn</b>\n"
        "• /ask — gửi câu hỏi, kiến nghị cho hội nghị đối thoại sắp tới.\n"
        "• /my — xem các câu hỏi đã gửi và tình trạng giải quyết.\n"
        "• /privacy — xem, tải về hoặc xoá dữ liệu cá nhân.\n"
        "• /language — đổi ngôn ngữ.\n"
        "• /cancel — huỷ việc đang làm.\n\n"
        "Sau hội nghị, trong 10 ngày Văn phòng ra thông báo kết luận; trong 30 ngày làm việc sau "
        "đó, cơ quan phụ trách trả lời Ông/Bà bằng văn bản. Chúng tôi sẽ tự nhắn tin báo cho "
        "Ông/Bà mỗi khi có tiến triển."
    )


def choose_language() -> str:
    return _("Xin chọn ngôn ngữ / Please choose a language:")


def language_set() -> str:
    return _("Đã chuyển sang tiếng Việt.")


def cancelled() -> str:
    return _("Đã huỷ. Không có gì được gửi đi.")


def nothing_to_cancel() -> str:
    return _("Không có việc gì đang làm dở.")


def stale_button() -> str:
    return _("Nút này không còn dùng được. Xin xem tin nhắn mới nhất.")


def choose_from_buttons() -> str:
    return _("Xin Ông/Bà chọn một trong các nút của tin nhắn trên.")


def session_line(session: DialogueSession) -> str:
    return _("{title} — {when}, tại {place}").format(
        title=esc(session.title), when=fmt_datetime(session.starts_at), place=esc(session.place)
    )


def session_button(session: DialogueSession) -> str:
    return f"{fmt_date(session.starts_at)} · {session.title}"[:60]


def choose_session(sessions: list[DialogueSession]) -> str:
    lines = [_("Ông/Bà muốn gửi câu hỏi cho hội nghị nào?")]
    for session in sessions:
        lines.append("• " + session_line(session))
    return "\n".join(lines)


def no_open_session() -> str:
    return _(
        "Hiện chưa có hội nghị đối thoại nào đang nhận câu hỏi. "
        "Ông/Bà có muốn được báo tin khi có hội nghị mới không?"
    )


def will_notify() -> str:
    return _("Chúng tôi sẽ nhắn tin cho Ông/Bà khi có hội nghị mới nhận câu hỏi.")


def session_closed() -> str:
    return _("Hội nghị này đã ngừng nhận câu hỏi. Xin Ông/Bà chọn lại.")


def choose_topic() -> str:
    return _("Câu hỏi thuộc lĩnh vực nào?")


def write_question(min_chars: int, max_chars: int) -> str:
    return _(
        "Xin Ông/Bà viết câu hỏi hoặc kiến nghị (từ {min} đến {max} ký tự). "
        "Nên nêu rõ sự việc, địa điểm và thời gian."
    ).format(min=min_chars, max=max_chars)


def question_too_short(length: int, minimum: int) -> str:
    return _("Câu hỏi hơi ngắn ({length} ký tự). Xin viết rõ hơn, ít nhất {min} ký tự.").format(
        length=length, min=minimum
    )


def question_too_long(length: int, maximum: int) -> str:
    return _(
        "Câu hỏi dài {length} ký tự, quá giới hạn {max} ký tự. Chưa có gì được lưu. "
        "Xin Ông/Bà rút gọn lại, hoặc tách thành hai câu hỏi."
    ).format(length=length, max=maximum)


def question_no_letters() -> str:
    return _("Xin Ông/Bà viết câu hỏi bằng chữ.")


def text_expected() -> str:
    return _("Ở bước này xin Ông/Bà gõ chữ (không gửi nhãn dán, ghi âm hay vị trí).")


def add_files(limit: int) -> str:
    return _(
        "Ông/Bà có ảnh hoặc tài liệu kèm theo không? Gửi tối đa {limit} tệp, "
        "xong thì bấm «Xong, tiếp tục». Không có thì bấm luôn nút đó."
    ).format(limit=limit)


def file_received(count: int, limit: int) -> str:
    return _("Đã nhận {count}/{limit} tệp. Gửi thêm, hoặc bấm «Xong, tiếp tục».").format(
        count=count, limit=limit
    )


def files_limit(limit: int) -> str:
    return _("Đã đủ {limit} tệp; tệp gửi thêm không được nhận. Xin bấm «Xong, tiếp tục».").format(limit=limit)


def files_expected() -> str:
    return _("Ở bước này xin gửi ảnh hoặc tài liệu, hoặc bấm «Xong, tiếp tục».")


def ask_name() -> str:
    return _("Xin cho biết họ và tên của Ông/Bà.")


def bad_name() -> str:
    return _("Họ tên chưa hợp lệ. Xin gõ lại họ và tên (ví dụ: Nguyễn Văn An).")


def too_long_field(length: int, maximum: int) -> str:
    return _("Nội dung dài {length} ký tự, quá giới hạn {max}. Xin gõ ngắn hơn.").format(
        length=length, max=maximum
    )


def ask_phone() -> str:
    return _(
        "Xin cho số điện thoại để cán bộ liên hệ khi cần: bấm «Gửi số điện thoại của tôi», "
        "hoặc gõ số, hoặc bấm «Bỏ qua»."
    )


def bad_phone() -> str:
    return _("Số điện thoại chưa đúng. Xin gõ lại (ví dụ: 0912 345 678), hoặc bấm «Bỏ qua».")


def phone_saved(phone: str) -> str:
    return _("Đã ghi số điện thoại: {phone}").format(phone=esc(phone))


def phone_skipped() -> str:
    return _("Đã bỏ qua số điện thoại.")


def not_own_contact() -> str:
    return _("Xin gửi số điện thoại của chính Ông/Bà (bấm nút bên dưới), hoặc gõ số.")


def ask_address() -> str:
    return _("Ông/Bà ở thôn (xóm, tổ dân phố) nào? Xin ghi địa chỉ ngắn gọn.")


def bad_address() -> str:
    return _("Địa chỉ chưa hợp lệ. Xin ghi lại, ví dụ: Thôn Trung Sơn.")


def ask_public() -> str:
    return _(
        "Khi đọc câu hỏi tại hội nghị, có được nêu tên Ông/Bà không? "
        "(Cán bộ giải quyết vẫn biết tên để liên hệ.)"
    )


def review(draft: dict, session: DialogueSession | None, topic: Topic | None) -> str:
    public = _("Có") if draft.get("public") else _("Không (ẩn danh)")
    files = len(draft.get("files", []))
    lines = [
        _("<b>Xin Ông/Bà xem lại trước khi gửi:</b>"),
        _("Hội nghị: {value}").format(value=session_line(session) if session else "—"),
        _("Lĩnh vực: {value}").format(value=esc(name_of(topic)) if topic else "—"),
        _("Câu hỏi: {value}").format(value=esc(draft.get("text", ""))),
        _("Tệp kèm theo: {value}").format(value=files),
        _("Họ tên: {value}").format(value=esc(draft.get("name", ""))),
        _("Điện thoại: {value}").format(value=esc(draft.get("phone") or "—")),
        _("Địa chỉ: {value}").format(value=esc(draft.get("address", ""))),
        _("Nêu tên công khai: {value}").format(value=public),
    ]
    return "\n".join(lines)


def choose_edit() -> str:
    return _("Ông/Bà muốn sửa phần nào?")


def acknowledgement(sub: Submission, conclusion_by: str, response_days: int = 30) -> str:
    return _(
        "✅ Đã nhận câu hỏi của Ông/Bà.\n"
        "Mã theo dõi: <b>{code}</b> (xin ghi lại để tra cứu).\n"
        "Hội nghị: {session}\n\n"
        "Tiếp theo: Văn phòng chuyển câu hỏi đến bộ phận phụ trách để chuẩn bị trả lời tại hội nghị. "
        "Điều chưa giải quyết xong tại hội nghị sẽ có thông báo kết luận chậm nhất ngày {conclusion}; "
        "sau đó trong {days} ngày làm việc, cơ quan phụ trách trả lời Ông/Bà bằng văn bản. "
        "Chúng tôi sẽ nhắn tin báo từng bước.\n"
        "Xem tình trạng: /my"
    ).format(
        code=esc(sub.code), session=session_line(sub.session), conclusion=conclusion_by, days=response_days
    )


def submit_failed_closed() -> str:
    return _(
        "Rất tiếc, hội nghị này vừa ngừng nhận câu hỏi nên câu hỏi chưa được gửi. "
        "Xin Ông/Bà chọn hội nghị khác."
    )


# --- following one's submissions ------------------------------------------------------------------


def status_label(status: str) -> str:
    labels = {
        SubmissionStatus.RECEIVED: _("Đã tiếp nhận"),
        SubmissionStatus.ROUTED: _("Đã chuyển bộ phận phụ trách"),
        SubmissionStatus.ANSWERED_AT_SESSION: _("Đã trả lời tại hội nghị"),
        SubmissionStatus.AWAITING_RESPONSE: _("Đang chờ trả lời bằng văn bản"),
        SubmissionStatus.RESPONDED: _("Đã trả lời bằng văn bản"),
        SubmissionStatus.FORWARDED: _("Đã chuyển cấp có thẩm quyền"),
        SubmissionStatus.REJECTED: _("Không tiếp nhận"),
        SubmissionStatus.WITHDRAWN: _("Đã rút"),
        SubmissionStatus.MERGED: _("Đã gộp với câu hỏi cùng nội dung"),
    }
    return labels.get(status, status)


def event_label(action: str) -> str:
    labels = {
        "submitted": _("Gửi câu hỏi"),
        "routed": _("Chuyển bộ phận phụ trách"),
        "accepted": _("Bộ phận phụ trách đã nhận"),
        "handed_back": _("Trả lại Văn phòng"),
        "merged": _("Gộp với câu hỏi cùng nội dung"),
        "clarification_requested": _("Đề nghị bổ sung thông tin"),
        "clarified": _("Bổ sung thông tin"),
        "clarification_given": _("Bổ sung thông tin"),
        "rejected": _("Không tiếp nhận"),
        "answered_at_session": _("Trả lời tại hội nghị"),
        "notice_issued": _("Thông báo kết luận"),
        "conclusion_notice": _("Thông báo kết luận"),
        "duplicate_merged": _("Câu hỏi cùng nội dung được gộp vào"),
        "extension_approved": _("Gia hạn trả lời"),
        "extension_requested": _("Đề nghị gia hạn"),
        "extended": _("Gia hạn trả lời"),
        "extension_refused": _("Không đồng ý gia hạn"),
        "forwarded": _("Chuyển cấp có thẩm quyền"),
        "responded": _("Trả lời bằng văn bản"),
        "rated": _("Đánh giá"),
        "reopened": _("Mở lại"),
        "withdrawn": _("Rút câu hỏi"),
        "personal_data_deleted": _("Xoá dữ liệu cá nhân"),
    }
    return labels.get(action, _("Cập nhật"))


def my_empty() -> str:
    return _("Ông/Bà chưa gửi câu hỏi nào. Bấm «Gửi câu hỏi» để bắt đầu.")


def my_list(count: int) -> str:
    return _.n(
        "Ông/Bà đã gửi {n} câu hỏi. Chọn một câu để xem chi tiết:",
        "Ông/Bà đã gửi {n} câu hỏi. Chọn một câu để xem chi tiết:",
        count,
    ).format(n=count)


def my_button(sub: Submission) -> str:
    return f"{sub.code} · {status_label(sub.status)}"[:60]


def submission_detail(sub: Submission, events: list[SubmissionEvent]) -> str:
    lines = [
        _("<b>{code}</b> — {status}").format(code=esc(sub.code), status=status_label(sub.status)),
        _("Hội nghị: {value}").format(value=session_line(sub.session)),
        _("Lĩnh vực: {value}").format(value=esc(name_of(sub.topic)) if sub.topic else "—"),
        _("Câu hỏi: {value}").format(value=esc(sub.text)),
    ]
    if sub.attachments:
        lines.append(_("Tệp kèm theo: {value}").format(value=len(sub.attachments)))
    if sub.department is not None and sub.status not in (
        SubmissionStatus.RECEIVED,
        SubmissionStatus.REJECTED,
    ):
        lines.append(_("Bộ phận phụ trách: {value}").format(value=esc(name_of(sub.department))))
    if sub.session_answer:
        lines.append(_("Trả lời tại hội nghị: {value}").format(value=esc(sub.session_answer)))
    if sub.response_due and sub.status == SubmissionStatus.AWAITING_RESPONSE:
        lines.append(_("Hạn trả lời bằng văn bản: {value}").format(value=fmt_date(sub.response_due)))
    if sub.response_text:
        lines.append(_("Trả lời: {value}").format(value=esc(sub.response_text)))
    if sub.forwarded_to:
        lines.append(_("Đã chuyển đến: {value}").format(value=esc(sub.forwarded_to)))
    if sub.rejection_reason:
        lines.append(_("Lý do không tiếp nhận: {value}").format(value=esc(sub.rejection_reason)))
    if events:
        lines.append(_("<b>Quá trình:</b>"))
        for event in events[-12:]:
            lines.append(f"• {fmt_date(event.at)} — {event_label(event.action)}")
    return "\n".join(lines)


def withdraw_confirm(code: str) -> str:
    return _("Ông/Bà chắc chắn muốn rút câu hỏi {code}? Câu hỏi sẽ không được đưa ra hội nghị.").format(
        code=esc(code)
    )


def withdrawn(code: str) -> str:
    return _("Đã rút câu hỏi {code}.").format(code=esc(code))


def cannot_withdraw() -> str:
    return _("Câu hỏi này không rút được nữa (hội nghị đã diễn ra hoặc câu hỏi đã được xử lý).")


def clarification_sent(code: str) -> str:
    return _("Đã chuyển thông tin bổ sung cho câu hỏi {code} đến Văn phòng. Cảm ơn Ông/Bà.").format(
        code=esc(code)
    )


def not_found() -> str:
    return _("Không tìm thấy câu hỏi này trong các câu hỏi của Ông/Bà.")


# --- privacy -------------------------------------------------------------------------------------


def privacy() -> str:
    return _(
        "<b>Dữ liệu cá nhân</b>\n"
        "Chúng tôi lưu: mã tài khoản Telegram (để nhắn tin trả lời), ngôn ngữ, họ tên, số điện "
        "thoại (nếu Ông/Bà cho), địa chỉ, câu hỏi, ảnh và tài liệu kèm theo, và quá trình giải quyết.\n"
        "Mục đích: chuyển câu hỏi đến cơ quan có trách nhiệm, trả lời và báo kết quả cho Ông/Bà "
        "(Nghị định 13/2023/NĐ-CP). Số điện thoại và địa chỉ chỉ Văn phòng và bộ phận được giao "
        "xem được. Tên chỉ nêu công khai khi Ông/Bà cho phép.\n"
        "Ông/Bà có thể tải toàn bộ dữ liệu về, hoặc xoá dữ liệu cá nhân (số liệu thống kê "
        "không có tên vẫn được giữ)."
    )


def delete_confirm() -> str:
    return _(
        "Xoá dữ liệu sẽ xoá họ tên, số điện thoại, địa chỉ, nội dung câu hỏi và tệp kèm theo. "
        "Câu hỏi chưa giải quyết sẽ bị rút và Ông/Bà sẽ không nhận được tin báo nữa. "
        "Ông/Bà chắc chắn chứ?"
    )


def deleted(count: int) -> str:
    return _("Đã xoá dữ liệu cá nhân của Ông/Bà ({n} câu hỏi đã được ẩn danh). Cảm ơn Ông/Bà.").format(
        n=count
    )


def export_caption() -> str:
    return _("Dữ liệu của Ông/Bà (tệp JSON).")


def nothing_stored() -> str:
    return _("Chúng tôi chưa lưu dữ liệu cá nhân nào của Ông/Bà.")


def error_generic() -> str:
    return _("Xin lỗi, đã có lỗi. Ông/Bà vui lòng thử lại sau ít phút.")
