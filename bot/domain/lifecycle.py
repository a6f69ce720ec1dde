"""The lifecycle of a question (``Submission``) and of a dialogue session, written down once.

Every state, every allowed move, and who may make it are in the two tables below; every status set
used elsewhere (what is still open, what is settled, what a department can act on) is derived here,
and every change of status goes through ``move`` (one question), ``move_all`` (many at once) or
``move_session``: a conditional UPDATE — so two people pressing the same button at once cannot both
win — that also writes the history row and records the domain event the notification layer turns
into messages (bot/domain/events.py, bot/notify/notifier.py).

A question::

    received ──route──▶ routed ──(conclusion notice)──▶ awaiting_response ──respond──▶ responded
       │  ▲                │  ╲__answer_at_session__▶ answered_at_session
       │  └──hand_back─────┘
       ├──merge──▶ merged (follows its target: every message to the target's asker reaches it too)
       ├──reject──▶ rejected          received/routed ──withdraw──▶ withdrawn (the citizen)
       ├── responded / answered_at_session ──reopen (citizen: "not resolved")──▶ received
       │     (after an answer at the session, only within REOPEN_WITHIN_DAYS: 7 days)
       ├── any open one ──forward (office or department)──▶ forwarded ──answer_from_above──▶ answered_above
       │     (beyond local authority: tracked until the competent authority answers and it is relayed)
       └── any open one ──set_aside (a complaint or denunciation)──▶ set_aside (its own procedure)

A question may come through a chat (the citizen's "submit") or be recorded by the office ("submit" by
the office: from the floor of the session, from the Fatherland Front or a mass organisation, on paper,
by phone — bot/domain/recording.py); both follow the same moves. Recorded questions are taken while
the session is announced, its questions closed, or while it is being held (``SESSION_TAKES_RECORDED``).

``received`` is always at the office (no department); ``routed`` and ``awaiting_response`` are at a
department, the latter with the written-response clock (R5) running. A question handed back, or
reopened, is ``received`` again, with no department: the office routes it anew.

A session::

    draft ──announce──▶ announced ──close_questions──▶ questions_closed ──mark_held──▶ held
      │                    │  (postpone: a new date; cancel ──▶ cancelled)              │
      └────────────────────┴──────────────────────────────────────────────── issue_notice
                                         closed ◀──(every question settled)── concluded ◀┘
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotAllowed, WrongState
from bot.domain.events import Event, record
from storage import unitscope
from storage.models import DialogueSession, SessionStatus, Submission, SubmissionEvent, SubmissionStatus

S = SubmissionStatus
SS = SessionStatus

CITIZEN, OFFICE, DEPARTMENT, SYSTEM = "citizen", "office", "department", "system"
AUTHORITY = "authority"  # a competent authority's own group (bot/domain/forwarding.py)


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]  # the states it may start from
    targets: frozenset[str]  # the states it may lead to; empty: the status stays as it is
    by: frozenset[str]  # who may make it


def _m(action: str, sources: Iterable[str], targets: Iterable[str], *by: str) -> Move:
    return Move(action, frozenset(map(str, sources)), frozenset(map(str, targets)), frozenset(by))


SAME: tuple[str, ...] = ()  # a move that changes no status (an answer to a prompt, a rating…)

OPEN = frozenset({S.RECEIVED, S.ROUTED, S.AWAITING_RESPONSE})  # an answer is still owed
AT_DEPARTMENT = frozenset({S.ROUTED, S.AWAITING_RESPONSE})  # a department holds it
# settled at this level: answered, or handed up to the competent authority (whose answer is tracked)
ANSWERED = frozenset({S.ANSWERED_AT_SESSION, S.RESPONDED, S.FORWARDED, S.ANSWERED_ABOVE})
AWAITING_ABOVE = frozenset({S.FORWARDED})  # forwarded; the competent authority's answer is awaited
FORWARDED_ALL = AWAITING_ABOVE | {S.ANSWERED_ABOVE}
# settled, nobody here answers (a complaint or denunciation set aside follows its own law)
CLOSED_WITHOUT_ANSWER = frozenset({S.REJECTED, S.WITHDRAWN, S.SET_ASIDE})
SET_ASIDE_NATURES = frozenset({"complaint", "denunciation"})  # khiếu nại, tố cáo
SETTLED = ANSWERED | CLOSED_WITHOUT_ANSWER
RATEABLE = frozenset({S.ANSWERED_AT_SESSION, S.RESPONDED})  # the citizen is asked to rate these
EXCLUDED = frozenset({S.MERGED}) | CLOSED_WITHOUT_ANSWER  # not a case of its own in the figures
WITHDRAWABLE = frozenset({S.RECEIVED, S.ROUTED})  # and only before the session is held

SUBMISSION_MOVES: tuple[Move, ...] = (
    _m("submit", (), (S.RECEIVED,), CITIZEN, OFFICE),
    _m("route", (S.RECEIVED,), (S.ROUTED, S.AWAITING_RESPONSE), OFFICE),
    _m("merge", (S.RECEIVED,), (S.MERGED,), OFFICE),
    _m("reject", (S.RECEIVED,), (S.REJECTED,), OFFICE),
    _m("ask_citizen", OPEN, SAME, OFFICE),
    _m("clarify", OPEN, SAME, CITIZEN),
    _m("accept", AT_DEPARTMENT, SAME, DEPARTMENT),
    _m("hand_back", AT_DEPARTMENT, (S.RECEIVED,), DEPARTMENT),
    _m("request_extension", AT_DEPARTMENT, SAME, DEPARTMENT),
    _m("extend", AT_DEPARTMENT, SAME, OFFICE),
    _m("refuse_extension", AT_DEPARTMENT, SAME, OFFICE),
    _m("respond", AT_DEPARTMENT, (S.RESPONDED,), DEPARTMENT),
    _m("forward", OPEN, (S.FORWARDED,), OFFICE, DEPARTMENT),
    _m("answer_at_session", (S.RECEIVED, S.ROUTED), (S.ANSWERED_AT_SESSION,), OFFICE),
    _m("conclusion_notice", OPEN, (S.RECEIVED, S.AWAITING_RESPONSE), OFFICE),
    _m("session_cancelled", OPEN, (S.RECEIVED, S.AWAITING_RESPONSE), OFFICE),
    _m("withdraw", WITHDRAWABLE, (S.WITHDRAWN,), CITIZEN),
    _m("rate", RATEABLE | {S.MERGED}, SAME, CITIZEN),
    _m("reopen", RATEABLE, (S.RECEIVED,), CITIZEN),
    _m("erase", OPEN, (S.WITHDRAWN,), CITIZEN),  # the citizen deleted their personal data
    # a question withdrawn while duplicates were merged into it: the first duplicate takes its place
    _m("stand_alone", (S.MERGED,), (S.RECEIVED, S.ROUTED, S.AWAITING_RESPONSE), SYSTEM),
    _m("answer_from_above", AWAITING_ABOVE, (S.ANSWERED_ABOVE,), OFFICE, DEPARTMENT, AUTHORITY),
    _m("classify", OPEN | ANSWERED, SAME, OFFICE),  # kiến nghị, phản ánh, hỏi đáp chính sách…
    _m("set_aside", OPEN, (S.SET_ASIDE,), OFFICE),  # only a complaint or a denunciation
    _m("follow_up", OPEN, SAME, OFFICE),  # "needs follow-up", going through the agenda at the session
    _m("coordinate", OPEN, SAME, OFFICE),  # another department coordinates with the lead one
    _m("contribute", AT_DEPARTMENT, SAME, DEPARTMENT),  # a coordinating department's part
    _m("link_chat", tuple(map(str, S)), SAME, CITIZEN),  # a recorded question's asker follows it in a chat
    # a commune hands it to the province on the same deployment (bot/domain/ladder.py): its office triages
    _m("forward_up", OPEN, (S.RECEIVED,), OFFICE),
)

# "Not resolved" after an answer given at the session is taken for this many days after the answer.
REOPEN_WITHIN_DAYS = {str(S.ANSWERED_AT_SESSION): 7}

BEFORE_HELD = frozenset({SS.DRAFT, SS.ANNOUNCED, SS.QUESTIONS_CLOSED})

SESSION_MOVES: tuple[Move, ...] = (
    _m("create", (), (SS.DRAFT, SS.ANNOUNCED), OFFICE),
    _m("announce", (SS.DRAFT,), (SS.ANNOUNCED,), OFFICE),
    _m("close_questions", (SS.ANNOUNCED,), (SS.QUESTIONS_CLOSED,), OFFICE),
    _m("postpone", BEFORE_HELD, SAME, OFFICE),
    _m("cancel", BEFORE_HELD, (SS.CANCELLED,), OFFICE),
    _m("mark_held", (SS.ANNOUNCED, SS.QUESTIONS_CLOSED), (SS.HELD,), OFFICE),
    _m("issue_notice", (SS.HELD,), (SS.CONCLUDED,), OFFICE),
    _m("close", (SS.CONCLUDED,), (SS.CLOSED,), SYSTEM),
    _m("reopen", (SS.CLOSED,), (SS.CONCLUDED,), CITIZEN),
)

SUBMISSION_FINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.SET_ASIDE, S.ANSWERED_ABOVE})
SESSION_FINAL = frozenset({SS.CANCELLED})
SESSION_HELD = frozenset({SS.HELD, SS.CONCLUDED, SS.CLOSED})  # the R4 clock runs
SESSION_ANNOUNCED = frozenset({SS.ANNOUNCED, SS.QUESTIONS_CLOSED})  # public, not yet held
SESSION_TAKES_RECORDED = SESSION_ANNOUNCED | {SS.HELD}  # the office records questions until the notice


def _table(moves: tuple[Move, ...]) -> dict[str, Move]:
    table = {m.action: m for m in moves}
    assert len(table) == len(moves), "an action appears twice in a lifecycle table"
    return table


SUBMISSION_TABLE = _table(SUBMISSION_MOVES)
SESSION_TABLE = _table(SESSION_MOVES)


def sources(action: str, *, session: bool = False) -> list[str]:
    """The states ``action`` may start from (for queries: ``status.in_(sources("route"))``)."""
    return sorted((SESSION_TABLE if session else SUBMISSION_TABLE)[action].sources)


def allowed(action: str, status: str, actor: str, *, session: bool = False) -> bool:
    move = (SESSION_TABLE if session else SUBMISSION_TABLE).get(action)
    return move is not None and status in move.sources and actor in move.by


def may_reopen(sub: Submission, now: datetime) -> bool:
    """Whether "not resolved" is still taken for this answer (a window for answers at the session)."""
    days = REOPEN_WITHIN_DAYS.get(sub.status)
    if days is None or sub.answered_at is None:
        return True
    return (now - sub.answered_at).total_seconds() <= days * 86400


def actor_kind(actor: str) -> str:
    """``office:42`` → ``office``; ``dept:7`` → ``department``; ``citizen``/``system`` as they are."""
    kind = actor.split(":", 1)[0]
    return DEPARTMENT if kind == "dept" else kind


def check(action: str, status: str, actor: str, *, to: str | None = None, session: bool = False) -> Move:
    """The move, or the domain error that says why it cannot be made now."""
    move = (SESSION_TABLE if session else SUBMISSION_TABLE)[action]
    if actor_kind(actor) not in move.by:
        raise NotAllowed(f"{actor_kind(actor)} may not {action}")
    if status not in move.sources:
        raise WrongState(f"cannot {action} from {status}", status=status)
    if to is not None and to not in move.targets and not (to == status and not move.targets):
        raise WrongState(f"{action} cannot lead to {to}")
    return move


def submission_event(sub_id: int, actor: str, action: str, now: datetime, detail: dict[str, Any]) -> dict:
    return {"submission_id": sub_id, "at": now, "actor": actor, "action": action, "detail": detail}


async def move(
    db: AsyncSession,
    sub: Submission,
    action: str,
    actor: str,
    now: datetime,
    *,
    to: str | None = None,
    where: Iterable[Any] = (),
    detail: dict[str, Any] | None = None,
    event: dict[str, Any] | None = None,
    **values: Any,
) -> Submission:
    """Make ``action`` on one question: it must be in one of the move's source states (checked again in
    the UPDATE, with ``where``), and lead to ``to`` (default: unchanged). Writes the history row and
    records the event ``action`` for the notification layer (``event``: what it needs beyond ids)."""
    target = to or sub.status
    m = check(action, sub.status, actor, to=target)
    values = {"updated_at": now, **values}
    if target != sub.status:
        values["status"] = target
    result = await db.execute(
        update(Submission)
        .where(Submission.id == sub.id, Submission.status.in_(sorted(m.sources)), *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(sub)
        raise WrongState("the question changed meanwhile", status=sub.status)
    source = sub.status
    await db.refresh(sub)
    history = SubmissionEvent(**submission_event(sub.id, actor, action, now, detail or {}))
    db.add(history)
    await db.flush()  # its id names this occurrence of the event (messages' idempotency keys)
    happened = Event(action, now, actor, submission_id=sub.id, session_id=sub.session_id, data=event or {})
    happened.history_id = history.id
    record(db, happened)
    if source in OPEN and target not in OPEN:
        await close_if_settled(db, sub.session_id, now)
    return sub


def created(db: AsyncSession, sub: Submission, actor: str, now: datetime, detail: dict[str, Any]) -> None:
    """A new question (the table's "submit"): its first history row and the event."""
    if actor_kind(actor) not in SUBMISSION_TABLE["submit"].by:
        raise NotAllowed(f"{actor_kind(actor)} may not submit")
    db.add(SubmissionEvent(**submission_event(sub.id, actor, "submit", now, detail)))
    record(db, Event("submit", now, actor, submission_id=sub.id, session_id=sub.session_id, made=sub))


async def move_all(
    db: AsyncSession,
    action: str,
    actor: str,
    now: datetime,
    *,
    where: Iterable[Any],
    to: Any,
    to_states: Iterable[str],
    detail: dict[str, Any] | None = None,
    event: dict[str, Any] | None = None,
    session_id: int | None = None,
    **values: Any,
) -> list[int]:
    """``action`` on every question matching ``where`` that is in one of its source states, in one
    UPDATE (``to``: a state, or a SQL expression choosing among ``to_states``), one history row each
    (one INSERT) and one event for them all (``data["ids"]``). The statements do not grow with the
    number of questions. Returns the ids moved."""
    m = SUBMISSION_TABLE[action]
    if actor_kind(actor) not in m.by:
        raise NotAllowed(f"{actor_kind(actor)} may not {action}")
    if not set(map(str, to_states)) <= m.targets:
        raise WrongState(f"{action} cannot lead to {sorted(to_states)}")
    statement = (
        update(Submission)
        .where(Submission.status.in_(sorted(m.sources)), *where)
        .values(updated_at=now, status=to, **values)
        .returning(Submission.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(await db.scalars(statement))
    if ids:
        rows = [submission_event(i, actor, action, now, detail or {}) for i in ids]
        await (await db.connection()).execute(insert(SubmissionEvent.__table__), rows)
    record(db, Event(action, now, actor, session_id=session_id, data={"ids": ids, **(event or {})}))
    return ids


async def promote_duplicate(db: AsyncSession, gone: Submission, previous: str, now: datetime) -> None:
    """``gone`` left (withdrawn, erased) with duplicates merged into it: its first duplicate takes its
    place — in the state ``gone`` was in, at its department — and the others follow that one, so
    nobody who asked the same is left waiting on a question nobody will answer."""
    first = await db.scalar(
        select(Submission).where(Submission.merged_into_id == gone.id).order_by(Submission.id).limit(1)
    )
    if first is None or previous not in OPEN:
        return
    await move(
        db,
        first,
        "stand_alone",
        SYSTEM,
        now,
        to=previous,
        detail={"instead_of": gone.code},
        event={"instead_of": gone.id},
        merged_into_id=None,
        department_id=gone.department_id,
    )
    await db.execute(
        update(Submission)
        .where(Submission.merged_into_id == gone.id)
        .values(merged_into_id=first.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def close_if_settled(db: AsyncSession, session_id: int, now: datetime) -> None:
    """A concluded session whose every question is settled is closed (the system's move). Read across
    units: a question the session's unit handed up to the unit above is still the session's (the
    session stays open until that unit settles it), and the unit above settling it may close the
    session below."""
    with unitscope.unscoped():
        left = await db.scalar(
            select(Submission.id)
            .where(Submission.session_id == session_id, Submission.status.in_(sorted(OPEN)))
            .limit(1)
        )
        if left is not None:
            return
        session = await db.get(DialogueSession, session_id)
        if session is not None and session.status == SS.CONCLUDED:
            await move_session(db, session, "close", SYSTEM, now, to=SS.CLOSED)


async def move_session(
    db: AsyncSession,
    session: DialogueSession,
    action: str,
    actor: str,
    now: datetime,
    *,
    to: str | None = None,
    event: dict[str, Any] | None = None,
    **values: Any,
) -> DialogueSession:
    """The same for a session (its history is its own columns: announced_at, held_at, notice_at…)."""
    target = to or session.status
    m = check(action, session.status, actor, to=target, session=True)
    if target != session.status:
        values["status"] = target
    result = await db.execute(
        update(DialogueSession)
        .where(DialogueSession.id == session.id, DialogueSession.status.in_(sorted(m.sources)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(session)
        raise WrongState("the session changed meanwhile", status=session.status)
    await db.refresh(session)
    record(db, Event(f"session_{action}", now, actor, session_id=session.id, data=event or {}))
    return session


def session_actions(session: DialogueSession, actor: str = OFFICE) -> list[str]:
    """The session moves ``actor`` may make now (the card's buttons), in the table's order."""
    kind = actor_kind(actor)
    return [m.action for m in SESSION_MOVES if session.status in m.sources and kind in m.by]
