"""The figures summed in the database (GROUP BY), the same as ``metrics.make_fact`` + ``Counts.add`` give
question by question (bench/province.py: a province's year is 100,000 questions).

``counts_by(db, keys, session_ids, today, cals)`` returns, for each key column of ``submissions``
(``session_id``, ``department_id``, ``topic_id``; another grouping, e.g. the staff member who answered,
is one more entry) and each of its values, the keyword arguments of a ``metrics.Counts``. Each row's outcome,
timeliness and dates are derived in SQL exactly as ``make_fact`` derives them in Python (see the module
docstring of ``bot.reports.metrics`` for the definitions); only the working days are counted in Python,
once per distinct (received, settled) pair of a group, with the deployment's calendar.

Local dates: the zone's offset added, when it is the same all year round in the years around ``today``
(``fixed_offset``: Asia/Ho_Chi_Minh); otherwise on PostgreSQL ``timezone(zone, …)``, and on SQLite
``supported`` is False and the caller takes the question-by-question path. Each question's derived
values are computed once (``OFFSET 0`` keeps PostgreSQL from folding them into every sum).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.deadlines import Calendars
from bot.i18n import timezone
from storage.models import DialogueSession, Submission, SubmissionEvent, SubmissionStatus

S = SubmissionStatus
SUB = Submission.__table__
SESSION = DialogueSession.__table__
EVENT = SubmissionEvent.__table__
# the same names as bot.reports.metrics (which imports this module)
AT_SESSION, RESPONDED, FORWARDED, OPEN_OUTCOME = "at_session", "responded", "forwarded", "open"
ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
ANSWERS = ("answer_at_session", "respond")  # the events that answer a question
# A key of ``counts_by``: who answered the question — the actor of its latest answer (at the session
# or the written response); a merged question's, that of the question it was merged into.
ANSWERER = "answerer"


def fixed_offset(today: date) -> int | None:
    """The deployment zone's UTC offset in seconds if it is the same on every day of the thirty years
    before ``today`` and the next one (no daylight saving, no change of zone: Asia/Ho_Chi_Minh), else
    None."""
    return _fixed_offset(timezone().key, today.year)


@cache
def _fixed_offset(zone_name: str, year: int) -> int | None:
    zone = ZoneInfo(zone_name)
    day = datetime(year - 30, 1, 1, 12, tzinfo=UTC)
    offsets = set()
    while day.year <= year + 1:
        offset = day.astimezone(zone).utcoffset()
        offsets.add(offset.total_seconds() if offset is not None else 0)
        day += timedelta(days=7)
    return int(offsets.pop()) if len(offsets) == 1 else None


def supported(dialect: str, today: date) -> bool:
    return dialect == "postgresql" or (dialect == "sqlite" and fixed_offset(today) is not None)


def _local_day(dialect: str, column, today: date):
    """The local date of a naive-UTC datetime column, as SQL."""
    offset = fixed_offset(today)
    if dialect == "postgresql" and offset is None:
        return cast(func.timezone(timezone().key, func.timezone("UTC", column)), Date)
    if dialect == "postgresql":  # the same, cheaper per row
        return cast(column + text(f"interval '{offset:d} seconds'"), Date)
    return func.date(column, f"{offset:+d} seconds", type_=Date)


def _days(dialect: str, later, earlier):
    if dialect == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _filled(column):
    return func.coalesce(column, "") != ""


def _rows(dialect: str, keys: dict[str, Any], session_ids: list[int], today: date):
    """One row per question in scope: its keys and what the figures need of it (a subquery)."""
    latest_forward = (
        select(EVENT.c.submission_id, func.max(EVENT.c.at).label("at"))
        .where(
            EVENT.c.action == "forward",
            EVENT.c.submission_id.in_(select(SUB.c.id).where(SUB.c.session_id.in_(session_ids))),
        )
        .group_by(EVENT.c.submission_id)
        .subquery()
    )
    status = SUB.c.status
    joined = SUB.join(SESSION, SESSION.c.id == SUB.c.session_id).outerjoin(
        latest_forward, latest_forward.c.submission_id == SUB.c.id
    )
    if ANSWERER in keys.values():  # joins on plain columns, not a lookup per question
        in_scope = SUB.c.session_id.in_(session_ids)
        latest_answer = (
            select(EVENT.c.submission_id, func.max(EVENT.c.id).label("event_id"))
            .where(
                EVENT.c.action.in_(ANSWERS),
                or_(
                    EVENT.c.submission_id.in_(select(SUB.c.id).where(in_scope)),
                    EVENT.c.submission_id.in_(select(SUB.c.merged_into_id).where(in_scope)),
                ),
            )
            .group_by(EVENT.c.submission_id)
            .subquery()
        )
        actors = []
        for answered_id in (SUB.c.id, SUB.c.merged_into_id):  # its own answer; its target's (merged)
            latest, answer = latest_answer.alias(), EVENT.alias()
            joined = joined.outerjoin(latest, latest.c.submission_id == answered_id).outerjoin(
                answer, answer.c.id == latest.c.event_id
            )
            actors.append(answer.c.actor)
        actor = case((status == S.MERGED, actors[1]), else_=actors[0])
        keys = {name: actor if column is ANSWERER else column for name, column in keys.items()}
    outcome = case(
        (status.in_(lifecycle.EXCLUDED), None),
        (status == S.ANSWERED_AT_SESSION, AT_SESSION),
        (status == S.RESPONDED, RESPONDED),
        (status.in_(lifecycle.FORWARDED_ALL), FORWARDED),
        else_=OPEN_OUTCOME,
    )

    def day(*columns):
        return _local_day(dialect, func.coalesce(*columns), today)

    settled = case(
        (status.in_(lifecycle.EXCLUDED), None),
        (
            status == S.ANSWERED_AT_SESSION,
            day(SESSION.c.held_at, SESSION.c.starts_at),
        ),
        (status == S.RESPONDED, day(SUB.c.responded_at, SUB.c.updated_at)),
        (
            status.in_(lifecycle.FORWARDED_ALL),
            day(SUB.c.forwarded_at, latest_forward.c.at, SUB.c.updated_at),
        ),
        else_=None,
    )
    extended = or_(
        _filled(SUB.c.extension_reason),
        and_(
            SUB.c.original_due.is_not(None),
            SUB.c.response_due.is_not(None),
            SUB.c.original_due != SUB.c.response_due,
        ),
    )
    source = SUB.c.source
    return (
        select(
            *(column.label(f"key_{name}") for name, column in keys.items()),
            status.label("status"),
            outcome.label("outcome"),
            settled.label("settled"),
            _local_day(dialect, SUB.c.created_at, today).label("received"),
            SUB.c.response_due.label("due"),
            SUB.c.unit_id.label("unit"),
            case((extended, 1), else_=0).label("extended"),
            SUB.c.satisfaction.label("satisfaction"),
            case((func.coalesce(SUB.c.reopened_count, 0) > 0, 1), else_=0).label("reopened"),
            case((_filled(SUB.c.response_doc_no), 1), else_=0).label("document"),
            case((_filled(SUB.c.response_file_id), 1), else_=0).label("file"),
            case((_filled(source), source), else_="chat").label("source"),
            case((and_(source == "front", _filled(SUB.c.source_org)), SUB.c.source_org), else_=None).label(
                "org"
            ),
            func.coalesce(SUB.c.nature, "").label("nature"),
            case((status == S.ANSWERED_ABOVE, 1), else_=0).label("above"),
        )
        .select_from(joined)
        .where(SUB.c.session_id.in_(session_ids))
        .offset(0)  # computed once per row: not folded into every sum that reads it (PostgreSQL)
        .subquery()
    )


def _judged(dialect: str, keys: dict[str, Any], session_ids: list[int], today: date):
    """``_rows`` with each question's timeliness."""
    row = _rows(dialect, keys, session_ids, today)
    day = literal(today, Date)
    timeliness = case(
        (row.c.outcome == AT_SESSION, ON_TIME),
        (and_(row.c.outcome == RESPONDED, row.c.due.is_not(None), row.c.settled > row.c.due), LATE),
        (row.c.outcome == RESPONDED, ON_TIME),
        (and_(row.c.outcome == OPEN_OUTCOME, row.c.due.is_not(None), day > row.c.due), OVERDUE),
        (row.c.outcome == OPEN_OUTCOME, PENDING),
        else_=None,
    )
    return select(*row.c, timeliness.label("timeliness")).offset(0).subquery()


def _n(condition):
    return func.sum(case((condition, 1), else_=0))


async def counts_by(
    db: AsyncSession, keys: dict[str, Any], session_ids: list[int], today: date, cals: Calendars
) -> dict[str, dict[Any, dict[str, Any]]]:
    """{name: {key value: Counts keyword arguments}} over the questions of ``session_ids``, for each
    key column of ``keys`` ({name: column}). The database groups by all the keys at once (one pass over
    the questions); their sums per key are added up here. Working days are counted on the calendar of
    each question's unit (``cals``)."""
    out: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in keys}
    if not session_ids:
        return out
    dialect = db.bind.dialect.name
    r = _judged(dialect, keys, session_ids, today).c
    key_columns = [r[f"key_{name}"] for name in keys]
    case_ = r.outcome.is_not(None)
    on_time, late, overdue = r.timeliness == ON_TIME, r.timeliness == LATE, r.timeliness == OVERDUE
    responded, forwarded = r.outcome == RESPONDED, r.outcome == FORWARDED
    timed = and_(r.outcome.in_((RESPONDED, FORWARDED)), r.settled.is_not(None))
    days = _days(dialect, r.settled, r.received)
    rated = r.satisfaction.between(1, 5)
    sums = {
        "received": func.count(),
        "merged": _n(r.status == S.MERGED),
        "withdrawn": _n(r.status == S.WITHDRAWN),
        "rejected": _n(r.status == S.REJECTED),
        "set_aside": _n(r.status == S.SET_ASIDE),
        "cases": _n(case_),
        "reopened": _n(and_(case_, r.reopened == 1)),
        "answered_at_session": _n(r.outcome == AT_SESSION),
        "responded": _n(responded),
        "responded_on_time": _n(and_(responded, on_time)),
        "responded_late": _n(and_(responded, late)),
        "responded_document": _n(and_(responded, r.document == 1)),
        "responded_text": _n(and_(responded, r.document == 0, r.file == 0)),
        "forwarded": _n(forwarded),
        "forwarded_answered": _n(and_(forwarded, r.above == 1)),
        "forwarded_awaiting": _n(and_(forwarded, r.above == 0)),
        "open": _n(r.outcome == OPEN_OUTCOME),
        "overdue": _n(and_(r.outcome == OPEN_OUTCOME, overdue)),
        "on_time": _n(and_(case_, on_time)),
        "late": _n(and_(case_, late)),
        "extended": _n(and_(case_, r.extended == 1)),
        "extended_on_time": _n(and_(case_, r.extended == 1, on_time)),
        "extended_late": _n(and_(case_, r.extended == 1, or_(late, overdue))),
        "rated": _n(rated),
        "satisfaction_sum": func.sum(case((rated, r.satisfaction), else_=0)),
        "satisfied": _n(r.satisfaction.between(4, 5)),
        "response_days_sum": func.sum(case((timed, case((days < 0, 0), else_=days)), else_=0)),
        "response_days_n": _n(timed),
        **{f"rating_{k}": _n(r.satisfaction == k) for k in range(1, 6)},
    }
    names = list(sums)
    width = len(keys)
    totals: dict[str, dict[Any, list[int]]] = {name: {} for name in keys}
    query = select(*key_columns, *(value.label(name) for name, value in sums.items())).group_by(*key_columns)
    for row in await db.execute(query):
        values = [int(v or 0) for v in row[width:]]
        for name, value in zip(keys, row[:width], strict=True):
            known = totals[name].get(value)
            totals[name][value] = (
                values if known is None else [a + b for a, b in zip(known, values, strict=True)]
            )
    for name in keys:
        for value, numbers in totals[name].items():
            counts: dict[str, Any] = dict(zip(names, numbers, strict=True))
            counts["ratings"] = {k: counts.pop(f"rating_{k}") for k in range(1, 6)}
            counts.update(by_source={}, by_org={}, by_nature={}, response_working_days_sum=0)
            counts["response_working_days_n"] = counts["response_days_n"]
            out[name][value] = counts
    dims = (*key_columns, r.source, r.org, r.nature)
    for *values, source, org, nature, n in await db.execute(select(*dims, func.count()).group_by(*dims)):
        for name, value in zip(keys, values, strict=True):
            counts = out[name][value]
            counts["by_source"][source] = counts["by_source"].get(source, 0) + n
            if org:
                counts["by_org"][org] = counts["by_org"].get(org, 0) + n
            counts["by_nature"][nature] = counts["by_nature"].get(nature, 0) + n
    pair = (*key_columns, r.unit, r.received, r.settled)
    for *values, unit, received, settled, n in await db.execute(
        select(*pair, func.count()).where(timed).group_by(*pair)
    ):
        working = n * max(0, cals.of(unit).working_days_between(received, settled))
        for name, value in zip(keys, values, strict=True):
            out[name][value]["response_working_days_sum"] += working
    return out


async def exception_ids(db: AsyncSession, session_ids: list[int], today: date) -> list[int]:
    """The questions settled late or overdue (what ``Report.late`` and ``Report.overdue`` list)."""
    if not session_ids:
        return []
    r = _judged(db.bind.dialect.name, {"id": SUB.c.id}, session_ids, today).c
    return list(
        await db.scalars(select(r.key_id).where(r.timeliness.in_((LATE, OVERDUE))).order_by(r.key_id))
    )
