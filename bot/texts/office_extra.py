"""What the office group reads about what issue #13 added: questions it records (guided, or imported
from a spreadsheet), where a question came from, going through the agenda at the session,
classification and complaints set aside, forwarding to a competent authority and its answer, the
calls to make for askers no chat reaches, and the reporting windows. Message ids are Vietnamese
(domain "office_extra")."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator, current_locale, esc, fmt_date
from storage.models import Authority, DialogueSession, Submission, Topic

_ = Translator("office_extra")


def _name(item: Any) -> str:
    if item is None:
        return "—"
    en = getattr(item, "name_en", None)
    return en if current_locale() == "en" and en else item.name_vi


def _short(text: str, n: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _ref(number: str | None, day: date | None) -> str:
    if number and day:
        return _("văn bản số {no} ngày {day}").format(no=esc(number), day=fmt_date(day))
    if number:
        return _("văn bản số {no}").format(no=esc(number))
    return ""


# --- where a question came from, what it is -----------------------------------------------------------


def source_label(source: str | None, org: str | None = None) -> str:
    label = {
        "chat": _("qua Telegram/Zalo"),
        "floor": _("phát biểu tại hội nghị"),
        "front": _("do MTTQ, đoàn thể tổng hợp"),
        "paper": _("nhận bằng giấy, thư"),
        "phone": _("nhận qua điện thoại"),
    }.get(source or "chat", source or "")
    if source == "front" and org:
        label = _("do {org} tổng hợp (MTTQ, đoàn thể)").format(org=esc(org))
    return label


def source_button(source: str) -> str:
    return {
        "floor": _("🎤 Tại hội nghị"),
        "front": _("🤝 MTTQ, đoàn thể"),
        "paper": _("📄 Giấy, thư"),
        "phone": _("📞 Điện thoại"),
    }[source]


def nature_label(nature: str | None) -> str:
    return {
        "proposal": _("Kiến nghị"),
        "feedback": _("Phản ánh"),
        "policy": _("Hỏi đáp chính sách"),
        "complaint": _("Khiếu nại"),
        "denunciation": _("Tố cáo"),
    }.get(nature or "", _("Chưa phân loại"))


def source_note(sub: Submission) -> str | None:
    """The line above a recorded question's card: where it came from, and how to reach the asker."""
    if (sub.source or "chat") == "chat":
        return None
    text = _("📝 Câu hỏi {source}.").format(source=source_label(sub.source, sub.source_org))
    if sub.channel == "offline":
        if sub.phone:
            text += " " + _(
                "Người hỏi chưa dùng Telegram/Zalo: văn phòng báo kết quả qua điện thoại {phone}."
            ).format(phone=esc(sub.phone))
        else:
            text += " " + _("Người hỏi không để lại số điện thoại.")
    return text


def status_label(status: str) -> str:
    return {
        "answered_above": _("cấp trên đã trả lời"),
        "set_aside": _("chuyển xử lý theo quy định về khiếu nại, tố cáo"),
    }.get(status, status)


def action_label(action: str) -> str:
    """A step of a question's history (/sub) that issue #13 added."""
    return {
        "answer_from_above": _("ghi trả lời của cấp trên"),
        "classify": _("phân loại"),
        "set_aside": _("chuyển xử lý theo quy định về khiếu nại, tố cáo"),
        "follow_up": _("cần xử lý sau hội nghị"),
        "coordinate": _("thêm đơn vị phối hợp"),
        "contribute": _("đơn vị phối hợp gửi phần việc"),
        "link_chat": _("người hỏi liên kết tin nhắn"),
    }.get(action, action)


# --- buttons ------------------------------------------------------------------------------------------


def btn_record() -> str:
    return _("📝 Ghi câu hỏi")


def btn_floor() -> str:
    return _("🎤 Làm việc theo chương trình")


def btn_floor_answer() -> str:
    return _("🎤 Đã trả lời tại hội nghị")


def btn_floor_follow_up() -> str:
    return _("📌 Cần xử lý sau hội nghị")


def btn_floor_skip() -> str:
    return _("⏭ Câu tiếp theo")


def btn_classify() -> str:
    return _("🏷 Phân loại")


def btn_forward() -> str:
    return _("⬆️ Chuyển cấp trên")


def btn_set_aside() -> str:
    return _("⚖️ Chuyển xử lý theo quy định về khiếu nại, tố cáo")


def btn_keep_in_dialogue() -> str:
    return _("💬 Vẫn giải quyết trong đối thoại")


def btn_above_answer() -> str:
    return _("📨 Ghi trả lời của cấp trên")


def btn_no_topic() -> str:
    return _("Không rõ lĩnh vực")


def session_button(session: DialogueSession) -> str:
    return f"{fmt_date(session.starts_at)} · {session.title}"[:60]


def topic_button(topic: Topic) -> str:
    return _name(topic)[:60]


def authority_button(authority: Authority) -> str:
    return f"➡️ {_name(authority)}"[:60]


def department_button(dept: Any) -> str:
    return f"🤝 {_name(dept)}"[:60]


def window_button(window: Any) -> str:
    name = window.name_en if current_locale() == "en" else window.name_vi
    return _("📄 Báo cáo {name} {year} (hạn {due})").format(
        name=name, year=window.year, due=fmt_date(window.due)
    )[:60]


# --- recording a question (guided) --------------------------------------------------------------------


def no_session_takes_questions() -> str:
    return _(
        "Không có hội nghị nào đang nhận câu hỏi (đã thông báo, hoặc đang tổ chức và chưa ra thông báo kết "
        "luận). Xem: /sessions"
    )


def choose_session() -> str:
    return _("Ghi câu hỏi cho hội nghị nào?")


def record_topic_prompt(session: DialogueSession) -> str:
    return _("📝 Ghi câu hỏi cho hội nghị «{title}» (1/5). Câu hỏi thuộc lĩnh vực nào?").format(
        title=esc(session.title)
    )


def topic_chosen(topic: Topic | None) -> str:
    return _("Lĩnh vực: {topic}").format(topic=esc(_name(topic)) if topic else _("không rõ"))


def record_text_prompt() -> str:
    return _("(2/5) Nội dung câu hỏi? Trả lời (Reply) vào tin nhắn này. Gõ /cancel để huỷ.")


def bad_question_text(minimum: int, maximum: int, too_long: bool) -> str:
    if too_long:
        return _("Nội dung quá dài (tối đa {n} ký tự). Vui lòng rút gọn.").format(n=maximum)
    return _("Nội dung quá ngắn (ít nhất {n} ký tự, có chữ). Vui lòng trả lời lại.").format(n=minimum)


def record_source_prompt() -> str:
    return _("(3/5) Câu hỏi nhận được từ đâu?")


def source_chosen(source: str) -> str:
    return _("Nguồn: {source}").format(source=source_label(source))


def record_org_prompt() -> str:
    return _("(4/5) Tổ chức nào tổng hợp? Ví dụ: Ủy ban MTTQ xã, Hội Nông dân, Hội Phụ nữ, Đoàn Thanh niên.")


def org_too_long(maximum: int) -> str:
    return _("Tên tổ chức quá dài (tối đa {n} ký tự).").format(n=maximum)


def record_asker_prompt() -> str:
    return _(
        "(5/5) Người hỏi (không bắt buộc): họ tên; số điện thoại; thôn/xóm — cách nhau bằng dấu chấm phẩy, "
        "ví dụ: Nguyễn Văn Ba; 0912345678; Thôn 2. Gõ «-» nếu không có."
    )


def bad_asker(field: str) -> str:
    if field == "phone":
        return _("Số điện thoại chưa đúng (ví dụ 0912345678). Vui lòng trả lời lại, hoặc gõ «-».")
    return _("Thông tin người hỏi chưa đúng. Ví dụ: Nguyễn Văn Ba; 0912345678; Thôn 2 — hoặc gõ «-».")


def recorded_done(sub: Submission, who: str) -> str:
    text = _("✅ Đã ghi câu hỏi <b>{code}</b> ({source}) cho hội nghị «{title}» ({who}).").format(
        code=esc(sub.code),
        source=source_label(sub.source, sub.source_org),
        title=esc(sub.session.title),
        who=esc(who),
    )
    return text + "\n" + follow_instructions(sub)


def follow_instructions(sub: Submission) -> str:
    if sub.phone:
        return _(
            "Người hỏi có thể theo dõi trên Telegram/Zalo: nhắn cho bot «{code} {last4}» (mã câu hỏi và 4 số "
            "cuối điện thoại). Đến khi đó, văn phòng được nhắc gọi điện báo kết quả."
        ).format(code=esc(sub.code), last4=esc(sub.phone[-4:]))
    return _("Người hỏi không để lại số điện thoại: kết quả sẽ được công bố tại hội nghị và trong báo cáo.")


# --- importing a spreadsheet --------------------------------------------------------------------------


def import_prompt(session: DialogueSession) -> str:
    return _(
        "Nhập câu hỏi cho hội nghị «{title}»: trả lời (Reply) vào tin nhắn này bằng tệp bảng tính .xlsx "
        "(mẫu: /import_template). Tệp có dòng sai sẽ không được nhập dòng nào."
    ).format(title=esc(session.title))


def template_caption() -> str:
    return _(
        "📗 Mẫu bảng tính nhập câu hỏi: mỗi dòng một câu hỏi; bắt buộc nội dung và nguồn. Điền xong, gõ "
        "/import "
        "và gửi tệp."
    )


def import_needs_file() -> str:
    return _("Vui lòng trả lời bằng tệp bảng tính .xlsx (mẫu: /import_template).")


def import_too_big() -> str:
    return _("Tệp quá lớn (tối đa 5 MB).")


def problem(p: Any) -> str:
    """One refused row (bot/domain/importing.py ``Problem``)."""
    reasons = {
        "not_xlsx": _("Tệp không phải bảng tính .xlsx."),
        "no_header": _("Không thấy dòng tiêu đề (cần cột «Nội dung câu hỏi»)."),
        "missing_column": _("Thiếu cột «{field}»."),
        "no_rows": _("Bảng tính không có câu hỏi nào."),
        "too_many_rows": _("Quá nhiều dòng (tối đa {value})."),
        "text_missing": _("thiếu nội dung câu hỏi"),
        "text_short": _("nội dung quá ngắn"),
        "text_long": _("nội dung quá dài"),
        "source_missing": _("thiếu nguồn (tại hội nghị / MTTQ, đoàn thể / giấy / điện thoại)"),
        "source_unknown": _("nguồn «{value}» không hợp lệ"),
        "org_missing": _("nguồn MTTQ, đoàn thể nhưng thiếu tên tổ chức"),
        "org_long": _("tên tổ chức quá dài"),
        "topic_unknown": _("lĩnh vực «{value}» không có trong danh mục"),
        "nature_unknown": _("tính chất «{value}» không hợp lệ"),
        "public_unknown": _("cột công khai tên phải là Có hoặc Không (đang là «{value}»)"),
        "phone_bad": _("số điện thoại «{value}» không đúng"),
        "name_bad": _("họ tên «{value}» không hợp lệ"),
        "hamlet_bad": _("thôn, xóm quá dài"),
    }
    text = reasons.get(p.reason, p.reason).format(field=esc(p.field), value=esc(_short(p.value, 60)))
    if p.row:
        return _("Dòng {row}: {reason}").format(row=p.row, reason=text)
    return text


def import_refused(problems: list[Any], file_name: str) -> str:
    shown = problems[:25]
    lines = [
        _.n(
            "⛔ Không nhập tệp {name}: {n} lỗi. Chưa câu hỏi nào được nhập. Sửa rồi gửi lại (Reply vào "
            "tin nhắn yêu cầu):",
            "⛔ Không nhập tệp {name}: {n} lỗi. Chưa câu hỏi nào được nhập. Sửa rồi gửi lại (Reply vào "
            "tin nhắn yêu cầu):",
            len(problems),
        ).format(name=esc(file_name), n=len(problems))
    ]
    lines += [f"• {problem(p)}" for p in shown]
    if len(problems) > len(shown):
        lines.append(_("… và {n} lỗi khác.").format(n=len(problems) - len(shown)))
    return "\n".join(lines)


def import_done(session: DialogueSession, subs: list[Submission], who: str) -> str:
    codes = ", ".join(esc(s.code) for s in subs[:30]) + ("…" if len(subs) > 30 else "")
    return _.n(
        "✅ Đã nhập {n} câu hỏi cho hội nghị «{title}» ({who}): {codes}. Mỗi câu có thẻ phân loại bên dưới.",
        "✅ Đã nhập {n} câu hỏi cho hội nghị «{title}» ({who}): {codes}. Mỗi câu có thẻ phân loại bên dưới.",
        len(subs),
    ).format(n=len(subs), title=esc(session.title), who=esc(who), codes=codes)


# --- the agenda at the session ------------------------------------------------------------------------


def floor_card(found: Any) -> str:
    """The moving card: the next open question of the session being held, or that all are done."""
    session = found.session
    head = _("🎤 <b>{title}</b> — làm việc theo chương trình").format(title=esc(session.title))
    tally = _("Đã trả lời tại hội nghị: {a} · Cần xử lý sau: {f}").format(a=found.answered, f=found.follow_up)
    sub = found.submission
    if sub is None:
        return "\n".join(
            [
                head,
                tally,
                "",
                _("✅ Đã đi hết các câu hỏi. Bấm «Ra thông báo kết luận» trên thẻ hội nghị khi có."),
            ]
        )
    lines = [
        head,
        tally,
        "",
        _("Câu {i}/{n} còn lại: <b>{code}</b> · {dept}").format(
            i=found.position,
            n=found.left,
            code=esc(sub.code),
            dept=esc(_name(sub.department)) if sub.department else _("chưa phân công"),
        ),
    ]
    if (sub.source or "chat") != "chat":
        lines.append(_("Nguồn: {source}").format(source=source_label(sub.source, sub.source_org)))
    asker = sub.asker_name if sub.public_name and sub.asker_name else _("ẩn danh")
    lines += [
        _("Người hỏi: {name}").format(name=esc(asker)),
        f"<blockquote>{esc(_short(sub.text, 1500))}</blockquote>",
    ]
    return "\n".join(lines)


# --- classification -----------------------------------------------------------------------------------


def choose_nature(sub: Submission) -> str:
    return _("🏷 Phân loại {code} theo tính chất:").format(code=esc(sub.code))


def usage_classify() -> str:
    return _(
        "Cách dùng: /classify MÃ — phân loại câu hỏi (kiến nghị, phản ánh, hỏi đáp chính sách, khiếu "
        "nại, tố cáo)"
    )


def classified_done(sub: Submission, who: str) -> str:
    return _("🏷 {code}: {nature} ({who}).").format(
        code=esc(sub.code), nature=nature_label(sub.nature), who=esc(who)
    )


def classified_complaint(sub: Submission, who: str) -> str:
    return _(
        "🏷 {code}: {nature} ({who}). Khiếu nại, tố cáo được xử lý theo luật riêng: bấm «Chuyển xử lý "
        "theo quy "
        "định…» để đưa ra khỏi thời hạn và số liệu đối thoại, hoặc giữ lại trong đối thoại."
    ).format(code=esc(sub.code), nature=nature_label(sub.nature), who=esc(who))


def kept_in_dialogue(sub: Submission) -> str:
    return _("💬 {code} vẫn được giải quyết trong đối thoại.").format(code=esc(sub.code))


def prompt_set_aside(sub: Submission) -> str:
    return _(
        "Chuyển {code} xử lý theo quy định về {nature}: cơ quan, bộ phận nào xử lý? Trả lời (Reply) vào tin "
        "nhắn này; người dân sẽ đọc nội dung này. Ví dụ: Bộ phận tiếp công dân UBND xã thụ lý theo Luật "
        "Khiếu nại."
    ).format(code=esc(sub.code), nature=nature_label(sub.nature).lower())


def set_aside_done(sub: Submission, who: str) -> str:
    return _(
        "⚖️ {code} đã chuyển xử lý theo quy định về khiếu nại, tố cáo ({who}). Người dân đã được báo; "
        "câu hỏi "
        "không còn tính vào thời hạn và số liệu đối thoại (được thống kê riêng)."
    ).format(code=esc(sub.code), who=esc(who))


# --- coordinating departments -------------------------------------------------------------------------


def usage_coordinate() -> str:
    return _("Cách dùng: /coordinate MÃ — thêm đơn vị phối hợp với đơn vị chủ trì trả lời")


def choose_coordinator(sub: Submission) -> str:
    return _("🤝 Đơn vị nào phối hợp với {lead} trả lời {code}?").format(
        lead=esc(_name(sub.department)) if sub.department else _("đơn vị chủ trì"), code=esc(sub.code)
    )


def coordinator_added_done(sub: Submission, dept: Any, who: str) -> str:
    return _("🤝 {dept} phối hợp trả lời {code} ({who}); đơn vị chủ trì vẫn là người trả lời.").format(
        dept=esc(_name(dept)), code=esc(sub.code), who=esc(who)
    )


# --- forwarding to a competent authority --------------------------------------------------------------


def usage_forward() -> str:
    return _("Cách dùng: /forward MÃ — chuyển câu hỏi vượt thẩm quyền tới cơ quan có thẩm quyền")


def no_authorities() -> str:
    return _(
        "Danh bạ chưa có cơ quan cấp trên ([[authorities]] trong tệp danh bạ). Bấm «⬆️ Chuyển cấp trên» "
        "trên thẻ để gõ tên."
    )


def choose_authority(sub: Submission) -> str:
    return _("⬆️ Chuyển {code} tới cơ quan có thẩm quyền nào?").format(code=esc(sub.code))


def prompt_forward_document(sub: Submission, authority: Authority) -> str:
    return _(
        "Chuyển {code} tới {authority}: số và ngày văn bản chuyển, rồi lý do. Trả lời (Reply) vào tin nhắn "
        "này, ví dụ: 12/UBND-VP 20/12/2026 Vượt thẩm quyền cấp xã. Người dân sẽ được báo nơi nhận và lý do."
    ).format(code=esc(sub.code), authority=esc(_name(authority)))


def prompt_forward_free(sub: Submission) -> str:
    return _(
        "Chuyển {code} tới cơ quan có thẩm quyền: trả lời (Reply) vào tin nhắn này, dòng 1 là tên cơ quan, "
        "dòng 2 là số, ngày văn bản chuyển và lý do. Ví dụ:\nUBND huyện Thạch Hà\n12/UBND-VP 20/12/2026 Vượt "
        "thẩm quyền cấp xã"
    ).format(code=esc(sub.code))


def forward_free_needs_lines() -> str:
    return _("Cần 2 dòng: tên cơ quan; rồi số, ngày văn bản chuyển và lý do.")


def forward_needs_document() -> str:
    return _("Cần số và ngày văn bản chuyển, ví dụ: 12/UBND-VP 20/12/2026, rồi lý do.")


def document_in_future() -> str:
    return _("Ngày văn bản không thể sau hôm nay. Vui lòng kiểm tra lại số và ngày văn bản.")


def forward_needs_reason() -> str:
    return _("Cần lý do chuyển (người dân sẽ đọc), sau số và ngày văn bản.")


def forwarded_done(sub: Submission, who: str) -> str:
    return _("⬆️ {code} đã chuyển tới <b>{authority}</b> ({ref}) ({who}). Người dân đã được báo.").format(
        code=esc(sub.code),
        authority=esc(sub.forwarded_to or ""),
        ref=_ref(sub.forward_doc_no, sub.forward_doc_date),
        who=esc(who),
    )


def forwarded_card(sub: Submission, actor: str) -> str:
    """In the office group: a question went up; the button records the answer when it comes."""
    by = (
        _("đơn vị {dept}").format(dept=esc(_name(sub.department)))
        if actor.startswith("dept:")
        else _("văn phòng")
    )
    lines = [
        _("⬆️ <b>{code}</b> đã chuyển tới <b>{authority}</b> ({by}).").format(
            code=esc(sub.code), authority=esc(sub.forwarded_to or ""), by=by
        )
    ]
    ref = _ref(sub.forward_doc_no, sub.forward_doc_date)
    if ref:
        lines.append(_("Văn bản chuyển: {ref}").format(ref=ref))
    lines.append(_("Lý do: {reason}").format(reason=esc(sub.forward_reason or "")))
    if sub.forward_follow_up:
        lines.append(
            _("Văn phòng theo dõi, đôn đốc từ ngày {day}.").format(day=fmt_date(sub.forward_follow_up))
        )
    lines.append(_("Khi cấp trên trả lời, bấm nút dưới đây để ghi và chuyển cho người dân."))
    return "\n".join(lines)


def forward_follow_up(sub: Submission) -> str:
    since = fmt_date(sub.forwarded_at) if sub.forwarded_at else "—"
    return _(
        "⏰ Đôn đốc: {code} đã chuyển tới <b>{authority}</b> từ {since} ({ref}) nhưng chưa có trả lời. Đề "
        "nghị "
        "liên hệ cơ quan này; khi có trả lời, bấm nút dưới đây."
    ).format(
        code=esc(sub.code),
        authority=esc(sub.forwarded_to or ""),
        since=since,
        ref=_ref(sub.forward_doc_no, sub.forward_doc_date) or "—",
    )


def prompt_above_answer(sub: Submission) -> str:
    return _(
        "Trả lời của {authority} cho {code}: trả lời (Reply) vào tin nhắn này bằng nội dung và/hoặc tệp "
        "văn bản. "
        "Mọi người hỏi sẽ nhận được."
    ).format(authority=esc(sub.forwarded_to or ""), code=esc(sub.code))


def above_answer_done(sub: Submission, who: str) -> str:
    return _("📨 Đã ghi trả lời của {authority} cho {code} ({who}). Người dân đã được báo.").format(
        authority=esc(sub.forwarded_to or ""), code=esc(sub.code), who=esc(who)
    )


def above_answer_note(sub: Submission, askers: int) -> str:
    return _.n(
        "📨 <b>{authority}</b> đã trả lời {code}; đã chuyển cho {n} người hỏi.",
        "📨 <b>{authority}</b> đã trả lời {code}; đã chuyển cho {n} người hỏi.",
        askers,
    ).format(authority=esc(sub.forwarded_to or ""), code=esc(sub.code), n=askers)


def forwarded_list(subs: list[Submission]) -> str:
    if not subs:
        return _("✅ Không có câu hỏi nào đang chờ cấp trên trả lời.")
    lines = [
        _.n("⬆️ {n} câu hỏi chờ cấp trên trả lời:", "⬆️ {n} câu hỏi chờ cấp trên trả lời:", len(subs)).format(
            n=len(subs)
        )
    ]
    for sub in subs:
        lines.append(
            _("• <b>{code}</b> → {authority}, từ {since}; đôn đốc từ {follow}").format(
                code=esc(sub.code),
                authority=esc(sub.forwarded_to or ""),
                since=fmt_date(sub.forwarded_at) if sub.forwarded_at else "—",
                follow=fmt_date(sub.forward_follow_up) if sub.forward_follow_up else "—",
            )
        )
    return "\n".join(lines)


# --- askers no chat reaches: the calls to make, and a chat linked at last -----------------------------


def calls_to_make(items: list[tuple[Submission, Any]]) -> str:
    lines = [_("📞 <b>Cần gọi điện báo người hỏi</b> (chưa dùng Telegram/Zalo):")]
    for sub, note in items:
        who = esc(sub.asker_name or _("người hỏi"))
        phone = esc(sub.phone) if sub.phone else _("không có số điện thoại")
        lines.append(f"• <b>{esc(sub.code)}</b> · {who} · {phone}: {esc(_short(note.text, 300))}")
    return "\n".join(lines)


def linked_note(sub: Submission, channel: str) -> str:
    return _(
        "🔗 Người hỏi {code} đã liên kết {channel}: từ nay nhận thông báo trực tiếp, không cần gọi điện."
    ).format(code=esc(sub.code), channel=esc(channel.capitalize()))


# --- reporting windows --------------------------------------------------------------------------------


def _window_name(window: Any) -> str:
    return window.name_en if current_locale() == "en" else window.name_vi


def report_offer(window: Any) -> str:
    return _(
        "📄 Kỳ báo cáo hiện tại: <b>{name} {year}</b>, số liệu từ {start} đến {end}, hạn gửi trước {due}. "
        "Bấm để "
        "lấy bảng tính và dự thảo báo cáo."
    ).format(
        name=esc(_window_name(window)),
        year=window.year,
        start=fmt_date(window.start),
        end=fmt_date(window.end),
        due=fmt_date(window.due),
    )


def report_reminder(window: Any, working_days: int) -> str:
    return _.n(
        "⏰ Nhắc: báo cáo {name} {year} phải gửi trước ngày {due} (còn {n} ngày làm việc). Số liệu từ "
        "{start} đến "
        "{end}. Bấm để lấy dự thảo.",
        "⏰ Nhắc: báo cáo {name} {year} phải gửi trước ngày {due} (còn {n} ngày làm việc). Số liệu từ "
        "{start} đến "
        "{end}. Bấm để lấy dự thảo.",
        working_days,
    ).format(
        name=esc(_window_name(window)),
        year=window.year,
        due=fmt_date(window.due),
        n=working_days,
        start=fmt_date(window.start),
        end=fmt_date(window.end),
    )


def menu_entries() -> list[tuple[str, str]]:
    """The office group's menu entries for these commands."""
    return [
        ("record", _("Ghi câu hỏi (tại hội nghị, MTTQ, giấy, điện thoại)")),
        ("import", _("Nhập câu hỏi từ bảng tính .xlsx")),
        ("import_template", _("Mẫu bảng tính nhập câu hỏi")),
        ("classify", _("Phân loại: /classify MÃ")),
        ("forward", _("Chuyển cấp trên: /forward MÃ")),
        ("forwarded", _("Câu hỏi chờ cấp trên trả lời")),
        ("coordinate", _("Thêm đơn vị phối hợp: /coordinate MÃ")),
    ]


def undeliverable_call(phone: str | None, is_citizen: bool) -> str:
    """Added to "could not send": whom the office can phone instead."""
    if phone:
        return _("📞 Không kênh nào tới được người dân: xin gọi điện cho họ theo số {phone}.").format(
            phone=esc(phone)
        )
    if is_citizen:
        return _("Người dân không để lại số điện thoại.")
    return ""
