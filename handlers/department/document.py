"""The written response as a document. «✍️ Trả lời» takes a reply: text only (recorded as a text
reply), or the signed document (PDF or .docx). For a document the bot then asks, unless the caption
already gave them, its number and date of issue (số, ngày văn bản) and a short summary the citizen
reads with the file; the reports list the document's number."""

from __future__ import annotations

from datetime import date

from bot.domain import department as work
from bot.domain import forwarding, queries, written
from bot.i18n import local_date
from bot.texts import department as td
from bot.texts import department_extra as tdx
from handlers.staff import Again, Reply, ask_reply


def ask_next(reply: Reply, text: str, step: str, **kept: str | None) -> None:
    """The next prompt about the same question, once this reply is committed."""
    target = reply.target
    reply.after.append(
        lambda: ask_reply(
            reply.bot,
            reply.db,
            reply.state,
            reply.message.chat.id,
            reply.message.from_user,
            text,
            step,
            target,
            **kept,
        )  # fmt: skip
    )


async def reply_answer(reply: Reply) -> str | None:
    message = reply.message
    if message.photo:
        raise Again(tdx.document_not_photo())
    if message.document is None:
        if not reply.text:
            raise Again(td.answer_needs_content())
        sub = await work.respond(
            reply.db, reply.target, reply.department.id, reply.text, None, reply.actor, reply.now
        )
        return td.answered_done(sub, reply.who, len(await queries.askers(reply.db, sub)))
    name = message.document.file_name or ""
    if not written.is_document(name):
        raise Again(tdx.document_wrong_type())
    number, day, summary = forwarding.parse_reference(reply.text)
    if day is not None and day > local_date(reply.now):
        number = day = None  # a caption that is not the document's reference: asked for below
    kept = {"file": message.document.file_id, "name": name, "summary": summary or None}
    if number and day:
        if summary:
            return await _respond(reply, kept, number, day.isoformat(), summary)
        ask_next(reply, tdx.prompt_summary(), "answer_summary", no=number, day=day.isoformat(), **kept)
        return None
    ask_next(reply, tdx.prompt_document_ref(), "answer_ref", **kept)
    return None


async def reply_ref(reply: Reply) -> str | None:
    number, day, rest = forwarding.parse_reference(reply.needs_text())
    if not number or day is None:
        raise Again(tdx.bad_document_ref())
    if day > local_date(reply.now):
        raise Again(tdx.document_in_future())
    kept = {k: reply.pending.get(k) for k in ("file", "name", "summary")}
    summary = kept.get("summary") or rest
    if summary:
        return await _respond(reply, {**kept, "summary": summary}, number, day.isoformat(), summary)
    ask_next(reply, tdx.prompt_summary(), "answer_summary", no=number, day=day.isoformat(), **kept)
    return None


async def reply_summary(reply: Reply) -> str:
    p = reply.pending
    return await _respond(reply, p, p["no"], p["day"], reply.needs_text())


async def _respond(reply: Reply, kept: dict, number: str, day: str, summary: str) -> str:
    sub = await written.respond_with_document(
        reply.db,
        reply.target,
        reply.department.id,
        file_id=kept["file"],
        file_name=kept.get("name"),
        doc_no=number,
        doc_date=date.fromisoformat(day),
        summary=summary,
        actor=reply.actor,
        now=reply.now,
    )
    return tdx.answered_with_document(sub, reply.who, len(await queries.askers(reply.db, sub)))


REPLIES = {"answer": reply_answer, "answer_ref": reply_ref, "answer_summary": reply_summary}
