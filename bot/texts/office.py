"""Every sentence of the office side: the office group's cards, prompts and answers, and what citizens
are told when the office acts (rendered in the citizen's locale). Message ids are Vietnamese."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.i18n import Translator, current_locale, esc, fmt_date, fmt_datetime
from bot.texts import office_extra  # the statuses and steps issue #13 added
from storage.models import Channel, Department, DialogueSession, ExtensionRequest, Submission, SubmissionEvent

_ = Translator("office")

TEXT_MAX = 3500


def name_of(item: Any) -> str:
    if item is None:
        return "—"
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi


def department_name(dept: Department | None) -> str:
    return name_of(dept)


def agency(dept: Department | None) -> str:
    """The department responsible, or the office when none is assigned."""
    return name_of(dept) if dept is not None else _("Văn phòng")


# --- buttons -------------------------------------------------------------------------------------


def btn_route_to(dept: Department) -> str:
    return _("➡️ Chuyển: {name}").format(name=name_of(dept))[:60]


def btn_pick_department() -> str:
    return _("🏢 Chọn đơn vị khác")


def btn_merge() -> str:
    return _("🔗 Gộp câu trùng")


def btn_merge_into(target: Submission) -> str:
    return _("🔗 Gộp vào {code}").format(code=target.code)


def btn_clarify() -> str:
    return _("❓ Hỏi lại người dân")


def btn_reject() -> str:
    return _("⛔ Từ chối")


def btn_back() -> str:
    return _("⬅️ Quay lại")


def btn_approve_extension() -> str:
    return _("✅ Đồng ý gia hạn")


def btn_refuse_extension() -> str:
    return _("✖️ Không đồng ý")


def btn_announce() -> str:
    return _("📣 Thông báo hội nghị")


def btn_close_questions() -> str:
    return _("🔒 Khoá nhận câu hỏi")


def btn_mark_held() -> str:
    return _("✅ Đã tổ chức")


def btn_postpone() -> str:
    return _("📅 Hoãn (đổi ngày)")


def btn_cancel_session() -> str:
    return _("✖️ Huỷ hội nghị")


def btn_issue_notice() -> str:
    return _("📜 Ra thông báo kết luận")


def btn_agenda() -> str:
    return _("🗒 Chương trình (.docx)")


def btn_answer_at_session() -> str:
    return _("🎤 Ghi câu trả lời tại hội nghị")


def btn_kind(kind: str) -> str:
    return {
        "periodic": _("Định kỳ"),
        "adhoc": _("Đột xuất (chuyên đề)"),
        "on_request": _("Theo yêu cầu của Nhân dân"),
    }.get(kind, kind)


# --- cards in the office group -------------------------------------------------------------------


def _status(status: str) -> str:
    return {
        "received": _("mới nhận"),
        "routed": _("đã chuyển đơn vị"),
        "answered_at_session": _("đã trả lời tại hội nghị"),
        "awaiting_response": _("chờ trả lời bằng văn bản"),
        "responded": _("đã trả lời"),
        "forwarded": _("đã chuyển cấp có thẩm quyền"),
        "rejected": _("không tiếp nhận"),
        "withdrawn": _("người dân đã rút"),
        "merged": _("đã gộp"),
        "draft": _("bản nháp"),
        "announced": _("đã thông báo, đang nhận câu hỏi"),
        "questions_closed": _("đã khoá nhận câu hỏi"),
        "held": _("đã tổ chức"),
        "concluded": _("đã có thông báo kết luận"),
        "closed": _("đã kết thúc"),
        "cancelled": _("đã huỷ"),
    }.get(status) or office_extra.status_label(status)


def status_name(status: str) -> str:
    return _status(status)


def triage_card(
    sub: Submission, suggested: Department | None, duplicates: list[Any], note: str | None
) -> str:
    lines = []
    if note:
        lines += [note, ""]
    source = " · Zalo" if sub.channel == Channel.ZALO else ""
    lines.append(_("📥 <b>Câu hỏi mới {code}</b>{source}").format(code=esc(sub.code), source=source))
    lines.append(
        _("Hội nghị: {title} ({date})").format(
            title=esc(sub.session.title), date=fmt_date(sub.session.starts_at)
        )
    )
    lines.append(
        _("Lĩnh vực: {topic}").format(topic=esc(name_of(sub.topic)) if sub.topic else _("chưa chọn"))
    )
    lines += ["", f"<blockquote>{esc(_short(sub.text, 2400, keep_lines=True))}</blockquote>"]
    lines += _contact_lines(sub)
    if sub.attachments:
        lines.append(
            _.n(
                "📎 {n} tệp đính kèm (gửi kèm bên dưới)",
                "📎 {n} tệp đính kèm (gửi kèm bên dưới)",
                len(sub.attachments),
            ).format(n=len(sub.attachments))
        )
    lines.append("")
    if suggested is not None:
        lines.append(_("Đề xuất chuyển: <b>{name}</b>").format(name=esc(name_of(suggested))))
    else:
        lines.append(_("Chưa có đề xuất đơn vị: vui lòng chọn."))
    if duplicates:
        lines.append(
            _("Có thể trùng với: {codes}").format(codes=", ".join(esc(c.submission.code) for c in duplicates))
        )
    return "\n".join(lines)


def _contact_lines(sub: Submission) -> list[str]:
    """Name, phone and address: only ever rendered for the office group and the assigned department."""
    lines = [_("Người hỏi: {name}").format(name=esc(sub.asker_name or "—"))]
    if not sub.public_name:
        lines[-1] += " " + _("(không công khai tên)")
    if sub.phone:
        lines.append(_("Điện thoại: {phone}").format(phone=esc(sub.phone)))
    if sub.address:
        lines.append(_("Địa chỉ: {address}").format(address=esc(sub.address)))
    return lines


def contact_lines(sub: Submission) -> list[str]:
    return _contact_lines(sub)


def attachment_caption(sub: Submission, att: Any) -> str:
    return _("📎 Tệp của {code}").format(code=esc(sub.code)) + (
        f": {esc(att.file_name)}" if att.file_name else ""
    )


def pick_department(sub: Submission) -> str:
    return _("Chọn đơn vị sẽ trả lời {code}:").format(code=esc(sub.code))


def merge_candidates(sub: Submission, count: int) -> str:
    if count:
        return _("{code} có thể trùng với các câu dưới đây. Chọn câu để gộp vào:").format(code=esc(sub.code))
    return _(
        "Không thấy câu nào giống {code} trong cùng hội nghị. "
        "Để gộp vào một câu khác, gõ: /merge {code} MÃ_CÂU_GỐC"
    ).format(code=esc(sub.code))


def routed_done(sub: Submission, dept: Department, actor_name: str) -> str:
    return _("✅ {code} đã chuyển cho <b>{dept}</b> ({who}).").format(
        code=esc(sub.code), dept=esc(name_of(dept)), who=esc(actor_name)
    )


def merged_done(sub: Submission, target: Submission, actor_name: str) -> str:
    return _("🔗 {code} đã gộp vào {target} ({who}). Người hỏi sẽ nhận cùng câu trả lời.").format(
        code=esc(sub.code), target=esc(target.code), who=esc(actor_name)
    )


def rejected_done(sub: Submission, reason: str, actor_name: str) -> str:
    return _("⛔ {code} không được tiếp nhận ({who}). Lý do: {reason}").format(
        code=esc(sub.code), who=esc(actor_name), reason=esc(reason)
    )


def clarification_sent(sub: Submission, actor_name: str) -> str:
    return _("❓ Đã hỏi lại người dân về {code} ({who}). Câu trả lời sẽ được gửi vào nhóm này.").format(
        code=esc(sub.code), who=esc(actor_name)
    )


def clarification_received(sub: Submission, text: str) -> str:
    return (
        _("💬 Người dân bổ sung cho {code}:").format(code=esc(sub.code))
        + f"\n<blockquote>{esc(_short(text, 1000, keep_lines=True))}</blockquote>"
    )


def handed_back_note(dept: Department | None, reason: str) -> str:
    return _("↩️ <b>{dept}</b> trả lại văn phòng. Lý do: {reason}").format(
        dept=esc(name_of(dept)), reason=esc(reason)
    )


def extension_request_card(sub: Submission, dept: Department | None, req: ExtensionRequest) -> str:
    lines = [
        _("⏳ <b>{dept}</b> xin gia hạn trả lời {code}").format(dept=esc(name_of(dept)), code=esc(sub.code)),
        _("Hạn hiện tại: {due}").format(due=fmt_date(sub.response_due) if sub.response_due else "—"),
        _("Hạn mới đề nghị: <b>{due}</b>").format(due=fmt_date(req.new_due)),
        _("Lý do: {reason}").format(reason=esc(req.reason)),
    ]
    return "\n".join(lines)


def extension_done(sub: Submission, req: ExtensionRequest, approve: bool, actor_name: str) -> str:
    if approve:
        return _("✅ Đã đồng ý gia hạn {code} đến {due} ({who}). Người dân đã được báo.").format(
            code=esc(sub.code), due=fmt_date(req.new_due), who=esc(actor_name)
        )
    return _("✖️ Không đồng ý gia hạn {code} ({who}). Hạn vẫn là {due}.").format(
        code=esc(sub.code), who=esc(actor_name), due=fmt_date(sub.response_due) if sub.response_due else "—"
    )


# --- prompts (replies expected) ------------------------------------------------------------------


def prompt_reject(sub: Submission) -> str:
    return _(
        "Lý do không tiếp nhận {code}? Trả lời (Reply) vào tin nhắn này. Người dân sẽ đọc lý do."
    ).format(code=esc(sub.code))


def prompt_clarify(sub: Submission) -> str:
    return _("Cần người dân bổ sung gì cho {code}? Trả lời (Reply) vào tin nhắn này.").format(
        code=esc(sub.code)
    )


def prompt_session_answer(sub: Submission) -> str:
    return (
        _(
            "Câu trả lời tại hội nghị cho {code}? Trả lời (Reply) vào tin nhắn này; người dân sẽ nhận được."
        ).format(code=esc(sub.code))
        + f"\n<blockquote>{esc(sub.text[:500])}</blockquote>"
    )


def prompt_notice(session: DialogueSession) -> str:
    return _(
        "Thông báo kết luận của hội nghị «{title}»: "
        "trả lời (Reply) vào tin nhắn này bằng văn bản và/hoặc tệp. "
        "Thông báo sẽ gửi tới các đơn vị liên quan và mọi người dân có câu hỏi chưa được giải quyết."
    ).format(title=esc(session.title))


def prompt_participants(session: DialogueSession) -> str:
    return _(
        "Xác nhận hội nghị «{title}» đã tổ chức: bao nhiêu người tham dự? Trả lời (Reply) vào tin nhắn "
        "này bằng một con số, ví dụ: 120"
    ).format(title=esc(session.title))


def bad_participants() -> str:
    return _("Vui lòng trả lời bằng một con số (số người tham dự), ví dụ: 120")


def prompt_postpone(session: DialogueSession) -> str:
    return _(
        "Hoãn hội nghị «{title}» (đang dự kiến {when}): ngày giờ mới? Trả lời (Reply) vào tin nhắn này, "
        "ví dụ: 15/01/2027 08:00. Nếu đã thông báo, ngày mới phải cách hôm nay ít nhất 7 ngày "
        "(trừ hội nghị đột xuất)."
    ).format(title=esc(session.title), when=fmt_datetime(session.starts_at))


def prompt_cancel(session: DialogueSession) -> str:
    return _(
        "Huỷ hội nghị «{title}»: lý do? Trả lời (Reply) vào tin nhắn này. Người dân có câu hỏi sẽ được báo "
        "rằng câu hỏi vẫn được trả lời bằng văn bản trong 30 ngày làm việc."
    ).format(title=esc(session.title))


def prompt_session_title() -> str:
    return _("Tạo hội nghị mới (1/4). Tên hội nghị? Trả lời (Reply) vào tin nhắn này. Gõ /cancel để huỷ.")


def prompt_session_when() -> str:
    return _("(2/4) Thời gian? Ví dụ: 15/12/2026 08:00")


def prompt_session_place() -> str:
    return _("(3/4) Địa điểm?")


def prompt_session_kind() -> str:
    return _("(4/4) Loại hội nghị?")


def bad_datetime() -> str:
    return _("Chưa hiểu thời gian. Ví dụ: 15/12/2026 08:00 (phải ở tương lai).")


def session_created_note() -> str:
    return _("🗓 Đã tạo hội nghị (bản nháp). Bấm «Thông báo hội nghị» khi sẵn sàng.")


def session_postponed_done(session: DialogueSession, who: str) -> str:
    return _("📅 Đã hoãn «{title}» sang {when} ({who}). Người dân có câu hỏi đã được báo.").format(
        title=esc(session.title), when=fmt_datetime(session.starts_at), who=esc(who)
    )


def session_cancelled_done(session: DialogueSession, who: str) -> str:
    return _(
        "✖️ Đã huỷ «{title}» ({who}). Người dân có câu hỏi đã được báo; các câu hỏi chờ trả lời bằng văn bản."
    ).format(title=esc(session.title), who=esc(who))


def too_early() -> str:
    return _("Hội nghị chưa đến giờ bắt đầu: chỉ xác nhận «đã tổ chức» sau khi hội nghị diễn ra.")


def session_created(session: DialogueSession) -> str:
    return _("🗓 Đã tạo hội nghị (bản nháp):") + "\n" + session_line(session)


def session_line(session: DialogueSession) -> str:
    return _("<b>{title}</b>\n{when} · {place}\nTrạng thái: {status}").format(
        title=esc(session.title),
        when=fmt_datetime(session.starts_at),
        place=esc(session.place),
        status=_status(session.status),
    )


def session_card(session: DialogueSession, now: datetime) -> str:
    """The session as it is now: what the office reads above the buttons its state allows."""
    status = _status(session.status)
    if session.status in ("announced", "questions_closed") and now >= session.starts_at:
        status = _("đã qua giờ hội nghị, chưa xác nhận đã tổ chức")
    lines = [
        f"🗓 <b>{esc(session.title)}</b>",
        _("Thời gian: {when} · Địa điểm: {place}").format(
            when=fmt_datetime(session.starts_at), place=esc(session.place)
        ),
        _("Hình thức: {kind}").format(kind=btn_kind(session.kind)),
        _("Trạng thái: <b>{status}</b>").format(status=status),
    ]
    if session.postponed_from is not None:
        lines.append(_("Đã hoãn từ {when}.").format(when=fmt_datetime(session.postponed_from)))
    if session.held_at is not None and session.participants is not None:
        lines.append(_("Số người tham dự: {n}").format(n=session.participants))
    if session.notice_at is not None:
        lines.append(_("Thông báo kết luận: {day}").format(day=fmt_date(session.notice_at)))
    if session.cancel_reason:
        lines.append(_("Lý do huỷ: {reason}").format(reason=esc(session.cancel_reason)))
    return "\n".join(lines)


def held_check(session: DialogueSession) -> str:
    return _(
        "❓ Hội nghị «{title}» dự kiến lúc {when} chưa được xác nhận đã tổ chức. Nếu đã tổ chức, "
        "bấm «Đã tổ chức» (sẽ hỏi số người tham dự) để tính hạn thông báo kết luận; nếu chưa, "
        "hoãn sang ngày khác hoặc huỷ. Người dân có câu hỏi sẽ được báo."
    ).format(title=esc(session.title), when=fmt_datetime(session.starts_at))


def no_sessions() -> str:
    return _("Chưa có hội nghị nào. Tạo mới: /session_new")


def session_announced(session: DialogueSession, notified: int) -> str:
    return _.n(
        "📣 Đã thông báo hội nghị «{title}». Đã báo {n} người dân đăng ký nhận tin.",
        "📣 Đã thông báo hội nghị «{title}». Đã báo {n} người dân đăng ký nhận tin.",
        notified,
    ).format(title=esc(session.title), n=notified)


def session_questions_closed(session: DialogueSession) -> str:
    return _("🔒 Đã khoá nhận câu hỏi cho «{title}».").format(title=esc(session.title))


def session_held(session: DialogueSession, count: int) -> str:
    return _.n(
        "✅ «{title}» đã tổ chức. {n} câu hỏi chờ ghi câu trả lời tại hội nghị: /answer MÃ",
        "✅ «{title}» đã tổ chức. {n} câu hỏi chờ ghi câu trả lời tại hội nghị: /answer MÃ",
        count,
    ).format(title=esc(session.title), n=count)


def notice_issued(session: DialogueSession, count: int, due: date | None) -> str:
    return _.n(
        "📜 Đã ra thông báo kết luận «{title}». {n} câu hỏi chờ trả lời bằng văn bản, hạn {due}.",
        "📜 Đã ra thông báo kết luận «{title}». {n} câu hỏi chờ trả lời bằng văn bản, hạn {due}.",
        count,
    ).format(title=esc(session.title), n=count, due=fmt_date(due) if due else "—")


def session_answer_done(sub: Submission, actor_name: str) -> str:
    return _("🎤 Đã ghi câu trả lời tại hội nghị cho {code} ({who}). Người dân đã được báo.").format(
        code=esc(sub.code), who=esc(actor_name)
    )


def agenda_caption(session: DialogueSession) -> str:
    return _("Chương trình hội nghị «{title}»").format(title=esc(session.title))


# --- /inbox, /find, /sub ------------------------------------------------------------------------


def inbox(subs: list[Submission], extensions: int) -> str:
    if not subs and not extensions:
        return _("📭 Không có việc gì đang chờ văn phòng.")
    lines = [
        _.n(
            "📥 {n} câu hỏi chờ phân loại (cũ nhất trước):",
            "📥 {n} câu hỏi chờ phân loại (cũ nhất trước):",
            len(subs),
        ).format(n=len(subs))
    ]
    for sub in subs:
        lines.append(f"• <b>{esc(sub.code)}</b> {fmt_date(sub.created_at)}: {esc(_short(sub.text))}")
    if extensions:
        lines.append(
            _.n(
                "⏳ {n} đề nghị gia hạn chờ quyết định.", "⏳ {n} đề nghị gia hạn chờ quyết định.", extensions
            ).format(n=extensions)
        )
    lines.append(_("Xem chi tiết: /sub MÃ"))
    return "\n".join(lines)


def _short(text: str, n: int = 80, keep_lines: bool = False) -> str:
    if not keep_lines:
        text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def find_results(query: str, subs: list[Submission]) -> str:
    if not subs:
        return _("Không tìm thấy câu hỏi nào với «{q}».").format(q=esc(query))
    lines = [_("🔎 Kết quả cho «{q}»:").format(q=esc(query))]
    for sub in subs:
        lines.append(f"• <b>{esc(sub.code)}</b> ({_status(sub.status)}): {esc(_short(sub.text))}")
    return "\n".join(lines)


def usage_find() -> str:
    return _("Cách dùng: /find MÃ hoặc vài từ trong câu hỏi")


def usage_sub() -> str:
    return _("Cách dùng: /sub MÃ (ví dụ /sub TD-26-0001)")


def usage_answer() -> str:
    return _("Cách dùng: /answer MÃ: ghi câu trả lời tại hội nghị cho một câu hỏi")


def usage_merge() -> str:
    return _("Cách dùng: /merge MÃ_CÂU_TRÙNG MÃ_CÂU_GỐC")


def usage_staff() -> str:
    return _("Cách dùng: /add_staff USER_ID Tên (trong nhóm văn phòng hoặc nhóm đơn vị)")


def _action(action: str) -> str:
    """A step of a question's history (the lifecycle's action names, bot/domain/lifecycle.py)."""
    return {
        "submit": _("người dân gửi câu hỏi"),
        "route": _("chuyển đơn vị"),
        "merge": _("gộp vào câu khác"),
        "duplicate_merged": _("nhận câu trùng"),
        "ask_citizen": _("hỏi lại người dân"),
        "clarify": _("người dân bổ sung"),
        "reject": _("không tiếp nhận"),
        "accept": _("đơn vị tiếp nhận"),
        "hand_back": _("đơn vị trả lại văn phòng"),
        "respond": _("trả lời bằng văn bản"),
        "request_extension": _("xin gia hạn"),
        "extend": _("đồng ý gia hạn"),
        "refuse_extension": _("không đồng ý gia hạn"),
        "forward": _("chuyển cấp có thẩm quyền"),
        "answer_at_session": _("trả lời tại hội nghị"),
        "conclusion_notice": _("thông báo kết luận"),
        "session_cancelled": _("hội nghị bị huỷ, trả lời bằng văn bản"),
        "withdraw": _("người dân rút câu hỏi"),
        "rate": _("người dân đánh giá"),
        "reopen": _("người dân báo chưa được giải quyết"),
        "erase": _("người dân xoá dữ liệu cá nhân"),
        "stand_alone": _("thay câu hỏi đã rút"),
    }.get(action) or office_extra.action_label(action)


def _actor(actor: str, names: dict[str, str]) -> str:
    if actor == "citizen":
        return _("người dân")
    if actor == "system":
        return _("hệ thống")
    return names.get(actor, actor)


def submission_detail(sub: Submission, events: list[SubmissionEvent], names: dict[str, str]) -> str:
    lines = [
        _("<b>{code}</b> · {status}").format(code=esc(sub.code), status=_status(sub.status)),
        _("Hội nghị: {title} ({date})").format(
            title=esc(sub.session.title), date=fmt_date(sub.session.starts_at)
        ),
        _("Lĩnh vực: {topic}").format(topic=esc(name_of(sub.topic)) if sub.topic else _("chưa chọn")),
        _("Đơn vị: {dept}").format(dept=esc(name_of(sub.department)) if sub.department else "—"),
    ]
    if sub.response_due:
        lines.append(_("Hạn trả lời: {due}").format(due=fmt_date(sub.response_due)))
    lines += _contact_lines(sub)
    lines += ["", f"<blockquote>{esc(_short(sub.text, 1200))}</blockquote>", _("Diễn biến:")]
    for event in events[-15:]:
        extra = ""
        for key in (
            "department",
            "into",
            "duplicate",
            "reason",
            "to",
            "new_due",
            "question",
            "text",
            "answer",
        ):
            if key in event.detail and event.detail[key]:
                extra = f": {esc(_short(str(event.detail[key]), 80))}"
                break
        lines.append(
            f"• {fmt_datetime(event.at)} · {esc(_actor(event.actor, names))} · {_action(event.action)}{extra}"
        )
    return "\n".join(lines)


# --- refusals and errors -------------------------------------------------------------------------


def not_allowed() -> str:
    return _("Ông/Bà không có quyền làm việc này ở đây.")


def unregistered_group() -> str:
    return _(
        "Nhóm này chưa được đăng ký với hệ thống. Quản trị viên dùng /link_office hoặc /link_department MÃ."
    )


def staff_command_in_private() -> str:
    return _("Lệnh này chỉ dùng trong nhóm của văn phòng hoặc của đơn vị.")


def stale_button() -> str:
    return _("Nút này đã cũ hoặc việc này đã được xử lý.")


def not_found(code: str) -> str:
    return _("Không tìm thấy câu hỏi {code}.").format(code=esc(code))


def wrong_state(detail: str = "") -> str:
    return _("Việc này không làm được ở trạng thái hiện tại (có thể người khác vừa xử lý).")


def session_not_held() -> str:
    return _("Hội nghị chưa được đánh dấu là đã tổ chức: bấm «Đã tổ chức» trong /sessions trước.")


def too_late_to_announce(days: int) -> str:
    return _(
        "Không thể thông báo: hội nghị phải được thông báo trước ít nhất {days} ngày (trừ hội nghị đột xuất)."
    ).format(days=days)


def notice_already_issued() -> str:
    return _(
        "Hội nghị này không ở trạng thái «đã tổ chức»: thông báo kết luận chỉ ra một lần, sau khi tổ chức."
    )


def empty_input() -> str:
    return _("Nội dung trống. Vui lòng trả lời (Reply) lại vào tin nhắn yêu cầu.")


def reply_to_prompt(code: str) -> str:
    return _(
        "Ông/Bà đang nhập cho {what}: vui lòng bấm «Trả lời» (Reply) "
        "vào đúng tin nhắn yêu cầu của bot, hoặc gõ /cancel."
    ).format(what=esc(code))


def prompt_replaced() -> str:
    return _("Tin nhắn yêu cầu này đã cũ. Vui lòng bấm lại nút của việc cần làm.")


def cancelled() -> str:
    return _("Đã huỷ.")


def nothing_to_cancel() -> str:
    return _("Không có việc gì đang nhập.")


def linked_office() -> str:
    return _("✅ Nhóm này là nhóm văn phòng. Câu hỏi mới của người dân sẽ được gửi vào đây.")


def linked_department(dept: Department) -> str:
    return _("✅ Nhóm này là nhóm của <b>{name}</b>.").format(name=esc(name_of(dept)))


def link_failed() -> str:
    return _("Không liên kết được: mã đơn vị không đúng, hoặc nhóm này đang là nhóm văn phòng.")


def staff_added(name: str, user_id: int) -> str:
    return _("✅ Đã thêm cán bộ {name} ({uid}).").format(name=esc(name), uid=user_id)


def invalid_input() -> str:
    return _("Nội dung chưa hợp lệ, vui lòng kiểm tra lại.")


# --- deadlines and follow-up, as the office reads them (from the ticks and the notifier) ---------


def _codes(subs: list[Submission], limit: int = 40) -> str:
    shown = ", ".join(esc(s.code) for s in subs[:limit])
    if len(subs) > limit:
        shown += _(" và {n} câu khác").format(n=len(subs) - limit)
    return shown


def conclusion_soon(session: DialogueSession, due: date) -> str:
    return _(
        "⏳ Nhắc: hạn ban hành thông báo kết luận buổi đối thoại «{title}» là {due} (ngày làm việc tới)."
    ).format(title=esc(session.title), due=fmt_date(due))


def conclusion_late(session: DialogueSession, due: date, citizens: int | None) -> str:
    """R4 passed without a notice: on the day (with how many citizens were told), then each working day."""
    text = _(
        "🔴 Quá hạn: thông báo kết luận buổi đối thoại «{title}» (hạn {due}) chưa được ban hành."
    ).format(title=esc(session.title), due=fmt_date(due))
    if citizens is not None:
        text += " " + _("Đã báo cho {n} người dân có câu hỏi.").format(n=citizens)
    return text


def conclusion_passed(session: DialogueSession, due: date, citizens: int) -> str:
    return _(
        "✅ Hạn thông báo kết luận buổi đối thoại «{title}» ({due}): đã báo tình hình cho {n} người dân."
    ).format(title=esc(session.title), due=fmt_date(due), n=citizens)


def overdue(by_dept: list[tuple[Department | None, list[Submission]]], today: date) -> str:
    total = sum(len(s) for _d, s in by_dept)
    lines = [
        _("🔴 Nhắc ({today}): {n} câu hỏi quá hạn trả lời bằng văn bản.").format(
            today=fmt_date(today), n=total
        )
    ]
    for dept, subs in by_dept:
        lines.append(f"• {esc(agency(dept))}: {_codes(subs, 15)}")
    return "\n".join(lines)[:TEXT_MAX]


def stands_alone(sub: Submission, gone: str) -> str:
    return _(
        "🔁 Câu hỏi {gone} đã được rút; câu hỏi trùng {code} (đã gộp vào nó) nay thay thế và được giải "
        "quyết tiếp."
    ).format(gone=esc(gone), code=esc(sub.code))


def reopened(sub: Submission, answered_by: Department | None) -> str:
    return _(
        "🔁 Người dân báo câu hỏi {code} CHƯA được giải quyết (đơn vị: {dept}). Đề nghị xem xét lại."
    ).format(code=esc(sub.code), dept=esc(agency(answered_by)))


def rated(sub: Submission, value: int) -> str:
    return _("⭐ Câu hỏi {code}: người dân đánh giá {n}/5.").format(code=esc(sub.code), n=value)


def undeliverable(chat_id: str, purpose: str, reason: str, code: str | None, at: datetime) -> str:
    text = _("⚠️ Không gửi được tin nhắn ({purpose}) tới {chat}: {reason}.").format(
        purpose=esc(purpose), chat=esc(chat_id), reason=esc(reason)
    )
    if code:
        text += "\n" + _("Câu hỏi: {code}. Đề nghị liên hệ người dân bằng cách khác.").format(code=esc(code))
    return text


def responded(sub: Submission, dept: Department | None, body: str | None, has_file: bool) -> str:
    text = _("📬 <b>{dept}</b> đã trả lời {code} bằng văn bản.").format(
        dept=esc(name_of(dept)), code=esc(sub.code)
    )
    if body:
        text += f"\n<blockquote>{esc(body[:1500])}</blockquote>"
    if has_file:
        text += "\n" + _("(kèm tệp)")
    return text


def forwarded(sub: Submission, dept: Department | None, authority: str, reason: str) -> str:
    return _("⬆️ <b>{dept}</b> đã chuyển {code} tới {authority}. Lý do: {reason}").format(
        dept=esc(name_of(dept)), code=esc(sub.code), authority=esc(authority), reason=esc(reason)
    )


# --- command menus (setMyCommands), per audience ----------------------------------------------------


def menu(audience: str) -> list[tuple[str, str]]:
    from bot.texts.office_extra import menu_entries as office_extra_menu_entries
    from bot.texts.public import menu_entries as public_menu_entries  # /publish, /unpublish (domain "public")
    from bot.texts.reports import menu_entries as reports_menu_entries  # /stats, /report (domain "reports")

    if audience == "citizen":
        return [
            ("start", _("Bắt đầu / menu chính")),
            ("ask", _("Gửi câu hỏi cho hội nghị")),
            ("my", _("Câu hỏi của tôi")),
            ("help", _("Hướng dẫn")),
            ("privacy", _("Dữ liệu cá nhân")),
            ("language", _("Ngôn ngữ / Language")),
        ]
    if audience in ("office", "office_below"):  # "office_below": the office of a unit with one above it
        from bot.texts.units import menu_entries as units_menu_entries  # /forward_up (domain "units")

        return [
            ("inbox", _("Việc đang chờ văn phòng")),
            ("find", _("Tìm câu hỏi theo mã hoặc từ khoá")),
            ("sub", _("Xem một câu hỏi và diễn biến")),
            ("sessions", _("Các hội nghị và thao tác")),
            ("session_new", _("Tạo hội nghị mới")),
            ("answer", _("Ghi câu trả lời tại hội nghị")),
            ("merge", _("Gộp câu trùng: /merge MÃ MÃ_GỐC")),
            ("agenda", _("Chương trình hội nghị (.docx)")),
            *reports_menu_entries(),
            *public_menu_entries(),
            *office_extra_menu_entries(),  # recording, importing, classifying, forwarding
            *(units_menu_entries() if audience == "office_below" else []),
            ("cancel", _("Huỷ việc đang nhập")),
        ]
    return [
        ("mine", _("Câu hỏi đơn vị đang giải quyết")),
        ("cancel", _("Huỷ việc đang nhập")),
    ]


def help_text(audience: str) -> str:
    lines = [_("Các lệnh trong nhóm này:")]
    lines += [f"/{command} — {esc(description)}" for command, description in menu(audience)]
    lines.append(_("Các việc khác: bấm nút dưới mỗi câu hỏi."))
    return "\n".join(lines)
