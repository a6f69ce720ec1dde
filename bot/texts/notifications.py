"""Every sentence the bot sends on its own: deadline status updates, reminders, the rating question,
delivery failures. Rendered in the reader's locale (``with use_locale(...)``); dates with Babel in
the deployment's timezone. Message ids are Vietnamese."""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from storage.models import Department, DialogueSession, Submission

_ = Translator("notifications")

TEXT_MAX = 3500


def _name(dept: Department | None) -> str:
    if dept is None:
        return _("Văn phòng")
    return dept.name_en if current_locale() == "en" and dept.name_en else dept.name_vi


def _clip(text: str, limit: int = 800) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _codes(subs: list[Submission], limit: int = 40) -> str:
    shown = ", ".join(esc(s.code) for s in subs[:limit])
    if len(subs) > limit:
        shown += _(" và {n} câu khác").format(n=len(subs) - limit)
    return shown


# --- conclusion deadline (R4) ------------------------------------------------------------------


def citizen_conclusion_issued(sub: Submission, session: DialogueSession) -> str:
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


def citizen_conclusion_late(sub: Submission, session: DialogueSession, due: date) -> str:
    return _(
        "⏰ Câu hỏi {code}: hạn ban hành thông báo kết luận buổi đối thoại «{title}» là {due} "
        "nhưng thông báo chưa được ban hành. Văn phòng đã được nhắc. Ông/Bà không cần làm gì thêm, "
        "chúng tôi sẽ báo ngay khi có."
    ).format(code=esc(sub.code), title=esc(session.title), due=fmt_date(due))


def office_conclusion_late(session: DialogueSession, due: date, citizens: int) -> str:
    return _(
        "🔴 Quá hạn: thông báo kết luận buổi đối thoại «{title}» (hạn {due}) chưa được ban hành. "
        "Đã báo cho {n} người dân có câu hỏi."
    ).format(title=esc(session.title), due=fmt_date(due), n=citizens)


def office_conclusion_soon(session: DialogueSession, due: date) -> str:
    return _(
        "⏳ Nhắc: hạn ban hành thông báo kết luận buổi đối thoại «{title}» là {due} (ngày làm việc tới)."
    ).format(title=esc(session.title), due=fmt_date(due))


def office_conclusion_passed(session: DialogueSession, due: date, citizens: int) -> str:
    return _(
        "✅ Hạn thông báo kết luận buổi đối thoại «{title}» ({due}): đã báo tình hình cho {n} người dân."
    ).format(title=esc(session.title), due=fmt_date(due), n=citizens)


# --- response deadline (R5) --------------------------------------------------------------------


def citizen_response_given(sub: Submission) -> str:
    text = _("📬 Câu hỏi {code} đã được {dept} trả lời ngày {day}, trong hạn ({due}).").format(
        code=esc(sub.code),
        dept=esc(_name(sub.department)),
        day=fmt_date(sub.responded_at),
        due=fmt_date(sub.response_due),
    )
    if sub.response_text:
        text += f"\n<blockquote>{esc(_clip(sub.response_text))}</blockquote>"
    return text


def citizen_response_late(sub: Submission) -> str:
    return _(
        "⏰ Câu hỏi {code}: hạn trả lời bằng văn bản là {due} nhưng chưa có trả lời. "
        "Đơn vị chịu trách nhiệm: {dept}. Đơn vị và Văn phòng đã được nhắc, và sẽ được nhắc hằng ngày "
        "cho đến khi có trả lời."
    ).format(code=esc(sub.code), due=fmt_date(sub.response_due), dept=esc(_name(sub.department)))


def department_overdue(dept: Department | None, subs: list[Submission], today: date) -> str:
    return _(
        "🔴 Nhắc ({today}): {n} câu hỏi quá hạn trả lời bằng văn bản: {codes}. Đề nghị trả lời ngay."
    ).format(today=fmt_date(today), n=len(subs), codes=_codes(subs))


def office_overdue(by_dept: list[tuple[Department | None, list[Submission]]], today: date) -> str:
    total = sum(len(s) for _d, s in by_dept)
    lines = [
        _("🔴 Nhắc ({today}): {n} câu hỏi quá hạn trả lời bằng văn bản.").format(
            today=fmt_date(today), n=total
        )
    ]
    for dept, subs in by_dept:
        lines.append(f"• {esc(_name(dept))}: {_codes(subs, 15)}")
    return "\n".join(lines)[:TEXT_MAX]


def department_due_soon(dept: Department | None, subs: list[Submission], due: date, days: int) -> str:
    return _.n(
        "⏳ Còn {n} ngày làm việc đến hạn trả lời ({due}): {codes}.",
        "⏳ Còn {n} ngày làm việc đến hạn trả lời ({due}): {codes}.",
        days,
    ).format(n=days, due=fmt_date(due), codes=_codes(subs))


# --- session reminder ----------------------------------------------------------------------------


def citizen_session_tomorrow(session: DialogueSession, codes: list[str]) -> str:
    return _(
        "📅 Nhắc lịch: buổi đối thoại «{title}» diễn ra lúc {when} tại {place}. "
        "Câu hỏi của Ông/Bà: {codes}. Mời Ông/Bà đến dự nếu có thể."
    ).format(
        title=esc(session.title),
        when=fmt_datetime(session.starts_at),
        place=esc(session.place),
        codes=", ".join(esc(c) for c in codes),
    )


# --- rating ----------------------------------------------------------------------------------------


def citizen_rate(sub: Submission) -> str:
    return _(
        "⭐ Ông/Bà có hài lòng với câu trả lời cho câu hỏi {code}? Xin chọn từ 1 (không hài lòng) "
        "đến 5 (rất hài lòng), hoặc bấm «Chưa được giải quyết»."
    ).format(code=esc(sub.code))


def btn_not_resolved() -> str:
    return _("❌ Chưa được giải quyết")


def rated_thanks(value: int) -> str:
    return _("Cảm ơn Ông/Bà đã đánh giá ({n}/5).").format(n=value)


def reopened_citizen(sub: Submission) -> str:
    return _(
        "Đã ghi nhận: câu hỏi {code} chưa được giải quyết. Văn phòng sẽ xem xét lại và báo Ông/Bà."
    ).format(code=esc(sub.code))


def reopened_office(sub: Submission) -> str:
    return _(
        "🔁 Người dân báo câu hỏi {code} CHƯA được giải quyết (đơn vị: {dept}). Đề nghị xem xét lại."
    ).format(code=esc(sub.code), dept=esc(_name(sub.department)))


def office_rated(sub: Submission, value: int) -> str:
    return _("⭐ Câu hỏi {code}: người dân đánh giá {n}/5.").format(code=esc(sub.code), n=value)


def already_rated() -> str:
    return _("Câu hỏi này đã được đánh giá. Cảm ơn Ông/Bà.")


def stale_button() -> str:
    return _("Nút này không còn dùng được.")


# --- delivery ----------------------------------------------------------------------------------------


def office_undeliverable(chat_id: str, purpose: str, reason: str, code: str | None, at: datetime) -> str:
    text = _("⚠️ Không gửi được tin nhắn ({purpose}) tới {chat}: {reason}.").format(
        purpose=esc(purpose), chat=esc(chat_id), reason=esc(reason)
    )
    if code:
        text += "\n" + _("Câu hỏi: {code}. Đề nghị liên hệ người dân bằng cách khác.").format(code=esc(code))
    return text
