"""Every sentence a citizen reads, on whichever channel: the conversation, and every message the bot
sends them on its own (what the office and departments did, deadlines, reminders, the rating
question) — at the end of this module. Message ids are Vietnamese."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from bot.texts import citizen_extra  # the statuses and steps issue #13 added
from bot.texts import zalo as _zalo  # the same sentences as a Zalo chat shows them (no buttons)
from storage.models import Department, DialogueSession, Submission, SubmissionEvent, SubmissionStatus, Topic

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
    if _zalo.on_zalo():
        return _zalo.consent_declined()
    return _("Chúng tôi không lưu thông tin gì của Ông/Bà. Khi cần, Ông/Bà bấm /start để bắt đầu lại.")


def consent_thanks() -> str:
    return _("Cảm ơn Ông/Bà đã đồng ý.")


def main_menu() -> str:
    if _zalo.on_zalo():
        return _zalo.main_menu()
    return _("Ông/Bà muốn làm gì? Xin chọn một nút bên dưới.")


def guidance() -> str:
    if _zalo.on_zalo():
        return _zalo.guidance()
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
    if _zalo.on_zalo():
        return _zalo.stale_button()
    return _("Nút này không còn dùng được. Xin xem tin nhắn mới nhất.")


def choose_from_buttons() -> str:
    if _zalo.on_zalo():
        return _zalo.choose_from_buttons()
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
    if _zalo.on_zalo():
        return _zalo.add_files(limit)
    return _(
        "Ông/Bà có ảnh hoặc tài liệu kèm theo không? Gửi tối đa {limit} tệp, "
        "xong thì bấm «Xong, tiếp tục». Không có thì bấm luôn nút đó."
    ).format(limit=limit)


def file_received(count: int, limit: int) -> str:
    if _zalo.on_zalo():
        return _zalo.file_received(count, limit)
    return _("Đã nhận {count}/{limit} tệp. Gửi thêm, hoặc bấm «Xong, tiếp tục».").format(
        count=count, limit=limit
    )


def files_limit(limit: int) -> str:
    if _zalo.on_zalo():
        return _zalo.files_limit(limit)
    return _("Đã đủ {limit} tệp; tệp gửi thêm không được nhận. Xin bấm «Xong, tiếp tục».").format(limit=limit)


def files_expected() -> str:
    if _zalo.on_zalo():
        return _zalo.files_expected()
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
    if _zalo.on_zalo():
        return _zalo.ask_phone()
    return _(
        "Xin cho số điện thoại để cán bộ liên hệ khi cần: bấm «Gửi số điện thoại của tôi», "
        "hoặc gõ số, hoặc bấm «Bỏ qua»."
    )


def bad_phone() -> str:
    if _zalo.on_zalo():
        return _zalo.bad_phone()
    return _("Số điện thoại chưa đúng. Xin gõ lại (ví dụ: 0912 345 678), hoặc bấm «Bỏ qua».")


def phone_saved(phone: str) -> str:
    return _("Đã ghi số điện thoại: {phone}").format(phone=esc(phone))


def phone_skipped() -> str:
    return _("Đã bỏ qua số điện thoại.")


def not_own_contact() -> str:
    if _zalo.on_zalo():
        return _zalo.not_own_contact()
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
    return labels.get(status) or citizen_extra.status_label(status)


def event_label(action: str) -> str:
    """A step of the question's history (the lifecycle's action names, bot/domain/lifecycle.py)."""
    labels = {
        "submit": _("Gửi câu hỏi"),
        "route": _("Chuyển bộ phận phụ trách"),
        "accept": _("Bộ phận phụ trách đã nhận"),
        "hand_back": _("Trả lại Văn phòng"),
        "merge": _("Gộp với câu hỏi cùng nội dung"),
        "ask_citizen": _("Đề nghị bổ sung thông tin"),
        "clarify": _("Bổ sung thông tin"),
        "reject": _("Không tiếp nhận"),
        "answer_at_session": _("Trả lời tại hội nghị"),
        "conclusion_notice": _("Thông báo kết luận"),
        "session_cancelled": _("Hội nghị bị huỷ, trả lời bằng văn bản"),
        "duplicate_merged": _("Câu hỏi cùng nội dung được gộp vào"),
        "request_extension": _("Đề nghị gia hạn"),
        "extend": _("Gia hạn trả lời"),
        "refuse_extension": _("Không đồng ý gia hạn"),
        "forward": _("Chuyển cấp có thẩm quyền"),
        "respond": _("Trả lời bằng văn bản"),
        "rate": _("Đánh giá"),
        "reopen": _("Mở lại"),
        "withdraw": _("Rút câu hỏi"),
        "erase": _("Xoá dữ liệu cá nhân"),
        "stand_alone": _("Tiếp tục giải quyết (câu hỏi gộp trước đó đã được rút)"),
        "personal_data_deleted": _("Xoá dữ liệu cá nhân"),
    }
    return labels.get(action) or citizen_extra.event_label(action) or _("Cập nhật")


def my_empty() -> str:
    if _zalo.on_zalo():
        return _zalo.my_empty()
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
    if _zalo.on_zalo():
        return _zalo.privacy()
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


def slow_down(seconds: int) -> str:
    return _(
        "Ông/Bà đang gửi quá nhanh. Xin vui lòng chờ khoảng {n} giây rồi gửi tiếp; "
        "các tin gửi trong lúc này sẽ không được xử lý."
    ).format(n=seconds)


# --- what the office and departments did (sent through the outbox, in the citizen's locale) --------


def _agency(dept: Department | None) -> str:
    """The department responsible, or the office when none is assigned yet."""
    return name_of(dept) if dept is not None else _("Văn phòng")


def _clip(text: str, limit: int = 800) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def routed(sub: Submission, dept: Department) -> str:
    return _(
        "Câu hỏi {code} của Ông/Bà đã được chuyển tới <b>{dept}</b> để chuẩn bị trả lời. "
        "Ông/Bà sẽ được báo khi có kết quả."
    ).format(code=esc(sub.code), dept=esc(name_of(dept)))


def merged(sub: Submission, target: Submission) -> str:
    return _(
        "Câu hỏi {code} của Ông/Bà có cùng nội dung với câu hỏi {target} nên được gộp lại. "
        "Ông/Bà sẽ nhận cùng câu trả lời."
    ).format(code=esc(sub.code), target=esc(target.code))


def clarification_request(sub: Submission, question: str) -> str:
    return (
        _("Văn phòng cần Ông/Bà bổ sung thông tin cho câu hỏi {code}:").format(code=esc(sub.code))
        + (f"\n<blockquote>{esc(question)}</blockquote>\n")
        + _("Ông/Bà vui lòng nhắn trả lời ngay tại đây.")
    )


def rejected(sub: Submission, reason: str) -> str:
    return _("Câu hỏi {code} của Ông/Bà không được tiếp nhận. Lý do: {reason}").format(
        code=esc(sub.code), reason=esc(reason)
    )


def session_answer(sub: Submission, answer: str) -> str:
    return _("Câu hỏi {code} của Ông/Bà đã được trả lời tại hội nghị:").format(code=esc(sub.code)) + (
        f"\n<blockquote>{esc(answer)}</blockquote>"
    )


def extended(sub: Submission, new_due: date, reason: str, dept: Department | None) -> str:
    return _(
        "Câu hỏi {code} cần thêm thời gian giải quyết. Hạn trả lời mới: <b>{due}</b>. "
        "Cơ quan chịu trách nhiệm: {dept}. Lý do: {reason}"
    ).format(code=esc(sub.code), due=fmt_date(new_due), dept=esc(_agency(dept)), reason=esc(reason))


def forwarded(sub: Submission, authority: str, reason: str) -> str:
    return _(
        "Câu hỏi {code} vượt thẩm quyền của địa phương nên đã được chuyển tới <b>{authority}</b>. "
        "Lý do: {reason}"
    ).format(code=esc(sub.code), authority=esc(authority), reason=esc(reason))


def written_response(sub: Submission, dept: Department | None, body: str | None) -> str:
    text = _("📬 Trả lời bằng văn bản cho câu hỏi {code} của Ông/Bà, từ {dept}:").format(
        code=esc(sub.code), dept=esc(_agency(dept))
    )
    if body:
        text += f"\n<blockquote>{esc(body)}</blockquote>"
    else:
        text += "\n" + _("(văn bản gửi kèm)")
    return text


def reopened(sub: Submission) -> str:
    return _(
        "Đã ghi nhận: câu hỏi {code} chưa được giải quyết. Văn phòng sẽ xem xét lại và báo Ông/Bà."
    ).format(code=esc(sub.code))


def reopened_due(sub: Submission, due: date) -> str:
    return reopened(sub) + " " + _("Hạn trả lời mới: <b>{due}</b>.").format(due=fmt_date(due))


# --- sessions ---------------------------------------------------------------------------------------


def session_announced(session: DialogueSession) -> str:
    return _(
        "📣 Hội nghị đối thoại «{title}» sẽ diễn ra lúc {when} tại {place}. "
        "Ông/Bà có thể gửi câu hỏi ngay trong cuộc trò chuyện này (/ask)."
    ).format(title=esc(session.title), when=fmt_datetime(session.starts_at), place=esc(session.place))


def session_postponed(session: DialogueSession, codes: list[str]) -> str:
    return _(
        "📅 Hội nghị đối thoại «{title}» được dời sang {when} tại {place}. "
        "Câu hỏi của Ông/Bà ({codes}) vẫn được giữ và sẽ được xem xét tại hội nghị."
    ).format(
        title=esc(session.title),
        when=fmt_datetime(session.starts_at),
        place=esc(session.place),
        codes=", ".join(esc(c) for c in codes),
    )


def session_cancelled(session: DialogueSession, codes: list[str], due: date, reason: str) -> str:
    return _(
        "✖️ Hội nghị đối thoại «{title}» đã bị huỷ. Lý do: {reason}. Câu hỏi của Ông/Bà ({codes}) "
        "vẫn được giải quyết: cơ quan có trách nhiệm sẽ trả lời bằng văn bản chậm nhất ngày <b>{due}</b>."
    ).format(
        title=esc(session.title),
        reason=esc(reason),
        codes=", ".join(esc(c) for c in codes),
        due=fmt_date(due),
    )


def session_tomorrow(session: DialogueSession, codes: list[str]) -> str:
    return _(
        "📅 Nhắc lịch: buổi đối thoại «{title}» diễn ra lúc {when} tại {place}. "
        "Câu hỏi của Ông/Bà: {codes}. Mời Ông/Bà đến dự nếu có thể."
    ).format(
        title=esc(session.title),
        when=fmt_datetime(session.starts_at),
        place=esc(session.place),
        codes=", ".join(esc(c) for c in codes),
    )


# --- the conclusion notice (R4) and the written response (R5) ----------------------------------------


def conclusion_notice(
    sub: Submission, session: DialogueSession, body: str | None, due: date, dept: Department | None
) -> str:
    text = _("📜 Thông báo kết luận hội nghị «{title}».").format(title=esc(session.title))
    if body:
        text += f"\n<blockquote>{esc(body[:2500])}</blockquote>"
    text += "\n" + _(
        "Câu hỏi {code} của Ông/Bà sẽ được trả lời bằng văn bản chậm nhất ngày <b>{due}</b>. "
        "Đơn vị trả lời: {dept}."
    ).format(code=esc(sub.code), due=fmt_date(due), dept=esc(_agency(dept)))
    return text


def conclusion_issued(sub: Submission, session: DialogueSession) -> str:
    text = _(
        "📄 Câu hỏi {code}: thông báo kết luận buổi đối thoại «{title}» đã được ban hành ngày {day}."
    ).format(code=esc(sub.code), title=esc(session.title), day=fmt_date(session.notice_at))
    if session.notice_text:
        text += f"\n<blockquote>{esc(_clip(session.notice_text))}</blockquote>"
    if sub.response_due:
        text += "\n" + _("Nếu câu hỏi cần trả lời bằng văn bản, hạn trả lời là {due}.").format(
            due=fmt_date(sub.response_due)
        )
    return text


def conclusion_late(sub: Submission, session: DialogueSession, due: date) -> str:
    return _(
        "⏰ Câu hỏi {code}: hạn ban hành thông báo kết luận buổi đối thoại «{title}» là {due} "
        "nhưng thông báo chưa được ban hành. Văn phòng đã được nhắc. Ông/Bà không cần làm gì thêm, "
        "chúng tôi sẽ báo ngay khi có."
    ).format(code=esc(sub.code), title=esc(session.title), due=fmt_date(due))


def response_given(sub: Submission, dept: Department | None, responded_on: date, due: date) -> str:
    """The status when the response's due date passes: the answer, and whether it came in time."""
    values = {
        "code": esc(sub.code),
        "dept": esc(_agency(dept)),
        "day": fmt_date(responded_on),
        "due": fmt_date(due),
    }
    if responded_on <= due:
        text = _("📬 Câu hỏi {code} đã được {dept} trả lời ngày {day}, trong hạn ({due}).").format(**values)
    else:
        late = (responded_on - due).days
        text = _.n(
            "📬 Câu hỏi {code} đã được {dept} trả lời ngày {day}, chậm {n} ngày so với hạn ({due}).",
            "📬 Câu hỏi {code} đã được {dept} trả lời ngày {day}, chậm {n} ngày so với hạn ({due}).",
            late,
        ).format(n=late, **values)
    if sub.response_text:
        text += f"\n<blockquote>{esc(_clip(sub.response_text))}</blockquote>"
    return text


def response_late(sub: Submission, dept: Department | None) -> str:
    return _(
        "⏰ Câu hỏi {code}: hạn trả lời bằng văn bản là {due} nhưng chưa có trả lời. "
        "Đơn vị chịu trách nhiệm: {dept}. Đơn vị và Văn phòng đã được nhắc, và sẽ được nhắc hằng ngày "
        "cho đến khi có trả lời."
    ).format(code=esc(sub.code), due=fmt_date(sub.response_due), dept=esc(_agency(dept)))


# --- rating ------------------------------------------------------------------------------------------


def rate_request(sub: Submission) -> str:
    if _zalo.on_zalo():
        return _zalo.rate_request(sub.code)
    return _(
        "⭐ Ông/Bà có hài lòng với câu trả lời cho câu hỏi {code}? Xin chọn từ 1 (không hài lòng) "
        "đến 5 (rất hài lòng), hoặc bấm «Chưa được giải quyết»."
    ).format(code=esc(sub.code))


def btn_rating(value: int) -> str:
    return f"{value}⭐"


def btn_not_resolved() -> str:
    return _("❌ Chưa được giải quyết")


def rated_thanks(value: int) -> str:
    return _("Cảm ơn Ông/Bà đã đánh giá ({n}/5).").format(n=value)


def already_rated() -> str:
    return _("Câu hỏi này đã được đánh giá. Cảm ơn Ông/Bà.")
