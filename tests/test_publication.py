"""Publishing answered questions on the website ("📢 Công khai"): the domain operations (only answered
questions, one winner when two staff press at once, edit, unpublish) and the office group end to end
over the fake Bot API (/publish, the buttons, the edited wording as a reply, /unpublish, refusals)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.channels.telegram.callbacks import pack
from bot.domain import at_session, department, publication, queries, sessions, triage
from bot.domain.errors import InvalidInput
from bot.i18n import use_locale
from bot.notify.public import publication_buttons
from storage.models import Submission, SubmissionEvent
from tests import workflow_world as ww
from tests.staff_world import World, labels, later, staff_world, text_of

OFFICE = queries.office_actor(ww.OFFICE_STAFF)
LAND = queries.dept_actor(ww.DIA_CHINH_STAFF)
LAND_Q = "Tôi là Nguyễn Văn An ở thôn 3, đề nghị cấp sổ đỏ cho thửa đất số 45 nhà tôi"
ANSWER = "Ông Nguyễn Văn An nộp bổ sung trích lục thửa 45; giấy chứng nhận trả trong tháng 12."


async def answered_in_writing(db, session, chat_id: int, now, text: str = LAND_Q) -> Submission:
    land = await ww.dept(db, "DIA_CHINH")
    sub = await ww.ask(db, session, chat_id, text, now)
    await triage.route(db, sub.id, land.id, OFFICE, now)
    return await department.respond(db, sub.id, land.id, ANSWER, None, LAND, now + timedelta(hours=1))


# --- the domain ----------------------------------------------------------------------------------------


async def test_only_answered_questions_can_be_published_and_only_once(sessionmaker, clock):
    now = clock.now()
    async with sessionmaker() as db:
        await ww.load_directory(db, now)
        session = await ww.new_session(db, now)
        waiting = await ww.ask(db, session, 1001, "Đường liên thôn 3 hỏng nặng, khi nào sửa?", now)
        with pytest.raises(publication.NotAnswered):
            await publication.publish(db, waiting.id, OFFICE, now)
        sub = await answered_in_writing(db, session, 1002, now)
        assert publication.can_publish(sub)
        published = await publication.publish(db, sub.id, OFFICE, now + timedelta(hours=2))
        assert published.published_text == LAND_Q and published.published_answer is None
        assert publication.public_answer(published) == ANSWER and published.published_by == OFFICE
        with pytest.raises(publication.AlreadyPublished):
            await publication.publish(db, sub.id, OFFICE, now)
        await db.commit()
        events = [e.action for e in await queries.history(db, sub)]
        assert events[-1] == "published"
        await db.commit()


async def test_the_office_edits_out_personal_details_and_can_take_it_down(sessionmaker, clock):
    now = clock.now()
    async with sessionmaker() as db:
        await ww.load_directory(db, now)
        session = await ww.new_session(db, now)
        sub = await answered_in_writing(db, session, 1002, now)
        question, answer = publication.split_edit(
            "Đề nghị cấp sổ đỏ cho một thửa đất ở thôn.\n---\nGiấy chứng nhận trả trong tháng 12."
        )
        assert answer == "Giấy chứng nhận trả trong tháng 12."
        sub = await publication.publish(db, sub.id, OFFICE, now, text=question, answer=answer)
        assert publication.public_answer(sub) == "Giấy chứng nhận trả trong tháng 12."
        sub = await publication.edit(db, sub.id, OFFICE, now, text="Xin cấp sổ đỏ.")
        assert sub.published_text == "Xin cấp sổ đỏ." and publication.public_answer(sub) == ANSWER
        with pytest.raises(InvalidInput):
            await publication.edit(db, sub.id, OFFICE, now, text="   ")
        sub = await publication.unpublish(db, sub.id, OFFICE, now)
        assert (sub.published_at, sub.published_text, sub.published_answer) == (None, None, None)
        with pytest.raises(publication.NotPublished):
            await publication.unpublish(db, sub.id, OFFICE, now)
        with pytest.raises(publication.NotPublished):
            await publication.edit(db, sub.id, OFFICE, now, text="x")
        await db.commit()
    assert publication.split_edit("Chỉ câu hỏi") == ("Chỉ câu hỏi", None)
    assert publication.split_edit("Câu hỏi\n-----\n  ") == ("Câu hỏi", None)


async def test_an_answer_at_the_session_is_publishable_and_two_presses_publish_once(sessionmaker, clock):
    now = clock.now()
    async with sessionmaker() as db:
        await ww.load_directory(db, now)
        session = await ww.new_session(db, now)
        sub = await ww.ask(db, session, 1001, "Đường liên thôn 3 hỏng nặng, khi nào sửa?", now)
        held = session.starts_at
        await sessions.mark_held(db, session.id, "office:4000001", held)
        await at_session.answer_at_session(db, sub.id, "Tháng 3 khởi công.", OFFICE, held)
        await db.commit()

    async def press() -> str:
        async with sessionmaker() as db:
            try:
                await publication.publish(db, sub.id, OFFICE, held)
            except publication.AlreadyPublished:
                await db.rollback()
                return "refused"
            await db.commit()
            return "published"

    outcomes = await asyncio.gather(press(), press())
    assert sorted(outcomes) == ["published", "refused"]
    async with sessionmaker() as db:
        sub = await db.get(Submission, sub.id)
        assert publication.public_answer(sub) == "Tháng 3 khởi công."
        from sqlalchemy import func, select

        count = await db.scalar(
            select(func.count())
            .select_from(SubmissionEvent)
            .where(SubmissionEvent.submission_id == sub.id, SubmissionEvent.action == "published")
        )
        assert count == 1
        await db.commit()


async def test_publication_buttons_follow_the_state(sessionmaker, clock):
    now = clock.now()
    async with sessionmaker() as db:
        await ww.load_directory(db, now)
        session = await ww.new_session(db, now)
        waiting = await ww.ask(db, session, 1001, "Đường liên thôn 3 hỏng nặng, khi nào sửa?", now)
        sub = await answered_in_writing(db, session, 1002, now)
        with use_locale("vi"):
            assert publication_buttons(waiting) == []
            rows = publication_buttons(sub)
            assert [b["label"] for row in rows for b in row] == [
                "📢 Công khai",
                "✏️ Sửa rồi công khai",
                "✖️ Thôi",
            ]
            assert pack(rows[0][0]) == f"pub:publish:{sub.id}:0" and len(pack(rows[0][0])) <= 64
            await publication.publish(db, sub.id, OFFICE, now)
            assert [b["label"] for row in publication_buttons(sub) for b in row] == [
                "✏️ Sửa nội dung công khai",
                "🙈 Gỡ khỏi trang công khai",
                "✖️ Thôi",
            ]
        with use_locale("en"):
            assert publication_buttons(sub)[1][0]["label"] == "🙈 Take off the website"
        await db.commit()


# --- the office group, end to end ----------------------------------------------------------------------


async def an_answered_question(w: World) -> Submission:
    async with w.app.sessionmaker() as db:
        sub = await answered_in_writing(db, await w.session(db), 1001, w.clock.now())
        await db.commit()
    later(w, hours=2)
    return sub


async def test_office_publishes_an_answer_as_it_is_from_publish(database_url):
    async with staff_world(database_url) as w:
        office, group = w.users["office"], w.groups["office"]
        sub = await an_answered_question(w)
        await w.tg.send_text(group, f"/publish {sub.code.lower()}", from_user=office)
        card = await w.said(ww.OFFICE, "Công khai câu hỏi", sub.code)
        body = text_of(card)
        assert LAND_Q in body and ANSWER in body and "Tên người hỏi hiện trên trang: Nguyễn Văn An" in body
        assert "0912345678" not in body and "Thôn 3" not in body  # the card shows only what would be public
        assert labels(card) == ["📢 Công khai", "✏️ Sửa rồi công khai", "✖️ Thôi"]
        cb = await w.tg.press(ww.OFFICE, "📢 Công khai", from_user=office, message=card)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, f"Đã công khai {sub.code}")
        published = await w.load(sub.code)
        assert published.published_at == w.clock.now() and published.published_text == LAND_Q
        # a second press of the old card is refused politely, and changes nothing
        cb = await w.tg.send_callback(group, office, card["message_id"], f"pub:publish:{sub.id}:0")
        assert "đã được công khai rồi" in (await w.tg.wait_answer(cb)).get("text", "")
        # /publish again shows what is published, with the buttons to edit or take it down
        await w.tg.send_text(group, f"/publish {sub.code}", from_user=office)
        again = await w.said(ww.OFFICE, "Đang công khai từ")
        assert labels(again) == ["✏️ Sửa nội dung công khai", "🙈 Gỡ khỏi trang công khai", "✖️ Thôi"]
        cb = await w.tg.press(ww.OFFICE, "🙈 Gỡ khỏi trang công khai", from_user=office, message=again)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, f"Đã gỡ {sub.code} khỏi trang công khai")
        assert (await w.load(sub.code)).published_at is None


async def test_office_edits_the_wording_before_publishing_as_a_reply(database_url):
    async with staff_world(database_url) as w:
        office, group = w.users["office"], w.groups["office"]
        sub = await an_answered_question(w)
        await w.tg.send_text(group, f"/publish {sub.code}", from_user=office)
        card = await w.said(ww.OFFICE, "Công khai câu hỏi")
        cb = await w.tg.press(ww.OFFICE, "✏️ Sửa rồi công khai", from_user=office, message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        assert "---" in text_of(prompt) and sub.code in text_of(prompt)
        # talking in the group meanwhile gets a pointer to the prompt; commands still work
        await w.tg.send_text(group, "để tôi xem lại", from_user=office)
        await w.said(ww.OFFICE, "Trả lời", sub.code)
        await w.tg.send_text(group, "/inbox", from_user=office)
        await w.said(ww.OFFICE, "")
        await w.tg.send_text(
            group,
            "Đề nghị cấp sổ đỏ cho một thửa đất ở thôn.\n---\nGiấy chứng nhận trả trong tháng 12.",
            from_user=office,
            reply_to=prompt["message_id"],
        )
        await w.said(ww.OFFICE, f"Đã công khai {sub.code}")
        published = await w.load(sub.code)
        assert published.published_text == "Đề nghị cấp sổ đỏ cho một thửa đất ở thôn."
        assert published.published_answer == "Giấy chứng nhận trả trong tháng 12."
        # the published wording edited again: a new prompt, a reply without an answer part
        await w.tg.send_text(group, f"/publish {sub.code}", from_user=office)
        again = await w.said(ww.OFFICE, "Đang công khai từ")
        assert "Đề nghị cấp sổ đỏ cho một thửa đất ở thôn." in text_of(again)
        cb = await w.tg.press(ww.OFFICE, "✏️ Sửa nội dung công khai", from_user=office, message=again)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(group, "Xin cấp sổ đỏ.", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, f"Đã sửa nội dung công khai của {sub.code}")
        edited = await w.load(sub.code)
        assert edited.published_text == "Xin cấp sổ đỏ." and edited.published_answer is None
        # /unpublish by command, twice
        await w.tg.send_text(group, f"/unpublish {sub.code}", from_user=office)
        await w.said(ww.OFFICE, f"Đã gỡ {sub.code}")
        await w.tg.send_text(group, f"/unpublish {sub.code}", from_user=office)
        await w.said(ww.OFFICE, "không được công khai")


async def test_what_cannot_be_published_and_who_cannot_publish(database_url):
    async with staff_world(database_url) as w:
        office, group = w.users["office"], w.groups["office"]
        waiting = await w.submit(1002, "Đường liên thôn 3 hỏng nặng, khi nào sửa?")
        sub = await an_answered_question(w)
        await w.tg.send_text(group, f"/publish {waiting.code}", from_user=office)
        await w.said(ww.OFFICE, f"Câu hỏi {waiting.code} chưa được trả lời")
        await w.tg.send_text(group, "/publish", from_user=office)
        await w.said(ww.OFFICE, "Cách dùng: /publish")
        await w.tg.send_text(group, "/publish TD-26-9999", from_user=office)
        await w.said(ww.OFFICE, "Không tìm thấy câu hỏi TD-26-9999")
        await w.tg.send_text(group, "/unpublish", from_user=office)
        await w.said(ww.OFFICE, "Cách dùng: /unpublish")
        # someone who is not office staff: refused, nothing published
        await w.tg.send_text(group, f"/publish {sub.code}", from_user=w.users["outsider"])
        await w.said(ww.OFFICE, "không có quyền")
        cb = await w.tg.send_callback(group, w.users["land"], 1, f"pub:publish:{sub.id}:0")
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # in a department group the button is refused too
        cb = await w.tg.send_callback(w.groups["land"], w.users["land"], 1, f"pub:publish:{sub.id}:0")
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # a forged button for a question that does not exist
        cb = await w.tg.send_callback(group, office, 1, "pub:publish_edit:999999:0")
        assert "đã cũ" in (await w.tg.wait_answer(cb)).get("text", "")
        # "Thôi" closes the card
        await w.tg.send_text(group, f"/publish {sub.code}", from_user=office)
        card = await w.said(ww.OFFICE, "Công khai câu hỏi")
        cb = await w.tg.press(ww.OFFICE, "✖️ Thôi", from_user=office, message=card)
        assert "không công khai" in (await w.tg.wait_answer(cb)).get("text", "")
        assert (await w.load(sub.code)).published_at is None
        assert (await w.load(waiting.code)).published_at is None
