"""The office's and departments' operations as plain domain calls: state, history, and who is told what
(the notifier writes the messages when the transaction commits)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.channels.telegram.callbacks import pack
from bot.domain import at_session, department, followup, queries, sessions, triage
from bot.domain.errors import DeadlineInPast, InvalidInput, NotAllowed, WrongState
from bot.domain.intake import NewAttachment
from storage.models import DialogueSession, SessionStatus, Submission, SubmissionEvent, SubmissionStatus
from tests.workflow_world import (
    DIA_CHINH_CHAT,
    DIA_CHINH_STAFF,
    OFFICE,
    OFFICE_STAFF,
    XA_HOI_CHAT,
    ask,
    dept,
    load_directory,
    new_session,
    outbox_to,
    texts,
)

OFFICE_ACTOR = queries.office_actor(OFFICE_STAFF)
DEPT_ACTOR = queries.dept_actor(DIA_CHINH_STAFF)
LAND_QUESTION = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, đã nộp hồ sơ từ năm ngoái"


@pytest.fixture
async def db(sessionmaker, clock):
    async with sessionmaker() as session:
        await load_directory(session, clock.now())
        yield session


async def events(db, sub) -> list[str]:
    rows = await db.scalars(
        select(SubmissionEvent.action)
        .where(SubmissionEvent.submission_id == sub.id)
        .order_by(SubmissionEvent.id)
    )
    return list(rows)


async def test_new_submission_card_reaches_the_office_with_suggestion_contact_and_attachments(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(
        db,
        session,
        1001,
        LAND_QUESTION,
        clock.now(),
        topic="KHAC",
        attachments=[NewAttachment("document", "FILE-1", "don.pdf"), NewAttachment("photo", "PHOTO-1")],
    )
    rows = await outbox_to(db, OFFICE)
    assert [r.purpose for r in rows] == ["triage_card", "triage_attachment", "triage_attachment"]
    card = rows[0].payload
    assert sub.code in card["text"] and "sổ đỏ" in card["text"]
    assert "0912345678" in card["text"] and "Thôn 3" in card["text"]
    assert "Địa chính – Xây dựng" in card["text"]
    labels = [b["label"] for row in card["actions"] for b in row]
    assert labels[0].startswith("➡️ Chuyển: Địa chính")
    assert {"🏢 Chọn đơn vị khác", "🔗 Gộp câu trùng", "❓ Hỏi lại người dân", "⛔ Từ chối"} <= set(labels)
    assert all(len(pack(b).encode()) <= 64 for row in card["actions"] for b in row)
    assert rows[1].payload["document"]["file_id"] == "FILE-1"
    assert rows[2].payload["document"] == {
        "file_id": "PHOTO-1",
        "caption": rows[2].payload["text"],
        "kind": "photo",
    }


async def test_routing_tells_the_department_and_the_citizen_to_whom(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, LAND_QUESTION, clock.now(), locale="en")
    land = await dept(db, "DIA_CHINH")
    await triage.route(db, sub.id, land.id, OFFICE_ACTOR, clock.now())
    assert sub.status == SubmissionStatus.ROUTED and sub.department_id == land.id
    card = (await outbox_to(db, DIA_CHINH_CHAT))[0].payload
    assert sub.code in card["text"] and "0912345678" in card["text"]
    assert [b["label"] for b in card["actions"][0]] == ["✅ Tiếp nhận", "✍️ Trả lời"]
    (to_citizen,) = texts(await outbox_to(db, 1001))
    assert sub.code in to_citizen and "Land administration and construction" in to_citizen  # English reader
    assert await events(db, sub) == ["submit", "route"]
    # a second press (another staff member, the same moment) changes nothing
    with pytest.raises(WrongState):
        await triage.route(db, sub.id, (await dept(db, "XA_HOI")).id, OFFICE_ACTOR, clock.now())
    assert await outbox_to(db, XA_HOI_CHAT) == []


async def test_a_merged_duplicate_shares_the_written_answer(db, clock):
    session = await new_session(db, clock.now())
    first = await ask(
        db, session, 1001, "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa chữa?", clock.now()
    )
    second = await ask(
        db, session, 1002, "duong lien thon 3 hong nang khi nao sua chua", clock.now(), name="Bà Lan"
    )
    await triage.merge(db, second.id, first.id, OFFICE_ACTOR, clock.now())
    assert second.status == SubmissionStatus.MERGED and second.merged_into_id == first.id
    assert "được gộp" in texts(await outbox_to(db, 1002))[-1]
    with pytest.raises(WrongState):  # already merged: cannot be routed on its own
        await triage.route(db, second.id, (await dept(db, "DIA_CHINH")).id, OFFICE_ACTOR, clock.now())
    land = await dept(db, "DIA_CHINH")
    await triage.route(db, first.id, land.id, OFFICE_ACTOR, clock.now())
    await db.refresh(second)
    assert second.department_id == land.id
    later = clock.now() + timedelta(days=3)
    await department.respond(
        db, first.id, land.id, "Xã sẽ sửa đường trong tháng 12.", None, DEPT_ACTOR, later
    )
    for chat, code in ((1001, first.code), (1002, second.code)):
        last = texts(await outbox_to(db, chat))[-1]
        assert "Xã sẽ sửa đường trong tháng 12." in last and code in last
    office = texts(await outbox_to(db, OFFICE))[-1]
    assert "đã trả lời" in office and first.code in office
    with pytest.raises(WrongState):  # answered once
        await department.respond(db, first.id, land.id, "again", None, DEPT_ACTOR, later)


async def test_merge_refuses_another_session_and_itself(db, clock):
    session = await new_session(db, clock.now())
    other = await new_session(db, clock.now(), title="Khác")
    a = await ask(db, session, 1001, LAND_QUESTION, clock.now())
    b = await ask(db, other, 1002, LAND_QUESTION, clock.now())
    with pytest.raises(InvalidInput):
        await triage.merge(db, b.id, a.id, OFFICE_ACTOR, clock.now())
    with pytest.raises(InvalidInput):
        await triage.merge(db, a.id, a.id, OFFICE_ACTOR, clock.now())


async def test_rejection_reason_reaches_the_citizen(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, "Nội dung quảng cáo không liên quan gì đến xã cả", clock.now())
    with pytest.raises(InvalidInput):
        await triage.reject(db, sub.id, "   ", OFFICE_ACTOR, clock.now())
    await triage.reject(db, sub.id, "Không thuộc nội dung đối thoại <b>", OFFICE_ACTOR, clock.now())
    last = texts(await outbox_to(db, 1001))[-1]
    assert "không được tiếp nhận" in last and "Không thuộc nội dung đối thoại &lt;b&gt;" in last
    assert sub.status == SubmissionStatus.REJECTED


async def test_clarification_goes_to_the_citizen_and_the_answer_comes_back_to_the_office(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, "Đường thôn bị hỏng lâu rồi mà chưa ai sửa", clock.now())
    await triage.ask_citizen(db, sub.id, "Đường ở thôn nào ạ?", OFFICE_ACTOR, clock.now())
    assert sub.awaiting_clarification
    assert "Đường ở thôn nào ạ?" in texts(await outbox_to(db, 1001))[-1]
    await followup.clarify(db, sub, "Thôn 5, đoạn gần trường học", clock.now() + timedelta(hours=1))
    assert not sub.awaiting_clarification
    back = (await outbox_to(db, OFFICE))[-1]
    assert "Thôn 5, đoạn gần trường học" in back.payload["text"] and back.payload.get("actions")
    assert await events(db, sub) == ["submit", "ask_citizen", "clarify"]


async def test_department_actions_need_the_assigned_department(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, LAND_QUESTION, clock.now())
    land, social = await dept(db, "DIA_CHINH"), await dept(db, "XA_HOI")
    await triage.route(db, sub.id, land.id, OFFICE_ACTOR, clock.now())
    with pytest.raises(NotAllowed):
        await department.respond(db, sub.id, social.id, "not ours", None, DEPT_ACTOR, clock.now())
    with pytest.raises(NotAllowed):
        await department.accept(db, sub.id, social.id, DEPT_ACTOR, clock.now())
    await department.accept(db, sub.id, land.id, DEPT_ACTOR, clock.now())
    with pytest.raises(WrongState):
        await department.accept(db, sub.id, land.id, DEPT_ACTOR, clock.now())


async def test_hand_back_returns_it_to_the_office_for_routing_again(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, LAND_QUESTION, clock.now())
    land, social = await dept(db, "DIA_CHINH"), await dept(db, "XA_HOI")
    await triage.route(db, sub.id, land.id, OFFICE_ACTOR, clock.now())
    later = clock.now() + timedelta(minutes=5)
    await department.hand_back(db, sub.id, land.id, "Thuộc lĩnh vực xã hội", DEPT_ACTOR, later)
    assert sub.status == SubmissionStatus.RECEIVED and sub.department_id is None
    card = (await outbox_to(db, OFFICE))[-1].payload
    assert "trả lại văn phòng" in card["text"] and "Thuộc lĩnh vực xã hội" in card["text"]
    assert sub in await queries.inbox(db)
    await triage.route(db, sub.id, social.id, OFFICE_ACTOR, later + timedelta(minutes=1))
    assert sub.department_id == social.id
    assert len(await outbox_to(db, XA_HOI_CHAT)) == 1


async def held_session_with_questions(db, clock):
    session = await new_session(db, clock.now())
    answered = await ask(db, session, 1001, "Xin hỏi kế hoạch làm đường liên thôn năm sau?", clock.now())
    open_q = await ask(db, session, 1002, LAND_QUESTION, clock.now(), locale="en")
    land = await dept(db, "DIA_CHINH")
    await triage.route(db, open_q.id, land.id, OFFICE_ACTOR, clock.now())
    return session, answered, open_q, land


async def test_session_answer_needs_a_held_session(db, clock):
    session, answered, _open_q, _land = await held_session_with_questions(db, clock)
    with pytest.raises(WrongState):
        await at_session.answer_at_session(db, answered.id, "Sẽ làm.", OFFICE_ACTOR, clock.now())
    await sessions.mark_held(db, session.id, OFFICE_ACTOR, clock.now() + timedelta(days=20))
    await at_session.answer_at_session(db, answered.id, "Năm 2027 sẽ làm.", OFFICE_ACTOR, clock.now())
    assert answered.status == SubmissionStatus.ANSWERED_AT_SESSION
    assert "Năm 2027 sẽ làm." in texts(await outbox_to(db, 1001))[-1]


async def test_conclusion_notice_starts_each_response_clock_once(db, clock):
    session, answered, open_q, land = await held_session_with_questions(db, clock)
    with pytest.raises(WrongState):  # not held yet
        await at_session.issue_conclusion_notice(db, session.id, "Kết luận", None, OFFICE_ACTOR, clock.now())
    held_at = clock.now() + timedelta(days=20)
    await sessions.mark_held(db, session.id, OFFICE_ACTOR, held_at)
    await at_session.answer_at_session(db, answered.id, "Năm 2027 sẽ làm.", OFFICE_ACTOR, held_at)
    notice_at = held_at + timedelta(days=3)  # 2026-12-16 (Wednesday)
    session, unresolved = await at_session.issue_conclusion_notice(
        db, session.id, "Chủ tịch kết luận như sau.", "NOTICE-FILE", OFFICE_ACTOR, notice_at
    )
    assert session.status == SessionStatus.CONCLUDED and session.notice_file_id == "NOTICE-FILE"
    assert unresolved == [open_q.id]
    await db.refresh(open_q)
    assert open_q.status == SubmissionStatus.AWAITING_RESPONSE
    # 30 working days after 16/12/2026: 1/1/2027 is a holiday → 28/01/2027
    assert open_q.response_due == open_q.original_due == date(2027, 1, 28)
    notice = (await outbox_to(db, 1002))[-1]
    assert "Chủ tịch kết luận như sau." in notice.payload["text"] and "28 Jan 2027" in notice.payload["text"]
    assert notice.payload["document"]["file_id"] == "NOTICE-FILE"
    assert not any("kết luận" in t for t in texts(await outbox_to(db, 1001)))  # resolved at the session
    to_dept = (await outbox_to(db, DIA_CHINH_CHAT))[-1]
    assert to_dept.purpose == "conclusion_notice" and open_q.code in to_dept.payload["text"]
    with pytest.raises(WrongState):  # issued twice
        await at_session.issue_conclusion_notice(db, session.id, "Lần hai", None, OFFICE_ACTOR, notice_at)
    assert len([r for r in await outbox_to(db, 1002) if r.purpose == "conclusion_notice"]) == 1


async def test_extension_is_approved_and_the_citizen_told_the_new_date_and_agency(db, clock):
    session, _answered, open_q, land = await held_session_with_questions(db, clock)
    held_at = clock.now() + timedelta(days=20)
    await sessions.mark_held(db, session.id, OFFICE_ACTOR, held_at)
    await at_session.issue_conclusion_notice(db, session.id, "Kết luận", None, OFFICE_ACTOR, held_at)
    await db.refresh(open_q)
    due = open_q.response_due
    with pytest.raises(DeadlineInPast):
        await department.request_extension(
            db, open_q.id, land.id, date(2026, 1, 1), "Cần khảo sát", DIA_CHINH_STAFF, DEPT_ACTOR, held_at
        )
    with pytest.raises(InvalidInput):  # not after the current due date
        await department.request_extension(
            db, open_q.id, land.id, due, "Cần khảo sát", DIA_CHINH_STAFF, DEPT_ACTOR, held_at
        )
    new_due = due + timedelta(days=30)  # a Saturday? moved to the next working day
    asked = await department.request_extension(
        db, open_q.id, land.id, new_due, "Cần khảo sát thực địa", DIA_CHINH_STAFF, DEPT_ACTOR, held_at
    )
    req, new_due = asked.request, asked.request.new_due
    with pytest.raises(WrongState):  # one pending request at a time
        await department.request_extension(
            db, open_q.id, land.id, new_due + timedelta(days=1), "again", DIA_CHINH_STAFF, DEPT_ACTOR, held_at
        )
    card = (await outbox_to(db, OFFICE))[-1].payload
    assert "Cần khảo sát thực địa" in card["text"] and len(card["actions"][0]) == 2
    await triage.decide_extension(db, req.id, True, OFFICE_ACTOR, OFFICE_STAFF, held_at)
    await db.refresh(open_q)
    assert open_q.response_due == new_due and open_q.original_due == due
    assert open_q.extension_reason == "Cần khảo sát thực địa"
    told = texts(await outbox_to(db, 1002))[-1]
    assert "Land administration and construction" in told and "Cần khảo sát thực địa" in told
    with pytest.raises(WrongState):  # decided once
        await triage.decide_extension(db, req.id, False, OFFICE_ACTOR, OFFICE_STAFF, held_at)
    assert "đồng ý gia hạn" in texts(await outbox_to(db, DIA_CHINH_CHAT))[-1]


async def test_forward_to_a_higher_authority_tells_the_citizen(db, clock):
    session, _answered, open_q, land = await held_session_with_questions(db, clock)
    await department.forward(
        db, open_q.id, land.id, "UBND huyện Thạch Hà", "Vượt thẩm quyền cấp xã", DEPT_ACTOR, clock.now()
    )
    assert open_q.status == SubmissionStatus.FORWARDED and open_q.forwarded_to == "UBND huyện Thạch Hà"
    told = texts(await outbox_to(db, 1002))[-1]
    assert "UBND huyện Thạch Hà" in told and "Vượt thẩm quyền cấp xã" in told


async def test_announce_refuses_late_periodic_sessions_and_tells_subscribers(db, clock):
    from bot.domain.errors import AnnouncementTooLate
    from bot.domain.intake import give_consent

    citizen = await give_consent(db, "telegram", "1001", "vi", clock.now())
    citizen.notify_sessions = True
    late = await new_session(db, clock.now(), days_ahead=5, announce=False)
    with pytest.raises(AnnouncementTooLate):
        await sessions.announce_session(db, late, clock.now())
    adhoc = await new_session(db, clock.now(), days_ahead=3, announce=False, kind="adhoc", title="Đột xuất")
    await sessions.announce_session(db, adhoc, clock.now())
    assert await sessions.subscribers(db) == 1
    assert "Đột xuất" in texts(await outbox_to(db, 1001))[-1]
    stored = await db.get(DialogueSession, adhoc.id)
    assert stored.status == SessionStatus.ANNOUNCED


async def test_find_by_code_or_words_without_diacritics(db, clock):
    session = await new_session(db, clock.now())
    sub = await ask(db, session, 1001, LAND_QUESTION, clock.now())
    await ask(db, session, 1002, "Xin hỏi về trợ cấp người cao tuổi", clock.now())
    assert await queries.find(db, sub.code.lower().replace("-", " ")) == [sub]
    found = await queries.find(db, "so do thua dat")
    assert [s.id for s in found] == [sub.id]
    assert isinstance(found[0], Submission)


async def test_two_staff_routing_at_the_same_moment_route_it_once(sessionmaker, clock):
    """Two transactions race on the same card: the conditional update lets exactly one win."""
    import asyncio

    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        sub = await ask(db, session, 1001, LAND_QUESTION, clock.now())
        land, social = (await dept(db, "DIA_CHINH")).id, (await dept(db, "XA_HOI")).id
        await db.commit()

    async def press(dept_id: int, user: int) -> str:
        async with sessionmaker() as db:
            try:
                await triage.route(db, sub.id, dept_id, queries.office_actor(user), clock.now())
            except WrongState:
                await db.rollback()
                return "lost"
            await db.commit()
            return "won"

    results = await asyncio.gather(press(land, OFFICE_STAFF), press(social, OFFICE_STAFF + 1))
    assert sorted(results) == ["lost", "won"]
    async with sessionmaker() as db:
        stored = await db.get(Submission, sub.id)
        cards = [r for chat in (DIA_CHINH_CHAT, XA_HOI_CHAT) for r in await outbox_to(db, chat)]
        assert len(cards) == 1 and cards[0].chat_id == str(stored.department.chat_id)
        assert (await events(db, stored)).count("route") == 1
