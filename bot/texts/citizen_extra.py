"""What a citizen reads (any channel) about what issue #13 added: a question forwarded to the competent
authority and that authority's answer, the written response as a document, a complaint or
denunciation set aside, following a question the office recorded by typing its code and the phone's
last four digits, and the 7-day window for "not resolved" after an answer at the session. Message ids
are Vietnamese (domain "citizen_extra")."""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from storage.models import Department, Submission

_ = Translator("citizen_extra")


def _name(item: object | None) -> str:
    if item is None:
        return _("Văn phòng")
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi  # type: ignore[attr-defined]


def _clip(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def document_ref(number: str | None, day: date | None) -> str:
    """ "văn bản số 12/UBND-VP ngày 20/12/2026" (either part may be missing)."""
    if number and day:
        return _("văn bản số {no} ngày {day}").format(no=esc(number), day=fmt_date(day))
    if number:
        return _("văn bản số {no}").format(no=esc(number))
    if day:
        return _("văn bản ngày {day}").format(day=fmt_date(day))
    return ""


# --- forwarded to the competent authority, and its answer ------------------------------------------


def forwarded(sub: Submission, authority: str, reason: str, number: str | None, day: date | None) -> str:
    text = _(
        "Câu hỏi {code} của Ông/Bà vượt thẩm quyền của địa phương nên đã được chuyển tới <b>{authority}</b>"
    ).format(code=esc(sub.code), authority=esc(authority))
    ref = document_ref(number, day)
    text += f" ({ref})." if ref else "."
    if reason:
        text += " " + _("Lý do: {reason}").format(reason=esc(reason))
    return (
        text
        + "\n"
        + _("Khi có trả lời của {authority}, chúng tôi sẽ báo Ông/Bà ngay tại đây.").format(
            authority=esc(authority)
        )
    )


def above_answer(sub: Submission, authority: str, body: str | None) -> str:
    text = _("📨 <b>{authority}</b> đã trả lời câu hỏi {code} của Ông/Bà:").format(
        authority=esc(authority), code=esc(sub.code)
    )
    if body:
        text += f"\n<blockquote>{esc(_clip(body))}</blockquote>"
    else:
        text += "\n" + _("(văn bản gửi kèm)")
    return text


def above_answer_caption(sub: Submission, authority: str) -> str:
    return _("Trả lời của {authority} cho câu hỏi {code}").format(
        authority=esc(authority), code=esc(sub.code)
    )


# --- the written response as a document ----------------------------------------------------------


def response_document(
    sub: Submission, dept: Department | None, summary: str | None, number: str | None, day: date | None
) -> str:
    text = _("📄 {dept} đã trả lời câu hỏi {code} của Ông/Bà bằng {ref} (gửi kèm).").format(
        dept=esc(_name(dept)), code=esc(sub.code), ref=document_ref(number, day)
    )
    if summary:
        text += "\n" + _("Tóm tắt: {summary}").format(summary=esc(_clip(summary, 1000)))
    return text


def response_caption(sub: Submission, number: str | None, day: date | None) -> str:
    ref = document_ref(number, day)
    return f"{esc(sub.code)}: {ref}" if ref else esc(sub.code)


# --- complaints and denunciations set aside -----------------------------------------------------------


def set_aside(sub: Submission, nature: str | None, note: str) -> str:
    if nature == "denunciation":
        text = _(
            "Nội dung câu hỏi {code} là <b>tố cáo</b>, nên được chuyển xử lý theo quy định của pháp luật "
            "về tố cáo (Luật Tố cáo), không theo thời hạn của hội nghị đối thoại. Thông tin về người tố cáo "
            "được giữ bí mật theo quy định."
        )
    else:
        text = _(
            "Nội dung câu hỏi {code} là <b>khiếu nại</b>, nên được chuyển xử lý theo quy định của pháp luật "
            "về khiếu nại (Luật Khiếu nại), không theo thời hạn của hội nghị đối thoại. Ông/Bà sẽ được thông "
            "báo việc thụ lý và kết quả giải quyết theo quy định."
        )
    return text.format(code=esc(sub.code)) + "\n" + _("Nơi xử lý: {note}").format(note=esc(note))


# --- following a question the office recorded ---------------------------------------------------------


def claim_result(outcome: str, code: str, tries_left: int = 0, locked_until: datetime | None = None) -> str:
    if outcome == "linked":
        return _(
            "✅ Đã liên kết câu hỏi {code} với cuộc trò chuyện này. Từ nay Ông/Bà sẽ nhận mọi thông báo về "
            "câu hỏi ngay tại đây. Xem lại: /my"
        ).format(code=esc(code))
    if outcome == "already":
        return _("Câu hỏi {code} đã được liên kết với cuộc trò chuyện này. Xem lại: /my").format(
            code=esc(code)
        )
    if outcome == "taken":
        return _(
            "Câu hỏi {code} đã được liên kết với một cuộc trò chuyện khác. Nếu đó không phải Ông/Bà, "
            "xin liên hệ văn phòng."
        ).format(code=esc(code))
    if outcome == "wrong":
        return _.n(
            "Mã {code} và 4 số cuối điện thoại không khớp. Ông/Bà còn {n} lần thử.",
            "Mã {code} và 4 số cuối điện thoại không khớp. Ông/Bà còn {n} lần thử.",
            tries_left,
        ).format(code=esc(code), n=tries_left)
    if outcome == "locked":
        return _(
            "Đã nhập sai quá số lần cho phép: mã {code} tạm khoá đến {until}. Xin thử lại sau, hoặc liên hệ "
            "văn phòng."
        ).format(code=esc(code), until=fmt_datetime(locked_until) if locked_until else "—")
    if outcome == "no_phone":
        return _(
            "Câu hỏi {code} không có số điện thoại để xác nhận. Xin liên hệ văn phòng để được hỗ trợ."
        ).format(code=esc(code))
    return _("Không tìm thấy câu hỏi {code}. Ông/Bà kiểm tra lại mã trên giấy biên nhận.").format(
        code=esc(code)
    )


# --- the statuses and steps of a question issue #13 added (/my) -----------------------------------------


def status_label(status: str) -> str:
    return {
        "answered_above": _("Cấp có thẩm quyền đã trả lời"),
        "set_aside": _("Chuyển xử lý theo quy định về khiếu nại, tố cáo"),
    }.get(status, status)


def event_label(action: str) -> str | None:
    return {
        "answer_from_above": _("Cấp có thẩm quyền trả lời"),
        "set_aside": _("Chuyển xử lý theo quy định về khiếu nại, tố cáo"),
        "link_chat": _("Theo dõi qua tin nhắn"),
        "coordinate": _("Thêm đơn vị phối hợp"),
    }.get(action)


# --- "not resolved" after an answer at the session -------------------------------------------------


def reopen_too_late(days: int) -> str:
    return _(
        "Đã quá {days} ngày kể từ khi câu hỏi được trả lời tại hội nghị, nên không thể báo «chưa được "
        "giải quyết» tại đây nữa. Ông/Bà có thể gửi câu hỏi mới (/ask) hoặc liên hệ văn phòng."
    ).format(days=days)
