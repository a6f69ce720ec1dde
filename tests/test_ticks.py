"""Deadline ticks with an injected time: who is told what, and when, across R4 and R5 with Tết 2027
in between. Expected dates are worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot.i18n import set_timezone
from bot.notify.scheduler import LEASE_NAME, TickParts, acquire_lease, run_tick
from bot.settings import Settings
from storage.models import (
    AppConfig,
    Citizen,
    Department,
    DialogueSession,
    Outbox,
    SessionStatus,
    Submission,
    SubmissionStatus,
)

OFFICE = -1001
DEPT_CHAT = -2002
VN = 7  # Asia/Ho_Chi_Minh is UTC+7


def at(y, m, d, hh=8, mm=0) -> datetime:
    """A local (UTC+7) time as an aware UTC datetime."""
    return (
        datetime(y, m, d, hh - VN, mm, tzinfo=UTC)
        if hh >= VN
        else datetime(y, m, d - 1, hh + 24 - VN, mm, tzinfo=UTC)
    )


@pytest.fixture
async def world(sessionmaker):
    set_timezone("Asia/Ho_Chi_Minh")
    created = at(2026, 11, 1)
    async with sessionmaker() as db:
        db.add(AppConfig(key="office_chat_id", value=str(OFFICE)))
        dept = Department(code="DC", name_vi="Công chức Địa chính", name_en="Land Officer", chat_id=DEPT_CHAT)
        db.add(dept)
        an = Citizen(channel="telegram", chat_id="101", locale="vi", created_at=created)
        bob = Citizen(channel="telegram", chat_id="102", locale="en", created_at=created)
        db.add_all([an, bob])
        # Held Fri 18/12/2026 → R4 due Mon 28/12/2026 (a working day, no roll-forward).
        held = DialogueSession(
            title="Đối thoại quý IV",
            starts_at=at(2026, 12, 18, 8),
            place="Hội trường UBND xã",
            status=SessionStatus.HELD,
            held_at=at(2026, 12, 18, 11),
            created_at=created,
        )
        db.add(held)
        await db.flush()
        a = Submission(
            code="DT-26-0001",
            session_id=held.id,
            citizen_id=an.id,
            department_id=dept.id,
            text="Cấp giấy chứng nhận quyền sử dụng đất",
            status=SubmissionStatus.AWAITING_RESPONSE,
            created_at=created,
            updated_at=created,
        )
        b = Submission(
            code="DT-26-0002",
            session_id=held.id,
            citizen_id=bob.id,
            text="Đèn đường thôn 3",
            status=SubmissionStatus.ANSWERED_AT_SESSION,
            session_answer="Sẽ lắp trong tháng 1",
            created_at=created,
            updated_at=created,
        )
        db.add_all([a, b])
        await db.commit()
        ids = {"session": held.id, "a": a.id, "b": b.id, "dept": dept.id}
    return ids


async def tick(sessionmaker, now):
    return await run_tick(TickParts(sessionmaker, Settings()), now)


async def new_messages(sessionmaker, seen: set[int]) -> list[tuple[str, str, str]]:
    async with sessionmaker() as db:
        rows = list(await db.scalars(select(Outbox).order_by(Outbox.id)))
    out = [(r.chat_id, r.key, r.payload["text"]) for r in rows if r.id not in seen]
    seen.update(r.id for r in rows)
    return out


def chats(msgs) -> list[str]:
    return [c for c, _k, _t in msgs]


async def issue_notice(sessionmaker, ids, when: datetime, due: date):
    async with sessionmaker() as db:
        await db.execute(
            update(DialogueSession)
            .where(DialogueSession.id == ids["session"])
            .values(
                notice_at=when,
                status=SessionStatus.CONCLUDED,
                notice_text="Kết luận: giải quyết trong 30 ngày.",
            )
        )
        await db.execute(
            update(Submission).where(Submission.id == ids["a"]).values(response_due=due, original_due=due)
        )
        await db.commit()


async def test_conclusion_late_then_response_across_tet(sessionmaker, world):
    seen: set[int] = set()
    # Thu 24/12: nothing due yet.
    await tick(sessionmaker, at(2026, 12, 24))
    assert await new_messages(sessionmaker, seen) == []
    # Fri 25/12: the next working day is Mon 28/12, the R4 due date → the office is reminded.
    await tick(sessionmaker, at(2026, 12, 25))
    msgs = await new_messages(sessionmaker, seen)
    assert chats(msgs) == [str(OFFICE)] and "28/12/2026" in msgs[0][2]
    # Mon 28/12 (the due day itself): not yet late.
    await tick(sessionmaker, at(2026, 12, 28, 23, 59))
    assert await new_messages(sessionmaker, seen) == []
    # Tue 29/12 00:05 local: late. Each citizen is told, in their language; the office is alerted.
    await tick(sessionmaker, at(2026, 12, 29, 0, 5))
    msgs = await new_messages(sessionmaker, seen)
    assert sorted(chats(msgs)) == sorted(["101", "102", str(OFFICE)])
    by_chat = {c: t for c, _k, t in msgs}
    assert "chưa được ban hành" in by_chat["101"] and "28/12/2026" in by_chat["101"]
    assert "has not been issued" in by_chat["102"] and "28 Dec 2026" in by_chat["102"]
    assert "Quá hạn" in by_chat[str(OFFICE)] and "2 người dân" in by_chat[str(OFFICE)]
    # The same tick again, and the next minute: nothing twice.
    await tick(sessionmaker, at(2026, 12, 29, 0, 5))
    await tick(sessionmaker, at(2026, 12, 29, 0, 6))
    assert await new_messages(sessionmaker, seen) == []

    # The notice is issued Mon 28/12 after all (recorded late) → R5 due 16/02/2027 (test_deadlines:
    # 29–31/12 = 3, 1/1 New Year off, January 4–29 = 20 → 23, 1–3/2 → 26, Tết 4–10/2 off, 11, 12, 15,
    # 16/2 → 30).
    await issue_notice(sessionmaker, world, at(2026, 12, 28, 16), date(2027, 2, 16))
    # Five working days before 16/02: (d, 16/02] must hold 5 working days: 3/2, 11/2, 12/2, 15/2, 16/2
    # → d = Tue 2/2/2027 (Tết 4–10/2 counts for nothing).
    await tick(sessionmaker, at(2027, 2, 1))
    assert await new_messages(sessionmaker, seen) == []
    await tick(sessionmaker, at(2027, 2, 2))
    msgs = await new_messages(sessionmaker, seen)
    assert (
        chats(msgs) == [str(DEPT_CHAT)] and "Còn 5 ngày làm việc" in msgs[0][2] and "DT-26-0001" in msgs[0][2]
    )
    # During Tết: no reminders (not working days); one working day before is Fri 12/2? No: (d, 16/2]
    # with one working day → d = Mon 15/2.
    for day in (5, 8, 10, 11, 12):
        await tick(sessionmaker, at(2027, 2, day))
    assert await new_messages(sessionmaker, seen) == []
    await tick(sessionmaker, at(2027, 2, 15))
    msgs = await new_messages(sessionmaker, seen)
    assert chats(msgs) == [str(DEPT_CHAT)] and "Còn 1 ngày làm việc" in msgs[0][2]
    # Tue 16/2: due today, not late.
    await tick(sessionmaker, at(2027, 2, 16, 20))
    assert await new_messages(sessionmaker, seen) == []
    # Wed 17/2: late. The citizen hears it is late and who is responsible; department and office reminded.
    await tick(sessionmaker, at(2027, 2, 17))
    msgs = await new_messages(sessionmaker, seen)
    assert sorted(chats(msgs)) == sorted(["101", str(DEPT_CHAT), str(OFFICE)])
    by_chat = {c: t for c, _k, t in msgs}
    assert "16/02/2027" in by_chat["101"] and "Công chức Địa chính" in by_chat["101"]
    assert "quá hạn" in by_chat[str(DEPT_CHAT)] and "DT-26-0001" in by_chat[str(OFFICE)]
    await tick(sessionmaker, at(2027, 2, 17, 15))
    assert await new_messages(sessionmaker, seen) == []
    # Thu 18/2: reminded again (daily), the citizen is not told twice.
    await tick(sessionmaker, at(2027, 2, 18))
    msgs = await new_messages(sessionmaker, seen)
    assert sorted(chats(msgs)) == sorted([str(DEPT_CHAT), str(OFFICE)])
    # The department responds; the next tick asks the citizen to rate it, and reminders stop.
    async with sessionmaker() as db:
        await db.execute(
            update(Submission)
            .where(Submission.id == world["a"])
            .values(
                status=SubmissionStatus.RESPONDED, responded_at=at(2027, 2, 18, 10), response_text="Đã cấp."
            )
        )
        await db.commit()
    await tick(sessionmaker, at(2027, 2, 18, 10, 1))
    msgs = await new_messages(sessionmaker, seen)
    assert chats(msgs) == ["101"] and "1 (không hài lòng)" in msgs[0][2]
    async with sessionmaker() as db:
        row = await db.scalar(select(Outbox).where(Outbox.purpose == "rate"))
    assert [b["data"] for b in row.payload["buttons"][0]] == [f"fu:{world['a']}:{v}" for v in range(1, 6)]
    assert row.payload["buttons"][1][0]["data"] == f"fu:{world['a']}:0"
    await tick(sessionmaker, at(2027, 2, 19))
    assert await new_messages(sessionmaker, seen) == []


async def test_conclusion_issued_in_time_and_response_given_in_time(sessionmaker, world):
    seen: set[int] = set()
    await issue_notice(sessionmaker, world, at(2026, 12, 28, 9), date(2027, 2, 16))
    await tick(sessionmaker, at(2026, 12, 25))  # no "soon" reminder: the notice is out
    await tick(sessionmaker, at(2026, 12, 29))
    msgs = await new_messages(sessionmaker, seen)
    by_chat = {c: t for c, _k, t in msgs}
    assert "đã được ban hành ngày 28/12/2026" in by_chat["101"] and "16/02/2027" in by_chat["101"]
    assert "was issued on 28 Dec 2026" in by_chat["102"]
    assert "Đã báo tình hình" not in by_chat[str(OFFICE)] and "2 người dân" in by_chat[str(OFFICE)]
    async with sessionmaker() as db:
        await db.execute(
            update(Submission)
            .where(Submission.id == world["a"])
            .values(
                status=SubmissionStatus.RESPONDED, responded_at=at(2027, 2, 10, 9), response_text="Đã cấp."
            )
        )
        await db.commit()
    await tick(sessionmaker, at(2027, 2, 17))
    msgs = await new_messages(sessionmaker, seen)
    # At R5: where things stand (answered on 10/02), and the rating question.
    assert chats(msgs) == ["101", "101"] and "trả lời ngày 10/02/2027" in msgs[0][2]
    assert msgs[1][1] == "rate:DT-26-0001:0"


async def test_extension_moves_the_due_date(sessionmaker, world):
    seen: set[int] = set()
    await issue_notice(sessionmaker, world, at(2026, 12, 28, 9), date(2027, 2, 16))
    async with sessionmaker() as db:  # approved extension to Fri 26/2
        await db.execute(
            update(Submission)
            .where(Submission.id == world["a"])
            .values(response_due=date(2027, 2, 26), extension_reason="Cần đo đạc lại")
        )
        await db.commit()
    await tick(sessionmaker, at(2026, 12, 29))
    await new_messages(sessionmaker, seen)
    await tick(sessionmaker, at(2027, 2, 17))
    assert [c for c in chats(await new_messages(sessionmaker, seen)) if c == "101"] == []
    await tick(sessionmaker, at(2027, 2, 27))
    msgs = await new_messages(sessionmaker, seen)
    assert "101" in chats(msgs) and "26/02/2027" in {c: t for c, _k, t in msgs}["101"]


async def test_citizens_reminded_the_day_before_their_session(sessionmaker, world):
    seen: set[int] = set()
    async with sessionmaker() as db:
        s = DialogueSession(
            title="Đối thoại quý I",
            starts_at=at(2027, 3, 10, 8),
            place="Nhà văn hoá thôn 2",
            status=SessionStatus.ANNOUNCED,
            created_at=at(2027, 2, 1),
        )
        db.add(s)
        await db.flush()
        an = await db.scalar(select(Citizen).where(Citizen.chat_id == "101"))
        db.add(
            Submission(
                code="DT-27-0001",
                session_id=s.id,
                citizen_id=an.id,
                text="Đường liên thôn",
                status=SubmissionStatus.ROUTED,
                created_at=at(2027, 2, 1),
                updated_at=at(2027, 2, 1),
            )
        )
        await db.commit()
    await tick(sessionmaker, at(2027, 3, 8, 9))  # (catches up on session IV's old deadline too)
    assert [k for _c, k, _t in await new_messages(sessionmaker, seen) if k.startswith("eve:")] == []
    await tick(sessionmaker, at(2027, 3, 9, 9))
    msgs = [m for m in await new_messages(sessionmaker, seen) if m[0] == "101"]
    assert len(msgs) == 1 and "08:00 10/03/2027" in msgs[0][2] and "Nhà văn hoá thôn 2" in msgs[0][2]
    await tick(sessionmaker, at(2027, 3, 9, 18))
    assert "101" not in chats(await new_messages(sessionmaker, seen))


async def test_only_one_tick_at_a_time(sessionmaker, world):
    now = at(2026, 12, 29)
    assert await acquire_lease(sessionmaker, LEASE_NAME, "other-process", now)
    report = await run_tick(TickParts(sessionmaker, Settings()), now, holder="me")
    assert report.skipped
    async with sessionmaker() as db:
        assert (await db.scalar(select(Outbox.id))) is None
    # the other holder crashed: its lease expires after 5 minutes
    report = await run_tick(TickParts(sessionmaker, Settings()), at(2026, 12, 29, 8, 6), holder="me")
    assert not report.skipped and report.total == 3


def test_cli_tick_at_a_chosen_time(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DOITHOAI_BOT_TOKEN", "1:TEST")
    assert main(["tick", "--now", "2027-02-17T08:00", "--no-deliver"]) == 0
    assert "tick 2027-02-17: enqueued 0" in capsys.readouterr().out
