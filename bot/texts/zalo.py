"""What Zalo citizens read that only exists on Zalo (numbered menus, unsupported events), and the Zalo
wording of the citizen's sentences that speak of buttons or of Telegram: a Zalo chat shows a numbered
list to answer with a number, no button, and no «share my phone number».

``bot.texts.citizen`` asks ``on_zalo()`` and takes the sentence from here; whoever renders for a
Zalo reader (the Zalo channel, the outbox row of a Zalo citizen) does it ``with use_channel("zalo")``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from bot.i18n import Translator, esc

_ = Translator("zalo")
_channel: ContextVar[str] = ContextVar("doithoai_channel", default="telegram")


@contextlib.contextmanager
def use_channel(channel: str | None) -> Iterator[None]:
    token = _channel.set(str(channel or "telegram"))
    try:
        yield
    finally:
        _channel.reset(token)


def on_zalo() -> bool:
    return _channel.get() == "zalo"


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


# --- the citizen's sentences, as a Zalo chat shows them ---------------------------------------------


def consent_declined() -> str:
    return _("Chúng tôi không lưu thông tin gì của Ông/Bà. Khi cần, Ông/Bà gõ /start để bắt đầu lại.")


def main_menu() -> str:
    return _("Ông/Bà muốn làm gì? Xin trả lời bằng số của một mục dưới đây.")


def guidance() -> str:
    return _(
        "Xin lỗi, tôi chưa hiểu. Ông/Bà vui lòng trả lời bằng số của một mục trong danh sách "
        "(hoặc gõ /ask để gửi câu hỏi, /my để xem câu hỏi đã gửi, 0 để về menu)."
    )


def stale_button() -> str:
    return _("Lựa chọn này không còn dùng được. Xin xem tin nhắn mới nhất.")


def choose_from_buttons() -> str:
    return _("Xin Ông/Bà trả lời bằng số của một mục trong danh sách dưới đây.")


def add_files(limit: int) -> str:
    return _(
        "Ông/Bà có ảnh kèm theo không? Gửi tối đa {limit} ảnh, xong thì chọn «Xong, tiếp tục». "
        "Không có thì chọn luôn mục đó."
    ).format(limit=limit)


def file_received(count: int, limit: int) -> str:
    return _("Đã nhận {count}/{limit} tệp. Gửi thêm, hoặc chọn «Xong, tiếp tục».").format(
        count=count, limit=limit
    )


def files_limit(limit: int) -> str:
    return _("Đã đủ {limit} tệp; tệp gửi thêm không được nhận. Xin chọn «Xong, tiếp tục».").format(
        limit=limit
    )


def files_expected() -> str:
    return _("Ở bước này xin gửi ảnh, hoặc chọn «Xong, tiếp tục».")


def ask_phone() -> str:
    return _(
        "Xin cho số điện thoại để cán bộ liên hệ khi cần: gõ số (ví dụ: 0912 345 678), hoặc chọn «Bỏ qua»."
    )


def bad_phone() -> str:
    return _("Số điện thoại chưa đúng. Xin gõ lại (ví dụ: 0912 345 678), hoặc chọn «Bỏ qua».")


def not_own_contact() -> str:
    return _("Xin gõ số điện thoại của Ông/Bà (ví dụ: 0912 345 678).")


def my_empty() -> str:
    return _("Ông/Bà chưa gửi câu hỏi nào. Chọn «Gửi câu hỏi» để bắt đầu.")


def privacy() -> str:
    return _(
        "<b>Dữ liệu cá nhân</b>\n"
        "Chúng tôi lưu: mã người dùng Zalo của Ông/Bà (để nhắn tin trả lời), ngôn ngữ, họ tên, số điện "
        "thoại (nếu Ông/Bà cho), địa chỉ, câu hỏi, ảnh kèm theo, và quá trình giải quyết.\n"
        "Mục đích: chuyển câu hỏi đến cơ quan có trách nhiệm, trả lời và báo kết quả cho Ông/Bà "
        "(Nghị định 13/2023/NĐ-CP). Số điện thoại và địa chỉ chỉ Văn phòng và bộ phận được giao "
        "xem được. Tên chỉ nêu công khai khi Ông/Bà cho phép.\n"
        "Ông/Bà có thể tải toàn bộ dữ liệu về, hoặc xoá dữ liệu cá nhân (số liệu thống kê "
        "không có tên vẫn được giữ)."
    )


def rate_request(code: str) -> str:
    return _(
        "⭐ Ông/Bà có hài lòng với câu trả lời cho câu hỏi {code}? Xin trả lời bằng một số từ 1 "
        "(không hài lòng) đến 5 (rất hài lòng), hoặc 6 nếu vấn đề chưa được giải quyết."
    ).format(code=esc(code))


def rating_not_open() -> str:
    return _("Câu hỏi này hiện không chờ đánh giá. Cảm ơn Ông/Bà.")
