"""The office group end to end, over the fake Bot API: triage, routing, merging, clarification, rejection,
the session run from the group, /inbox /find /sub /agenda, menus, and every refusal."""

from __future__ import annotations

import asyncio
import io

import docx
from sqlalchemy import func, select

from bot.domain import followup, queries
from storage.models import DialogueSession, Outbox, SessionStatus, SubmissionStatus
from tests import workflow_world as ww
from tests.staff_world import UNREGISTERED, World, labels, later, staff_world, text_of

LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
ROAD_Q = "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa chữa?"
ROAD_DUP = "duong lien thon 3 hong nang khi nao sua chua vay"


async def triage_card(w: World, code: str) -> dict:
    await w.deliver()
    return await w.said(ww.OFFICE, code, "Câu hỏi mới")


async def test_a_new_question_is_routed_to_the_suggestion_and_the_citizen_told_to_whom(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, LAND_Q)
        card = await triage_card(w, sub.code)
        body = text_of(card)
        assert "0912345678" in body and "Thôn 3" in body and "Đề xuất chuyển: Địa chính – Xây dựng" in body
        assert labels(card)[0] == "➡️ Chuyển: Địa chính – Xây dựng"
        cb = await w.tg.press(ww.OFFICE, "➡️ Chuyển: Địa chính", from_user=w.users["office"])
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, f"{sub.code} đã chuyển cho Địa chính – Xây dựng")
        await w.deliver()
        dept_card = await w.said(ww.DIA_CHINH_CHAT, sub.code)
        assert "0912345678" in text_of(dept_card) and "✅ Tiếp nhận" in labels(dept_card)
        told = await w.said(1001, sub.code)
        assert "Địa chính – Xây dựng" in text_of(told)
        # the other department saw nothing, and no contact details went anywhere else
        assert w.tg.messages(ww.XA_HOI_CHAT) == []
        assert "0912345678" not in w.all_text(1002)


async def test_office_chooses_another_department_and_merges_a_duplicate(database_url):
    async with staff_world(database_url) as w:
        first = await w.submit(1001, ROAD_Q)
        second = await w.submit(1002, ROAD_DUP, name="Trần Thị Lan")
        await w.deliver()
        first_card = await w.said(ww.OFFICE, first.code)
        second_card = await w.said(ww.OFFICE, second.code)
        assert f"Có thể trùng với: {first.code}" in text_of(second_card)
        office = w.users["office"]
        cb = await w.tg.press(ww.OFFICE, "🏢 Chọn đơn vị khác", from_user=office, message=first_card)
        await w.tg.wait_answer(cb)
        await w.tg.wait_for(lambda: "Nông nghiệp – Môi trường" in labels(_current(w, first_card)), timeout=5)
        cb = await w.tg.press(
            ww.OFFICE, "Nông nghiệp – Môi trường", from_user=office, message=_current(w, first_card)
        )
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, f"{first.code} đã chuyển cho Nông nghiệp – Môi trường")

        cb = await w.tg.press(ww.OFFICE, "🔗 Gộp câu trùng", from_user=office, message=second_card)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "có thể trùng")
        cb = await w.tg.press(
            ww.OFFICE, f"🔗 Gộp vào {first.code}", from_user=office, message=_current(w, second_card)
        )
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, f"{second.code} đã gộp vào {first.code}")
        await w.deliver()
        assert "được gộp" in text_of(await w.said(1002, second.code))
        merged = await w.load(second.code)
        assert (
            merged.status == SubmissionStatus.MERGED
            and merged.department_id == (await w.load(first.code)).department_id
        )


def _current(w: World, message: dict) -> dict:
    """The current state (edits applied) of a bot message."""
    for m in w.tg.messages(message["chat"]["id"]):
        if m["message_id"] == message["message_id"]:
            return m
    raise AssertionError("message vanished")


async def test_clarification_goes_to_the_citizen_and_the_answer_back_to_the_group(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, "Đường thôn bị hỏng lâu rồi mà chưa ai sửa cả")
        card = await triage_card(w, sub.code)
        cb = await w.tg.press(ww.OFFICE, "❓ Hỏi lại người dân", from_user=w.users["office"], message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(
            w.groups["office"],
            "Đường ở thôn nào ạ?",
            from_user=w.users["office"],
            reply_to=prompt["message_id"],
        )
        await w.said(ww.OFFICE, "Đã hỏi lại người dân")
        await w.deliver()
        assert "Đường ở thôn nào ạ?" in text_of(await w.said(1001, sub.code))
        # the citizen's side (the lead's conversation) hands the reply over:
        async with w.app.sessionmaker() as db:
            stored = await queries.get_submission(db, sub.id)
            await followup.clarify(db, stored, "Thôn 5, gần trường học", later(w, minutes=5))
            await db.commit()
        await w.deliver()
        back = await w.said(ww.OFFICE, "Thôn 5, gần trường học")
        assert "➡️" in "".join(labels(back)) or "🏢 Chọn đơn vị khác" in labels(back)


async def test_rejection_needs_a_reply_to_the_prompt_and_the_citizen_gets_the_reason(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, "Quảng cáo bán hàng không liên quan gì đến xã")
        card = await triage_card(w, sub.code)
        office = w.users["office"]
        cb = await w.tg.press(ww.OFFICE, "⛔ Từ chối", from_user=office, message=card)
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        # replying to the card instead of the prompt: a polite pointer, nothing rejected
        await w.tg.send_text(w.groups["office"], "Spam", from_user=office, reply_to=card["message_id"])
        await w.said(ww.OFFICE, "Reply")
        assert (await w.load(sub.code)).status == SubmissionStatus.RECEIVED
        await w.tg.send_text(
            w.groups["office"],
            "Nội dung quảng cáo, không phải câu hỏi",
            from_user=office,
            reply_to=prompt["message_id"],
        )
        await w.said(ww.OFFICE, f"{sub.code} không được tiếp nhận")
        await w.deliver()
        told = text_of(await w.said(1001, sub.code))
        assert "Nội dung quảng cáo, không phải câu hỏi" in told
        # a reply to the old prompt now gets told it is out of date
        await w.tg.send_text(w.groups["office"], "thêm", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, "đã cũ")


async def test_forged_and_misplaced_actions_are_refused_and_change_nothing(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, LAND_Q)
        card = await triage_card(w, sub.code)
        land_id = (await w.load(sub.code)).id
        async with w.app.sessionmaker() as db:
            dept_id = (await ww.dept(db, "DIA_CHINH")).id
            await db.commit()
        data = f"o:route:{land_id}:{dept_id}"
        # someone in the office group who is not office staff
        cb = await w.tg.press(ww.OFFICE, "➡️ Chuyển", from_user=w.users["outsider"], message=card)
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # department staff pressing an office button
        cb = await w.tg.press(ww.OFFICE, "➡️ Chuyển", from_user=w.users["land"], message=card)
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # the same callback data forged from a private chat and from an unregistered group
        private = await w.tg.send_text(w.users["an"], "xin chào")
        cb = await w.tg.send_callback(w.users["an"], w.users["an"], private["message_id"], data)
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        other = await w.tg.send_text(w.groups["unregistered"], "hello", from_user=w.users["outsider"])
        cb = await w.tg.send_callback(
            w.groups["unregistered"], w.users["outsider"], other["message_id"], data
        )
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # a department button forged in the office group
        cb = await w.tg.send_callback(
            w.groups["office"], w.users["office"], card["message_id"], f"d:accept:{land_id}:0"
        )
        assert "không có quyền" in (await w.tg.wait_answer(cb)).get("text", "")
        # staff commands from a citizen, from an outsider in the office group, in an unregistered group
        await w.tg.send_text(w.users["an"], "/inbox")
        await w.said(1001, "chỉ dùng trong nhóm")
        await w.tg.send_text(w.groups["office"], "/inbox", from_user=w.users["outsider"])
        await w.said(ww.OFFICE, "không có quyền")
        await w.tg.send_text(w.groups["unregistered"], "/inbox", from_user=w.users["office"])
        await w.said(UNREGISTERED, "chưa được đăng ký")
        # a non-admin cannot link groups
        await w.tg.send_text(w.groups["unregistered"], "/link_office", from_user=w.users["office"])
        await w.said(UNREGISTERED, "không có quyền")
        # nothing changed
        stored = await w.load(sub.code)
        assert stored.status == SubmissionStatus.RECEIVED and stored.department_id is None
        async with w.app.sessionmaker() as db:
            assert (
                await db.scalar(
                    select(func.count()).select_from(Outbox).where(Outbox.purpose != "triage_card")
                )
                == 0
            )
            assert await ww.outbox_to(db, UNREGISTERED) == []
            await db.commit()


async def test_two_staff_pressing_the_same_route_button_at_once_route_it_once(database_url):
    async with staff_world(database_url) as w:
        sub = await w.submit(1001, LAND_Q)
        card = await triage_card(w, sub.code)
        a, b = await asyncio.gather(
            w.tg.press(ww.OFFICE, "➡️ Chuyển", from_user=w.users["office"], message=card),
            w.tg.press(ww.OFFICE, "➡️ Chuyển", from_user=w.users["admin"], message=card),
        )
        answers = [await w.tg.wait_answer(a), await w.tg.wait_answer(b)]
        stale = [x for x in answers if "đã được xử lý" in (x.get("text") or "")]
        assert len(stale) == 1, answers
        await w.said(ww.OFFICE, "đã chuyển cho")
        async with w.app.sessionmaker() as db:
            cards = [r for r in await ww.outbox_to(db, ww.DIA_CHINH_CHAT) if r.purpose == "department_card"]
            assert len(cards) == 1
            await db.commit()


async def test_admin_links_groups_and_adds_staff_by_command(database_url):
    async with staff_world(database_url) as w:
        group = w.groups["unregistered"]
        await w.tg.send_text(group, "/link_department VAN_HOA", from_user=w.users["admin"])
        await w.said(UNREGISTERED, "Văn hóa – Thông tin")
        await w.tg.send_text(
            group, f"/add_staff {6000001} Người lạ nay là cán bộ", from_user=w.users["admin"]
        )
        await w.said(UNREGISTERED, "Đã thêm cán bộ")
        await w.tg.send_text(group, "/mine", from_user=w.users["outsider"])
        await w.said(UNREGISTERED, "Văn hóa – Thông tin")  # now allowed: the department's (empty) list
        scope = [k for k in w.tg.commands if str(UNREGISTERED) in k[0]]
        assert scope, w.tg.commands


async def test_the_session_is_run_from_the_office_group(database_url):
    async with staff_world(database_url) as w:
        office, group = w.users["office"], w.groups["office"]
        answered = await w.submit(1001, "Xin hỏi kế hoạch làm đường liên thôn năm sau ra sao?")
        open_q = await w.submit(1003, LAND_Q, locale="en", name="Minh", public_name=False)
        await w.deliver()
        await w.said(ww.OFFICE, open_q.code)
        cb = await w.tg.press(ww.OFFICE, "➡️ Chuyển: Địa chính", from_user=office)
        await w.tg.wait_answer(cb)
        await w.deliver()

        # a new periodic session five days ahead cannot be announced (R1); the guided flow creates it
        await w.tg.send_text(group, "/session_new", from_user=office)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(
            group, "Đối thoại đột xuất về rác thải", from_user=office, reply_to=prompt["message_id"]
        )
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(group, "hôm qua", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, "Chưa hiểu thời gian")
        await w.tg.send_text(group, "28/11/2026 08:00", from_user=office, reply_to=prompt["message_id"])
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(group, "Nhà văn hóa thôn 2", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, "Loại hội nghị")
        cb = await w.tg.press(ww.OFFICE, "Định kỳ", from_user=office)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "Đã tạo hội nghị", "Đối thoại đột xuất về rác thải")
        cb = await w.tg.press(ww.OFFICE, "📣 Thông báo hội nghị", from_user=office)
        assert "ít nhất 7 ngày" in (await w.tg.wait_answer(cb)).get("text", "")

        # the main session: close questions, held, an answer at the session, the conclusion notice
        await w.tg.send_text(group, "/sessions", from_user=office)
        main = await w.said(ww.OFFICE, "Hội nghị đối thoại quý IV")
        cb = await w.tg.press(ww.OFFICE, "🔒 Khoá nhận câu hỏi", from_user=office, message=main)
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "Đã khoá nhận câu hỏi")
        later(w, days=20)
        cb = await w.tg.press(ww.OFFICE, "✅ Đã tổ chức", from_user=office, message=_current(w, main))
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        assert "bao nhiêu người tham dự" in text_of(prompt)
        await w.tg.send_text(group, "85", from_user=office, reply_to=prompt["message_id"])
        await w.said(ww.OFFICE, "đã tổ chức")
        await w.tg.send_text(group, f"/answer {answered.code}", from_user=office)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(
            group, "Năm 2027 xã sẽ làm đường.", from_user=office, reply_to=prompt["message_id"]
        )
        await w.said(ww.OFFICE, f"Đã ghi câu trả lời tại hội nghị cho {answered.code}")

        await w.tg.send_text(group, "/agenda", from_user=office)
        agenda = await w.said(ww.OFFICE, "Chương trình hội nghị")
        content = w.tg.files[agenda["document"]["file_id"]]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
        assert "Địa chính – Xây dựng" in text and open_q.code in text and answered.code in text
        assert "Nguyễn Văn An" in text and "Minh" not in text and "Ẩn danh" in text

        later(w, days=2)
        cb = await w.tg.press(
            ww.OFFICE, "📜 Ra thông báo kết luận", from_user=office, message=_current(w, main)
        )
        await w.tg.wait_answer(cb)
        prompt = await w.prompt_in(ww.OFFICE)
        await w.tg.send_text(
            group,
            "Chủ tịch UBND xã kết luận: giao các đơn vị trả lời.",
            from_user=office,
            reply_to=prompt["message_id"],
        )
        await w.said(ww.OFFICE, "Đã ra thông báo kết luận")
        # a second notice: the button is gone, and a forged press is refused
        session_id = w.session_id
        cb = await w.tg.send_callback(group, office, main["message_id"], f"o:issue_notice:{session_id}:0")
        await w.tg.wait_answer(cb)
        await w.deliver()
        assert "Năm 2027 xã sẽ làm đường." in text_of(await w.said(1001, answered.code))
        notice = text_of(await w.said(1003, "Conclusion notice"))
        assert open_q.code in notice and "Chủ tịch UBND xã kết luận" in notice
        dept_notice = text_of(await w.said(ww.DIA_CHINH_CHAT, "Thông báo kết luận"))
        assert open_q.code in dept_notice
        assert "Thông báo kết luận" not in w.all_text(1001)
        async with w.app.sessionmaker() as db:
            session = await db.get(DialogueSession, session_id)
            assert session.status == SessionStatus.CONCLUDED
            notices = [r for r in await ww.outbox_to(db, 1003) if r.purpose == "conclusion_notice"]
            assert len(notices) == 1
            await db.commit()


async def test_inbox_find_and_sub_show_what_awaits_and_the_history(database_url):
    async with staff_world(database_url) as w:
        office, group = w.users["office"], w.groups["office"]
        first = await w.submit(1001, LAND_Q)
        second = await w.submit(1002, ROAD_Q)
        await w.deliver()
        await w.said(ww.OFFICE, second.code)
        await w.tg.send_text(group, "/inbox", from_user=office)
        inbox = text_of(await w.said(ww.OFFICE, "chờ phân loại"))
        assert inbox.index(first.code) < inbox.index(second.code)
        await w.tg.send_text(group, "/find so do thua dat", from_user=office)
        found = text_of(await w.said(ww.OFFICE, "Kết quả"))
        assert first.code in found and second.code not in found
        cb = await w.tg.press(
            ww.OFFICE, "➡️ Chuyển: Địa chính", from_user=office, message=await _card_of(w, first.code)
        )
        await w.tg.wait_answer(cb)
        await w.said(ww.OFFICE, "đã chuyển cho")
        await w.tg.send_text(group, f"/sub {first.code}", from_user=office)
        detail = text_of(await w.said(ww.OFFICE, "Diễn biến"))
        assert "người dân gửi câu hỏi" in detail and "chuyển đơn vị" in detail and "Nguyễn Thị Hoa" in detail


async def _card_of(w: World, code: str) -> dict:
    for m in w.tg.messages(ww.OFFICE):
        if code in text_of(m) and "Câu hỏi mới" in text_of(m):
            return m
    raise AssertionError(f"no card for {code}")


async def test_each_audience_sees_its_own_command_menu(database_url):
    async with staff_world(database_url) as w:
        await w.tg.wait_for(
            lambda: (
                sum(str(ww.DIA_CHINH_CHAT) in k[0] for k in w.tg.commands) >= 3
                and sum(str(ww.OFFICE) in k[0] for k in w.tg.commands) >= 3
            ),
            timeout=5,
        )
        by_scope = {}
        for (scope, lang), cmds in w.tg.commands.items():
            by_scope.setdefault(scope, {})[lang] = [c["command"] if isinstance(c, dict) else c for c in cmds]
        office = next(v for k, v in by_scope.items() if str(ww.OFFICE) in k)
        land = next(v for k, v in by_scope.items() if str(ww.DIA_CHINH_CHAT) in k)
        private = next(v for k, v in by_scope.items() if "all_private_chats" in k)
        assert "inbox" in office["vi"] and "inbox" in office["en"] and "ask" not in office["vi"]
        assert "mine" in land["vi"] and "inbox" not in land["vi"]
        assert "ask" in private["vi"] and "inbox" not in private["en"]
