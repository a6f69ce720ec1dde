"""What people read about units on a deployment of many (issue #15): a citizen choosing their commune,
a question handed up to the province, and the offices' notes about it. Message ids are Vietnamese
(domain "units")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import Translator, current_locale, esc, fmt_datetime

_ = Translator("units")


def _unit(unit: Any) -> str:
    if unit is None:
        return "?"
    en = getattr(unit, "name_en", None)
    return esc(en if current_locale() == "en" and en else unit.name_vi)


# --- the citizen -------------------------------------------------------------------------------------


def choose_unit() -> str:
    return _(
        "Ông/Bà đang sống ở xã/phường nào? Hãy gõ một phần tên xã/phường (có dấu hoặc không dấu), "
        "ví dụ: <i>Thạch Đài</i> hoặc <i>thach dai</i>."
    )


def choose_among(count: int) -> str:
    return _.n(
        "Có {n} xã/phường hợp với tên Ông/Bà gõ. Xin chọn một:",
        "Có {n} xã/phường hợp với tên Ông/Bà gõ. Xin chọn một:",
        count,
    ).format(n=count)


def choose_among_first(count: int, shown: int) -> str:
    return _(
        "Có {n} xã/phường hợp với tên Ông/Bà gõ; đây là {shown} xã/phường đầu. Xin chọn một, "
        "hoặc gõ thêm tên cho đủ hơn:"
    ).format(n=count, shown=shown)


def unit_not_found(typed: str) -> str:
    return _("Không tìm thấy xã/phường nào có tên “{typed}”. Xin gõ lại một phần tên khác.").format(
        typed=esc(typed[:60])
    )


def unit_link_unknown(code: str) -> str:
    return _(
        "Đường liên kết Ông/Bà vừa mở ghi mã xã/phường “{code}”, nhưng không có xã/phường nào mang mã "
        "này. Ông/Bà sẽ chọn xã/phường của mình khi đặt câu hỏi."
    ).format(code=esc(code[:20]))


def unit_text_expected() -> str:
    return _("Xin gõ tên xã/phường của Ông/Bà.")


def unit_set(unit: Any) -> str:
    return _(
        "Đã ghi nhận: Ông/Bà thuộc <b>{unit}</b>. Các hội nghị đối thoại được giới thiệu là của "
        "xã/phường này và của tỉnh. Có thể đổi bất cứ lúc nào trong trình đơn."
    ).format(unit=_unit(unit))


def btn_change_unit() -> str:
    return _("🏠 Xã/phường của tôi")


def forwarded_up(code: str, below: Any, above: Any) -> str:
    return _(
        "Câu hỏi {code} của Ông/Bà vượt thẩm quyền của {below} nên đã được chuyển lên <b>{above}</b> "
        "để xem xét, trả lời. Ông/Bà sẽ được báo tại đây ở từng bước."
    ).format(code=esc(code), below=_unit(below), above=_unit(above))


# --- the offices -------------------------------------------------------------------------------------


def menu_entries() -> list[tuple[str, str]]:
    """The office menu's extra command in a unit that has a unit above it (a commune's office)."""
    return [("forward_up", _("Chuyển câu hỏi lên cấp trên: /forward_up MÃ lý do"))]


def usage_forward_up() -> str:
    return _(
        "Cách dùng: /forward_up MÃ lý do — chuyển câu hỏi vượt thẩm quyền lên cấp trên trong hệ thống "
        "(ví dụ: /forward_up TD-26-0001 Vượt thẩm quyền cấp xã)."
    )


def no_unit_above() -> str:
    return _("Đơn vị này không có cấp trên trong hệ thống.")


def sent_up(code: str, above: Any) -> str:
    return _("⬆️ Đã chuyển câu hỏi {code} lên <b>{above}</b>. Văn phòng sẽ được báo kết quả.").format(
        code=esc(code), above=_unit(above)
    )


def arrived_from_below(below: Any, note: str, history: Sequence[Any]) -> str:
    """The note on the triage card a question handed up arrives with: who sent it, why, its history."""
    lines = [
        _("⬆️ Chuyển lên từ <b>{below}</b>. Lý do: {note}").format(below=_unit(below), note=esc(note)),
        _("Diễn biến trước đó:"),
    ]
    for row in history:
        extra = (row.detail or {}).get("note") or (row.detail or {}).get("reason") or ""
        line = f"• {fmt_datetime(row.at)} — {esc(row.action)}"
        lines.append(line + (f": {esc(str(extra)[:200])}" if extra else ""))
    return "\n".join(lines)


def outcome_above(code: str, above: Any, status: str, text: str | None) -> str:
    """The commune hears what became of a question it handed up."""
    head = _("ℹ️ Câu hỏi {code} đã chuyển lên {above}: {what}").format(
        code=esc(code), above=_unit(above), what=esc(outcome_label(status))
    )
    return head + (f"\n<blockquote>{esc(text[:1500])}</blockquote>" if text else "")


def sent_to_authority(authority: str, reason: str) -> str:
    """What follows "forwarded to the competent authority" in the note to the unit below (plain text:
    the note escapes it)."""
    if not reason:
        return authority
    return _("{authority}. Lý do: {reason}").format(authority=authority, reason=reason)


def outcome_label(status: str) -> str:
    labels = {
        "routed": _("đã giao cơ quan chuyên môn"),
        "awaiting_response": _("đã giao cơ quan chuyên môn"),
        "responded": _("đã trả lời bằng văn bản"),
        "answered_at_session": _("đã trả lời tại hội nghị"),
        "rejected": _("không tiếp nhận"),
        "forwarded": _("đã chuyển cơ quan có thẩm quyền"),
        "answered_above": _("cơ quan có thẩm quyền đã trả lời"),
        "set_aside": _("chuyển xử lý theo quy định về khiếu nại, tố cáo"),
        "merged": _("đã gộp vào câu hỏi cùng nội dung"),
    }
    return labels.get(status, status)


# --- admins linking the groups of a deployment of many units (handlers/staff.py) ---------------------


def _codes(choices: Sequence[Any]) -> str:
    return ", ".join(f"<b>{esc(u.code)}</b> ({_unit(u)})" for u in choices)


def name_the_unit_office(choices: Sequence[Any]) -> str:
    """/link_office without a unit (or with an unknown one), on a deployment of many units."""
    below = [u for u in choices if getattr(u, "parent_id", None) is not None]
    example = (below or list(choices) or [None])[0]
    return _(
        "Hệ thống có nhiều đơn vị hành chính: ghi rõ nhóm này là nhóm văn phòng của đơn vị nào, "
        "ví dụ /link_office {example} (mã viết hoa hay thường đều được). Các đơn vị: {units}."
    ).format(example=esc(example.code if example else "CX"), units=_codes(choices))


def name_the_unit_department(code: str, choices: Sequence[Any]) -> str:
    """/link_department CODE when several units have a department with that code."""
    example = choices[0].code if choices else "CX"
    return _(
        "Mã {code} có ở nhiều đơn vị hành chính: {units}. Ghi rõ đơn vị trước mã, ví dụ "
        "/link_department {example} {code} (mã viết hoa hay thường đều được), hoặc chọn bên dưới."
    ).format(code=esc(code.strip().upper()), example=esc(example), units=_codes(choices))


def linked_office_of(unit: Any) -> str:
    return _(
        "✅ Nhóm này là nhóm văn phòng của <b>{unit}</b>. Câu hỏi mới của người dân đơn vị này sẽ được "
        "gửi vào đây; câu hỏi đang chờ xem bằng /inbox."
    ).format(unit=_unit(unit))


def office_of_another(unit: Any) -> str:
    return _(
        "Không liên kết được: nhóm này đang là nhóm văn phòng của <b>{unit}</b>. Hãy liên kết nhóm "
        "văn phòng khác cho đơn vị đó trước."
    ).format(unit=_unit(unit))


def handed_up_from_department(code: str, above: Any) -> str:
    """To the department that held a question its office handed up."""
    return _("⬆️ Văn phòng đã chuyển {code} lên {above}: đơn vị không cần trả lời câu hỏi này nữa.").format(
        code=esc(code), above=_unit(above)
    )


LISTED_UNITS = 12  # /stats names the units to choose from when there are no more than this


def unit_unknown(arg: str, choices: Sequence[Any], several: bool = False) -> str:
    """``/stats`` naming no unit of the office's, or several (``choices``: those it could mean)."""
    if several:
        text = _("“{arg}” hợp với nhiều đơn vị. Xin gõ mã của một đơn vị:").format(arg=arg[:40])
    else:
        text = _("Không có đơn vị “{arg}” trực thuộc.").format(arg=arg[:40])
    if len(choices) <= LISTED_UNITS:
        text += " " + ", ".join(f"{u.code} ({u.name_vi})" for u in choices) + "."
    return text + " " + _("Gõ /stats MÃ_ĐƠN_VỊ hoặc tên đơn vị (ví dụ: /stats TD, /stats 2026 Thạch Đài).")


def report_units(groups: Sequence[Any]) -> str:
    """The per-unit table under a province's figures (empty for one unit)."""
    if len(groups) < 2:
        return ""
    lines = ["", _("<b>Theo từng đơn vị</b>")]
    for group in groups:
        c = group.counts
        lines.append(
            _(
                "• {unit}: nhận {received}, đã trả lời {answered}, đang giải quyết {open} (quá hạn {overdue})"
            ).format(
                unit=esc(str(group.name)),
                received=c.received,
                answered=c.settled,
                open=c.open,
                overdue=c.overdue,
            )
        )
    return "\n".join(lines)


def unit_column() -> str:
    return _("Đơn vị hành chính")


def unit_sheet() -> str:
    return _("Theo đơn vị hành chính")


def unit_table_heading() -> str:
    return _("Kết quả theo đơn vị hành chính")


def lists_in_unit_reports() -> str:
    return _(
        "Danh sách từng ý kiến, văn bản trả lời và kiến nghị chuyển cấp trên của mỗi đơn vị có trong báo "
        "cáo của đơn vị đó."
    )


def late_counts(late: int, overdue: int) -> str:
    return _(
        "Có {late} ý kiến được trả lời trễ hạn và {overdue} ý kiến đã quá hạn nhưng chưa được trả lời."
    ).format(late=late, overdue=overdue)
