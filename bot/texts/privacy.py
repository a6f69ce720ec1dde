"""Sentences about personal data shown to staff: the audit log (``/audit`` in the office group).
Message ids are Vietnamese (domain "privacy")."""

from __future__ import annotations

from bot.domain import audit
from bot.i18n import Translator, esc, fmt_datetime
from storage.models import AuditEntry

_ = Translator("privacy")

AUDIT_DEFAULT = 20
AUDIT_MAX = 100


def action_label(action: str) -> str:
    labels = {
        audit.VIEW_SUBMISSION: _("xem câu hỏi"),
        audit.FIND: _("tìm câu hỏi"),
        audit.AGENDA: _("tải chương trình hội nghị"),
        audit.REPORT_FILES: _("tải báo cáo"),
        audit.REPORT_CLI: _("xuất báo cáo trên máy chủ"),
    }
    return labels.get(action, action)


def place_label(entry: AuditEntry, places: dict[str, str]) -> str:
    if entry.chat_id is None:
        return _("dòng lệnh trên máy chủ")
    return places.get(entry.chat_id) or _("nhóm {chat}").format(chat=entry.chat_id)


def audit_list(entries: list[AuditEntry], places: dict[str, str]) -> str:
    """The most recent accesses, newest first; ``places`` names the registered groups by chat id."""
    if not entries:
        return _("🔐 Chưa có lượt xem dữ liệu cá nhân nào được ghi lại.")
    lines = [
        _.n(
            "🔐 {n} lượt xem dữ liệu cá nhân gần nhất:",
            "🔐 {n} lượt xem dữ liệu cá nhân gần nhất:",
            len(entries),
        ).format(n=len(entries))
    ]
    for entry in entries:
        who = esc(entry.actor_name or entry.actor)
        what = action_label(entry.action)
        if entry.subject:
            what += f" <b>{esc(entry.subject)}</b>"
        lines.append(
            f"• {fmt_datetime(entry.at)} — {who} ({esc(entry.actor)}) — {what} — "
            f"{esc(place_label(entry, places))}"
        )
    return "\n".join(lines)


def office_group() -> str:
    return _("nhóm văn phòng")


def department_group(name: str) -> str:
    return _("nhóm {department}").format(department=name)


def audit_admins_only() -> str:
    return _("🔐 Chỉ quản trị viên mới xem được nhật ký truy cập dữ liệu cá nhân.")


def audit_usage() -> str:
    return _("Cách dùng: /audit hoặc /audit 50 (số lượt gần nhất, tối đa {max})").format(max=AUDIT_MAX)
