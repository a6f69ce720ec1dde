"""The written response (R5, "thông báo bằng văn bản") as a document: the department sends the signed
file (PDF or .docx), its number and date of issue (số, ngày văn bản) and a short summary for the
citizen; the citizen receives the file with the summary, and the reports list the document number.
A reply in text only is recorded as such (no number, no file)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import department
from bot.domain.errors import InvalidInput
from bot.i18n import local_date
from storage.models import Submission

DOCUMENT_TYPES = (".pdf", ".docx", ".doc")
SUMMARY_MAX = 1000
NUMBER_MAX = 64


def is_document(file_name: str | None) -> bool:
    return bool(file_name) and file_name.lower().endswith(DOCUMENT_TYPES)


async def respond_with_document(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    *,
    file_id: str,
    file_name: str | None,
    doc_no: str,
    doc_date: date,
    summary: str,
    actor: str,
    now: datetime,
) -> Submission:
    if not is_document(file_name):
        raise InvalidInput("the response must be a PDF or .docx document", field="file")
    doc_no = (doc_no or "").strip()
    if not doc_no or len(doc_no) > NUMBER_MAX:
        raise InvalidInput("the document's number is missing", field="number")
    if doc_date > local_date(now):
        raise InvalidInput("the document's date is in the future", field="date")
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise InvalidInput("a short summary is needed", field="summary", max=SUMMARY_MAX)
    return await department.respond(
        db,
        submission_id,
        department_id,
        summary,
        file_id,
        actor,
        now,
        response_doc_no=doc_no,
        response_doc_date=doc_date,
        response_file_name=file_name,
    )
