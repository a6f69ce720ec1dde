"""Every sentence of transparency on Telegram: publishing answers from the office group ("📢 Công khai"),
the oversight group (Fatherland Front, People's Inspection Board) and the public channel. Message ids are
Vietnamese (domain "public"). Nothing here names a citizen except where the citizen allowed it."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator, esc, fmt_date, fmt_datetime
from bot.reports.metrics import Fact, Report
from bot.texts.reports import fact_department, pct
from storage.models import DialogueSession, Submission

_ = Translator("public")

QUOTE_MAX = 1500
DIGEST_SHOWN = 40  # the weekly digest lists at most this many questions per list


def _short(text: str | None, n: int) -> str:
    value = (text or "").strip()
    return value if len(value) <= n else value[: n - 1] + "…"


def _link(url: str | None, label: str) -> str:
    return f'<a href="{esc(url)}">{esc(label)}</a>' if url else esc(label)


# --- publishing from the office group -------------------------------------------------------------


def btn_publish() -> str:
    return _("📢 Công khai")


def btn_edit_then_publish() -> str:
    return _("✏️ Sửa rồi công khai")


def btn_dismiss() -> str:
    return _("✖️ Thôi")


def btn_edit_published() -> str:
    return _("✏️ Sửa nội dung công khai")


def btn_unpublish() -> str:
    return _("🙈 Gỡ khỏi trang công khai")


def publication_card(sub: Submission, question: str, answer: str | None, url: str | None) -> str:
    """What the office checks before publishing (or what is published now)."""
    lines = [
        _("📢 <b>Công khai câu hỏi {code}</b>").format(code=esc(sub.code)),
        _("Hội nghị: {title} ({date})").format(
            title=esc(sub.session.title), date=fmt_date(sub.session.starts_at)
        ),
    ]
    if sub.published_at is not None:
        lines.append(
            _("Đang công khai từ {when}: {link}").format(
                when=fmt_datetime(sub.published_at), link=_link(url, _("xem trên trang"))
            )
        )
    lines += [
        "",
        _("<b>Câu hỏi</b> (như sẽ đăng):"),
        f"<blockquote>{esc(_short(question, QUOTE_MAX))}</blockquote>",
    ]
    lines.append(_("<b>Trả lời</b>:"))
    if answer:
        lines.append(f"<blockquote>{esc(_short(answer, QUOTE_MAX))}</blockquote>")
    else:
        lines.append(_("(trả lời bằng văn bản gửi riêng người hỏi; trang chỉ ghi là đã trả lời)"))
    if sub.public_name and sub.asker_name:
        lines.append(
            _("Tên người hỏi hiện trên trang: {name} (người hỏi đã đồng ý).").format(name=esc(sub.asker_name))
        )
    else:
        lines.append(_("Tên người hỏi không hiện trên trang (người hỏi không đồng ý)."))
    lines.append(
        _(
            "⚠️ Trước khi công khai, kiểm tra không còn họ tên người khác, số điện thoại, địa chỉ nhà, "
            "số giấy tờ. Bấm «Sửa rồi công khai» để viết lại."
        )
    )
    return "\n".join(lines)


def prompt_edit(sub: Submission) -> str:
    return _(
        "gửi lại nội dung câu hỏi {code} như sẽ đăng công khai (đã bỏ họ tên, số điện thoại, địa chỉ). "
        "Muốn sửa cả câu trả lời: xuống dòng, gõ --- rồi viết câu trả lời. "
        "Bấm «Trả lời» (Reply) vào tin nhắn này."
    ).format(code=esc(sub.code))


def published_done(sub: Submission, who: str, url: str | None) -> str:
    return (
        _("📢 Đã công khai {code} ({who}). {link}")
        .format(code=esc(sub.code), who=esc(who), link=_link(url, _("Xem trên trang")) if url else "")
        .strip()
    )


def edited_done(sub: Submission, who: str, url: str | None) -> str:
    return (
        _("✏️ Đã sửa nội dung công khai của {code} ({who}). {link}")
        .format(code=esc(sub.code), who=esc(who), link=_link(url, _("Xem trên trang")) if url else "")
        .strip()
    )


def unpublished_done(sub: Submission, who: str) -> str:
    return _("🙈 Đã gỡ {code} khỏi trang công khai ({who}).").format(code=esc(sub.code), who=esc(who))


def dismissed() -> str:
    return _("Đã thôi, không công khai.")


def not_answered(code: str) -> str:
    return _(
        "Câu hỏi {code} chưa được trả lời: chỉ công khai được câu hỏi đã trả lời tại hội nghị "
        "hoặc bằng văn bản."
    ).format(code=esc(code))


def already_published(code: str) -> str:
    return _("Câu hỏi {code} đã được công khai rồi. Xem hoặc sửa: /publish {code}").format(code=esc(code))


def not_published(code: str) -> str:
    return _("Câu hỏi {code} không được công khai trên trang.").format(code=esc(code))


def usage_publish() -> str:
    return _("Cách dùng: /publish MÃ (ví dụ /publish TD-26-0042): xem câu hỏi, câu trả lời và công khai.")


def usage_unpublish() -> str:
    return _("Cách dùng: /unpublish MÃ: gỡ câu hỏi khỏi trang công khai.")


def menu_entries() -> list[tuple[str, str]]:
    """The office group's menu entries for these commands."""
    return [
        ("publish", _("Công khai câu hỏi đã trả lời: /publish MÃ")),
        ("unpublish", _("Gỡ câu hỏi khỏi trang công khai")),
    ]


# --- the oversight group ----------------------------------------------------------------------------


def linked_oversight() -> str:
    return _(
        "✅ Nhóm này là nhóm giám sát (Mặt trận Tổ quốc, Ban Thanh tra nhân dân). Mỗi thứ Hai nhóm nhận "
        "danh sách câu hỏi trễ hạn và quá hạn; gõ /stats để xem số liệu. Nhóm không nhận thông tin cá nhân "
        "của người dân."
    )


def oversight_link_refused() -> str:
    return _("Không liên kết được: nhóm này đang là nhóm văn phòng hoặc nhóm của một đơn vị.")


def oversight_help() -> str:
    return _(
        "Nhóm giám sát chỉ xem số liệu: /stats (6 tháng hiện tại), /stats 2026, /stats 2026H1, "
        "/stats #SỐ_HỘI_NGHỊ. Danh sách trễ hạn, quá hạn được gửi mỗi thứ Hai."
    )


def oversight_refused() -> str:
    return _(
        "Lệnh này dành cho văn phòng và các đơn vị, không dùng trong nhóm giám sát. "
        "Ở đây dùng /stats để xem số liệu."
    )


def oversight_menu() -> list[tuple[str, str]]:
    return [
        ("stats", _("Số liệu và biểu đồ: /stats 2026H1")),
        ("help", _("Nhóm giám sát dùng được những gì")),
    ]


def _fact_line(fact: Fact, settled: bool) -> str:
    due = fmt_date(fact.response_due) if fact.response_due else "—"
    if settled:
        return _("• {code} – {dept}: hạn {due}, trả lời {on}, trễ {late} ngày").format(
            code=esc(fact.code),
            dept=esc(fact_department(fact)),
            due=due,
            on=fmt_date(fact.settled_on) if fact.settled_on else "—",
            late=fact.days_late,
        )
    return _("• {code} – {dept}: hạn {due}, đã quá {late} ngày").format(
        code=esc(fact.code), dept=esc(fact_department(fact)), due=due, late=fact.days_late
    )


def weekly_digest(
    overdue: list[Fact], late: list[Fact], week_start: date, today: date, url: str | None
) -> str:
    """The oversight group's Monday digest: codes, departments and days late only."""
    lines = [
        _("🔎 <b>Giám sát: câu hỏi trễ hạn, quá hạn</b>"),
        _("Tính đến ngày {today}.").format(today=fmt_date(today)),
        "",
    ]
    if overdue:
        lines.append(_("<b>⚠️ Quá hạn, chưa trả lời ({n})</b>").format(n=len(overdue)))
        lines += [_fact_line(f, settled=False) for f in overdue[:DIGEST_SHOWN]]
        if len(overdue) > DIGEST_SHOWN:
            lines.append(_("… và {n} câu hỏi khác.").format(n=len(overdue) - DIGEST_SHOWN))
    else:
        lines.append(_("✅ Không có câu hỏi nào quá hạn."))
    lines.append("")
    if late:
        lines.append(
            _("<b>Trả lời trễ hạn từ {start} ({n})</b>").format(start=fmt_date(week_start), n=len(late))
        )
        lines += [_fact_line(f, settled=True) for f in late[:DIGEST_SHOWN]]
        if len(late) > DIGEST_SHOWN:
            lines.append(_("… và {n} câu hỏi khác.").format(n=len(late) - DIGEST_SHOWN))
    else:
        lines.append(_("Không có câu trả lời trễ hạn trong tuần qua."))
    if url:
        lines += ["", _link(url, _("Số liệu theo từng đơn vị trên trang công khai"))]
    return "\n".join(lines)


# --- the public channel -----------------------------------------------------------------------------


def channel_announcement(session: DialogueSession, page_url: str | None, ask_url: str | None) -> str:
    lines = [
        _("📣 <b>Thông báo hội nghị đối thoại</b>"),
        f"<b>{esc(session.title)}</b>",
        _("🕗 {when}").format(when=fmt_datetime(session.starts_at)),
        _("📍 {place}").format(place=esc(session.place)),
    ]
    if session.questions_close_at is not None:
        lines.append(_("Nhận câu hỏi đến {when}.").format(when=fmt_datetime(session.questions_close_at)))
    lines.append("")
    if ask_url:
        lines.append(_("Gửi câu hỏi trước hội nghị: {link}").format(link=_link(ask_url, _("nhắn cho bot"))))
    else:
        lines.append(_("Gửi câu hỏi trước hội nghị: nhắn tin cho bot của xã."))
    if page_url:
        lines.append(_link(page_url, _("Chi tiết trên trang công khai")))
    return "\n".join(lines)


def channel_conclusion(session: DialogueSession, body: str | None, page_url: str | None) -> str:
    lines = [
        _("📜 <b>Thông báo kết luận hội nghị</b> «{title}»").format(title=esc(session.title)),
        _("Hội nghị ngày {day}; thông báo ngày {notice}.").format(
            day=fmt_date(session.starts_at),
            notice=fmt_date(session.notice_at) if session.notice_at else "—",
        ),
    ]
    if body:
        lines.append(f"<blockquote>{esc(_short(body, 2500))}</blockquote>")
    lines.append(_("Các câu hỏi chưa giải quyết xong được trả lời bằng văn bản trong 30 ngày làm việc."))
    if page_url:
        lines.append(_link(page_url, _("Toàn văn và các câu trả lời trên trang công khai")))
    return "\n".join(lines)


def channel_monthly(report: Report, month: str, url: str | None) -> str:
    t = report.totals
    lines = [
        _("📊 <b>Tổng kết tháng {month}</b>").format(month=esc(month)),
        _("Các hội nghị 12 tháng qua: {held} đã tổ chức.").format(held=report.sessions_held),
        _(
            "Nhận {received} ý kiến; đã giải quyết {settled}; đang giải quyết {open} (quá hạn {overdue})."
        ).format(received=t.received, settled=t.settled, open=t.open, overdue=t.overdue),
        _("Tỉ lệ trả lời đúng hạn: {rate}.").format(rate=pct(t.on_time_rate)),
    ]
    if t.rated:
        lines.append(
            _("Hài lòng: {rate} trong {n} lượt đánh giá.").format(rate=pct(t.satisfied_rate), n=t.rated)
        )
    if url:
        lines.append(_link(url, _("Số liệu từng đơn vị trên trang công khai")))
    return "\n".join(lines)
