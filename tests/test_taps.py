"""Issue #17: how many times a citizen must act to send a question, counted through the real bot.

Every message sent and every button pressed by the citizen counts (/start and the consent included).
A first question takes at most 10, a second one at most 7, on Telegram (the real polling loop against
the fake Bot API) and on Zalo (the channel against the fake Zalo Bot API); each step is answered by ONE
message of at most 700 characters (plus, on Telegram, the pressed message's keyboard taken away);
the review still shows every field, and "Sửa" still reaches each of them."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.conversation.model import Inbound
from storage.models import Attachment, Submission
from tests.dsl import labels, text_of
from tests.scenario import running_bot
from tests.test_conversation import Player, world  # noqa: F401 (a fixture)
from tests.test_zalo_conversation import USER as ZALO_USER
from tests.test_zalo_conversation import ZaloCitizen, zalo_world  # noqa: F401 (a fixture)

FIRST_LIMIT, SECOND_LIMIT, LONGEST = 10, 7, 700
TIMEOUT = 5
ROAD = "Đường bê tông vào thôn Trung Sơn bị sụt lún sau mưa lũ, xe máy đi lại rất nguy hiểm."
BINS = "Đề nghị xã đặt thêm thùng rác ở chợ thôn Trung Sơn, rác tràn ra lòng đường mỗi sáng."
LAN, PHONE, HAMLET = "Nguyễn Thị Lan", "0912345678", "Thôn Trung Sơn"


class TelegramCitizen:
    """Acts only on what the bot's last message offers, and counts every action."""

    def __init__(self, w, user_id: int, name: str) -> None:
        self.tg = w.tg
        self.user = self.tg.user(user_id, name, language_code="vi")
        self.chat_id = user_id
        self.interactions = 0
        self.last: dict = {}

    async def _answer(self, *fragments: str) -> dict:
        message = await self.tg.next_message(self.chat_id, timeout=TIMEOUT)
        text = text_of(message)
        assert len(text) <= LONGEST, f"{len(text)} characters:\n{text}"
        missing = [f for f in fragments if f not in text]
        assert not missing, f"{missing} not in:\n{text}\n\n{self.tg.transcript(self.chat_id)}"
        self.last = message
        return message

    def offers(self) -> list[str]:
        return labels(self.last)

    async def says(self, text: str, *expect: str) -> dict:
        self.interactions += 1
        await self.tg.send_text(self.user, text)
        return await self._answer(*expect)

    async def sends_photo(self, caption: str | None, *expect: str) -> dict:
        self.interactions += 1
        await self.tg.send_photo(self.user, caption=caption)
        return await self._answer(*expect)

    async def presses(self, label: str, *expect: str) -> dict:
        assert label in self.offers(), f"{label!r} not offered: {self.offers()}"
        self.interactions += 1
        markup = self.last.get("reply_markup") or {}
        if "keyboard" in markup:  # a reply keyboard's button sends its label, or the person's contact
            button = next(b for row in markup["keyboard"] for b in row if b["text"] == label)
            if button.get("request_contact"):
                await self.tg.send_contact(self.user, "+84" + PHONE[1:])
            else:
                await self.tg.send_text(self.user, label)
        else:
            await self.tg.press(self.chat_id, label, message=self.last)
        return await self._answer(*expect)

    def sent(self, method: str) -> int:
        return sum(
            1
            for c in self.tg.calls
            if c.method == method and str(c.params.get("chat_id")) == str(self.chat_id)
        )


def review_shows_everything(text: str, *, question: str, files: int, public: str) -> None:
    for shown in (
        "Hội nghị: Hội nghị đối thoại quý IV",
        "Lĩnh vực: ",
        f"Câu hỏi: {question}",
        f"Tệp kèm theo: {files}",
        f"Họ tên: {LAN}",
        f"Điện thoại: {PHONE}",
        f"Địa chỉ: {HAMLET}",
        f"Nêu tên công khai: {public}",
    ):
        assert shown in text, f"{shown!r} not on the review:\n{text}"


async def first_question_on_telegram(lan: TelegramCitizen) -> None:
    await lan.says("/start", "Nghị định 13/2023/NĐ-CP")
    await lan.presses("✅ Đồng ý", "Câu hỏi sẽ gửi đến Hội nghị đối thoại quý IV", "lĩnh vực nào")
    assert "🔄 Chọn hội nghị khác" in lan.offers()  # the session was chosen; it can be changed
    await lan.presses("Xây dựng, giao thông nông thôn", "viết câu hỏi")
    await lan.sends_photo(ROAD, "họ và tên")  # the question as the photo's caption
    await lan.says(LAN, "số điện thoại")
    await lan.presses("📱 Gửi số điện thoại của tôi", f"Đã ghi số điện thoại: {PHONE}", "thôn")
    await lan.says(HAMLET, "nêu tên")
    review = await lan.presses("Được nêu tên", "xem lại")
    review_shows_everything(text_of(review), question=ROAD, files=1, public="Có")
    assert {"✅ Gửi câu hỏi", "✏️ Sửa", "📎 Thêm ảnh, tài liệu"} <= set(lan.offers())
    await lan.presses("✅ Gửi câu hỏi", "Mã theo dõi", "TD-26-0001")


async def test_on_telegram_a_first_question_takes_9_interactions_and_a_second_one_6(database_url):
    async with running_bot(database_url) as w:
        lan = TelegramCitizen(w, 1701, "Lan")
        await first_question_on_telegram(lan)
        first = lan.interactions
        assert first == 9 and first <= FIRST_LIMIT

        lan.interactions = 0
        await lan.says("/start", "Ông/Bà muốn làm gì")
        await lan.presses("✍️ Gửi câu hỏi", "Hội nghị đối thoại quý IV", "lĩnh vực nào")
        await lan.presses("Môi trường, rác thải", "viết câu hỏi")
        await lan.says(BINS, f"Gửi với thông tin: {LAN} · 0912 345 678 · {HAMLET} · nêu tên khi đọc")
        assert {"✅ Đúng", "✏️ Sửa"} <= set(lan.offers())
        review = await lan.presses("✅ Đúng", "xem lại")
        review_shows_everything(text_of(review), question=BINS, files=0, public="Có")
        await lan.presses("✅ Gửi câu hỏi", "Mã theo dõi", "TD-26-0002")
        second = lan.interactions
        assert second == 6 and second <= SECOND_LIMIT

        # one message per step; a press also takes the pressed message's keyboard away, nothing more
        assert lan.sent("sendMessage") == first + second
        assert lan.sent("editMessageReplyMarkup") <= first + second
        async with w.app.sessionmaker() as db:
            subs = list(await db.scalars(select(Submission).order_by(Submission.id)))
            assert [(s.text, s.asker_name, s.phone, s.address, s.public_name) for s in subs] == [
                (ROAD, LAN, PHONE, HAMLET, True),
                (BINS, LAN, PHONE, HAMLET, True),
            ]
            assert all(s.topic_id is not None and s.session_id is not None for s in subs)
            photos = await db.scalar(
                select(func.count()).select_from(Attachment).where(Attachment.submission_id == subs[0].id)
            )
            assert photos == 1


async def test_on_telegram_sua_reaches_every_detail_and_every_field(database_url):
    async with running_bot(database_url) as w:
        lan = TelegramCitizen(w, 1702, "Lan")
        await first_question_on_telegram(lan)
        await lan.says("/ask", "lĩnh vực nào")
        await lan.presses("Đất đai", "viết câu hỏi")
        await lan.says(BINS, "Gửi với thông tin")
        # "Sửa" on the details: name, phone, hamlet and the read-out consent in turn, saved values offered
        await lan.presses("✏️ Sửa", "họ và tên")
        assert f"Dùng: {LAN}" in lan.offers()
        await lan.says("Trần Văn Bình", "số điện thoại")
        assert f"Dùng: {PHONE}" in lan.offers()
        await lan.says("0987 654 321", "Đã ghi số điện thoại: 0987654321", "thôn")
        await lan.presses(f"Dùng: {HAMLET}", "nêu tên")
        review = await lan.presses("Không nêu tên (ẩn danh)", "xem lại")
        for shown in ("Họ tên: Trần Văn Bình", "Điện thoại: 0987654321", HAMLET, "Không (ẩn danh)"):
            assert shown in text_of(review)

        # "Sửa" on the review reaches every field, each back to the review
        edits = [
            ("Hội nghị", "hội nghị nào", lambda: lan.presses(lan.offers()[0], "xem lại")),
            ("Lĩnh vực", "lĩnh vực nào", lambda: lan.presses("Vấn đề khác", "Lĩnh vực: Vấn đề khác")),
            ("Nội dung câu hỏi", "viết câu hỏi", lambda: lan.says(ROAD, f"Câu hỏi: {ROAD}")),
            ("Họ tên", "họ và tên", lambda: lan.says(LAN, f"Họ tên: {LAN}")),
            ("Số điện thoại", "số điện thoại", lambda: lan.presses("Bỏ qua", "Điện thoại: —")),
            ("Địa chỉ", "thôn", lambda: lan.says("Xóm Đồng", "Địa chỉ: Xóm Đồng")),
            ("Nêu tên công khai", "nêu tên", lambda: lan.presses("Được nêu tên", "Nêu tên công khai: Có")),
        ]
        for label, prompt, change in edits:
            await lan.presses("✏️ Sửa", "muốn sửa phần nào")
            await lan.presses(label, prompt)
            await change()
        await lan.presses("✏️ Sửa", "muốn sửa phần nào")
        await lan.presses("Ảnh, tài liệu", "ảnh hoặc tài liệu")
        await lan.sends_photo(None, "1/10")
        await lan.presses("➡️ Xong, tiếp tục", "Tệp kèm theo: 1")
        await lan.presses("📎 Thêm ảnh, tài liệu", "đã có 1/10")  # more, straight from the review
        await lan.sends_photo(None, "2/10")
        await lan.presses("➡️ Xong, tiếp tục", "Tệp kèm theo: 2")
        await lan.presses("✅ Gửi câu hỏi", "TD-26-0002")
        assert lan.sent("sendMessage") == lan.interactions  # one message per step, all the way
        async with w.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission).where(Submission.code == "TD-26-0002"))
            assert (sub.text, sub.asker_name, sub.phone, sub.address, sub.public_name) == (
                ROAD,
                LAN,
                None,
                "Xóm Đồng",
                True,
            )


async def test_on_telegram_every_other_step_is_one_message_too(database_url):
    """Issue #12: each press or message is answered by one message (a file included), plus the pressed
    message's keyboard taken away."""
    async with running_bot(database_url) as w:
        lan = TelegramCitizen(w, 1704, "Lan")
        await first_question_on_telegram(lan)
        await lan.presses("📋 Câu hỏi của tôi", "đã gửi 1 câu hỏi")
        await lan.presses(next(b for b in lan.offers() if b.startswith("TD-26-0001")), "Đã tiếp nhận")
        await lan.presses("⬅️ Quay lại", "đã gửi 1 câu hỏi")
        await lan.presses("🏠 Menu chính", "Ông/Bà muốn làm gì")
        await lan.presses("❓ Hướng dẫn", "Hướng dẫn", "Ông/Bà muốn làm gì")
        await lan.presses("🔒 Dữ liệu cá nhân", "Nghị định 13/2023/NĐ-CP")
        exported = await lan.presses("📄 Tải dữ liệu của tôi", "tệp JSON")
        assert "document" in exported and "🏠 Menu chính" in lan.offers()
        await lan.presses("🏠 Menu chính", "Ông/Bà muốn làm gì")
        await lan.presses("🌐 Ngôn ngữ / Language", "Please choose a language")
        await lan.presses("Tiếng Việt", "Đã chuyển sang tiếng Việt", "Ông/Bà muốn làm gì")
        await lan.says("alo", "chưa hiểu", "Ông/Bà muốn làm gì")
        await lan.says("/ask", "lĩnh vực nào")
        await lan.says("/cancel", "Đã huỷ", "Ông/Bà muốn làm gì")
        sent = lan.sent("sendMessage") + lan.sent("sendDocument")
        assert sent == lan.interactions
        assert lan.sent("editMessageReplyMarkup") <= lan.interactions


class ZaloWalker:
    """A Zalo citizen who answers with the number of the option they want, and counts every message."""

    def __init__(self, server, handled) -> None:
        self.server = server
        self.c = ZaloCitizen(server, ZALO_USER, handled)
        self.interactions = 0
        self.last = ""

    async def says(self, text: str, *expect: str, **event) -> str:
        self.interactions += 1
        before = len(self.c.server_texts())
        await self.c.says(text, **event)
        new = self.c.server_texts()[before:]
        assert len(new) == 1, f"{len(new)} messages for one step: {new}"
        assert len(new[0]) <= LONGEST, f"{len(new[0])} characters:\n{new[0]}"
        missing = [f for f in expect if f not in new[0]]
        assert not missing, f"{missing} not in:\n{new[0]}"
        self.last = new[0]
        return new[0]

    def number_of(self, label: str) -> str:
        for line in self.last.splitlines():
            if (found := re.match(r"^(\d+)\. (.*)$", line)) and found.group(2).startswith(label):
                return found.group(1)
        raise AssertionError(f"{label!r} not offered:\n{self.last}")

    async def chooses(self, label: str, *expect: str) -> str:
        return await self.says(self.number_of(label), *expect)


async def test_on_zalo_a_first_question_takes_9_interactions_and_a_second_one_6(zalo_world):  # noqa: F811
    server, sessionmaker, handled = zalo_world
    an = ZaloWalker(server, handled)
    await an.says("/start", "Nghị định 13/2023/NĐ-CP")
    await an.chooses("✅ Đồng ý", "Câu hỏi sẽ gửi đến Hội nghị đối thoại quý IV", "lĩnh vực nào")
    an.number_of("🔄 Chọn hội nghị khác")
    await an.chooses("Đất đai", "viết câu hỏi")
    photo = "https://zalo.example/photo/duong.jpg"
    await an.says("", "họ và tên", name="message.image.received", photo=photo, caption=ROAD)
    await an.says("Nguyễn Văn An", "số điện thoại")
    assert "Gửi số điện thoại của tôi" not in an.last.split("\n\n")[-2]  # no contact button on Zalo
    await an.says("0912 345 678", "Đã ghi số điện thoại", "thôn")
    await an.says("Thôn 3", "nêu tên")
    review = await an.chooses("Được nêu tên", "xem lại", "Tệp kèm theo: 1", "Nguyễn Văn An", "0912345678")
    assert "Thôn 3" in review and "Nêu tên công khai: Có" in review and "Đất đai" in review
    await an.chooses("✅ Gửi câu hỏi", "TD-26-0001")
    first = an.interactions
    assert first == 9 and first <= FIRST_LIMIT

    an.interactions = 0
    await an.says("/start", "Ông/Bà muốn làm gì")
    await an.chooses("✍️ Gửi câu hỏi", "lĩnh vực nào")
    await an.chooses("Vấn đề khác", "viết câu hỏi")
    details = "Gửi với thông tin: Nguyễn Văn An · 0912 345 678 · Thôn 3 · nêu tên khi đọc"
    await an.says(BINS, details)
    assert an.number_of("✅ Đúng") == "1"  # the details confirmed with one reply "1"
    review = await an.says(
        "1", "xem lại", BINS, "Nguyễn Văn An", "0912345678", "Thôn 3", "Nêu tên công khai: Có"
    )
    await an.chooses("✅ Gửi câu hỏi", "TD-26-0002")
    second = an.interactions
    assert second == 6 and second <= SECOND_LIMIT
    async with sessionmaker() as db:
        subs = list(await db.scalars(select(Submission).order_by(Submission.id)))
        assert [(s.text, s.asker_name, s.phone, s.address, s.public_name, s.channel) for s in subs] == [
            (ROAD, "Nguyễn Văn An", PHONE, "Thôn 3", True, "zalo"),
            (BINS, "Nguyễn Văn An", PHONE, "Thôn 3", True, "zalo"),
        ]


async def test_on_zalo_sua_on_the_details_asks_each_in_turn(zalo_world):  # noqa: F811
    server, sessionmaker, handled = zalo_world
    an = ZaloWalker(server, handled)
    await an.says("/start")
    await an.chooses("✅ Đồng ý")
    await an.chooses("Đất đai")
    await an.says(ROAD, "họ và tên")
    await an.says("Nguyễn Văn An")
    await an.says("0912345678")
    await an.says("Thôn 3")
    await an.chooses("Không nêu tên")
    await an.chooses("✅ Gửi câu hỏi", "TD-26-0001")
    await an.says("/ask", "lĩnh vực nào")
    await an.chooses("Đất đai")
    await an.says(BINS, "Gửi với thông tin", "không nêu tên khi đọc")
    await an.chooses("✏️ Sửa", "họ và tên")
    await an.chooses("Dùng: Nguyễn Văn An", "số điện thoại")
    await an.chooses("Bỏ qua", "thôn")
    await an.says("Thôn 5", "nêu tên")
    await an.chooses("Được nêu tên", "xem lại", "Điện thoại: —", "Địa chỉ: Thôn 5", "Nêu tên công khai: Có")
    await an.chooses("✅ Gửi câu hỏi", "TD-26-0002")
    async with sessionmaker() as db:
        sub = await db.scalar(select(Submission).where(Submission.code == "TD-26-0002"))
        assert (sub.phone, sub.address, sub.public_name) == (None, "Thôn 5", True)


# --- the steps themselves, without a channel -------------------------------------------------------


async def test_a_photo_without_a_caption_is_kept_and_the_question_asked_for(world):  # noqa: F811
    p = Player(world)
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    await p.choose("Đất đai")
    await p.send(Inbound("photo", file_id="photo-1"))
    assert "Đã nhận 1/10" in p.text() and p.state["screen"] == "a_text"
    await p.say("Rác thải đổ bừa bãi cạnh kênh mương thôn Đông.")
    assert p.state["screen"] == "a_name" and len(p.state["draft"]["files"]) == 1


async def test_a_caption_too_short_keeps_the_photo_and_asks_again(world):  # noqa: F811
    p = Player(world)
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    await p.choose("Đất đai")
    await p.send(Inbound("photo", text="đây", file_id="photo-1"))
    assert "hơi ngắn" in p.text() and p.state["screen"] == "a_text"
    assert len(p.state["draft"]["files"]) == 1


async def test_the_list_of_sessions_appears_only_when_several_are_open_and_on_request(world):  # noqa: F811
    from datetime import timedelta

    from bot.domain.sessions import create_session
    from tests.test_conversation import NOW

    p = Player(world)
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    await p.choose("🔄 Chọn hội nghị khác")  # one open session: named, and changeable
    assert "hội nghị nào" in p.text() and p.state["screen"] == "a_session"
    await p.choose(p.prompt().options[0].label)
    assert p.state["screen"] == "a_topic" and "🔄 Chọn hội nghị khác" not in p.text()
    async with world() as db:
        await create_session(
            db,
            title="Hội nghị đối thoại với thanh niên",
            place="Nhà văn hoá",
            starts_at=NOW + timedelta(days=30),
            now=NOW,
            announce=True,
        )
        await db.commit()
    await p.command("ask")  # two open sessions: the citizen chooses
    assert "hội nghị nào" in p.text() and p.state["screen"] == "a_session"
    assert len([o for o in p.prompt().options if o.value.startswith("s")]) == 2


async def test_after_consent_a_recorded_questions_code_is_still_understood(database_url):
    """Consent now leads straight to the topics: a code typed there still links a recorded question,
    and the citizen then asks with the details the office took down, confirmed in one step."""
    from tests.dsl import procedure

    async with procedure(database_url) as w:
        code = await w.office.records(
            ROAD, source="📞 Điện thoại", asker="Hoàng Thị Đèn; 0911 222 333; Thôn 2"
        )
        den = w.citizen(1703, "Hoàng Thị Đèn")
        await den.says("/start")
        consent = await den.hears("Nghị định 13/2023/NĐ-CP")
        await den.presses("✅ Đồng ý", consent)
        await den.hears("lĩnh vực nào")
        assert "Đã liên kết câu hỏi" in await den.links(code, "2333")
        await den.says("/ask")
        topics = await den.hears("lĩnh vực nào")
        await den.presses("Đất đai", topics)
        await den.hears("viết câu hỏi")
        await den.says(BINS)
        details = await den.hears("Gửi với thông tin: Hoàng Thị Đèn · 0911 222 333 · Thôn 2")
        await den.presses("✅ Đúng", details)
        public = await den.hears("nêu tên")  # never asked before: asked now, then the review
        await den.presses("Được nêu tên", public)
        await den.hears("xem lại", "Hoàng Thị Đèn", "0911222333", "Thôn 2", "Nêu tên công khai: Có")


async def test_the_websites_ask_link_names_the_session_and_a_stale_one_says_so(database_url):
    from tests.scenario import new_session

    async with running_bot(database_url) as w:
        youth = await new_session(w.app, w.clock, days_ahead=30, title="Đối thoại với thanh niên")
        lan = TelegramCitizen(w, 1711, "Lan")
        # t.me/<bot>?start=s<id> (bot/web/links.py): two sessions are open, the link chose one
        await lan.says(f"/start s{youth.id}", "Ông/Bà có đồng ý không")
        await lan.presses("✅ Đồng ý", "Đối thoại với thanh niên", "lĩnh vực nào")
        assert "Hội nghị đối thoại quý IV" not in text_of(lan.last)
        assert "🔄 Chọn hội nghị khác" in lan.offers()  # and the citizen can still change it
        # a returning citizen's link goes straight to the topics; a link to no open session says so
        await lan.says(f"/start s{youth.id}", "Đối thoại với thanh niên", "lĩnh vực nào")
        await lan.says("/start s999999", "ngừng nhận câu hỏi", "hội nghị nào")
        assert sum(label.startswith("0") or "·" in label for label in lan.offers()) == 2
