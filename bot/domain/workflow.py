"""What staff do to a submission, as plain operations over the database.

Each operation checks the state inside the transaction (a conditional UPDATE, so two staff pressing
the same button at once cannot both win), writes a ``SubmissionEvent``, and enqueues the messages
it causes (to the citizen, the office group, the department group) through ``bot.outbox`` in the
same transaction. A merged duplicate shares its target's answer: every asker is told.

Actors are written as ``office:<user id>`` / ``dept:<user id>`` / ``citizen`` / ``system``.
Domain errors (``WrongState``, ``NotAllowed``, ``InvalidInput``, ``DeadlineInPast``, ``NotFound``)
tell the caller what went wrong; nothing has changed when one is raised.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import sessions
from bot.domain.directory import office_chat_id
from bot.domain.errors import DeadlineInPast, InvalidInput, NotAllowed, NotFound, WrongState
from bot.i18n import local_date, use_locale
from bot.notify import cards
from bot.notify.outbox import enqueue, enqueue_to_citizen
from bot.texts import department as td
from bot.texts import office as to
from storage.models import (
    Citizen,
    Department,
    DialogueSession,
    ExtensionRequest,
    SessionStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)

S = SubmissionStatus
OPEN_FOR_DEPARTMENT = (S.ROUTED, S.AWAITING_RESPONSE)
UNRESOLVED = (S.RECEIVED, S.ROUTED, S.AWAITING_RESPONSE)
REASON_MAX = 1000
ANSWER_MAX = 3500


def office_actor(user_id: int) -> str:
    return f"office:{user_id}"


def dept_actor(user_id: int) -> str:
    return f"dept:{user_id}"


# --- helpers ------------------------------------------------------------------------------------


async def get_submission(db: AsyncSession, submission_id: int) -> Submission:
    sub = await db.get(Submission, submission_id)
    if sub is None:
        raise NotFound("no such submission")
    return sub


async def by_code(db: AsyncSession, code: str) -> Submission | None:
    return await db.scalar(select(Submission).where(Submission.code == code))


async def log(
    db: AsyncSession, sub: Submission, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    db.add(SubmissionEvent(submission_id=sub.id, at=now, actor=actor, action=action, detail=detail))
    await db.flush()


async def _transition(
    db: AsyncSession, sub: Submission, allowed: tuple[str, ...], now: datetime, *where: Any, **values: Any
) -> None:
    """Move ``sub`` on only if it is still in an allowed state (and ``where`` holds); else WrongState."""
    result = await db.execute(
        update(Submission)
        .where(Submission.id == sub.id, Submission.status.in_([str(s) for s in allowed]), *where)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(sub)
        raise WrongState("the submission changed meanwhile", status=sub.status)
    await db.refresh(sub)


def _clean(text: str | None, what: str, max_len: int = REASON_MAX) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"{what} is empty")
    if len(value) > max_len:
        raise InvalidInput(f"{what} is too long", max=max_len)
    return value


async def askers(db: AsyncSession, sub: Submission) -> list[tuple[Submission, Citizen]]:
    """The submission and every duplicate merged into it, with their citizens."""
    merged = list(
        await db.scalars(
            select(Submission).where(Submission.merged_into_id == sub.id).order_by(Submission.id)
        )
    )
    out = []
    for item in [sub, *merged]:
        citizen = await db.get(Citizen, item.citizen_id)
        if citizen is not None:
            out.append((item, citizen))
    return out


async def _tell_askers(
    db: AsyncSession, sub: Submission, event: str, now: datetime, render: Any, **kw: Any
) -> None:
    """Enqueue one message per asker (the submission and its merged duplicates), in each one's locale.
    ``render(item)`` returns the text for that asker's own submission."""
    for item, citizen in await askers(db, sub):
        with use_locale(citizen.locale):
            text = render(item)
        await enqueue_to_citizen(
            db,
            citizen,
            key=f"{event}:{item.code}",
            purpose=event.split(":")[0],
            text=text,
            now=now,
            submission_id=item.id,
            **kw,
        )


async def _to_office(db: AsyncSession, key: str, purpose: str, text: str, now: datetime, **kw: Any) -> None:
    chat = await office_chat_id(db)
    if chat is not None:
        await enqueue(db, key=key, chat_id=chat, purpose=purpose, text=text, now=now, **kw)


async def _to_department(
    db: AsyncSession, dept: Department | None, key: str, purpose: str, text: str, now: datetime, **kw: Any
) -> None:
    if dept is not None and dept.chat_id is not None:
        await enqueue(db, key=key, chat_id=dept.chat_id, purpose=purpose, text=text, now=now, **kw)


def _seq(now: datetime) -> str:
    """A key suffix for events that may legitimately happen more than once (hand back, re-route)."""
    return now.strftime("%Y%m%d%H%M%S%f")


async def department(db: AsyncSession, department_id: int) -> Department:
    dept = await db.get(Department, department_id)
    if dept is None or not dept.active:
        raise NotFound("no such department")
    return dept


# --- triage (office) -----------------------------------------------------------------------------


async def route(
    db: AsyncSession, submission_id: int, department_id: int, actor: str, now: datetime
) -> Submission:
    """Assign to a department: the department's group gets the card, the citizen is told to whom."""
    sub = await get_submission(db, submission_id)
    dept = await department(db, department_id)
    await _transition(
        db,
        sub,
        (S.RECEIVED, S.AWAITING_RESPONSE),
        now,
        Submission.department_id.is_(None),
        department_id=dept.id,
        routed_at=now,
        accepted_at=None,
        status=S.AWAITING_RESPONSE if sub.status == S.AWAITING_RESPONSE else S.ROUTED,
    )
    # merged duplicates follow their target
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(department_id=dept.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await log(db, sub, actor, "routed", now, department=dept.code)
    key = f"routed:{sub.code}:{_seq(now)}"
    text, buttons = cards.render_department_card(sub)
    await _to_department(db, dept, key, "department_card", text, now, buttons=buttons, submission_id=sub.id)
    for att in sub.attachments:
        await _to_department(
            db,
            dept,
            f"{key}:att:{att.id}",
            "department_attachment",
            _att_caption(sub, att),
            now,
            document=_document(att, _att_caption(sub, att)),
            submission_id=sub.id,
        )
    await _tell_askers(db, sub, f"routed:{dept.code}", now, lambda item: to.citizen_routed(item, dept))
    return sub


def _att_caption(sub: Submission, att: Any) -> str:
    with use_locale(cards.GROUP_LOCALE):
        return to.attachment_caption(sub, att)


def _document(att: Any, caption: str) -> dict[str, str]:
    doc = {"file_id": att.file_id, "caption": caption}
    if att.kind == "photo":
        doc["kind"] = "photo"
    return doc


async def merge(
    db: AsyncSession, submission_id: int, target_id: int, actor: str, now: datetime
) -> Submission:
    """Merge a duplicate into an earlier submission of the same session; its asker shares the answer."""
    sub = await get_submission(db, submission_id)
    target = await get_submission(db, target_id)
    if target.id == sub.id or target.session_id != sub.session_id:
        raise InvalidInput("a submission can only be merged into another one of the same session")
    if target.merged_into_id is not None or target.status in (S.MERGED, S.WITHDRAWN, S.REJECTED):
        raise WrongState("the target cannot take duplicates", status=target.status)
    await _transition(
        db,
        sub,
        (S.RECEIVED,),
        now,
        status=S.MERGED,
        merged_into_id=target.id,
        department_id=target.department_id,
        awaiting_clarification=False,
    )
    # anything already merged into the duplicate now follows the target
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(merged_into_id=target.id, department_id=target.department_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await log(db, sub, actor, "merged", now, into=target.code)
    await log(db, target, actor, "duplicate_merged", now, duplicate=sub.code)
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is not None:
        with use_locale(citizen.locale):
            text = to.citizen_merged(sub, target)
        await enqueue_to_citizen(
            db, citizen, key=f"merged:{sub.code}", purpose="merged", text=text, now=now, submission_id=sub.id
        )
        # an answer already given reaches the new asker too
        if target.session_answer:
            with use_locale(citizen.locale):
                text = to.citizen_session_answer(sub, target.session_answer)
            await enqueue_to_citizen(
                db,
                citizen,
                key=f"session_answer:{sub.code}",
                purpose="session_answer",
                text=text,
                now=now,
                submission_id=sub.id,
            )
        if target.responded_at is not None:
            with use_locale(citizen.locale):
                text = td.citizen_response(sub, target.department, target.response_text)
            doc = (
                {"file_id": target.response_file_id, "caption": sub.code} if target.response_file_id else None
            )
            await enqueue_to_citizen(
                db,
                citizen,
                key=f"responded:{sub.code}",
                purpose="response",
                text=text,
                now=now,
                submission_id=sub.id,
                document=doc,
            )
    return sub


async def request_clarification(
    db: AsyncSession, submission_id: int, question: str, actor: str, now: datetime
) -> Submission:
    sub = await get_submission(db, submission_id)
    question = _clean(question, "question")
    await _transition(db, sub, UNRESOLVED, now, awaiting_clarification=True)
    await log(db, sub, actor, "clarification_requested", now, question=question)
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is not None:
        with use_locale(citizen.locale):
            text = to.citizen_clarification_request(sub, question)
        await enqueue_to_citizen(
            db,
            citizen,
            key=f"clarify:{sub.code}:{_seq(now)}",
            purpose="clarification_request",
            text=text,
            now=now,
            submission_id=sub.id,
        )
    return sub


async def citizen_clarification(db: AsyncSession, submission: Submission, text: str, now: datetime) -> None:
    """The citizen's answer to a clarification request: back to the office group (and the department)."""
    text = _clean(text, "clarification", 3000)
    submission.awaiting_clarification = False
    submission.updated_at = now
    await log(db, submission, "citizen", "clarification_given", now, text=text)
    with use_locale(cards.GROUP_LOCALE):
        message = to.clarification_received(submission, text)
    key = f"clarified:{submission.code}:{_seq(now)}"
    if submission.department_id is None and submission.status == S.RECEIVED:
        from bot.domain.routing import likely_duplicates, suggest_department

        suggested = await suggest_department(db, submission)
        card, buttons = cards.render_triage_card(
            submission, suggested, await likely_duplicates(db, submission), note=message
        )
        await _to_office(db, key, "clarification", card, now, buttons=buttons, submission_id=submission.id)
    else:
        await _to_office(db, key, "clarification", message, now, submission_id=submission.id)
        await _to_department(
            db, submission.department, key, "clarification", message, now, submission_id=submission.id
        )


async def reject(db: AsyncSession, submission_id: int, reason: str, actor: str, now: datetime) -> Submission:
    sub = await get_submission(db, submission_id)
    reason = _clean(reason, "reason")
    await _transition(
        db, sub, (S.RECEIVED,), now, status=S.REJECTED, rejection_reason=reason, awaiting_clarification=False
    )
    await log(db, sub, actor, "rejected", now, reason=reason)
    await _tell_askers(db, sub, "rejected", now, lambda item: to.citizen_rejected(item, reason))
    return sub


# --- department ----------------------------------------------------------------------------------


def _mine(sub: Submission, department_id: int) -> None:
    if sub.department_id != department_id:
        raise NotAllowed("not assigned to this department")


async def accept(
    db: AsyncSession, submission_id: int, department_id: int, actor: str, now: datetime
) -> Submission:
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    await _transition(
        db,
        sub,
        OPEN_FOR_DEPARTMENT,
        now,
        Submission.department_id == department_id,
        Submission.accepted_at.is_(None),
        accepted_at=now,
    )
    await log(db, sub, actor, "accepted", now)
    return sub


async def hand_back(
    db: AsyncSession, submission_id: int, department_id: int, reason: str, actor: str, now: datetime
) -> Submission:
    """The department hands it back to the office with a reason; the office routes it again."""
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    reason = _clean(reason, "reason")
    dept = sub.department
    await _transition(
        db,
        sub,
        OPEN_FOR_DEPARTMENT,
        now,
        Submission.department_id == department_id,
        department_id=None,
        accepted_at=None,
        status=S.RECEIVED if sub.status == S.ROUTED else sub.status,
    )
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(department_id=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await log(db, sub, actor, "handed_back", now, department=dept.code if dept else None, reason=reason)
    from bot.domain.routing import likely_duplicates, suggest_department

    with use_locale(cards.GROUP_LOCALE):
        note = to.handed_back_note(dept, reason)
    suggested = await suggest_department(db, sub)
    if suggested is not None and dept is not None and suggested.id == dept.id:
        suggested = None
    card, buttons = cards.render_triage_card(sub, suggested, await likely_duplicates(db, sub), note=note)
    await _to_office(
        db,
        f"handed_back:{sub.code}:{_seq(now)}",
        "triage_card",
        card,
        now,
        buttons=buttons,
        submission_id=sub.id,
    )
    return sub


async def respond(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
) -> Submission:
    """The written response (R5): delivered to the citizen and every merged asker; the office is told."""
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    body = (text or "").strip()
    if not body and not file_id:
        raise InvalidInput("an answer needs text or a document")
    if len(body) > ANSWER_MAX:
        raise InvalidInput("the answer is too long", max=ANSWER_MAX)
    await _transition(
        db,
        sub,
        OPEN_FOR_DEPARTMENT,
        now,
        Submission.department_id == department_id,
        status=S.RESPONDED,
        response_text=body or None,
        response_file_id=file_id,
        responded_at=now,
        accepted_at=sub.accepted_at or now,
    )
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(response_text=body or None, response_file_id=file_id, responded_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await log(db, sub, actor, "responded", now, text=body[:200], file=bool(file_id))
    dept = sub.department
    for item, citizen in await askers(db, sub):
        with use_locale(citizen.locale):
            message = td.citizen_response(item, dept, body or None)
        doc = {"file_id": file_id, "caption": item.code} if file_id else None
        await enqueue_to_citizen(
            db,
            citizen,
            key=f"responded:{item.code}",
            purpose="response",
            text=message,
            now=now,
            submission_id=item.id,
            document=doc,
        )
    with use_locale(cards.GROUP_LOCALE):
        note = td.office_responded(sub, dept, body or None, bool(file_id))
    await _to_office(db, f"responded:{sub.code}:office", "responded", note, now, submission_id=sub.id)
    return sub


def parse_date(text: str) -> date | None:
    """``15/03/2027``, ``15-3-2027``, ``2027-03-15``."""
    import re

    value = text.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def split_date_and_reason(text: str) -> tuple[date | None, str]:
    """``15/03/2027 Cần khảo sát thực địa`` → (date, reason)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return None, ""
    return parse_date(parts[0].rstrip(",;:")), (parts[1].strip(" ,;:-–") if len(parts) > 1 else "")


async def request_extension(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    new_due: date,
    reason: str,
    requested_by: int,
    now: datetime,
) -> ExtensionRequest:
    """R6: a department asks for more time; the office approves or refuses."""
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    reason = _clean(reason, "reason")
    if sub.status not in OPEN_FOR_DEPARTMENT:
        raise WrongState("nothing to extend", status=sub.status)
    today = local_date(now)
    if new_due <= today:
        raise DeadlineInPast("the new date must be in the future", today=today)
    if sub.response_due is not None and new_due <= sub.response_due:
        raise InvalidInput("the new date must be after the current due date", due=sub.response_due)
    pending = await db.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.submission_id == sub.id, ExtensionRequest.status == "pending"
        )
    )
    if pending is not None:
        raise WrongState("an extension request is already waiting for the office")
    req = ExtensionRequest(
        submission_id=sub.id,
        requested_by=requested_by,
        new_due=new_due,
        reason=reason,
        status="pending",
        created_at=now,
    )
    db.add(req)
    await db.flush()
    await log(
        db,
        sub,
        dept_actor(requested_by),
        "extension_requested",
        now,
        new_due=new_due.isoformat(),
        reason=reason,
    )
    with use_locale(cards.GROUP_LOCALE):
        text = to.extension_request_card(sub, sub.department, req)
    await _to_office(
        db,
        f"ext_req:{req.id}",
        "extension_request",
        text,
        now,
        buttons=cards.extension_buttons(req),
        submission_id=sub.id,
    )
    return req


async def decide_extension(
    db: AsyncSession, request_id: int, approve: bool, actor: str, decided_by: int, now: datetime
) -> ExtensionRequest:
    req = await db.get(ExtensionRequest, request_id)
    if req is None:
        raise NotFound("no such extension request")
    decision = "approved" if approve else "refused"
    result = await db.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == req.id, ExtensionRequest.status == "pending")
        .values(status=decision, decided_by=decided_by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(req)
        raise WrongState("already decided", status=req.status)
    await db.refresh(req)
    sub = await get_submission(db, req.submission_id)
    if approve:
        if req.new_due <= local_date(now):
            raise DeadlineInPast("the requested date has passed")
        await _transition(
            db,
            sub,
            OPEN_FOR_DEPARTMENT,
            now,
            response_due=req.new_due,
            original_due=sub.original_due or sub.response_due,
            extension_reason=req.reason,
        )
        await db.execute(
            update(Submission)
            .where(Submission.merged_into_id == sub.id)
            .values(response_due=req.new_due, extension_reason=req.reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        dept = sub.department
        await _tell_askers(
            db,
            sub,
            f"extended:{req.id}",
            now,
            lambda item: to.citizen_extended(item, req.new_due, req.reason, dept),
        )
    await log(db, sub, actor, f"extension_{decision}", now, new_due=req.new_due.isoformat())
    with use_locale(cards.GROUP_LOCALE):
        text = td.extension_decided(sub, req, approve)
    await _to_department(
        db, sub.department, f"ext_decided:{req.id}", "extension_decided", text, now, submission_id=sub.id
    )
    return req


async def forward(
    db: AsyncSession,
    submission_id: int,
    department_id: int,
    authority: str,
    reason: str,
    actor: str,
    now: datetime,
) -> Submission:
    """R3: beyond local authority: forwarded to the competent level, and the citizen is told."""
    sub = await get_submission(db, submission_id)
    _mine(sub, department_id)
    authority = _clean(authority, "authority", 300)
    reason = _clean(reason, "reason")
    await _transition(
        db,
        sub,
        OPEN_FOR_DEPARTMENT,
        now,
        Submission.department_id == department_id,
        status=S.FORWARDED,
        forwarded_to=authority,
        forward_reason=reason,
    )
    await log(db, sub, actor, "forwarded", now, to=authority, reason=reason)
    await _tell_askers(db, sub, "forwarded", now, lambda item: to.citizen_forwarded(item, authority, reason))
    with use_locale(cards.GROUP_LOCALE):
        note = td.office_forwarded(sub, sub.department, authority, reason)
    await _to_office(db, f"forwarded:{sub.code}:office", "forwarded", note, now, submission_id=sub.id)
    return sub


def split_authority_and_reason(text: str) -> tuple[str, str]:
    """``Sở Tài nguyên và Môi trường; vượt thẩm quyền cấp xã`` (or two lines) → (authority, reason)."""
    value = text.strip()
    for sep in ("\n", ";", " - ", " – ", ":"):
        if sep in value:
            a, r = value.split(sep, 1)
            return a.strip(), r.strip()
    return value, ""


# --- the session ---------------------------------------------------------------------------------


async def record_session_answer(
    db: AsyncSession, submission_id: int, answer: str, actor: str, now: datetime
) -> Submission:
    """R3: the answer given at the session; the citizen (and every merged asker) gets it."""
    sub = await get_submission(db, submission_id)
    answer = _clean(answer, "answer", ANSWER_MAX)
    session = await db.get(DialogueSession, sub.session_id)
    if session is None or session.status != SessionStatus.HELD:
        raise WrongState(
            "the session is not marked as held", session_status=session.status if session else None
        )
    await _transition(
        db, sub, (S.RECEIVED, S.ROUTED), now, status=S.ANSWERED_AT_SESSION, session_answer=answer
    )
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == sub.id)
        .values(session_answer=answer, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await log(db, sub, actor, "answered_at_session", now, answer=answer[:200])
    await _tell_askers(db, sub, "session_answer", now, lambda item: to.citizen_session_answer(item, answer))
    return sub


async def announce(db: AsyncSession, session: DialogueSession, now: datetime) -> int:
    """Announce (R1 checked by ``sessions.announce_session``) and tell citizens who asked to know.
    Returns how many citizens were notified."""
    await sessions.announce_session(db, session, now)
    citizens = list(
        await db.scalars(
            select(Citizen).where(
                Citizen.notify_sessions.is_(True), Citizen.deleted_at.is_(None), Citizen.chat_id.is_not(None)
            )
        )
    )
    for citizen in citizens:
        with use_locale(citizen.locale):
            text = to.citizen_session_announced(session)
        await enqueue_to_citizen(
            db,
            citizen,
            key=f"announced:{session.id}:{citizen.id}",
            purpose="session_announced",
            text=text,
            now=now,
        )
    return len(citizens)


async def _response_due(db: AsyncSession, notice_on: date) -> date:
    """R5: 30 working days after the notice (bot.domain.deadlines owns the calendar)."""
    try:
        from bot.domain import deadlines
    except ImportError:  # pragma: no cover - only while bot.domain.deadlines is being written
        return _fallback_response_due(notice_on)
    cal = await deadlines.load_calendar(db)
    return deadlines.response_due(notice_on, cal)


def _fallback_response_due(notice_on: date, working_days: int = 30) -> date:
    from datetime import timedelta

    import holidays

    vn = holidays.Vietnam(years=range(notice_on.year, notice_on.year + 2))
    day, left = notice_on, working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in vn:
            left -= 1
    return day


async def issue_conclusion_notice(
    db: AsyncSession,
    session_id: int,
    text: str | None,
    file_id: str | None,
    actor: str,
    now: datetime,
) -> tuple[DialogueSession, list[Submission]]:
    """R4/R5: the chair's conclusion notice goes to the departments concerned and to every citizen with
    an unresolved question; each one's 30-working-day response clock starts. Issued once."""
    body = (text or "").strip() or None
    if body is None and not file_id:
        raise InvalidInput("the notice needs text or a document")
    session = await sessions.conclude_session(db, session_id, body, file_id, now)
    due = await _response_due(db, local_date(now))
    unresolved = list(
        await db.scalars(
            select(Submission)
            .where(Submission.session_id == session.id, Submission.status.in_([str(s) for s in UNRESOLVED]))
            .order_by(Submission.id)
        )
    )
    for sub in unresolved:
        await _transition(
            db, sub, UNRESOLVED, now, status=S.AWAITING_RESPONSE, response_due=due, original_due=due
        )
        await db.execute(
            update(Submission)
            .where(Submission.merged_into_id == sub.id)
            .values(response_due=due, original_due=due, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        await log(db, sub, actor, "conclusion_notice", now, response_due=due.isoformat())
        doc_for = (lambda code: {"file_id": file_id, "caption": code}) if file_id else (lambda code: None)
        for item, citizen in await askers(db, sub):
            with use_locale(citizen.locale):
                message = to.citizen_conclusion_notice(item, session, body, due, sub.department)
            await enqueue_to_citizen(
                db,
                citizen,
                key=f"notice:{item.code}",
                purpose="conclusion_notice",
                text=message,
                now=now,
                submission_id=item.id,
                document=doc_for(item.code),
            )
    departments: dict[int, list[Submission]] = {}
    for sub in unresolved:
        if sub.department_id is not None:
            departments.setdefault(sub.department_id, []).append(sub)
    for dept_id, subs in departments.items():
        dept = await db.get(Department, dept_id)
        with use_locale(cards.GROUP_LOCALE):
            message = td.notice_to_department(session, body, subs, due)
            doc = {"file_id": file_id, "caption": td.notice_caption(session)} if file_id else None
        await _to_department(
            db, dept, f"notice:{session.id}:dept:{dept_id}", "conclusion_notice", message, now, document=doc
        )
    return session, unresolved


async def submission_history(db: AsyncSession, sub: Submission) -> list[SubmissionEvent]:
    rows = await db.scalars(
        select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == sub.id)
        .order_by(SubmissionEvent.at, SubmissionEvent.id)
    )
    return list(rows)


async def inbox(db: AsyncSession, limit: int = 20) -> list[Submission]:
    """What awaits the office, oldest first: new (or handed back) submissions not yet routed."""
    rows = await db.scalars(
        select(Submission)
        .where(Submission.status == S.RECEIVED, Submission.department_id.is_(None))
        .order_by(Submission.created_at, Submission.id)
        .limit(limit)
    )
    return list(rows)


async def pending_extensions(db: AsyncSession) -> list[ExtensionRequest]:
    rows = await db.scalars(
        select(ExtensionRequest).where(ExtensionRequest.status == "pending").order_by(ExtensionRequest.id)
    )
    return list(rows)


async def find(db: AsyncSession, query: str, limit: int = 10) -> list[Submission]:
    """By tracking code, else by words (diacritics optional), newest first."""
    from bot.conversation.model import fold
    from bot.domain.codes import normalize_code

    code = normalize_code(query)
    if code:
        found = await by_code(db, code)
        if found is not None:
            return [found]
    words = fold(query).split()
    if not words:
        return []
    rows = await db.scalars(select(Submission).order_by(Submission.id.desc()).limit(2000))
    out = []
    for sub in rows:
        hay = fold(f"{sub.text} {sub.asker_name or ''}")
        if all(w in hay for w in words):
            out.append(sub)
            if len(out) >= limit:
                break
    return out
