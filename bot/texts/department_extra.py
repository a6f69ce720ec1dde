"""What department groups — and a competent authority's own group — read about what issue #13 added:
forwarding with the document's number and date, the written response as a document, coordinating
departments, questions the office set aside or forwarded, and the invitation the day before the
session. Message ids are Vietnamese (domain "department_extra")."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from storage.models import Authority, DialogueSession, Submission

_ = Translator("department_extra")


def _name(item: Any) -> str:
    if item is None:
        return "—"
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi


def _short(text: str, n: int = 100) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _ref(number: str | None, day: date | None) -> str:
    if number and day:
        return _("văn bản số {no} ngày {day}").format(no=esc(number), day=fmt_date(day))
    return esc(number or "")


# --- forwarding ---------------------------------------------------------------------------------------


def prompt_forward_document(sub: Submission, authority: Authority) -> str:
    return _(
        "Chuyển {code} tới {authority}: số và ngày văn bản chuyển, rồi lý do. Trả lời (Reply) vào tin nhắn "
        "này, ví dụ: 15/UBND-ĐC 20/12/2026 Vượt thẩm quyền cấp xã. Người dân sẽ được báo nơi nhận và lý do."
    ).format(code=esc(sub.code), authority=esc(_name(authority)))


def forward_needs_document() -> str:
    return _("Cần số và ngày văn bản chuyển, ví dụ: 15/UBND-ĐC 20/12/2026, rồi lý do.")


def document_in_future() -> str:
    return _("Ngày văn bản không thể sau hôm nay. Vui lòng kiểm tra lại số và ngày văn bản.")


def forwarded_by_office(sub: Submission) -> str:
    return _(
        "⬆️ Văn phòng đã chuyển {code} tới {authority}: đơn vị không cần trả lời câu hỏi này nữa."
    ).format(code=esc(sub.code), authority=esc(sub.forwarded_to or ""))


def authority_card(sub: Submission, authority: Authority) -> str:
    """In a competent authority's own group: a question forwarded to it."""
    lines = [
        _("📨 <b>{unit}</b> chuyển kiến nghị <b>{code}</b> tới {authority}").format(
            unit=esc(_name(sub.department)) if sub.department else _("Văn phòng"),
            code=esc(sub.code),
            authority=esc(_name(authority)),
        )
    ]
    ref = _ref(sub.forward_doc_no, sub.forward_doc_date)
    if ref:
        lines.append(_("Văn bản chuyển: {ref}").format(ref=ref))
    lines.append(_("Lý do: {reason}").format(reason=esc(sub.forward_reason or "")))
    lines += ["", f"<blockquote>{esc(sub.text[:3000])}</blockquote>", ""]
    lines.append(
        _(
            "✏️ Để gửi kết quả trả lời cho người dân, bấm «Trả lời» (Reply) vào tin nhắn này và gửi nội dung "
            "và/hoặc tệp văn bản."
        )
    )
    return "\n".join(lines)


def authority_answer_recorded(sub: Submission) -> str:
    return _("✅ Đã ghi trả lời cho {code}; người dân và văn phòng đã được báo. Xin cảm ơn.").format(
        code=esc(sub.code)
    )


def authority_answer_refused() -> str:
    return _("Không ghi được trả lời: câu hỏi này không được chuyển tới cơ quan này, hoặc đã có trả lời.")


# --- the written response as a document ---------------------------------------------------------------


def document_not_photo() -> str:
    return _("Văn bản trả lời cần gửi dạng tệp PDF hoặc .docx (không phải ảnh chụp). Vui lòng gửi lại.")


def document_wrong_type() -> str:
    return _("Chỉ nhận văn bản dạng PDF hoặc .docx. Vui lòng gửi lại, hoặc trả lời bằng nội dung.")


def prompt_document_ref(number_example: str = "45/UBND-ĐC 05/01/2027") -> str:
    return _(
        "Số và ngày ban hành của văn bản trả lời? Ví dụ: {example}. Có thể thêm tóm tắt ngay sau đó."
    ).format(example=number_example)


def bad_document_ref() -> str:
    return _("Chưa đọc được số và ngày văn bản. Ví dụ: 45/UBND-ĐC 05/01/2027 (ngày không sau hôm nay).")


def prompt_summary() -> str:
    return _("Tóm tắt ngắn nội dung trả lời (1–3 câu) để gửi kèm văn bản cho người dân?")


def answered_with_document(sub: Submission, who: str, askers: int) -> str:
    return _.n(
        "📄 Đã gửi văn bản trả lời {code} ({ref}) cho {n} người hỏi ({who}). Văn phòng đã được báo.",
        "📄 Đã gửi văn bản trả lời {code} ({ref}) cho {n} người hỏi ({who}). Văn phòng đã được báo.",
        askers,
    ).format(code=esc(sub.code), ref=_ref(sub.response_doc_no, sub.response_doc_date), n=askers, who=esc(who))


# --- coordinating departments -------------------------------------------------------------------------


def btn_contribute() -> str:
    return _("🤝 Gửi phần phối hợp")


def coordination_card(sub: Submission) -> str:
    lines = [
        _("🤝 <b>Phối hợp trả lời {code}</b> — đơn vị chủ trì: {lead}").format(
            code=esc(sub.code), lead=esc(_name(sub.department)) if sub.department else _("chưa phân công")
        ),
        _("Hội nghị: {title} ({day})").format(
            title=esc(sub.session.title), day=fmt_date(sub.session.starts_at)
        ),
    ]
    if sub.response_due:
        lines.append(_("Hạn trả lời: {due}").format(due=fmt_date(sub.response_due)))
    lines += ["", f"<blockquote>{esc(sub.text[:3000])}</blockquote>", ""]
    lines.append(
        _("Gửi phần việc của đơn vị cho đơn vị chủ trì bằng nút dưới đây; đơn vị chủ trì trả lời người dân.")
    )
    return "\n".join(lines)


def coordinator_added(sub: Submission, dept: Any) -> str:
    return _("🤝 {dept} phối hợp trả lời {code}; đơn vị sẽ nhận phần phối hợp trong nhóm này.").format(
        dept=esc(_name(dept)), code=esc(sub.code)
    )


def prompt_part(sub: Submission) -> str:
    return _(
        "Phần phối hợp của đơn vị cho {code}: trả lời (Reply) vào tin nhắn này bằng nội dung và/hoặc tệp."
    ).format(code=esc(sub.code))


def part_sent(sub: Submission, who: str) -> str:
    return _("🤝 Đã gửi phần phối hợp cho {code} tới đơn vị chủ trì ({who}).").format(
        code=esc(sub.code), who=esc(who)
    )


def part_received(sub: Submission, dept: Any, text: str | None) -> str:
    out = _("🤝 <b>{dept}</b> gửi phần phối hợp cho {code}:").format(
        dept=esc(_name(dept)), code=esc(sub.code)
    )
    return out + (f"\n<blockquote>{esc(text[:3000])}</blockquote>" if text else "\n" + _("(tệp gửi kèm)"))


def part_caption(sub: Submission, dept: Any) -> str:
    return _("Phần phối hợp của {dept} cho {code}").format(dept=esc(_name(dept)), code=esc(sub.code))


def lead_answered(sub: Submission) -> str:
    return _("✅ {code} đã được đơn vị chủ trì trả lời. Cảm ơn đơn vị đã phối hợp.").format(
        code=esc(sub.code)
    )


# --- set aside, and the invitation the day before -----------------------------------------------------


def set_aside_note(sub: Submission) -> str:
    return _(
        "⚖️ {code} được chuyển xử lý theo quy định về khiếu nại, tố cáo: đơn vị không trả lời trong đối "
        "thoại nữa."
    ).format(code=esc(sub.code))


def invitation(session: DialogueSession, dept: Any, leads: list[Submission], helps: list[Submission]) -> str:
    lines = [
        _("📅 <b>Mời dự hội nghị đối thoại «{title}»</b> ngày mai, {when}, tại {place}.").format(
            title=esc(session.title), when=fmt_datetime(session.starts_at), place=esc(session.place)
        ),
        _.n(
            "{dept} chuẩn bị trả lời {n} câu hỏi:",
            "{dept} chuẩn bị trả lời {n} câu hỏi:",
            len(leads),
        ).format(dept=esc(_name(dept)), n=len(leads)),
    ]
    lines += [f"• <b>{esc(s.code)}</b>: {esc(_short(s.text))}" for s in leads[:40]]
    if helps:
        lines.append(_("Phối hợp trả lời:"))
        lines += [f"• <b>{esc(s.code)}</b>: {esc(_short(s.text))}" for s in helps[:20]]
    return "\n".join(lines)[:3800]
