"""Department groups end to end, over the fake Bot API: accept, the written response (shared by merged
duplicates), extensions approved by the office, forwarding upwards, handing back, and the refusals."""

from __future__ import annotations

from datetime import date

from bot.domain import at_session, queries, sessions, triage
from storage.models import ExtensionRequest, SubmissionStatus
from tests import workflow_world as ww
from tests.staff_world import World, later, staff_world, text_of

LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
LAND_DUP = "de nghi cap so do cho thua dat o thon 3, ho so nop tu nam ngoai"


async def routed_to_land(w: World, *texts_and_citizens: tuple[int, str]) -> list:
    """Citizens ask; the office routes the first to Địa chính and merges the others into it."""
    subs = [await w.submit(chat, text, name=f"Người {chat}") for chat, text in texts_and_citizens]
    office = w.users["office"]
    async with w.app.sessionmaker() as db:
        land = await ww.dept(db, "DIA_CHINH")
        for dup in subs[1:]:
            await triage.merge(db, dup.id, subs[0].id, queries.office_actor(ww.OFFICE_STAFF), w.clock.now())
        await triage.route(db, subs[0].id, land.id, queries.office_actor(office.id), w.clock.now())
        await db.commit()
    await w.deliver()
    await w.said(ww.DIA_CHINH_CHAT, subs[0].code)
    return subs


async def conclude(w: World) -> None:
    """The session is held and its conclusion notice issued (the office's part, done directly)."""
    async with w.app.sessionmaker() as db:
        await sessions.mark_held(db, w.session_id, "office:4000001", later(w, days=20))
        await at_session.issue_conclusion_notice(
            db,
            w.session_id,
            "Kết luận của Chủ tịch",
            None,
            queries.office_actor(ww.OFFICE_STAFF),
            later(w, days=2),
        )
        await db.commit()
    await w.deliver()


async def test_the_department_accepts_and_its_written_answer_reaches_every_asker(database_url):
    async with staff_world(database_url) as w:
        first, dup = await routed_to_land(w, (1001, LAND_Q), (1002, LAND_DUP))
        land, group = w.users["land"], w.groups["land"]
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✅ Tiếp nhận", from_user=land)
        await w.tg.wait_answer(cb)
        await w.said(ww.DIA_CHINH_CHAT, f"{first.code} đã được tiếp nhận")
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✅ Tiếp nhận", from_user=land)
        assert "đã được tiếp nhận" in (await w.tg.wait_answer(cb)).get("text", "")
        card = next(
            m for m in w.tg.messages(ww.DIA_CHINH_CHAT) if "✅ Tiếp nhận" in str(m.get("reply_markup"))
        )
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✍️ Trả lời", from_user=land, message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
        # a reply to the wrong message: pointed at the right one, nothing sent to the citizen
        await w.tg.send_text(group, "Trả lời nhầm chỗ", from_user=land, reply_to=card["message_id"])
        await w.said(ww.DIA_CHINH_CHAT, "Reply")
        assert (await w.load(first.code)).status == SubmissionStatus.ROUTED
        await w.tg.send_document(
            group,
            file_name="tra-loi.pdf",
            content=b"%PDF-1.4 answer",
            caption="UBND xã đã cấp giấy chứng nhận.",
            from_user=land,
            reply_to=prompt["message_id"],
        )
        # a document: its number and date of issue are asked for (the caption is the summary)
        number = await w.said(ww.DIA_CHINH_CHAT, "✏️", "Số và ngày ban hành")
        await w.tg.send_text(group, "45/UBND-ĐC 23/11/2026", from_user=land, reply_to=number["message_id"])
        await w.said(ww.DIA_CHINH_CHAT, "Đã gửi văn bản trả lời", "45/UBND-ĐC", "2 người hỏi")
        await w.deliver()
        for chat, code in ((1001, first.code), (1002, dup.code)):
            told = await w.said(chat, code, "UBND xã đã cấp giấy chứng nhận.")
            assert "Địa chính – Xây dựng" in text_of(told) and "số 45/UBND-ĐC ngày 23/11/2026" in text_of(
                told
            )
            doc = await w.tg.next_message(chat, timeout=5)
            assert doc.get("document") is not None
        assert "đã trả lời" in text_of(await w.said(ww.OFFICE, first.code, "bằng văn bản"))
        stored = await w.load(first.code)
        assert stored.status == SubmissionStatus.RESPONDED and stored.response_file_id
        assert stored.response_doc_no == "45/UBND-ĐC" and stored.response_file_name == "tra-loi.pdf"


async def test_an_extension_is_requested_refused_for_a_past_date_then_approved(database_url):
    async with staff_world(database_url) as w:
        (sub,) = await routed_to_land(w, (1003, LAND_Q))
        await conclude(w)
        due = (await w.load(sub.code)).response_due
        land, group = w.users["land"], w.groups["land"]
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "⏳ Xin gia hạn", from_user=land)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
        await w.tg.send_text(group, "01/01/2026 Cần khảo sát", from_user=land, reply_to=prompt["message_id"])
        await w.said(ww.DIA_CHINH_CHAT, "phải ở tương lai")
        await w.tg.send_text(group, "ngày mai nhé", from_user=land, reply_to=prompt["message_id"])
        await w.said(ww.DIA_CHINH_CHAT, "Chưa hiểu ngày")
        await w.tg.send_text(
            group,
            "15/03/2027 Cần khảo sát thực địa và đo đạc lại",
            from_user=land,
            reply_to=prompt["message_id"],
        )
        await w.said(ww.DIA_CHINH_CHAT, "Đã gửi đề nghị gia hạn")
        await w.deliver()
        request = await w.said(ww.OFFICE, "xin gia hạn", sub.code)
        assert "15/03/2027" in text_of(request)
        # a department member cannot approve it
        cb = await w.tg.press(ww.OFFICE, "✅ Đồng ý gia hạn", from_user=land, message=request)
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        cb = await w.tg.press(ww.OFFICE, "✅ Đồng ý gia hạn", from_user=w.users["office"], message=request)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "Đã đồng ý gia hạn")
        await w.deliver()
        told = text_of(await w.said(1003, "15/03/2027"))
        assert "Địa chính – Xây dựng" in told and "đo đạc" in told
        await w.said(ww.DIA_CHINH_CHAT, "đồng ý gia hạn")
        stored = await w.load(sub.code)
        assert stored.response_due == date(2027, 3, 15) and stored.original_due == due
        assert stored.extension_reason == "Cần khảo sát thực địa và đo đạc lại"


async def test_forwarding_to_a_higher_authority_tells_the_citizen_which_and_why(database_url):
    async with staff_world(database_url) as w:
        (sub,) = await routed_to_land(w, (1001, LAND_Q))
        land, group = w.users["land"], w.groups["land"]
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "⬆️ Chuyển cấp trên", from_user=land)
        await w.tg.wait_answer(cb)
        # the directory's competent authorities, then the forwarding document's number and date, and why
        await w.tg.wait_for(lambda: "Sở Tài nguyên" in str(w.tg.messages(ww.DIA_CHINH_CHAT)[-1]), timeout=5)
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "➡️ Sở Tài nguyên", from_user=land)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
        await w.tg.send_text(
            group,
            "15/UBND-ĐC 23/11/2026 Vượt thẩm quyền cấp xã",
            from_user=land,
            reply_to=prompt["message_id"],
        )
        await w.said(ww.DIA_CHINH_CHAT, "đã chuyển tới Sở Tài nguyên và Môi trường tỉnh Hà Tĩnh")
        await w.deliver()
        told = text_of(await w.said(1001, sub.code, "Sở Tài nguyên và Môi trường tỉnh Hà Tĩnh"))
        assert "Vượt thẩm quyền cấp xã" in told and "văn bản số 15/UBND-ĐC ngày 23/11/2026" in told
        stored = await w.load(sub.code)
        assert stored.status == SubmissionStatus.FORWARDED and stored.forward_doc_no == "15/UBND-ĐC"


async def test_handing_back_returns_the_card_to_the_office(database_url):
    async with staff_world(database_url) as w:
        (sub,) = await routed_to_land(w, (1001, LAND_Q))
        land, group = w.users["land"], w.groups["land"]
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "↩️ Trả lại văn phòng", from_user=land)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
        await w.tg.send_text(
            group, "Không thuộc lĩnh vực địa chính", from_user=land, reply_to=prompt["message_id"]
        )
        await w.said(ww.DIA_CHINH_CHAT, "đã trả lại văn phòng")
        await w.deliver()
        back = await w.said(ww.OFFICE, "trả lại văn phòng", "Không thuộc lĩnh vực địa chính")
        assert "🏢 Chọn đơn vị khác" in str(back.get("reply_markup"))
        stored = await w.load(sub.code)
        assert stored.status == SubmissionStatus.RECEIVED and stored.department_id is None
        # the old card's buttons no longer work for the department
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✍️ Trả lời", from_user=land)
        assert "không thuộc đơn vị" in (await w.tg.wait_answer(cb)).get("text", "")


async def test_other_departments_and_outsiders_cannot_act_on_a_department_item(database_url):
    async with staff_world(database_url) as w:
        (sub,) = await routed_to_land(w, (1001, LAND_Q))
        card = next(m for m in w.tg.messages(ww.DIA_CHINH_CHAT) if sub.code in text_of(m))
        # staff of another department, in this group
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✍️ Trả lời", from_user=w.users["social"], message=card)
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # the social department's staff forging this submission's button in their own group
        social_msg = await w.tg.send_text(w.groups["social"], "xin chào", from_user=w.users["social"])
        cb = await w.tg.send_callback(
            w.groups["social"], w.users["social"], social_msg["message_id"], f"d:answer:{sub.id}:0"
        )
        assert "không thuộc đơn vị" in (await w.tg.wait_answer(cb)).get("text", "")
        # an outsider replying to a prompt meant for staff
        cb = await w.tg.press(ww.DIA_CHINH_CHAT, "✍️ Trả lời", from_user=w.users["land"], message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.DIA_CHINH_CHAT)
        await w.tg.send_text(
            w.groups["land"], "Tôi trả lời hộ", from_user=w.users["outsider"], reply_to=prompt["message_id"]
        )
        await w.said(ww.DIA_CHINH_CHAT, "không có quyền")
        stored = await w.load(sub.code)
        assert stored.status == SubmissionStatus.ROUTED and stored.response_text is None
        async with w.app.sessionmaker() as db:
            assert await db.get(ExtensionRequest, 1) is None
            assert [r.purpose for r in await ww.outbox_to(db, 1001)] == ["routed"]
            await db.commit()
