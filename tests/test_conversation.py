"""The citizen conversation, step by step, with no chat platform: what each screen says and accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.conversation.citizen import CitizenConversation, Context
from bot.conversation.model import Document, Inbound, Outcome, Prompt
from bot.domain.directory import apply, parse
from bot.domain.sessions import create_session
from bot.settings import Settings
from storage.models import Citizen, Outbox, Submission

DIRECTORY = """
[unit]
name_vi = "UBND xã Thử"
code_prefix = "TD"
office_chat_id = -100500

[[departments]]
code = "DIA_CHINH"
name_vi = "Địa chính"
name_en = "Land"
chat_id = -100501
keywords = ["đất"]

[[topics]]
code = "DAT_DAI"
name_vi = "Đất đai"
name_en = "Land"
department = "DIA_CHINH"

[[topics]]
code = "KHAC"
name_vi = "Vấn đề khác"
name_en = "Other"
"""

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class Player:
    """Plays one citizen against the conversation, keeping the state like a channel would."""

    def __init__(self, sessionmaker, chat_id: str = "1001") -> None:
        self.sessionmaker = sessionmaker
        self.chat_id = chat_id
        self.state: dict = {}
        self.last: Outcome | None = None

    async def _run(self, fn) -> Outcome:
        async with self.sessionmaker() as db:
            ctx = Context(
                db=db, now=NOW, settings=Settings(), channel="telegram", chat_id=self.chat_id, locale="vi"
            )
            outcome = await fn(CitizenConversation(ctx))
            await db.commit()
        self.state = outcome.state
        self.last = outcome
        return outcome

    async def command(self, name: str) -> Outcome:
        return await self._run(lambda c: c.command(self.state, name))

    async def say(self, text: str) -> Outcome:
        return await self._run(lambda c: c.handle(self.state, Inbound("text", text=text)))

    async def send(self, inbound: Inbound) -> Outcome:
        return await self._run(lambda c: c.handle(self.state, inbound))

    def prompt(self) -> Prompt:
        prompts = [r for r in self.last.replies if r.options]  # a file may carry the buttons too
        assert prompts, f"no options offered: {[getattr(r, 'text', r) for r in self.last.replies]}"
        return prompts[-1]

    async def choose(self, label_start: str) -> Outcome:
        prompt = self.prompt()
        matches = [o for o in prompt.options if o.label.startswith(label_start)]
        assert len(matches) == 1, f"{label_start!r} not among {[o.label for o in prompt.options]}"
        return await self._run(
            lambda c: c.handle(
                self.state,
                Inbound("choice", value=matches[0].value),
                screen=prompt.screen,
                nonce=self.state.get("nonce"),
            )
        )

    def text(self) -> str:
        return "\n".join(r.text for r in self.last.replies if isinstance(r, Prompt))


async def seed(sessionmaker) -> None:
    """The test directory and one announced session, 20 days ahead."""
    async with sessionmaker() as db:
        await apply(db, parse(DIRECTORY), NOW)
        await create_session(
            db,
            title="Hội nghị đối thoại quý IV",
            place="Hội trường UBND xã",
            starts_at=NOW + timedelta(days=20),
            now=NOW,
            announce=True,
        )
        await db.commit()


@pytest.fixture
async def world(sessionmaker):
    await seed(sessionmaker)
    return sessionmaker


async def ask_until_review(p: Player) -> None:
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    assert "Câu hỏi sẽ gửi đến <b>Hội nghị đối thoại quý IV</b>" in p.text()  # the only open session
    await p.choose("Đất đai")
    await p.say("Đường vào thôn Trung Sơn bị sạt lở từ tháng 9, đề nghị xã sửa sớm.")
    await p.say("Nguyễn Văn An")
    await p.say("0912 345 678")
    await p.say("Thôn Trung Sơn")
    await p.choose("Không nêu tên")


async def reach_the_question(p: Player) -> None:
    """Consent, the first open session, the land topic: the question text is asked next."""
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    await p.choose("Đất đai")


async def test_refusing_consent_stores_nothing(world):
    p = Player(world)
    await p.command("start")
    assert "Nghị định 13/2023/NĐ-CP" in p.text()
    await p.choose("Không đồng ý")
    assert p.state == {}
    async with world() as db:
        assert await db.scalar(select(func.count()).select_from(Citizen)) == 0


async def test_a_citizen_asks_and_gets_a_tracking_code(world):
    p = Player(world)
    await ask_until_review(p)
    review = p.text()
    assert "Nguyễn Văn An" in review and "0912345678" in review and "Không (ẩn danh)" in review
    await p.choose("✅ Gửi câu hỏi")
    ack = p.text()
    assert "TD-26-0001" in ack
    assert "30 ngày làm việc" in ack
    async with world() as db:
        sub = await db.scalar(select(Submission))
        assert (sub.code, sub.asker_name, sub.phone, sub.public_name) == (
            "TD-26-0001",
            "Nguyễn Văn An",
            "0912345678",
            False,
        )
        card = await db.scalar(select(Outbox).where(Outbox.purpose == "triage_card"))
        assert card is not None and card.chat_id == "-100500"


async def test_too_long_question_is_refused_with_its_length_and_nothing_is_kept(world):
    p = Player(world)
    await reach_the_question(p)
    await p.say("x" * 10_000)
    assert "10000" in p.text() and "3000" in p.text()
    assert "text" not in p.state["draft"]
    assert p.state["screen"] == "a_text"


async def test_a_sticker_where_text_is_expected_gets_guidance(world):
    p = Player(world)
    await reach_the_question(p)
    await p.send(Inbound("other"))
    assert "gõ chữ" in p.text()
    assert p.state["screen"] == "a_text"


async def test_an_album_is_collected_with_one_acknowledgement(world):
    p = Player(world)
    await ask_until_review(p)
    await p.choose("📎 Thêm ảnh, tài liệu")
    replies = []
    for i in range(3):
        out = await p.send(Inbound("photo", file_id=f"photo-{i}", media_group_id="album-1"))
        replies.append(len(out.replies))
    assert replies == [1, 0, 0]
    assert len(p.state["draft"]["files"]) == 3


async def test_attachments_stop_at_the_limit(world):
    p = Player(world)
    await ask_until_review(p)
    await p.choose("📎 Thêm ảnh, tài liệu")
    for i in range(12):
        await p.send(Inbound("document", file_id=f"doc-{i}", file_name=f"{i}.pdf"))
    assert len(p.state["draft"]["files"]) == 10
    await p.say("thế thôi")  # not a file: the step explains itself, "Done" at hand
    await p.choose("➡️ Xong, tiếp tục")
    assert "Tệp kèm theo: 10" in p.text()


async def test_editing_from_the_review_returns_to_the_review(world):
    p = Player(world)
    await ask_until_review(p)
    await p.choose("✏️ Sửa")
    await p.choose("Họ tên")
    await p.say("Trần Thị Bình")
    assert "Xin Ông/Bà xem lại" in p.text()
    assert "Trần Thị Bình" in p.text()


async def test_a_button_from_an_earlier_flow_is_stale(world):
    p = Player(world)
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    old_prompt, old_nonce = p.prompt(), p.state["nonce"]
    await p.command("ask")  # starts again: a new flow
    out = await p._run(
        lambda c: c.handle(
            p.state,
            Inbound("choice", value=old_prompt.options[0].value),
            screen=old_prompt.screen,
            nonce=old_nonce,
        )
    )
    assert "không còn dùng được" in out.replies[0].text


async def test_withdraw_until_the_session_is_held(world):
    p = Player(world)
    await ask_until_review(p)
    await p.choose("✅ Gửi câu hỏi")
    await p.command("my")
    await p.choose("TD-26-0001")
    assert "Gửi câu hỏi" in p.text()  # the history
    await p.choose("↩️ Rút câu hỏi")
    await p.choose("Có, rút câu hỏi")
    assert "Đã rút câu hỏi TD-26-0001" in p.text()
    async with world() as db:
        assert (await db.scalar(select(Submission))).status == "withdrawn"


async def test_export_and_delete_personal_data(world):
    p = Player(world)
    await ask_until_review(p)
    await p.choose("✅ Gửi câu hỏi")
    await p.command("privacy")
    out = await p.choose("📄 Tải dữ liệu")
    doc = next(r for r in out.replies if isinstance(r, Document))
    assert b"Nguy\xe1\xbb\x85n V\xc4\x83n An" in doc.content and b"TD-26-0001" in doc.content
    await p.choose("🗑 Xoá")
    await p.choose("Có, xoá hết")
    async with world() as db:
        citizen = await db.scalar(select(Citizen))
        sub = await db.scalar(select(Submission))
        assert citizen.name is None and citizen.phone is None and citizen.chat_id is None
        assert sub.asker_name is None and sub.phone is None and "Đường vào thôn" not in sub.text
        assert sub.topic_id is not None  # statistics keep the anonymised row


async def test_no_open_session_offers_to_notify(sessionmaker):
    async with sessionmaker() as db:
        await apply(db, parse(DIRECTORY), NOW)
        await db.commit()
    p = Player(sessionmaker)
    await p.command("ask")
    await p.choose("✅ Đồng ý")
    assert "chưa có hội nghị" in p.text()
    await p.choose("🔔")
    async with sessionmaker() as db:
        assert (await db.scalar(select(Citizen))).notify_sessions is True
