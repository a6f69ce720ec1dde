"""Who looked at personal data: every staff access to a question's contact details or words
(``/sub``, ``/find``, the agenda, report files that name askers, ``doithoai report``) is recorded
with who, when, what and from which chat, in the transaction of the access. An admin reads it with
``/audit`` in the office group or ``doithoai audit`` on the command line.

The log names questions by tracking code, never by their content, so it holds no citizen's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry

VIEW_SUBMISSION = "view_submission"  # /sub CODE: the full card (contact details, question, history)
FIND = "find"  # /find: questions searched by their words or the asker's name
AGENDA = "agenda"  # the session's agenda (.docx): every question, askers named where they allowed it
REPORT_FILES = "report_files"  # /report: the workbook and the document (askers named where allowed)
REPORT_CLI = "report_cli"  # doithoai report: the same files, on the server
ACTIONS = (VIEW_SUBMISSION, FIND, AGENDA, REPORT_FILES, REPORT_CLI)

SUBJECT_MAX = 300


async def record(
    db: AsyncSession,
    *,
    actor: str,
    action: str,
    now: datetime,
    actor_name: str = "",
    chat_id: int | str | None = None,
    subject: str = "",
    **detail: Any,
) -> None:
    """One access, in the caller's transaction. ``actor`` is ``tg:<user id>`` or ``cli:<system user>``;
    ``subject`` names what was seen (tracking codes, a period, a session), never its content."""
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    db.add(
        AuditEntry(
            at=now,
            actor=actor,
            actor_name=actor_name[:200],
            chat_id=None if chat_id is None else str(chat_id),
            action=action,
            subject=subject,
            detail=detail,
        )
    )


def telegram_actor(user_id: int) -> str:
    return f"tg:{user_id}"


async def latest(db: AsyncSession, limit: int = 20, since: datetime | None = None) -> list[AuditEntry]:
    """The most recent entries first (or, with ``since``, every entry from then on, oldest first)."""
    query = select(AuditEntry)
    if since is not None:
        return list(
            await db.scalars(query.where(AuditEntry.at >= since).order_by(AuditEntry.at, AuditEntry.id))
        )
    return list(await db.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
