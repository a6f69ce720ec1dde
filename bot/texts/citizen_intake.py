"""What a citizen reads (any channel) in the shorter question flow of issue #17: the session chosen for
them when only one is open, photos sent with the question, the one-step confirmation of a returning
citizen's details, and the review's "add photos" option. Message ids are Vietnamese (domain
"citizen_intake")."""

from __future__ import annotations

from bot.i18n import Translator, esc, fmt_datetime
from storage.models import DialogueSession

_ = Translator("citizen_intake")


def readable_phone(phone: str | None) -> str:
    """0912345678 → 0912 345 678, easier to check at a glance (other lengths as they are)."""
    digits = (phone or "").strip()
    if not digits.isdigit():
        return digits
    if len(digits) == 10:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if len(digits) == 11:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits


# --- buttons -------------------------------------------------------------------------------------


def btn_other_session() -> str:
    return _("🔄 Chọn hội nghị khác")


def btn_details_ok() -> str:
    return _("✅ Đúng")


def btn_details_edit() -> str:
    return _("✏️ Sửa")


def btn_add_files() -> str:
    return _("📎 Thêm ảnh, tài liệu")


# --- screens -------------------------------------------------------------------------------------


def consent_thanks_then_ask() -> str:
    return _("Cảm ơn Ông/Bà đã đồng ý. Mời Ông/Bà gửi câu hỏi (việc khác: chọn «Menu chính»).")


def session_chosen(session: DialogueSession) -> str:
    return _("Câu hỏi sẽ gửi đến <b>{title}</b> ({when}, tại {place}).").format(
        title=esc(session.title), when=fmt_datetime(session.starts_at), place=esc(session.place)
    )


def write_question(min_chars: int, max_chars: int, limit: int) -> str:
    return _(
        "Xin Ông/Bà viết câu hỏi hoặc kiến nghị (từ {min} đến {max} ký tự), nêu rõ sự việc, địa điểm và "
        "thời gian. Có ảnh thì gửi ảnh kèm câu hỏi làm chú thích (tối đa {limit} ảnh, tài liệu)."
    ).format(min=min_chars, max=max_chars, limit=limit)


def file_kept_write_question(count: int, limit: int) -> str:
    return _("Đã nhận {count}/{limit} ảnh, tài liệu. Xin Ông/Bà gõ nội dung câu hỏi.").format(
        count=count, limit=limit
    )


def file_added(count: int, limit: int) -> str:
    return _("Đã nhận thêm ảnh, tài liệu ({count}/{limit}).").format(count=count, limit=limit)


def files_full(limit: int) -> str:
    return _("Đã đủ {limit} ảnh, tài liệu; tệp gửi thêm không được nhận.").format(limit=limit)


def add_files(count: int, limit: int) -> str:
    return _(
        "Xin gửi ảnh hoặc tài liệu (đã có {count}/{limit}); "
        "gửi xong thì chọn «Xong, tiếp tục» để xem lại câu hỏi."
    ).format(count=count, limit=limit)


def confirm_details(name: str, phone: str | None, address: str, public: bool | None) -> str:
    parts = [esc(name), esc(readable_phone(phone)) if phone else _("không để số điện thoại"), esc(address)]
    if public is not None:
        parts.append(_("nêu tên khi đọc") if public else _("không nêu tên khi đọc"))
    return _("Gửi với thông tin: {details}").format(details=" · ".join(parts))
