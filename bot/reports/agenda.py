"""The session's agenda as a .docx the chair can print: questions grouped by department, then topic,
with codes, and the asker's name where the citizen allowed it."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.i18n import Translator, fmt_datetime
from storage.models import DialogueSession, Submission, SubmissionStatus

_ = Translator("office")

ON_AGENDA = lifecycle.OPEN | {SubmissionStatus.ANSWERED_AT_SESSION}


async def agenda_items(db: AsyncSession, session: DialogueSession) -> list[tuple[str, str, list[Submission]]]:
    """[(department name, topic name, submissions)] in department, then topic order."""
    rows = list(
        await db.scalars(
            select(Submission)
            .where(Submission.session_id == session.id, Submission.status.in_(sorted(ON_AGENDA)))
            .order_by(Submission.id)
        )
    )
    groups: dict[tuple[str, str], list[Submission]] = {}
    for sub in rows:
        dept = sub.department.name_vi if sub.department else _("Chưa phân công")
        topic = sub.topic.name_vi if sub.topic else _("Vấn đề khác")
        groups.setdefault((dept, topic), []).append(sub)
    unassigned = _("Chưa phân công")
    keys = sorted(groups, key=lambda k: (k[0] == unassigned, k[0], k[1]))
    return [(d, t, groups[(d, t)]) for d, t in keys]


async def build_agenda(db: AsyncSession, session: DialogueSession) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    doc.add_heading(_("CHƯƠNG TRÌNH HỘI NGHỊ ĐỐI THOẠI"), level=1)
    doc.add_paragraph(session.title)
    doc.add_paragraph(
        _("Thời gian: {when}. Địa điểm: {place}.").format(
            when=fmt_datetime(session.starts_at), place=session.place
        )
    )
    items = await agenda_items(db, session)
    if not items:
        doc.add_paragraph(_("Chưa có câu hỏi nào."))
    current_dept = None
    number = 0
    for dept, topic, subs in items:
        if dept != current_dept:
            doc.add_heading(dept, level=2)
            current_dept = dept
        doc.add_heading(topic, level=3)
        for sub in subs:
            number += 1
            asker = sub.asker_name if sub.public_name and sub.asker_name else _("Ẩn danh")
            para = doc.add_paragraph()
            para.add_run(f"{number}. {sub.code}").bold = True
            para.add_run(f" ({asker}): {sub.text}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
