"""From what happened to who is told: the domain's events become outbox rows, one per reader.

``publish(db)`` runs when the transaction that recorded the events commits (installed by the
composition root: ``bot.notify.sessionmaker_for``), so the messages are stored with the change.
Each event name has one handler below (or is listed as needing no message): the citizen who asked
and every asker merged into the question (``tell_askers``), the office group, the department
group. Texts come from ``bot/texts/<reader>.py`` in each reader's language; the actions a reader
can take are channel-neutral (bot/notify/actions.py).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import ladder, lifecycle, units
from bot.domain.events import Event, take
from bot.domain.queries import askers, history
from bot.domain.routing import likely_duplicates, suggest_department
from bot.i18n import use_locale
from bot.notify import calls, cards, extra_cards
from bot.notify.actions import Actions
from bot.notify.outbox import enqueue, enqueue_many, for_citizen, row
from bot.notify.public import post_announcement, post_conclusion, publication_buttons
from bot.texts import citizen as tc
from bot.texts import citizen_extra as tce
from bot.texts import department as td
from bot.texts import department_extra as tde
from bot.texts import office as to
from bot.texts import office_extra as tox
from bot.texts import units as tu
from storage.db import known_as_inserted
from storage.models import (
    Authority,
    Citizen,
    Coordination,
    Department,
    DialogueSession,
    ExtensionRequest,
    Submission,
    SubmissionStatus,
)

Handler = Callable[[AsyncSession, Event], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
# Events nobody needs a message about (the person who acted gets the handler's reply).
SILENT = frozenset(
    {
        "accept",
        "withdraw",
        "erase",
        "session_create",
        "session_close_questions",
        "session_mark_held",
        "session_cancel",  # its questions' event ("session_cancelled") tells the askers
        "session_issue_notice",  # its questions' event ("conclusion_notice") tells the askers
        "session_close",
        "session_reopen",
        "classify",  # the office's own bookkeeping
        "follow_up",  # "needs follow-up" at the session: the conclusion notice tells the askers
    }
)

log = logging.getLogger("doithoai.notify")


def on(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


async def publish(db: AsyncSession) -> None:
    """Turn the events recorded in this transaction into outbox rows (the session's commit hook)."""
    with units.unscoped():  # what happened in one unit may concern another (a question handed up)
        await _publish(db)


async def _publish(db: AsyncSession) -> None:
    latest = None
    while events := take(db):
        if len(events) > 1:  # other changes in the transaction (a bulk move) may be newer than an
            for event in events:  # object made in it: each question is read back
                event.made = None
        for event in events:
            latest = event.at if latest is None or event.at > latest else latest
            handler = HANDLERS.get(event.name)
            if handler is not None:
                await handler(db, event)
            elif event.name not in SILENT:
                raise LookupError(f"no notification rule for the event {event.name!r}")
    if latest is not None:
        await calls.flush(db, latest)  # what askers with no chat would have read: the office phones


# --- who is told ----------------------------------------------------------------------------------


def stamp(event: Event) -> str:
    """A key suffix naming one occurrence of an event that may happen again (re-routing, reopening):
    its history row, else its time."""
    return f"h{event.history_id}" if event.history_id is not None else event.at.strftime("%Y%m%d%H%M%S%f")


async def tell_askers(
    db: AsyncSession,
    sub: Submission,
    key: str,
    purpose: str,
    now: datetime,
    render: Callable[[Submission], str],
    document: Callable[[Submission], dict[str, str] | None] = lambda item: None,
    actions: Callable[[Submission], Actions | None] = lambda item: None,
) -> int:
    """One message to the citizen who asked ``sub`` and to every asker merged into it, each in their
    language about their own question (``render(item)``). Returns how many were queued."""
    rows = [
        to_citizen(citizen, item, f"{key}:{item.code}", purpose, now, render, document, actions, db=db)
        for item, citizen in await askers(db, sub)
    ]
    return await enqueue_many(db, rows)


def to_citizen(
    citizen: Any,
    item: Submission,
    key: str,
    purpose: str,
    now: datetime,
    render: Callable[[Submission], str],
    document: Callable[[Submission], dict[str, str] | None] = lambda item: None,
    actions: Callable[[Submission], Actions | None] = lambda item: None,
    *,
    db: AsyncSession | None = None,
) -> dict[str, Any] | None:
    """A citizen's message about their own question ``item``. With ``db``, a message no chat can take
    (an asker the office recorded, with no chat linked) is noted for the office to phone in."""
    values = for_citizen(
        citizen,
        key,
        purpose,
        now,
        lambda: render(item),
        lambda: actions(item),
        document=document(item),
        submission_id=item.id,
    )
    if values is None and db is not None:
        calls.note(db, citizen, item, key, purpose, now, render)
    return values


async def to_office(
    db: AsyncSession,
    key: str,
    purpose: str,
    text: str,
    now: datetime,
    *,
    unit_id: int | None = None,
    **kw: Any,
) -> int | None:
    """To the office group: of ``unit_id``, else of the unit that holds ``submission_id`` (a deployment
    of many units), else the deployment's — by ``units.office_groups``' rule: a unit with no office
    group gets nothing here (its questions wait in its /inbox), never another unit's office."""
    if unit_id is None and kw.get("submission_id") is not None and await units.many(db):
        unit_id = await units.unit_of_submission(db, kw["submission_id"])
    chat = await units.office_for(db, unit_id)
    if chat is None:
        if unit_id is not None:
            log.warning("unit %s has no office group: %s not sent (link one with /link_office)", unit_id, key)
        return None
    return await enqueue(db, key=key, chat_id=chat, purpose=purpose, text=text, now=now, **kw)


async def to_department(
    db: AsyncSession, dept: Department | None, key: str, purpose: str, text: str, now: datetime, **kw: Any
) -> int | None:
    if dept is None or dept.chat_id is None:
        return None
    return await enqueue(db, key=key, chat_id=dept.chat_id, purpose=purpose, text=text, now=now, **kw)


async def office_hears(
    db: AsyncSession,
    sub: Submission,
    event: Event,
    purpose: str,
    render: Callable[..., str],
    *args: Any,
    actions: Actions | None = None,
) -> None:
    """A note to the office group about ``sub`` (``render(sub, *args)`` in the groups' language)."""
    note = in_groups(render, sub, *args)
    key = f"{purpose}:{sub.code}:{stamp(event)}:office"
    await to_office(db, key, purpose, note, event.at, submission_id=sub.id, actions=actions)


def in_groups(render: Callable[..., str], *args: Any) -> str:
    with use_locale(cards.GROUP_LOCALE):
        return render(*args)


def file_of(file_id: str | None, caption: str, kind: str | None = None) -> dict[str, str] | None:
    if not file_id:
        return None
    doc = {"file_id": file_id, "caption": caption}
    if kind == "photo":
        doc["kind"] = "photo"
    return doc


async def _session(db: AsyncSession, event: Event) -> DialogueSession:
    session = await db.get(DialogueSession, event.session_id)
    assert session is not None, event
    return session


async def _sub(db: AsyncSession, event: Event) -> Submission:
    """The event's question as the database has it now (a move is a conditional UPDATE the object in
    the session has not seen): one read, refreshing the object the session may already hold. A
    question created in this very transaction is its object as made (nothing to read back)."""
    made = event.made
    if made is not None and made.id == event.submission_id and known_as_inserted(made):
        return made
    sub = await db.get(Submission, event.submission_id, populate_existing=True)
    assert sub is not None, event
    return sub


# --- the office's triage ----------------------------------------------------------------------------


async def send_triage_card(
    db: AsyncSession, sub: Submission, key: str, now: datetime, note: str | None, not_to: int | None = None
) -> None:
    """The card the office triages from (with the asker's contact: the office may see it), then each
    attachment. ``not_to``: a department not to suggest (the one that handed it back)."""
    with units.scoped(sub.unit_id if await units.many(db) else None):  # its own unit's departments
        suggested = await suggest_department(db, sub)
        duplicates = await likely_duplicates(db, sub)
    if suggested is not None and suggested.id == not_to:
        suggested = None
    text, actions = cards.triage_card(sub, suggested, duplicates, note=note)
    await to_office(db, key, "triage_card", text, now, actions=actions, submission_id=sub.id)
    for att in sub.attachments:
        caption = in_groups(to.attachment_caption, sub, att)
        await to_office(
            db,
            f"{key}:att:{att.id}",
            "triage_attachment",
            caption,
            now,
            document=file_of(att.file_id, caption, att.kind),
            submission_id=sub.id,
        )


@on("submit")
async def submitted(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    await send_triage_card(db, sub, f"new:{sub.code}", event.at, in_groups(tox.source_note, sub))


@on("route")
async def routed(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    dept = await db.get(Department, event.data["department_id"])
    key = f"routed:{sub.code}:{stamp(event)}"
    text, actions = cards.department_card(sub, in_groups(tox.source_note, sub))
    await to_department(
        db, dept, key, "department_card", text, event.at, actions=actions, submission_id=sub.id
    )
    for att in sub.attachments:
        caption = in_groups(to.attachment_caption, sub, att)
        await to_department(
            db,
            dept,
            f"{key}:att:{att.id}",
            "department_attachment",
            caption,
            event.at,
            document=file_of(att.file_id, caption, att.kind),
            submission_id=sub.id,
        )
    await tell_askers(db, sub, key, "routed", event.at, lambda item: tc.routed(item, dept))


@on("merge")
async def merged(db: AsyncSession, event: Event) -> None:
    """The merged asker is told, and catches up on any answer the question already has."""
    sub = await _sub(db, event)
    target = await db.get(Submission, event.data["target_id"])
    citizen = await db.get(Citizen, sub.citizen_id)
    if target is None or citizen is None:
        return
    key = f"merged:{sub.code}:{stamp(event)}"
    rows = [to_citizen(citizen, sub, key, "merged", event.at, lambda item: tc.merged(item, target))]
    if target.session_answer:
        rows.append(
            to_citizen(
                citizen,
                sub,
                f"{key}:answer",
                "session_answer",
                event.at,
                lambda item: tc.session_answer(item, target.session_answer),
            )
        )
    if target.status == SubmissionStatus.ANSWERED_ABOVE:
        authority = target.forwarded_to or ""
        rows.append(
            to_citizen(
                citizen,
                sub,
                f"{key}:above",
                "above_answer",
                event.at,
                lambda item: tce.above_answer(item, authority, target.above_answer_text),
                lambda item: file_of(target.above_answer_file_id, tce.above_answer_caption(item, authority)),
            )
        )
    if target.responded_at is not None and target.status == SubmissionStatus.RESPONDED:
        rows.append(
            to_citizen(
                citizen,
                sub,
                f"{key}:response",
                "response",
                event.at,
                lambda item: tc.written_response(item, target.department, target.response_text),
                lambda item: file_of(target.response_file_id, item.code),
            )
        )
    await enqueue_many(db, rows)
    await tell_origin(db, sub, event, target.code)


@on("ask_citizen")
async def asked_citizen(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    citizen = await db.get(Citizen, sub.citizen_id)
    if citizen is not None:
        question = event.data["question"]
        key = f"clarify:{sub.code}:{stamp(event)}"
        await enqueue_many(
            db,
            [
                to_citizen(
                    citizen,
                    sub,
                    key,
                    "clarification_request",
                    event.at,
                    lambda item: tc.clarification_request(item, question),
                    db=db,
                )
            ],
        )


@on("clarify")
async def clarified(db: AsyncSession, event: Event) -> None:
    """The citizen's reply goes back to the office (a fresh triage card while it is at the office)
    and to the department holding it."""
    sub = await _sub(db, event)
    message = in_groups(to.clarification_received, sub, event.data["text"])
    key = f"clarified:{sub.code}:{stamp(event)}"
    if sub.status == SubmissionStatus.RECEIVED:
        await send_triage_card(db, sub, key, event.at, message)
        return
    await to_office(db, key, "clarification", message, event.at, submission_id=sub.id)
    await to_department(db, sub.department, key, "clarification", message, event.at, submission_id=sub.id)


@on("reject")
async def rejected(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    reason = sub.rejection_reason or ""
    await tell_askers(
        db, sub, f"rejected:{stamp(event)}", "rejected", event.at, lambda item: tc.rejected(item, reason)
    )
    await tell_origin(db, sub, event, reason)


@on("stand_alone")
async def stood_alone(db: AsyncSession, event: Event) -> None:
    """The office hears that a duplicate now stands for a withdrawn question, and the department
    holding it gets its card (its asker notices nothing: they keep waiting for the same answer)."""
    sub = await _sub(db, event)
    gone = await db.get(Submission, event.data["instead_of"])
    code = gone.code if gone else "?"
    await office_hears(db, sub, event, "stand_alone", to.stands_alone, code)
    if sub.department is not None:  # the department answers this one now: its own card
        text, actions = cards.department_card(sub, note=in_groups(to.stands_alone, sub, code))
        key = f"stand_alone:{sub.code}:{stamp(event)}:department"
        await to_department(
            db, sub.department, key, "department_card", text, event.at, actions=actions, submission_id=sub.id
        )


# --- departments ------------------------------------------------------------------------------------


@on("hand_back")
async def handed_back(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    dept = await db.get(Department, event.data["department_id"])
    note = in_groups(to.handed_back_note, dept, event.data["reason"])
    key = f"handed_back:{sub.code}:{stamp(event)}"
    await send_triage_card(db, sub, key, event.at, note, not_to=event.data["department_id"])


@on("request_extension")
async def extension_requested(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    req = await db.get(ExtensionRequest, event.data["request_id"])
    assert req is not None
    text = in_groups(to.extension_request_card, sub, sub.department, req)
    await to_office(
        db,
        f"ext_req:{req.id}",
        "extension_request",
        text,
        event.at,
        actions=in_groups(cards.extension_actions, req),
        submission_id=sub.id,
    )


@on("extend", "refuse_extension")
async def extension_decided(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    req = await db.get(ExtensionRequest, event.data["request_id"])
    assert req is not None
    approved = event.name == "extend"
    text = in_groups(td.extension_decided, sub, req, approved)
    await to_department(
        db, sub.department, f"ext_decided:{req.id}", "extension_decided", text, event.at, submission_id=sub.id
    )
    if approved:
        dept = sub.department
        await tell_askers(
            db,
            sub,
            f"extended:{req.id}",
            "extended",
            event.at,
            lambda item: tc.extended(item, req.new_due, req.reason, dept),
        )


@on("respond")
async def responded(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    dept = sub.department
    key = f"responded:{stamp(event)}"
    if sub.response_doc_no:  # a document with its number and date, and a short summary
        number, day = sub.response_doc_no, sub.response_doc_date
        await tell_askers(
            db,
            sub,
            key,
            "response",
            event.at,
            lambda item: tce.response_document(item, dept, sub.response_text, number, day),
            lambda item: file_of(sub.response_file_id, tce.response_caption(item, number, day)),
        )
    else:
        await tell_askers(
            db,
            sub,
            key,
            "response",
            event.at,
            lambda item: tc.written_response(item, dept, sub.response_text),
            lambda item: file_of(sub.response_file_id, item.code),
        )
    await extra_cards.tell_coordinators(db, sub, event, in_groups(tde.lead_answered, sub))
    await office_hears(
        db,
        sub,
        event,
        "responded",
        to.responded,
        dept,
        sub.response_text,
        bool(sub.response_file_id),
        actions=in_groups(publication_buttons, sub),  # 📢 on the public website
    )
    await tell_origin(db, sub, event, sub.response_text)


@on("forward")
async def forwarded(db: AsyncSession, event: Event) -> None:
    """Every asker hears where it went and why; the office gets a card to record the answer when it
    comes; the department that held it (if the office forwarded it) and the authority's own group
    (when it uses this bot) are told."""
    sub = await _sub(db, event)
    authority, reason = sub.forwarded_to or "", sub.forward_reason or ""
    number, day = sub.forward_doc_no, sub.forward_doc_date
    key = f"forwarded:{stamp(event)}"
    await tell_askers(
        db, sub, key, "forwarded", event.at, lambda item: tce.forwarded(item, authority, reason, number, day)
    )
    await tell_origin(db, sub, event, in_groups(tu.sent_to_authority, authority, reason))
    text, actions = extra_cards.forwarded_office_card(sub, event.actor)
    await to_office(
        db, f"{key}:{sub.code}:office", "forwarded", text, event.at, actions=actions, submission_id=sub.id
    )
    dept_id = event.data.get("department_id")
    if dept_id and not event.actor.startswith("dept:"):
        dept = await db.get(Department, dept_id)
        note = in_groups(tde.forwarded_by_office, sub)
        await to_department(
            db, dept, f"{key}:{sub.code}:dept", "forwarded", note, event.at, submission_id=sub.id
        )
    if event.data.get("authority_id"):
        body = await db.get(Authority, event.data["authority_id"])
        if body is not None and body.chat_id is not None:
            card = in_groups(tde.authority_card, sub, body)
            await enqueue(
                db,
                key=f"{key}:{sub.code}:authority",
                chat_id=body.chat_id,
                purpose="authority_card",
                text=card,
                now=event.at,
                submission_id=sub.id,
            )


# --- up the ladder inside the system (a deployment of many units) ------------------------------------


@on("forward_up")
async def forwarded_up(db: AsyncSession, event: Event) -> None:
    """The askers hear where it went; the office above gets a triage card with the office below's note
    and the history (the office below is answered by the command's handler)."""
    sub = await _sub(db, event)
    below, above = await units.get(db, event.data["from_unit_id"]), await units.get(db, sub.unit_id)
    key = f"forwarded_up:{stamp(event)}"
    await tell_askers(
        db, sub, key, "forwarded_up", event.at, lambda item: tu.forwarded_up(item.code, below, above)
    )
    note = in_groups(tu.arrived_from_below, below, event.data.get("note") or "", await history(db, sub))
    await send_triage_card(db, sub, f"{key}:{sub.code}:card", event.at, note)
    if dept_id := event.data.get("department_id"):  # the department below that held it: not theirs now
        dept = await db.get(Department, dept_id)
        note = in_groups(tu.handed_up_from_department, sub.code, above)
        dept_key = f"{key}:{sub.code}:dept"
        await to_department(db, dept, dept_key, "forwarded_up", note, event.at, submission_id=sub.id)


async def tell_origin(db: AsyncSession, sub: Submission, event: Event, text: str | None) -> None:
    """The commune that handed a question up, and a district that handed it on, hear each outcome:
    answered (in writing, at the session), refused, forwarded to an outside authority and its answer,
    set aside as a complaint, merged. One short line with the code, the outcome and ``text``."""
    if sub.origin_unit_id is None or sub.origin_unit_id == sub.unit_id or not await units.many(db):
        return
    above = await units.get(db, sub.unit_id)
    note = in_groups(tu.outcome_above, sub.code, above, sub.status, text)
    for unit_id in await ladder.handed_up_by(db, sub):
        key = f"outcome_above:{sub.code}:{stamp(event)}:{unit_id}"
        await to_office(db, key, "outcome_above", note, event.at, unit_id=unit_id)


# --- at the session, and after ----------------------------------------------------------------------


@on("answer_at_session")
async def answered_at_session(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    answer = sub.session_answer or ""
    await tell_askers(
        db,
        sub,
        f"session_answer:{stamp(event)}",
        "session_answer",
        event.at,
        lambda item: tc.session_answer(item, answer),
    )
    await tell_origin(db, sub, event, answer)


@dataclass(frozen=True)
class Asker:
    """A question of a session and who asked it, read as plain columns (a whole session at once)."""

    id: int
    code: str
    status: str
    merged_into_id: int | None
    department_id: int | None
    response_due: date | None
    citizen_id: int
    channel: str
    chat_id: str | None
    locale: str | None
    deleted_at: datetime | None
    phone: str | None = None  # for the office to call an asker no chat reaches (bot/notify/calls.py)


_SESSION_ASKERS = (
    select(
        Submission.id,
        Submission.code,
        Submission.status,
        Submission.merged_into_id,
        Submission.department_id,
        Submission.response_due,
        Citizen.id.label("citizen_id"),
        Citizen.channel,
        Citizen.chat_id,
        Citizen.locale,
        Citizen.deleted_at,
        Citizen.phone,
    )
    .join(Citizen, Citizen.id == Submission.citizen_id)
    .where(Submission.session_id == bindparam("session_id"))
    .order_by(Submission.id)
)


async def _session_askers(db: AsyncSession, session_id: int, ids: list[int]) -> list[Asker]:
    """The askers of the questions ``ids`` of a session, merged duplicates included, in one query."""
    wanted = set(ids)
    rows = await (await db.connection()).execute(_SESSION_ASKERS, {"session_id": session_id})
    found = [Asker(**row._mapping) for row in rows]
    return [
        a
        for a in found
        if a.id in wanted or (a.status == SubmissionStatus.MERGED and a.merged_into_id in wanted)
    ]


@on("conclusion_notice")
async def conclusion_notice(db: AsyncSession, event: Event) -> None:
    """R4/R5 for a whole session in a fixed number of statements: every asker of an open question
    gets the notice and their due date; each department the list of its questions."""
    session = await _session(db, event)
    due = date.fromisoformat(event.data["due"])
    body, file_id = session.notice_text, session.notice_file_id
    departments = {d.id: d for d in await db.scalars(select(Department))}
    rows, by_dept = [], defaultdict(list)
    for item in await _session_askers(db, session.id, event.data["ids"]):
        if item.status != SubmissionStatus.MERGED and item.department_id is not None:
            by_dept[item.department_id].append(item)
        dept = departments.get(item.department_id) if item.department_id else None
        render = lambda item=item, dept=dept: tc.conclusion_notice(  # noqa: E731
            item, session, body, item.response_due or due, dept
        )
        found = for_citizen(
            item,
            f"notice:{item.code}",
            "conclusion_notice",
            event.at,
            render,
            document=file_of(file_id, item.code),
            submission_id=item.id,
        )
        if found is None:
            calls.note(
                db, item, item, f"notice:{item.code}", "conclusion_notice", event.at, lambda _i, r=render: r()
            )
        rows.append(found)
    for dept_id, subs in by_dept.items():
        dept = departments.get(dept_id)
        if dept is None or dept.chat_id is None:
            continue
        with use_locale(cards.GROUP_LOCALE):
            text = td.notice_to_department(session, body, subs, due)
            doc = file_of(file_id, td.notice_caption(session))
        rows.append(
            row(
                key=f"notice:{session.id}:dept:{dept_id}",
                chat_id=dept.chat_id,
                purpose="conclusion_notice",
                text=text,
                now=event.at,
                document=doc,
            )
        )
    await enqueue_many(db, rows)
    await post_conclusion(db, session, event.at)  # the public channel, when there is one


@on("session_cancelled")
async def session_cancelled(db: AsyncSession, event: Event) -> None:
    """Each citizen with an open question hears once, with their codes and the written-response date
    (once more for their questions another unit holds, handed up: its own date)."""
    session = await _session(db, event)
    due, reason = date.fromisoformat(event.data["due"]), event.data.get("reason", "")
    held_by = event.data.get("held_by")
    await _tell_session_citizens(
        db,
        session,
        event.data["ids"],
        f"cancelled:{session.id}" + (f":u{held_by}" if held_by else ""),
        "session_cancelled",
        event.at,
        lambda codes: tc.session_cancelled(session, codes, due, reason),
    )


@on("session_postpone")
async def session_postponed(db: AsyncSession, event: Event) -> None:
    session = await _session(db, event)
    ids = list(
        await db.scalars(
            select(Submission.id).where(
                Submission.session_id == session.id, Submission.status.in_(sorted(lifecycle.OPEN))
            )
        )
    )
    await _tell_session_citizens(
        db,
        session,
        ids,
        f"postponed:{session.id}:{stamp(event)}",
        "session_postponed",
        event.at,
        lambda codes: tc.session_postponed(session, codes),
    )


async def _tell_session_citizens(
    db: AsyncSession,
    session: DialogueSession,
    ids: list[int],
    key: str,
    purpose: str,
    now: datetime,
    render: Callable[[list[str]], str],
) -> None:
    """One message per citizen (not per question), listing their codes."""
    codes: dict[int, list[str]] = defaultdict(list)
    citizens: dict[int, Asker] = {}
    for item in await _session_askers(db, session.id, ids):
        codes[item.citizen_id].append(item.code)
        citizens[item.citizen_id] = item
    rows = []
    for cid, items in codes.items():
        found = for_citizen(citizens[cid], f"{key}:{cid}", purpose, now, lambda items=items: render(items))
        if found is None:
            item = citizens[cid]
            calls.note(db, item, item, f"{key}:{cid}", purpose, now, lambda _i, items=items: render(items))
        rows.append(found)
    await enqueue_many(db, rows)


@on("session_announce")
async def session_announced(db: AsyncSession, event: Event) -> None:
    """R1: the citizens who asked to hear of new sessions."""
    session = await _session(db, event)
    # a deployment of many units: the citizens of the session's unit and of the units below it
    mine = [Citizen.unit_id.in_(await units.subtree(db, session.unit_id))] if session.unit_id else []
    subscribers = await db.scalars(
        select(Citizen).where(
            Citizen.notify_sessions.is_(True),
            Citizen.deleted_at.is_(None),
            Citizen.chat_id.is_not(None),
            *mine,
        )
    )
    rows = [
        for_citizen(
            citizen,
            f"announced:{session.id}:{citizen.id}",
            "session_announced",
            event.at,
            lambda: tc.session_announced(session),
        )
        for citizen in subscribers
    ]
    await enqueue_many(db, rows)
    await post_announcement(db, session, event.at)  # the public channel, when there is one


# --- the citizen's follow-up -------------------------------------------------------------------------


@on("rate")
async def rated(db: AsyncSession, event: Event) -> None:
    sub = await _sub(db, event)
    await office_hears(db, sub, event, "rated", to.rated, event.data["value"])


@on("reopen")
async def reopened(db: AsyncSession, event: Event) -> None:
    """Back at the office as a fresh triage card; every asker hears it was reopened (and the new date)."""
    sub = await _sub(db, event)
    due = date.fromisoformat(event.data["due"]) if event.data.get("due") else None
    key = f"reopened:{sub.code}:{stamp(event)}"
    answered_by = (
        await db.get(Department, event.data["department_id"]) if event.data.get("department_id") else None
    )
    await send_triage_card(db, sub, key, event.at, in_groups(to.reopened, sub, answered_by))
    await tell_askers(
        db,
        sub,
        key,
        "reopened",
        event.at,
        lambda item: tc.reopened_due(item, due) if due else tc.reopened(item),
    )


# --- issue #13: forwarded questions answered above, complaints set aside, coordination, linked chats ----


@on("answer_from_above")
async def answered_from_above(db: AsyncSession, event: Event) -> None:
    """The competent authority's answer reaches every asker (with its document); the office and the
    department that held the question are told."""
    sub = await _sub(db, event)
    authority = sub.forwarded_to or ""
    key = f"above:{stamp(event)}"
    await tell_askers(
        db,
        sub,
        key,
        "above_answer",
        event.at,
        lambda item: tce.above_answer(item, authority, sub.above_answer_text),
        lambda item: file_of(sub.above_answer_file_id, tce.above_answer_caption(item, authority)),
    )
    await tell_origin(db, sub, event, sub.above_answer_text)
    note = in_groups(tox.above_answer_note, sub, len(await askers(db, sub)))
    await to_office(db, f"{key}:{sub.code}:office", "above_answer", note, event.at, submission_id=sub.id)
    if sub.department is not None:
        await to_department(
            db, sub.department, f"{key}:{sub.code}:dept", "above_answer", note, event.at, submission_id=sub.id
        )


@on("set_aside")
async def set_aside(db: AsyncSession, event: Event) -> None:
    """A complaint or denunciation handed to its own procedure: the askers are told how it will be
    handled; a department that held it is told it no longer answers it."""
    sub = await _sub(db, event)
    nature, note = sub.nature, sub.set_aside_note or ""
    key = f"set_aside:{stamp(event)}"
    await tell_askers(db, sub, key, "set_aside", event.at, lambda item: tce.set_aside(item, nature, note))
    await tell_origin(db, sub, event, note)
    if sub.department is not None:
        text = in_groups(tde.set_aside_note, sub)
        await to_department(db, sub.department, f"{key}:{sub.code}:dept", "set_aside", text, event.at)


@on("coordinate")
async def coordinating(db: AsyncSession, event: Event) -> None:
    """The coordinating department gets the question with a button to send its part; the lead is told."""
    sub = await _sub(db, event)
    dept = await db.get(Department, event.data["department_id"])
    key = f"coordinate:{event.data['coordination_id']}"
    text, actions = extra_cards.coordination_card(sub)
    await to_department(
        db, dept, key, "coordination_card", text, event.at, actions=actions, submission_id=sub.id
    )
    for att in sub.attachments:
        caption = in_groups(to.attachment_caption, sub, att)
        await to_department(
            db,
            dept,
            f"{key}:att:{att.id}",
            "department_attachment",
            caption,
            event.at,
            document=file_of(att.file_id, caption, att.kind),
            submission_id=sub.id,
        )
    if sub.department is not None and dept is not None:
        note = in_groups(tde.coordinator_added, sub, dept)
        await to_department(
            db, sub.department, f"{key}:lead", "coordination", note, event.at, submission_id=sub.id
        )


@on("contribute")
async def contributed(db: AsyncSession, event: Event) -> None:
    """A coordinating department's part goes to the lead department (and the office)."""
    sub = await _sub(db, event)
    part = await db.get(Coordination, event.data["coordination_id"])
    dept = await db.get(Department, event.data["department_id"])
    if part is None or dept is None:
        return
    key = f"contributed:{stamp(event)}"
    text = in_groups(tde.part_received, sub, dept, part.part_text)
    document = file_of(part.part_file_id, in_groups(tde.part_caption, sub, dept))
    if sub.department is not None:
        await to_department(
            db, sub.department, f"{key}:lead", "coordination_part", text, event.at, document=document,
            submission_id=sub.id,
        )  # fmt: skip
    await to_office(db, f"{key}:office", "coordination_part", text, event.at, submission_id=sub.id)


@on("link_chat")
async def linked_chat(db: AsyncSession, event: Event) -> None:
    """An asker the office recorded now follows the question in a chat: no more phone calls needed."""
    sub = await _sub(db, event)
    await office_hears(db, sub, event, "linked", tox.linked_note, event.data.get("channel") or "")
