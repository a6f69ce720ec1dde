"""What Zalo citizens read that only exists on Zalo (numbered menus, unsupported events)."""

from __future__ import annotations

from bot.i18n import Translator

_ = Translator("zalo")


def answer_with_number(n: int) -> str:
    if n <= 1:
        return _("Trả lời 1 để chọn.")
    numbers = ", ".join(str(i) for i in range(1, n))
    return _("Trả lời {numbers} hoặc {last}.").format(numbers=numbers, last=n)


def cancel_hint() -> str:
    return _('Gõ 0 hoặc "huỷ" để huỷ.')


def unsupported() -> str:
    return _(
        "Xin lỗi Ông/Bà, tin nhắn vừa gửi không đọc được trên Zalo. "
        "Ông/Bà vui lòng gõ câu hỏi bằng chữ, hoặc gõ 0 để về menu."
    )
