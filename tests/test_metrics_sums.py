"""The figures summed in the database (bot/reports/sums.py) against the same figures counted question by
question (``summed=False``: ``make_fact`` and ``Counts.add``), on tests/report_fixture.py with more
variety added: every source (the Front by name), natures, set aside, withdrawn, answered above, written
responses with a document or a file, settled just before and just after local midnight on the due day,
no department or topic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from bot.i18n import set_timezone, timezone
from bot.reports import metrics, sums
from bot.reports.periods import half_period, parse_period, year_period
from storage.models import (
    Citizen,
    Department,
    DialogueSession,
    Staff,
    Submission,
    SubmissionEvent,
    Topic,
    Unit,
)
from tests import report_fixture as rf


def at(y: int, m: int, d: int, h: int = 3, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


async def add_variety(db, ids: dict[str, int]) -> None:
    citizen = await db.scalar(select(Citizen))
    a, b = ids["A"], ids["B"]
    topic = await db.scalar(select(Topic).where(Topic.department_id == b))
    n = 0

    def sub(session: str, dept: int | None, status: str, received: datetime, **kw) -> Submission:
        nonlocal n
        n += 1
        row = Submission(
            code=f"VX-{n:04d}",
            session_id=ids[session],
            citizen_id=citizen.id,
            department_id=dept,
            topic_id=kw.pop("topic_id", topic.id if dept == b else None),
            text=f"Câu hỏi thêm số {n}",
            asker_name="Lê Văn Bình",
            public_name=kw.pop("public_name", n % 2 == 0),
            status=status,
            created_at=received,
            updated_at=kw.pop("updated_at", received),
            **kw,
        )
        db.add(row)
        return row

    due = date(2026, 5, 10)
    # settled 00:30 local on the 11th (17:30 UTC on the 10th): one day late; 23:30 local on the 10th: on time
    sub("S1", a, "responded", at(2026, 3, 5), response_due=due, responded_at=at(2026, 5, 10, 17, 30))
    sub("S1", b, "responded", at(2026, 3, 5, 16, 59), response_due=due, responded_at=at(2026, 5, 10, 16, 30))
    sub(
        "S1",
        b,
        "responded",
        at(2026, 3, 6),
        response_due=due,
        responded_at=at(2026, 4, 2),
        response_doc_no="12/UBND",
    )
    sub(
        "S1",
        a,
        "responded",
        at(2026, 3, 6),
        response_due=due,
        responded_at=at(2026, 4, 3),
        response_file_id="F1",
    )
    sub("S1", a, "responded", at(2026, 3, 7), response_due=None, responded_at=None, updated_at=at(2026, 4, 9))
    sub(
        "S1",
        a,
        "responded",
        at(2026, 3, 7),
        response_due=due,
        response_doc_no="",
        satisfaction=1,
        responded_at=at(2026, 3, 1),
    )  # fmt: skip  (settled before it was received: 0 days)
    sub("S1", a, "awaiting_response", at(2026, 3, 8), response_due=due, original_due=date(2026, 4, 20))
    sub("S1", a, "awaiting_response", at(2026, 3, 8), response_due=date(2026, 5, 25), extension_reason="")
    sub(
        "S1",
        None,
        "received",
        at(2026, 3, 9),
        source="front",
        source_org="Hội Nông dân xã",
        nature="proposal",
    )
    sub("S1", None, "withdrawn", at(2026, 3, 9), source="front", source_org="", satisfaction=4)
    sub("S2", b, "set_aside", at(2026, 5, 18), source="paper", nature="complaint")
    sub("S2", b, "rejected", at(2026, 5, 18), source="phone", nature="denunciation")
    sub("S2", b, "answered_above", at(2026, 5, 18), source="floor", forwarded_at=at(2026, 5, 21, 18))
    sub("S2", a, "forwarded", at(2026, 5, 19), source="", nature="", satisfaction=5, reopened_count=2)
    sub("S2", None, "answered_at_session", at(2026, 5, 19), satisfaction=3, topic_id=topic.id)
    sub("S2", a, "routed", at(2026, 5, 19), reopened_count=1, satisfaction=2)
    await db.flush()
    forwarded = await db.scalar(select(Submission).where(Submission.code == "VX-0014"))
    for day in (20, 22):  # the latest forward counts
        db.add(
            SubmissionEvent(submission_id=forwarded.id, at=at(2026, 5, day), actor="office", action="forward")
        )
    # who answered: two staff members and an office with no name on file; a question answered twice
    # counts for the later one; a merged question's rating for whoever answered its target
    db.add(Staff(user_id=501, name="Trần Văn Đáp", role="department", created_at=at(2026, 1, 2)))
    answered = list(await db.scalars(select(Submission.id).where(Submission.status != "merged")))
    for n, sid in enumerate(sorted(answered)):
        actor = "dept:501" if n % 2 else "office:502"
        action = "respond" if n % 3 else "answer_at_session"
        db.add(SubmissionEvent(submission_id=sid, at=at(2026, 6, 1, n % 20), actor=actor, action=action))
    db.add(SubmissionEvent(submission_id=answered[0], at=at(2026, 7, 1), actor="dept:503", action="respond"))
    # a department with no questions of its own and a session with none
    db.add(Department(code="TRONG", name_vi="Phòng trống", name_en="Empty", keywords=[]))
    db.add(DialogueSession(title="Không ai hỏi", starts_at=at(2026, 4, 1), place="x", status="held",
                           created_at=at(2026, 1, 5)))  # fmt: skip


def same(summed: metrics.Report, counted: metrics.Report) -> None:
    assert counted.by_answerer or not counted.totals.received  # the fixture has answers to sum
    assert summed.totals == counted.totals
    assert [(s.id, s.counts) for s in summed.sessions] == [(s.id, s.counts) for s in counted.sessions]
    for name in ("by_department", "by_topic", "by_year", "by_month", "by_unit", "by_answerer"):
        mine, theirs = getattr(summed, name), getattr(counted, name)
        assert [(g.id, g.name, g.counts) for g in mine] == [(g.id, g.name, g.counts) for g in theirs], name


async def test_the_sums_in_the_database_equal_the_question_by_question_count(sessionmaker):
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await add_variety(db, ids)
        await db.commit()
    periods = [
        half_period(2026, 1),
        half_period(2026, 2),
        year_period(2026),
        parse_period("2025-2027"),
        parse_period("2026-03"),
    ]
    async with sessionmaker() as db:
        assert sums.supported(db.bind.dialect.name, rf.NOW.date())  # the database path is the one tested
        for period in periods:
            summed = await metrics.for_period(db, period, rf.NOW)
            counted = await metrics.for_period(db, period, rf.NOW, summed=False)
            same(summed, counted)
            assert summed.facts == counted.facts
            light = await metrics.for_period(db, period, rf.NOW, facts=metrics.EXCEPTIONS)
            same(light, counted)
            assert light.overdue == counted.overdue and light.late == counted.late
            assert {f.timeliness for f in light.facts} <= {metrics.LATE, metrics.OVERDUE}
        for session_id in (ids["S1"], ids["S2"], ids["S3"]):
            summed = await metrics.for_session(db, session_id, rf.NOW)
            counted = await metrics.for_session(db, session_id, rf.NOW, summed=False)
            same(summed, counted)
        year = await metrics.for_period(db, year_period(2026), rf.NOW)
        await db.commit()
    t = year.totals  # the fixture reaches what the sums derive (a test of equal zeros proves nothing)
    assert t.responded_late >= 2 and t.overdue >= 2 and t.extended_on_time and t.extended_late
    assert t.forwarded_answered and t.forwarded_awaiting and t.set_aside and t.withdrawn and t.rejected
    assert t.responded_document and t.responded_text and t.responded > t.responded_document + t.responded_text
    assert t.by_org == {"Hội Nông dân xã": 1} and set(t.by_source) == {
        "chat",
        "front",
        "paper",
        "phone",
        "floor",
    }
    assert t.by_nature[""] and t.by_nature["complaint"] and t.reopened >= 2 and t.rated >= 8
    assert t.response_working_days_sum and t.response_working_days_sum < t.response_days_sum
    assert any(g.id is None for g in year.by_department) and any(g.id is None for g in year.by_topic)
    late = {f.code: f.days_late for f in year.late}
    assert late["VX-0001"] == 1 and "VX-0002" not in late


async def test_working_days_to_respond_are_counted_on_each_questions_units_calendar(sessionmaker):
    """A unit's own days off (every other weekday from March to June here) are not working days for
    its questions: fewer working days to respond, the same in the database's sums and question by
    question."""
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await add_variety(db, ids)
        await db.commit()
    async with sessionmaker() as db:
        before = (await metrics.for_period(db, year_period(2026), rf.NOW)).totals.response_working_days_sum
        days = (date(2026, 3, 1) + timedelta(days=i) for i in range(122))
        off = [day.isoformat() for day in days if day.weekday() < 5][::2]
        unit = Unit(code="XA", name_vi="UBND xã A", name_en="Commune A", days_off=off)
        db.add(unit)
        await db.flush()
        await db.execute(update(Submission).values(unit_id=unit.id))
        await db.commit()
    async with sessionmaker() as db:
        summed = await metrics.for_period(db, year_period(2026), rf.NOW)
        counted = await metrics.for_period(db, year_period(2026), rf.NOW, summed=False)
        await db.commit()
    same(summed, counted)
    assert summed.facts == counted.facts
    assert 0 < summed.totals.response_working_days_sum < before


async def test_a_zone_with_daylight_saving_gives_the_same_figures(sessionmaker):
    """Where the zone's offset changes (here Europe/Paris), PostgreSQL converts each date with the zone
    and SQLite counts question by question: the figures are the same as the reference's."""
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await add_variety(db, ids)
        await db.commit()
    before = timezone().key
    set_timezone("Europe/Paris")
    try:
        assert sums.fixed_offset(rf.NOW.date()) is None
        async with sessionmaker() as db:
            dialect = db.bind.dialect.name
            assert sums.supported(dialect, rf.NOW.date()) == (dialect == "postgresql")
            for period in (half_period(2026, 1), year_period(2026)):
                summed = await metrics.for_period(db, period, rf.NOW)
                counted = await metrics.for_period(db, period, rf.NOW, summed=False)
                same(summed, counted)
                assert summed.facts == counted.facts
            await db.commit()
    finally:
        set_timezone(before)
    assert summed.totals.received and summed.totals.responded_late
