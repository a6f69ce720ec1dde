"""Every sentence of the department side: routed cards, prompts, confirmations, and the written response
as citizens read it (rendered in the citizen's locale). Message ids are Vietnamese."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator, current_locale, esc, fmt_date
from storage.models import Channel, Department, DialogueSession, ExtensionRequest, Submission

_ = Translator("department")


def name_of(item: Any) -> str:
    if item is None:
        return "—"
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi


def btn_accept() -> str:
    return _("✅ Tiếp nhận")


def btn_answer() -> str:
    return _("✍️ Trả lời")


def btn_extend() -> str:
    return _("⏳ Xin gia hạn")


def btn_forward() -> str:
    return _("⬆️ Chuyển cấp trên")


def btn_hand_back() -> str:
    return _("↩️ Trả lại văn phòng")


def routed_card(sub: Submission, note: str | None = None) -> str:
    lines = []
    if note:
        lines += [note, ""]
    source = " · Zalo" if sub.channel == Channel.ZALO else ""
    lines.append(
        _("📨 <b>Câu hỏi {code}</b> được chuyển tới đơn vị{source}").format(code=esc(sub.code), source=source)
    )
    lines.append(
        _("Hội nghị: {title} ({date})").format(
            title=esc(sub.session.title), date=fmt_date(sub.session.starts_at)
        )
    )
    if sub.topic is not None:
        lines.append(_("Lĩnh vực: {topic}").format(topic=esc(name_of(sub.topic))))
    if sub.response_due:
        lines.append(_("Hạn trả lời: <b>{due}</b>").format(due=fmt_date(sub.response_due)))
    lines += ["", f"<blockquote>{esc(sub.text[:3200])}</blockquote>"]
    lines.append(_("Người hỏi: {name}").format(name=esc(sub.asker_name or "—")))
    if sub.phone:
        lines.append(_("Điện thoại: {phone}").format(phone=esc(sub.phone)))
    if sub.address:
        lines.append(_("Địa chỉ: {address}").format(address=esc(sub.address)))
    if sub.attachments:
        lines.append(
            _.n(
                "📎 {n} tệp đính kèm (gửi kèm bên dưới)",
                "📎 {n} tệp đính kèm (gửi kèm bên dưới)",
                len(sub.attachments),
            ).format(n=len(sub.attachments))
        )
    return "\n".join(lines)


# --- prompts -----------------------------------------------------------------------------------


def prompt_answer(sub: Submission) -> str:
    return _(
        "Câu trả lời bằng văn bản cho {code}: trả lời (Reply) vào tin nhắn này bằng nội dung và/hoặc tệp "
        "(PDF, ảnh văn bản). Nội dung sẽ được gửi tới người dân."
    ).format(code=esc(sub.code))


def prompt_hand_back(sub: Submission) -> str:
    return _("Lý do trả lại {code} cho văn phòng? Trả lời (Reply) vào tin nhắn này.").format(
        code=esc(sub.code)
    )


def prompt_extension(sub: Submission) -> str:
    due = fmt_date(sub.response_due) if sub.response_due else "—"
    return _(
        "Xin gia hạn {code} (hạn hiện tại {due}): trả lời (Reply) vào tin nhắn này với ngày mới và lý do, "
        "ví dụ: 15/03/2027 Cần khảo sát thực địa"
    ).format(code=esc(sub.code), due=due)


def prompt_forward(sub: Submission) -> str:
    return _(
        "Chuyển {code} lên cấp có thẩm quyền: trả lời (Reply) vào tin nhắn này, dòng đầu là tên cơ quan, "
        "dòng sau là lý do. Ví dụ:\nUBND huyện\nVượt thẩm quyền cấp xã"
    ).format(code=esc(sub.code))


# --- confirmations and errors --------------------------------------------------------------------


def accepted_done(sub: Submission, who: str) -> str:
    return _("✅ {code} đã được tiếp nhận ({who}).").format(code=esc(sub.code), who=esc(who))


def answered_done(sub: Submission, who: str, count: int) -> str:
    return _.n(
        "✅ Đã gửi câu trả lời {code} tới {n} người hỏi ({who}).",
        "✅ Đã gửi câu trả lời {code} tới {n} người hỏi ({who}).",
        count,
    ).format(code=esc(sub.code), who=esc(who), n=count)


def handed_back_done(sub: Submission, who: str) -> str:
    return _("↩️ {code} đã trả lại văn phòng ({who}).").format(code=esc(sub.code), who=esc(who))


def extension_requested_done(sub: Submission, new_due: date, who: str, moved_from: date | None = None) -> str:
    text = _("⏳ Đã gửi đề nghị gia hạn {code} đến {due}. Văn phòng sẽ quyết định.").format(
        code=esc(sub.code), due=fmt_date(new_due)
    )
    if moved_from is not None:
        text += "\n" + _("Ngày {asked} không phải ngày làm việc nên hạn được chuyển sang {due}.").format(
            asked=fmt_date(moved_from), due=fmt_date(new_due)
        )
    return text


def forwarded_done(sub: Submission, authority: str, who: str) -> str:
    return _("⬆️ {code} đã chuyển tới {authority} ({who}). Người dân đã được báo.").format(
        code=esc(sub.code), authority=esc(authority), who=esc(who)
    )


def bad_extension_date() -> str:
    return _("Chưa hiểu ngày. Ví dụ: 15/03/2027 Cần khảo sát thực địa")


def extension_date_past() -> str:
    return _("Ngày mới phải ở tương lai và sau hạn hiện tại. Vui lòng trả lời lại vào tin nhắn yêu cầu.")


def extension_needs_reason() -> str:
    return _("Vui lòng ghi cả lý do sau ngày mới, ví dụ: 15/03/2027 Cần khảo sát thực địa")


def extension_pending() -> str:
    return _("Đã có một đề nghị gia hạn đang chờ văn phòng quyết định.")


def forward_needs_reason() -> str:
    return _("Vui lòng ghi tên cơ quan ở dòng đầu và lý do ở dòng sau.")


def not_ours() -> str:
    return _("Câu hỏi này không thuộc đơn vị của nhóm này.")


def answer_needs_content() -> str:
    return _("Câu trả lời cần có nội dung hoặc tệp đính kèm.")


def already_accepted() -> str:
    return _("Câu hỏi này đã được tiếp nhận trước đó.")


# --- from the notifier: what the office decided, the conclusion notice --------------------------------


def extension_decided(sub: Submission, req: ExtensionRequest, approve: bool) -> str:
    if approve:
        return _("✅ Văn phòng đồng ý gia hạn {code} đến {due}.").format(
            code=esc(sub.code), due=fmt_date(req.new_due)
        )
    return _("✖️ Văn phòng không đồng ý gia hạn {code}. Hạn vẫn là {due}.").format(
        code=esc(sub.code), due=fmt_date(sub.response_due) if sub.response_due else "—"
    )


def notice_to_department(
    session: DialogueSession, body: str | None, subs: list[Submission], due: date
) -> str:
    text = _("📜 Thông báo kết luận hội nghị «{title}».").format(title=esc(session.title))
    if body:
        text += f"\n<blockquote>{esc(body[:2000])}</blockquote>"
    text += "\n" + _.n(
        "Đơn vị cần trả lời bằng văn bản {n} câu hỏi, hạn {due}:",
        "Đơn vị cần trả lời bằng văn bản {n} câu hỏi, hạn {due}:",
        len(subs),
    ).format(n=len(subs), due=fmt_date(due))
    text += "\n" + ", ".join(esc(s.code) for s in subs[:60])
    return text


def notice_caption(session: DialogueSession) -> str:
    return _("Thông báo kết luận: {title}").format(title=esc(session.title))[:1000]


# --- deadlines, as the department reads them (from the ticks) ---------------------------------------


def _codes(subs: list[Submission], limit: int = 40) -> str:
    shown = ", ".join(esc(s.code) for s in subs[:limit])
    if len(subs) > limit:
        shown += _(" và {n} câu khác").format(n=len(subs) - limit)
    return shown


def overdue(dept: Department | None, subs: list[Submission], today: date) -> str:
    return _(
        "🔴 Nhắc ({today}): {n} câu hỏi quá hạn trả lời bằng văn bản: {codes}. Đề nghị trả lời ngay."
    ).format(today=fmt_date(today), n=len(subs), codes=_codes(subs))


def due_soon(dept: Department | None, subs: list[Submission], due: date, days: int) -> str:
    return _.n(
        "⏳ Còn {n} ngày làm việc đến hạn trả lời ({due}): {codes}.",
        "⏳ Còn {n} ngày làm việc đến hạn trả lời ({due}): {codes}.",
        days,
    ).format(n=days, due=fmt_date(due), codes=_codes(subs))
