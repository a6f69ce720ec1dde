"""Personal data (Decree 13/2023/NĐ-CP), end to end: a citizen asks on Telegram with a photo, answers
the office's clarification request, is routed and answered by a department, then deletes their data
from the chat; afterwards no table holds their name, phone, address, question, clarification or file
id. Also: the same on Zalo, delivered messages emptied after the keep period, and the retention
period anonymising old questions while every report keeps counting them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.channels.telegram.sender import TelegramSender
from bot.conversation.model import fold
from bot.domain import privacy, routing
from bot.i18n import esc
from bot.notify.dispatcher import OutboxDispatcher
from bot.notify.ratelimit import Limits
from bot.notify.scheduler import TickParts, run_tick
from storage.models import (
    Base,
    Citizen,
    FsmState,
    Outbox,
    OutboxStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from tests import workflow_world as ww
from tests.staff_world import World, later, staff_world, text_of
from tests.test_zalo_conversation import USER as ZALO_USER
from tests.test_zalo_conversation import ZaloCitizen, zalo_world  # noqa: F401 (a fixture)

NAME = "Phạm Thị Hồng Nhung"
PHONE = "0987654321"
ADDRESS = "Xóm Đình, thôn Trung Sơn"
QUESTION = "Bờ kè mương thủy lợi cạnh nhà tôi bị sạt lở sau trận mưa lớn, đề nghị xã kiểm tra gấp."
CLARIFICATION = "Đoạn sạt dài khoảng mười mét, ngay sau nhà văn hoá xóm Đình ạ"
CITIZEN = 1001


async def deliver(w: World) -> int:
    """The real outbox dispatcher, without the flood limits' waits."""
    dispatcher = w.app.extras.get("test_dispatcher")
    if dispatcher is None:
        limits = {"telegram": Limits(1000, 1000, 100_000)}
        dispatcher = OutboxDispatcher(
            w.app.sessionmaker, {"telegram": TelegramSender(w.app.bot)}, limits, w.app.clock
        )
        w.app.extras["test_dispatcher"] = dispatcher
    return await dispatcher.deliver_all()


async def said(w: World, chat_id: int, *fragments: str) -> dict:
    return await w.said(chat_id, *fragments, limit=8)


async def ask_with_a_photo(w: World) -> tuple[str, str]:
    """The whole question by buttons and typing in the private chat; returns (code, photo file id)."""
    tg, me = w.tg, w.users["an"]
    await tg.send_text(me, "/start")
    await said(w, CITIZEN, "Nghị định 13/2023/NĐ-CP")
    await tg.press(CITIZEN, "✅ Đồng ý")
    await said(w, CITIZEN, "lĩnh vực nào")  # after consent, straight to the question
    await tg.press(CITIZEN, "Đất đai")
    await said(w, CITIZEN, "viết câu hỏi")
    photo = await tg.send_photo(me, caption=QUESTION)  # the question as the photo's caption
    await said(w, CITIZEN, "họ và tên")
    await tg.send_text(me, NAME)
    await said(w, CITIZEN, "số điện thoại")
    await tg.send_text(me, PHONE)
    await said(w, CITIZEN, "thôn")
    await tg.send_text(me, ADDRESS)
    await said(w, CITIZEN, "nêu tên")
    await tg.press(CITIZEN, "Được nêu tên")
    await said(w, CITIZEN, "xem lại")
    await tg.press(CITIZEN, "✅ Gửi câu hỏi")
    ack = await said(w, CITIZEN, "Mã theo dõi")
    code = next(word for word in text_of(ack).replace(".", " ").split() if word.startswith("TD-"))
    return code, photo["photo"][-1]["file_id"]


async def office_asks_for_more_and_the_citizen_answers(w: World, code: str) -> None:
    office = w.users["office"]
    await deliver(w)
    card = await said(w, ww.OFFICE, code, "Câu hỏi mới")
    assert NAME in text_of(card) and PHONE in text_of(card)  # the office does see them, as it must
    cb = await w.tg.press(ww.OFFICE, "❓ Hỏi lại người dân", from_user=office, message=card)
    await w.tg.wait_answer(cb)
    prompt = await w.prompt_in(ww.OFFICE)
    await w.tg.send_text(
        w.groups["office"], "Đoạn sạt lở dài bao nhiêu?", from_user=office, reply_to=prompt["message_id"]
    )
    await said(w, ww.OFFICE, "Đã hỏi lại người dân")
    await deliver(w)
    await said(w, CITIZEN, code, "Đoạn sạt lở dài bao nhiêu?")
    await w.tg.send_text(w.users["an"], CLARIFICATION)
    await said(w, CITIZEN, code)
    await deliver(w)
    await said(w, ww.OFFICE, CLARIFICATION)


async def a_neighbour_asks_the_same_and_is_merged(w: World, code: str) -> str:
    office = w.users["office"]
    dup = await w.submit(1002, QUESTION.replace("nhà tôi", "nhà chúng tôi"), name="Trần Thị Lan")
    await deliver(w)
    card = await said(w, ww.OFFICE, dup.code, f"Có thể trùng với: {code}")
    cb = await w.tg.press(ww.OFFICE, "🔗 Gộp câu trùng", from_user=office, message=card)
    await w.tg.wait_answer(cb)
    await said(w, ww.OFFICE, "có thể trùng")
    cb = await w.tg.press(ww.OFFICE, f"🔗 Gộp vào {code}", from_user=office)
    await w.tg.wait_answer(cb)
    await said(w, ww.OFFICE, f"{dup.code} đã gộp vào {code}")
    return dup.code


async def routed_and_answered(w: World, code: str) -> None:
    office, land = w.users["office"], w.users["land"]
    card = next(m for m in reversed(w.tg.messages(ww.OFFICE)) if CLARIFICATION in text_of(m))
    cb = await w.tg.press(ww.OFFICE, "➡️ Chuyển: Địa chính", from_user=office, message=card)
    await w.tg.wait_answer(cb)
    await said(w, ww.OFFICE, f"{code} đã chuyển cho Địa chính")
    await deliver(w)
    card = await said(w, ww.DIA_CHINH_CHAT, code, ADDRESS)
    await said(w, CITIZEN, code, "Địa chính")
    cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✍️ Trả lời", from_user=land, message=card)
    await w.tg.wait_answer(cb)
    prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
    answer = f"Kính gửi bà {NAME} ({ADDRESS}): xã đã cử cán bộ kiểm tra bờ kè và sẽ gia cố trong tháng 12."
    await w.tg.send_text(w.groups["land"], answer, from_user=land, reply_to=prompt["message_id"])
    await said(w, ww.DIA_CHINH_CHAT, "Đã gửi câu trả lời")
    await deliver(w)
    await said(w, CITIZEN, code, "gia cố trong tháng 12")
    await said(w, 1002, "gia cố trong tháng 12")  # the merged neighbour shares the answer


async def delete_in_the_chat(w: World) -> None:
    await w.tg.send_text(w.users["an"], "/privacy")
    await said(w, CITIZEN, "Dữ liệu cá nhân")
    await w.tg.press(CITIZEN, "🗑 Xoá dữ liệu của tôi")
    await said(w, CITIZEN, "chắc chắn")
    await w.tg.press(CITIZEN, "Có, xoá hết")
    await said(w, CITIZEN, "Đã xoá dữ liệu cá nhân")


def _as_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def left_behind(engine, secrets: dict[str, str]) -> list[str]:
    """Every column of every table the models declare (a table added later is scanned too)."""
    found = []
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = _as_text(value)
                    for what, secret in secrets.items():
                        if secret in text or esc(secret) in text:
                            found.append(f"{table.name}.{column}: {what}")
    return found


async def test_deleting_my_data_leaves_nothing_behind_in_any_table(database_url):
    async with staff_world(database_url) as w:
        code, file_id = await ask_with_a_photo(w)
        await office_asks_for_more_and_the_citizen_answers(w, code)
        neighbour = await a_neighbour_asks_the_same_and_is_merged(w, code)
        await routed_and_answered(w, code)
        assert any(m.get("photo") for m in w.tg.messages(ww.DIA_CHINH_CHAT))  # the photo went there too
        # the office opens the full card (an audited access) and a later tick asks for a rating
        await w.tg.send_text(w.groups["office"], f"/sub {code}", from_user=w.users["office"])
        await said(w, ww.OFFICE, PHONE)
        await run_tick(TickParts(w.app.sessionmaker, w.app.settings), later(w, hours=1), deliver=False)
        secrets = {
            "name": NAME,
            "phone": PHONE,
            "address": ADDRESS,
            "question": QUESTION,
            "clarification": CLARIFICATION,
            "photo file id": file_id,
        }
        before = await left_behind(w.app.engine, secrets)
        assert {
            "outbox.payload: name",
            "outbox.payload: photo file id",
            "submission_events.detail: clarification",
        } <= {*before}, before  # the scan sees what it looks for
        async with w.app.sessionmaker() as db:
            pending = await db.scalar(
                select(Outbox).where(Outbox.chat_id == str(CITIZEN), Outbox.status == OutboxStatus.PENDING)
            )
            assert pending is not None and pending.purpose == "rate"

        await delete_in_the_chat(w)
        before_delivery = len(w.tg.messages(CITIZEN))
        await deliver(w)  # the neighbour (a merged asker) is asked to rate the answer too
        assert len(w.tg.messages(CITIZEN)) == before_delivery  # the deleted citizen's request is never sent
        assert await left_behind(w.app.engine, secrets) == []
        async with w.app.sessionmaker() as db:
            assert await db.scalar(select(Outbox.id).where(Outbox.chat_id == str(CITIZEN))) is None
            keys = list(await db.scalars(select(FsmState.key)))
            assert not [key for key in keys if f":{CITIZEN}:" in key], keys
            sub = await db.scalar(select(Submission).where(Submission.code == code))
            assert sub.status == SubmissionStatus.RESPONDED and sub.anonymised_at is not None
            assert sub.department_id is not None and sub.response_text  # the figures and the answer stay
            assert "xã đã cử cán bộ kiểm tra" in sub.response_text
            other = await db.scalar(select(Submission).where(Submission.code == neighbour))
            assert other.status == SubmissionStatus.MERGED and other.asker_name == "Trần Thị Lan"
            assert "xã đã cử cán bộ kiểm tra" in other.response_text  # their copy, without the name
            cancelled = await db.scalar(
                select(Outbox).where(Outbox.purpose == "rate", Outbox.key.contains(code))
            )
            assert cancelled.status == OutboxStatus.CANCELLED
            events = [
                e.action for e in await db.scalars(select(SubmissionEvent).order_by(SubmissionEvent.id))
            ]
            assert "clarify" in events and events[-1] == "personal_data_deleted"
        # nor in this process's memory: the duplicate hints' texts, the conversation states
        folded = fold(QUESTION)
        for known in list(routing._earlier.values()):
            assert all(folded not in prepared.folded for _code, prepared in known._rows.values())
        assert routing._prepared.cache_info().currsize == 0
        cached = json.dumps(w.app.dp.storage._cache, ensure_ascii=False, default=str)
        assert all(secret not in cached for secret in secrets.values())
        # the person can start afresh
        await w.tg.send_text(w.users["an"], "/start")
        await said(w, CITIZEN, "Nghị định 13/2023/NĐ-CP")


async def test_a_question_deleted_before_routing_never_reaches_the_office(database_url):
    async with staff_world(database_url) as w:
        code, _ = await ask_with_a_photo(w)
        await delete_in_the_chat(w)
        assert await deliver(w) == 0
        assert code not in w.all_text(ww.OFFICE)
        async with w.app.sessionmaker() as db:
            rows = list(await db.scalars(select(Outbox)))
            assert rows and {r.status for r in rows} == {OutboxStatus.CANCELLED}
            assert all(r.payload == {"purged": "erased"} for r in rows)
            citizen = await db.scalar(select(Citizen))
            assert citizen.chat_id is None and citizen.name is None and citizen.deleted_at is not None


async def test_delivered_messages_are_emptied_after_the_keep_period(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1002, "Đèn đường ở ngõ 4 thôn Đông bị hỏng, tối rất nguy hiểm cho các cháu")
        await deliver(w)
        await said(w, ww.OFFICE, sub.code)
        parts = TickParts(w.app.sessionmaker, w.app.settings)
        await run_tick(parts, later(w, days=29), deliver=False)
        async with w.app.sessionmaker() as db:
            card = await db.scalar(select(Outbox).where(Outbox.purpose == "triage_card"))
            assert "Đèn đường" in card.payload["text"] and card.purged_at is None
        await run_tick(parts, later(w, days=2), deliver=False)
        async with w.app.sessionmaker() as db:
            card = await db.scalar(select(Outbox).where(Outbox.purpose == "triage_card"))
            assert card.payload == {"purged": "delivered"} and card.status == OutboxStatus.SENT
            # the question itself is still there: it is not settled
            assert (await db.get(Submission, sub.id)).text.startswith("Đèn đường")


async def test_a_zalo_citizen_deletes_their_data_and_their_conversation_state_goes_too(zalo_world):  # noqa: F811
    server, sessionmaker, handled = zalo_world
    c = ZaloCitizen(server, ZALO_USER, handled)
    await c.says("/start")
    await c.says("dong y")
    await c.says("dat dai")
    photo = "https://zalo.example/photo/abc123.jpg"
    await c.says("", name="message.image.received", photo=photo, caption=QUESTION)
    await c.says(NAME)
    await c.says(PHONE)
    await c.says(ADDRESS)
    await c.says("khong neu ten")
    assert "TD-26-0001" in await c.says("gui cau hoi")
    await c.says("/ask")  # a new draft, left unfinished: the saved name and phone are in it
    async with sessionmaker() as db:
        draft = await db.get(FsmState, f"zalo:{ZALO_USER}")
        assert NAME in json.dumps(draft.data, ensure_ascii=False)
    await c.says("/privacy")
    assert "chắc chắn" in await c.says("2")
    assert "Đã xoá dữ liệu cá nhân" in await c.says("1")
    secrets = {"name": NAME, "phone": PHONE, "address": ADDRESS, "question": QUESTION}
    secrets["photo"] = "https://zalo.example/photo/abc123.jpg"
    assert await left_behind(sessionmaker.kw["bind"], secrets) == []
    async with sessionmaker() as db:
        assert await db.get(FsmState, f"zalo:{ZALO_USER}") is None
        citizen = await db.scalar(select(Citizen))
        assert citizen.chat_id is None and citizen.channel == "zalo"


async def test_the_retention_period_anonymises_settled_questions_and_every_figure_stays(sessionmaker, clock):
    from bot.domain import department, queries, triage
    from bot.domain.followup import rate
    from bot.reports import metrics

    settings = type(
        "S", (), {"retention_months": 24, "outbox_keep_days": 30, "reminder_working_days": [5, 1]}
    )
    t0 = clock.now()
    office = queries.office_actor(ww.OFFICE_STAFF)
    staff = queries.dept_actor(ww.DIA_CHINH_STAFF)
    async with sessionmaker() as db:
        await ww.load_directory(db, t0)
        session = await ww.new_session(db, t0)
        land = await ww.dept(db, "DIA_CHINH")
        answered = await ww.ask(db, session, 2001, QUESTION, t0, name=NAME, phone=PHONE, address=ADDRESS)
        duplicate = await ww.ask(db, session, 2002, QUESTION + " Xin cảm ơn.", t0, name="Lò Văn Pá")
        spam = await ww.ask(db, session, 2003, "Bán đất nền giá rẻ, liên hệ ngay số máy bên dưới", t0)
        still_open = await ww.ask(db, session, 2004, "Đường thôn Bắc hỏng nặng, khi nào được sửa?", t0)
        await triage.merge(db, duplicate.id, answered.id, office, t0)
        await triage.reject(db, spam.id, "Không thuộc nội dung đối thoại", office, t0)
        for sub in (answered, still_open):
            await triage.route(db, sub.id, land.id, office, t0)
        reply = f"Kính gửi bà {NAME}, {ADDRESS}: bờ kè sẽ được gia cố."
        await department.respond(db, answered.id, land.id, reply, None, staff, t0)
        await rate(db, answered.id, "telegram", "2001", 5, t0 + timedelta(days=1))
        # a question asked and answered 23 months later is still recent at the end
        t23 = t0 + timedelta(days=700)
        later_session = await ww.new_session(db, t23, title="Hội nghị đối thoại năm 2028")
        recent = await ww.ask(db, later_session, 2005, "Xin hỏi lịch tiêm chủng mở rộng tháng này", t23)
        await triage.route(db, recent.id, land.id, office, t23)
        await department.respond(db, recent.id, land.id, "Ngày 15 hằng tháng.", None, staff, t23)
        await db.commit()

    end = t0 + timedelta(days=740)  # a week over 24 months after the first questions were settled
    async with sessionmaker() as db:
        before = await metrics.for_session(db, session.id, end)
        assert await privacy.retention_tick(db, t0 + timedelta(days=720), settings) == 0  # not yet
        await db.rollback()
    async with sessionmaker() as db:
        assert await privacy.retention_tick(db, end, settings) == 3  # answered, its duplicate, the spam
        assert await privacy.retention_tick(db, end, settings) == 0  # once a day
        await db.commit()
    async with sessionmaker() as db:
        after = await metrics.for_session(db, session.id, end)
        assert after.totals == before.totals and after.totals.received == 4 and after.totals.rated == 1
        assert [(g.name, g.counts) for g in after.by_department] == [
            (g.name, g.counts) for g in before.by_department
        ]
        subs = {s.id: s for s in await db.scalars(select(Submission))}
        assert subs[answered.id].text == privacy.EXPIRED_TEXT and subs[answered.id].asker_name is None
        assert subs[answered.id].status == SubmissionStatus.RESPONDED and subs[answered.id].satisfaction == 5
        assert subs[answered.id].response_text == "Kính gửi bà [\u2026], [\u2026]: bờ kè sẽ được gia cố."
        assert subs[still_open.id].anonymised_at is None and subs[still_open.id].phone == "0912345678"
        assert subs[recent.id].anonymised_at is None
        citizens = {c.chat_id: c for c in await db.scalars(select(Citizen))}
        assert citizens["2001"].name is None and citizens["2001"].phone is None  # idle, nothing newer
        assert citizens["2004"].name is not None and citizens["2005"].name is not None
        # nothing was delivered here: the old questions' messages are cancelled, the others wait
        for row in await db.scalars(select(Outbox)):
            if row.submission_id in (answered.id, duplicate.id, spam.id):
                assert row.payload == {"purged": "expired"} and row.status == OutboxStatus.CANCELLED
            else:
                assert row.purged_at is None and row.status == OutboxStatus.PENDING
    secrets = {"name": NAME, "phone of 2001": PHONE, "address": ADDRESS, "question": QUESTION}
    assert await left_behind(sessionmaker.kw["bind"], secrets) == []
