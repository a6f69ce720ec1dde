"""The figures against the hand count in tests/report_fixture.py (late with an extension, forwarded,
merged, withdrawn, rejected and reopened submissions), and the reporting periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.i18n import use_locale
from bot.reports import ScopeError, metrics, resolve
from bot.reports.periods import PeriodError, half_period, parse_period, year_period
from storage.models import Citizen, Department, DialogueSession, Submission
from tests import report_fixture as rf


async def h1(sessionmaker) -> tuple[metrics.Report, dict[str, int]]:
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 1), rf.NOW)
        await db.commit()
    return report, ids


async def test_first_half_year_totals_match_the_hand_count(sessionmaker):
    report, _ = await h1(sessionmaker)
    t = report.totals
    assert report.today == date(2026, 5, 25)
    assert (t.received, t.merged, t.withdrawn, t.rejected, t.cases) == (14, 1, 1, 1, 11)
    assert (t.answered_at_session, t.responded, t.responded_on_time, t.responded_late) == (2, 4, 3, 1)
    # forwarded: awaiting the higher level's answer, never judged on time (issue #13)
    assert (t.forwarded, t.forwarded_awaiting, t.forwarded_answered, t.open, t.overdue, t.open_in_time) == (
        1,
        1,
        0,
        4,
        1,
        3,
    )
    assert (t.on_time, t.late, t.judged) == (5, 1, 7)
    assert t.on_time_rate == pytest.approx(5 / 7)
    assert (t.extended, t.extended_on_time, t.extended_late, t.reopened) == (2, 1, 1, 1)
    assert (t.rated, t.satisfaction_sum, t.satisfied) == (5, 19, 3)
    assert t.ratings == {1: 0, 2: 1, 3: 1, 4: 1, 5: 2}
    assert t.avg_satisfaction == pytest.approx(3.8) and t.satisfied_rate == pytest.approx(0.6)
    assert (t.response_days_sum, t.response_days_n) == (269, 5)
    assert t.avg_days_to_respond == pytest.approx(53.8)
    # every case has exactly one outcome
    assert t.answered_at_session + t.responded + t.forwarded + t.open == t.cases


async def test_sessions_held_and_participants_where_recorded(sessionmaker):
    report, ids = await h1(sessionmaker)
    assert [s.id for s in report.sessions] == [ids["S1"], ids["S2"], ids["S4"]]
    assert report.sessions_held == 2
    assert report.participants == 120 and report.sessions_with_participants == 1
    s1 = report.sessions[0]
    assert s1.notice_on == date(2026, 3, 16) and s1.counts.received == 11 and s1.counts.cases == 8
    assert report.sessions[2].held is False and report.sessions[2].counts.received == 1


async def test_by_department_with_the_unassigned_last(sessionmaker):
    report, ids = await h1(sessionmaker)
    assert [g.id for g in report.by_department] == [ids["A"], ids["B"], None]
    a, b, none = (g.counts for g in report.by_department)
    assert (a.received, a.cases, a.on_time, a.late, a.overdue, a.open) == (7, 6, 4, 1, 0, 1)
    assert a.on_time_rate == pytest.approx(0.8)
    assert (b.received, b.cases, b.on_time, b.late, b.overdue, b.open) == (5, 4, 1, 0, 1, 2)
    assert b.on_time_rate == pytest.approx(1 / 2)  # its forwarded question is not judged
    assert (none.received, none.cases, none.on_time_rate) == (2, 1, None)
    # the groups add up to the totals
    assert sum(g.counts.received for g in report.by_department) == report.totals.received
    assert sum(g.counts.on_time for g in report.by_department) == report.totals.on_time


async def test_by_topic_in_the_directory_order(sessionmaker):
    report, _ = await h1(sessionmaker)
    names = [g.name.vi if g.name else None for g in report.by_topic]
    assert names == ["Đất đai", "Chính sách xã hội", None]
    assert [g.counts.received for g in report.by_topic] == [6, 5, 3]
    assert sum(g.counts.cases for g in report.by_topic) == 11


async def test_each_kind_of_submission_is_classified_as_documented(sessionmaker):
    report, _ = await h1(sessionmaker)
    facts = {f.code: f for f in report.facts}
    late = facts["TD-0003"]
    assert (late.timeliness, late.days_late, late.settled_on) == ("late", 7, date(2026, 5, 4))
    extended_in_time = facts["TD-0004"]  # after the original date, within the extension: on time
    assert extended_in_time.extended and extended_in_time.timeliness == "on_time"
    assert extended_in_time.original_due == rf.DUE and extended_in_time.response_due == rf.EXTENDED_DUE
    overdue = facts["TD-0005"]
    assert (overdue.timeliness, overdue.days_late, overdue.overdue) == ("overdue", 10, True)
    forwarded = facts["TD-0006"]  # settled on the day of the forward event, not the last update
    assert (forwarded.outcome, forwarded.settled_on, forwarded.days_to_respond) == (
        "forwarded",
        date(2026, 4, 10),
        37,
    )
    merged = facts["TD-0007"]
    assert merged.is_case is False and merged.merged_into == "TD-0002" and merged.timeliness is None
    assert facts["TD-0008"].is_case is False and facts["TD-0009"].is_case is False
    assert facts["TD-0010"].reopened == 1 and facts["TD-0010"].timeliness == "on_time"
    assert facts["TD-0011"].asker is None and facts["TD-0001"].asker == rf.PUBLIC_NAME
    assert facts["TD-0012"].timeliness == "pending" and facts["TD-0012"].response_due is None
    assert "TD-0015" not in facts  # its session is on 01/07 local time
    assert [f.code for f in report.overdue] == ["TD-0005"] and [f.code for f in report.late] == ["TD-0003"]


async def test_second_half_holds_the_session_that_starts_on_the_first_of_july_local_time(sessionmaker):
    async with sessionmaker() as db:
        await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 2), rf.NOW)
        year = await metrics.for_period(db, year_period(2026), rf.NOW)
        await db.commit()
    assert [f.code for f in report.facts] == ["TD-0015"]
    assert year.totals.received == 15 and year.sessions_held == 3


async def test_one_session(sessionmaker):
    async with sessionmaker() as db:
        ids = await rf.build(db)
        await db.commit()
    async with sessionmaker() as db:
        report = await resolve(db, f"#{ids['S1']}", rf.NOW)
        with pytest.raises(ScopeError, match="999"):
            await resolve(db, "#999", rf.NOW)
        await db.commit()
    assert report.session is not None and report.session.id == ids["S1"]
    t = report.totals
    assert (t.received, t.cases, t.answered_at_session, t.responded, t.forwarded, t.open, t.overdue) == (
        11,
        8,
        1,
        4,
        1,
        2,
        1,
    )
    assert report.participants == 120


async def test_an_answer_late_in_the_evening_is_late_by_the_local_date(sessionmaker):
    """27/04 20:00 UTC is 28/04 03:00 in Hà Nội: one day after a due date of 27/04."""
    async with sessionmaker() as db:
        dept = Department(code="X", name_vi="X", name_en="X", keywords=[])
        citizen = Citizen(channel="telegram", chat_id="1", created_at=rf.NOW)
        session = DialogueSession(
            title="T", starts_at=rf.utc(2026, 3, 10), place="P", status="concluded", created_at=rf.NOW
        )
        db.add_all([dept, citizen, session])
        await db.flush()
        for code, at in (
            ("X-1", datetime(2026, 4, 27, 16, 59, tzinfo=UTC)),
            ("X-2", datetime(2026, 4, 27, 17, 0, tzinfo=UTC)),
        ):
            db.add(
                Submission(
                    code=code,
                    session_id=session.id,
                    citizen_id=citizen.id,
                    department_id=dept.id,
                    text="q",
                    status="responded",
                    response_due=rf.DUE,
                    responded_at=at,
                    created_at=rf.utc(2026, 3, 1),
                    updated_at=at,
                )
            )
        await db.commit()
    async with sessionmaker() as db:
        report = await metrics.for_period(db, half_period(2026, 1), rf.NOW)
        await db.commit()
    facts = {f.code: f for f in report.facts}
    assert facts["X-1"].timeliness == "on_time"
    assert (facts["X-2"].timeliness, facts["X-2"].days_late) == ("late", 1)


async def test_an_empty_period_has_no_rates(sessionmaker):
    async with sessionmaker() as db:
        report = await metrics.for_period(db, year_period(2030), rf.NOW)
        await db.commit()
    assert report.sessions == [] and report.totals.received == 0
    assert report.totals.on_time_rate is None and report.totals.avg_days_to_respond is None


@pytest.mark.parametrize(
    ("text", "start", "end", "code"),
    [
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "2026H1"),
        ("2026h2", date(2026, 7, 1), date(2026, 12, 31), "2026H2"),
        ("H1-2026", date(2026, 1, 1), date(2026, 6, 30), "2026H1"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026Q3"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
        ("2021-2025", date(2021, 1, 1), date(2025, 12, 31), "2021-2025"),
        ("2026-01-01..2026-06-30", date(2026, 1, 1), date(2026, 6, 30), "20260101-20260630"),
        ("01/01/2026-30/06/2026", date(2026, 1, 1), date(2026, 6, 30), "20260101-20260630"),
        (" 1/3/2026 .. 31/3/2026 ", date(2026, 3, 1), date(2026, 3, 31), "20260301-20260331"),
    ],
)
def test_periods_are_parsed(text, start, end, code):
    period = parse_period(text)
    assert (period.start, period.end, period.code) == (start, end, code)


def test_period_labels_in_both_languages():
    with use_locale("vi"):
        assert parse_period("2026H1").label() == "6 tháng đầu năm 2026"
        assert parse_period("2026").label() == "năm 2026"
        assert parse_period("2026-01-01..2026-06-30").label() == "từ 01/01/2026 đến 30/06/2026"
    with use_locale("en"):
        assert parse_period("2026H2").label() == "second half of 2026"
        assert parse_period("2026-01-01..2026-06-30").label() == "from 1 Jan 2026 to 30 Jun 2026"


@pytest.mark.parametrize(
    "text",
    ["", "2026H3", "abc", "31/02/2026-01/03/2026", "30/06/2026-01/01/2026", "1850", "2026-13", "2025-2021"],
)
def test_bad_periods_say_what_to_type(text):
    with use_locale("vi"), pytest.raises(PeriodError) as caught:
        parse_period(text)
    message = str(caught.value)
    assert "2026H1" in message or "phải sau" in message


async def test_figures_from_a_session_run_through_the_real_workflow(sessionmaker, clock):
    """Not hand-written rows: the workflow's own operations, then the figures of that session."""
    from datetime import timedelta

    from bot.domain import at_session, department, queries, sessions, triage
    from tests import workflow_world as ww

    office = queries.office_actor(ww.OFFICE_STAFF)
    staff = queries.dept_actor(ww.DIA_CHINH_STAFF)
    now = clock.now()
    async with sessionmaker() as db:
        await ww.load_directory(db, now)
        session = await ww.new_session(db, now)
        land = await ww.dept(db, "DIA_CHINH")
        asked = [
            await ww.ask(db, session, 1000 + i, f"Câu hỏi số {i} về sổ đỏ và đường liên thôn ở thôn {i}", now)
            for i in range(1, 8)
        ]
        q1, q2, q3, q4, q5, duplicate, off_topic = asked
        for q in (q1, q2, q3, q4, q5):
            await triage.route(db, q.id, land.id, office, now)
        await triage.merge(db, duplicate.id, q1.id, office, now)
        await triage.reject(db, off_topic.id, "Không thuộc nội dung hội nghị", office, now)
        held = session.starts_at
        await sessions.mark_held(db, session.id, "office:4000001", held, participants=85)
        await at_session.answer_at_session(db, q1.id, "Đã trả lời tại hội nghị", office, held)
        notice = held + timedelta(days=2)
        await at_session.issue_conclusion_notice(db, session.id, "Kết luận", None, office, notice)
        await db.refresh(q2)
        due = q2.response_due
        await department.respond(db, q2.id, land.id, "Trả lời", None, staff, notice + timedelta(days=3))
        asked = await department.request_extension(
            db, q3.id, land.id, due + timedelta(days=20), "Cần đo đạc", ww.DIA_CHINH_STAFF, staff, notice
        )
        await triage.decide_extension(db, asked.request.id, True, office, ww.OFFICE_STAFF, notice)
        after_due = datetime.combine(due + timedelta(days=5), datetime.min.time(), tzinfo=UTC)
        await department.respond(db, q3.id, land.id, "Trả lời sau gia hạn", None, staff, after_due)
        await department.forward(db, q4.id, land.id, "UBND huyện", "Vượt thẩm quyền", staff, notice)
        await db.commit()
        session_id = session.id
    later = datetime.combine(due + timedelta(days=10), datetime.min.time(), tzinfo=UTC)
    async with sessionmaker() as db:
        report = await metrics.for_session(db, session_id, later)
        await db.commit()
    t = report.totals
    assert (t.received, t.merged, t.rejected, t.cases) == (7, 1, 1, 5)
    assert (t.answered_at_session, t.responded, t.responded_on_time, t.forwarded, t.open, t.overdue) == (
        1,
        2,
        2,
        1,
        1,
        1,
    )
    assert (t.extended, t.extended_on_time, t.on_time, t.judged) == (1, 1, 3, 4)  # forwarded: not judged
    assert t.on_time_rate == pytest.approx(0.75)
    assert report.participants == 85 and report.sessions_held == 1
    overdue = report.overdue
    assert [f.code for f in overdue] == [q5.code] and overdue[0].days_late == 10
