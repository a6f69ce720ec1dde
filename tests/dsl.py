"""A scenario language for the whole procedure, over the real bot and the fake Bot API.

Citizens ask through the chat (the real conversation), the office and the departments press the
buttons on their cards and reply to the bot's prompts in their groups, time moves on a fixed clock,
and the scheduler's real tick runs; the real outbox dispatcher delivers. Tests read what each chat
received. No state is ever written with SQL.

    async with procedure(database_url) as w:
        an = w.citizen(1001, "Nguyễn Văn An")
        code = await an.asks("Đường thôn 3 bị hỏng nặng, khi nào sửa?", topic="Giao thông")
        await w.office.routes(code, "Địa chính")
        await w.at(days=20); await w.office.marks_held(80)
        await w.office.issues_notice("Kết luận …")
        await w.at(date(2027, 1, 20), hour=9); await w.tick()
        await an.hears(code, "hạn trả lời")
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.directory import apply, parse
from bot.domain.sessions import create_session
from bot.i18n import timezone
from bot.notify.dispatcher import telegram_dispatcher
from bot.notify.scheduler import run_tick
from bot.settings import Settings
from tests import workflow_world as ww

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday
TIMEOUT = 5
CODE = re.compile(r"\b[A-Z]{2,4}-\d{2}-\d{4,6}\b")
SESSION_TITLE = "Hội nghị đối thoại quý IV"
DISTRICT_CHAT = -1001000000020  # the sample directory's UBND huyện Thạch Hà, with its own group


def text_of(message: dict) -> str:
    return message.get("text") or message.get("caption") or ""


def labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b["text"] if isinstance(b, dict) else str(b) for row in rows for b in row]


class Chat:
    """A chat the test reads: messages in order, with a cursor."""

    def __init__(self, world: World, chat_id: int) -> None:
        self.world, self.tg, self.chat_id = world, world.tg, chat_id

    async def hears(self, *fragments: str, limit: int = 8) -> dict:
        """Skip this chat's messages until one contains every fragment (at most ``limit``)."""
        seen = []
        for _ in range(limit):
            message = await self.tg.next_message(self.chat_id, timeout=TIMEOUT)
            if all(f in text_of(message) for f in fragments):
                return message
            seen.append(text_of(message)[:200])
        raise AssertionError(f"{fragments} not in the next {limit} messages of {self.chat_id}: {seen}")

    def everything(self) -> str:
        return "\n---\n".join(text_of(m) for m in self.tg.messages(self.chat_id))

    def count(self, *fragments: str) -> int:
        return sum(all(f in text_of(m) for f in fragments) for m in self.tg.messages(self.chat_id))

    def current(self, message: dict) -> dict:
        """A bot message as it is now (edits applied)."""
        for m in self.tg.messages(self.chat_id):
            if m["message_id"] == message["message_id"]:
                return m
        raise AssertionError("message vanished")

    def last_with(self, *fragments: str) -> dict:
        found = [m for m in self.tg.messages(self.chat_id) if all(f in text_of(m) for f in fragments)]
        assert found, f"no message with {fragments} in {self.chat_id}:\n{self.everything()}"
        return self.current(found[-1])


class Citizen(Chat):
    def __init__(self, world: World, user_id: int, name: str, locale: str = "vi") -> None:
        super().__init__(world, user_id)
        self.name = name
        self.user = self.tg.user(user_id, name, language_code=locale)

    async def says(self, text: str) -> None:
        await self.tg.send_text(self.user, text)

    async def links(self, code: str, last4: str) -> str:
        """Types a recorded question's code and the phone's last four digits; returns the answer."""
        await self.says(f"{code} {last4}")
        return text_of(await self._next())

    async def presses(self, label: str, message: dict | None = None) -> dict:
        if "keyboard" in ((message or {}).get("reply_markup") or {}):  # a reply keyboard sends its label
            await self.says(label)
            return {}
        cb = await self.tg.press(self.chat_id, label, message=message)
        return await self.tg.wait_answer(cb)

    async def chooses_english(self) -> None:
        await self.says("/language")
        await self.presses("English", await self.hears())
        await self.hears()  # the menu, in English

    async def _next(self) -> dict:
        return await self.tg.next_message(self.chat_id, timeout=TIMEOUT)

    async def asks(
        self,
        question: str,
        *,
        topic: str | None = None,
        phone: str = "0912345678",
        address: str = "Thôn 3",
        public: bool = True,
    ) -> str:
        """The whole question through the chat, pressing what the bot offers; returns the tracking code."""
        await self.says("/ask")
        for _ in range(25):
            message = await self._next()
            text, buttons = text_of(message), labels(message)
            if "Mã theo dõi" in text or "Tracking code" in text:
                found = CODE.search(text)
                assert found, text
                return found.group(0)
            if "✅ Đồng ý" in buttons:
                await self.presses("✅ Đồng ý", message)
            elif "✅ Gửi câu hỏi" in buttons:
                await self.presses("✅ Gửi câu hỏi", message)
            elif "✅ Đúng" in buttons:  # a returning citizen's details, in one step: kept, or changed
                same = self.name in text and address in text and phone in text.replace(" ", "")
                same = same and ("không nêu tên khi đọc" not in text) == public
                await self.presses("✅ Đúng" if same else "✏️ Sửa", message)
            elif "hội nghị nào" in text:
                await self.presses(next(b for b in buttons if "Huỷ" not in b), message)
            elif "Câu hỏi thuộc lĩnh vực nào" in text or "Which field" in text:
                await self.presses(topic or next(b for b in buttons if "Huỷ" not in b), message)
            elif "viết câu hỏi" in text or "write your question" in text:
                await self.says(question)
            elif "họ và tên" in text:
                await self.says(self.name)
            elif "số điện thoại" in text and "Bỏ qua" in buttons:
                await self.says(phone)
            elif "thôn (xóm" in text:
                await self.says(address)
            elif "Được nêu tên" in buttons:
                await self.presses("Được nêu tên" if public else "Không nêu tên (ẩn danh)", message)
            # anything else (a note before the next step) is read past
        raise AssertionError(f"the question flow did not end:\n{self.tg.transcript(self.chat_id)}")


class Staff:
    """A staff member acting in their group: presses buttons on cards, replies to prompts."""

    def __init__(self, world: World, user: dict, chat_id: int) -> None:
        self.world, self.tg, self.user, self.chat_id = world, world.tg, user, chat_id
        self.group = world.tg.group(chat_id, f"group {chat_id}")
        self.chat = Chat(world, chat_id)

    async def press_on(self, card: dict, label: str) -> dict:
        """Press a button on a card; returns the answer to the press (its toast or alert)."""
        cb = await self.tg.press(self.chat_id, label, from_user=self.user, message=self.chat.current(card))
        return await self.tg.wait_answer(cb)

    async def reply_to_prompt(self, text: str) -> None:
        """Reply to the bot's next prompt."""
        prompt = await self.chat.hears("✏️", limit=30)
        await self.tg.send_text(self.group, text, from_user=self.user, reply_to=prompt["message_id"])

    async def replies_again(self, text: str) -> None:
        """Reply once more to the prompt still open (the first reply could not be used)."""
        prompt = self.chat.last_with("✏️")
        await self.tg.send_text(self.group, text, from_user=self.user, reply_to=prompt["message_id"])

    async def says(self, text: str) -> None:
        await self.tg.send_text(self.group, text, from_user=self.user)

    def card(self, *fragments: str) -> dict:
        return self.chat.last_with(*fragments)

    def triage_card(self, code: str) -> dict:
        """The latest card about ``code`` the office can still act on (new, handed back or reopened)."""
        for message in reversed(self.tg.messages(self.chat_id)):
            if code in text_of(message) and "🏢 Chọn đơn vị khác" in labels(message):
                return message
        raise AssertionError(f"no triage card for {code}:\n{self.chat.everything()}")


class Office(Staff):
    async def routes(self, code: str, department: str | None = None) -> None:
        """Route from the question's triage card: to the suggested department, or to one picked."""
        await self.world.deliver()
        card = self.triage_card(code)
        buttons = labels(self.chat.current(card))
        suggestion = next((b for b in buttons if b.startswith("➡️ Chuyển")), None)
        if department is None or (suggestion and department in suggestion):
            assert suggestion, f"no suggested department on {code}'s card: {buttons}"
            await self.press_on(card, suggestion)
        else:
            await self.press_on(card, "🏢 Chọn đơn vị khác")
            await self.tg.wait_for(
                lambda: any(department in b for b in labels(self.chat.current(card))), timeout=TIMEOUT
            )
            await self.press_on(card, next(b for b in labels(self.chat.current(card)) if department in b))
        await self.chat.hears(code, "đã chuyển cho")

    async def merges(self, code: str, into: str) -> None:
        await self.world.deliver()
        card = self.triage_card(code)
        await self.press_on(card, "🔗 Gộp câu trùng")
        await self.tg.wait_for(
            lambda: f"🔗 Gộp vào {into}" in labels(self.chat.current(card)), timeout=TIMEOUT
        )
        await self.press_on(card, f"🔗 Gộp vào {into}")
        await self.chat.hears(code, "đã gộp vào", into)

    async def session_card(self, title: str = SESSION_TITLE) -> dict:
        await self.says("/sessions")
        return await self.chat.hears(f"🗓 {title}", "Trạng thái", limit=60)

    async def on_session(self, label: str, title: str = SESSION_TITLE) -> dict:
        """Press a button on the session's card (a fresh one from /sessions)."""
        return await self.press_on(await self.session_card(title), label)

    async def marks_held(self, participants: int = 80, title: str = SESSION_TITLE) -> None:
        answer = await self.on_session("✅ Đã tổ chức", title)
        assert not answer.get("show_alert"), answer
        await self.reply_to_prompt(str(participants))
        await self.chat.hears("đã tổ chức")

    async def answers_at_session(self, code: str, answer: str) -> None:
        await self.says(f"/answer {code}")
        await self.reply_to_prompt(answer)
        await self.chat.hears(f"Đã ghi câu trả lời tại hội nghị cho {code}")

    async def issues_notice(
        self,
        text: str = "Chủ tịch UBND xã kết luận: giao các đơn vị trả lời bằng văn bản.",
        title: str = SESSION_TITLE,
    ) -> None:
        await self.on_session("📜 Ra thông báo kết luận", title)
        await self.reply_to_prompt(text)
        await self.chat.hears("Đã ra thông báo kết luận")

    async def approves_extension(self, code: str) -> None:
        await self.world.deliver()
        card = self.card(code, "xin gia hạn")
        await self.press_on(card, "✅ Đồng ý gia hạn")
        await self.chat.hears("Đã đồng ý gia hạn", code)

    # --- issue #13: questions that did not come through the chat, the agenda, forwarding, reports ------

    async def records(
        self,
        question: str,
        *,
        source: str = "🎤 Tại hội nghị",
        org: str | None = None,
        topic: str = "Không rõ lĩnh vực",
        asker: str = "-",
    ) -> str:
        """/record, guided: topic, text, source (and the organisation), the asker; returns the code."""
        await self.says("/record")
        topics = await self.chat.hears("Ghi câu hỏi cho hội nghị", "lĩnh vực")
        await self.press_on(topics, topic)
        await self.reply_to_prompt(question)
        sources = await self.chat.hears("Câu hỏi nhận được từ đâu")
        await self.press_on(sources, source)
        if org is not None:
            await self.reply_to_prompt(org)
        await self.reply_to_prompt(asker)
        done = text_of(await self.chat.hears("Đã ghi câu hỏi"))
        found = CODE.search(done)
        assert found, done
        return found.group(0)

    async def downloads_template(self) -> bytes:
        await self.says("/import_template")
        message = await self.chat.hears("Mẫu bảng tính")
        return self.tg.files[message["document"]["file_id"]]

    async def imports(self, content: bytes, name: str = "mttq.xlsx") -> str:
        """/import, then the spreadsheet as a reply to the prompt; returns what the bot answered."""
        await self.says("/import")
        prompt = await self.chat.hears("✏️", "Nhập câu hỏi", limit=30)
        await self.tg.send_document(
            self.group, name, content, from_user=self.user, reply_to=prompt["message_id"]
        )
        for _ in range(30):
            said = text_of(await self.tg.next_message(self.chat_id, timeout=TIMEOUT))
            if "Đã nhập" in said or "Không nhập" in said:
                return said
        raise AssertionError("the import was not answered")

    async def floor_card(self) -> dict:
        """The agenda card of the session being held (a new one from the session card)."""
        await self.on_session("🎤 Làm việc theo chương trình")
        return await self.chat.hears("làm việc theo chương trình", limit=30)

    async def _floor_at(self, code: str) -> dict:
        card = await self.floor_card()
        for _ in range(60):
            now = self.chat.current(card)
            if code in text_of(now):
                return now
            before = text_of(now)
            await self.press_on(now, "⏭ Câu tiếp theo")
            await self.tg.wait_for(
                lambda before=before: text_of(self.chat.current(card)) != before, timeout=TIMEOUT
            )
        raise AssertionError(f"{code} is not on the agenda card")

    async def answers_by_button(self, code: str, answer: str) -> None:
        """At the session: the agenda card, to the question, «answered at the session», the answer."""
        card = await self._floor_at(code)
        await self.press_on(card, "🎤 Đã trả lời tại hội nghị")
        await self.reply_to_prompt(answer)
        await self.chat.hears(f"Đã ghi câu trả lời tại hội nghị cho {code}")

    async def marks_follow_up(self, code: str) -> None:
        card = await self._floor_at(code)
        before = text_of(card)
        await self.press_on(card, "📌 Cần xử lý sau hội nghị")
        await self.tg.wait_for(lambda: text_of(self.chat.current(card)) != before, timeout=TIMEOUT)

    async def forwards(self, code: str, authority: str, reference: str) -> None:
        """From the triage card: «⬆️ Chuyển cấp trên», the authority, then number, date and reason."""
        await self.world.deliver()
        card = self.triage_card(code)
        await self.press_on(card, "⬆️ Chuyển cấp trên")
        await self.tg.wait_for(
            lambda: any(authority in b for b in labels(self.chat.current(card))), timeout=TIMEOUT
        )
        await self.press_on(card, next(b for b in labels(self.chat.current(card)) if authority in b))
        await self.reply_to_prompt(reference)
        await self.chat.hears(code, "đã chuyển tới")

    async def records_higher_answer(self, code: str, answer: str) -> None:
        await self.world.deliver()
        card = self.card(code, "đã chuyển tới")
        await self.press_on(card, "📨 Ghi trả lời của cấp trên")
        await self.reply_to_prompt(answer)
        await self.chat.hears("Đã ghi trả lời", code)

    async def classifies(self, code: str, nature: str) -> dict:
        await self.says(f"/classify {code}")
        menu = await self.chat.hears("Phân loại", code)
        await self.press_on(menu, nature)
        return await self.chat.hears(code, nature)

    async def sets_aside(self, code: str, note: str) -> None:
        """A complaint or denunciation: classified, then handed to its own procedure."""
        await self.classifies(code, "Khiếu nại")
        card = self.card("🏷 Phân loại", code)
        await self.tg.wait_for(
            lambda: any("Chuyển xử lý" in b for b in labels(self.chat.current(card))), timeout=TIMEOUT
        )
        await self.press_on(card, "⚖️ Chuyển xử lý theo quy định về khiếu nại, tố cáo")
        await self.reply_to_prompt(note)
        await self.chat.hears(code, "đã chuyển xử lý theo quy định")

    async def report_files(self) -> list[dict]:
        """/report, the current window's button: the workbook and the document (as sent)."""
        await self.says("/report")
        offer = await self.chat.hears("Kỳ báo cáo hiện tại", limit=30)
        await self.press_on(offer, labels(offer)[0])
        workbook = await self.chat.hears("Bảng tổng hợp", limit=30)
        document = await self.chat.hears("Dự thảo báo cáo", limit=30)
        return [workbook, document]

    def file(self, message: dict) -> bytes:
        return self.tg.files[message["document"]["file_id"]]


class Department(Staff):
    async def card_of(self, code: str) -> dict:
        await self.world.deliver()
        return self.card(code, "được chuyển tới đơn vị")

    async def answers(self, code: str, answer: str) -> None:
        await self.press_on(await self.card_of(code), "✍️ Trả lời")
        await self.reply_to_prompt(answer)
        await self.chat.hears("Đã gửi câu trả lời", code)

    async def asks_extension(self, code: str, until: date, reason: str = "Cần khảo sát thực địa") -> str:
        await self.press_on(await self.card_of(code), "⏳ Xin gia hạn")
        await self.reply_to_prompt(f"{until:%d/%m/%Y} {reason}")
        return text_of(await self.chat.hears("đề nghị gia hạn", code))

    async def answers_with_document(
        self, code: str, reference: str, summary: str, name: str = "tra-loi.pdf", content: bytes = b"%PDF-1.4"
    ) -> None:
        """«✍️ Trả lời», the signed document, then its number and date, then a summary."""
        await self.press_on(await self.card_of(code), "✍️ Trả lời")
        prompt = await self.chat.hears("✏️", limit=30)
        await self.tg.send_document(
            self.group, name, content, from_user=self.user, reply_to=prompt["message_id"]
        )
        await self.reply_to_prompt(reference)
        await self.reply_to_prompt(summary)
        await self.chat.hears("Đã gửi văn bản trả lời", code)

    async def forwards(self, code: str, authority: str, reference: str) -> None:
        card = await self.card_of(code)
        await self.press_on(card, "⬆️ Chuyển cấp trên")
        await self.tg.wait_for(
            lambda: any(authority in b for b in labels(self.chat.current(card))), timeout=TIMEOUT
        )
        await self.press_on(card, next(b for b in labels(self.chat.current(card)) if authority in b))
        await self.reply_to_prompt(reference)
        await self.chat.hears("đã chuyển", code)

    async def contributes(self, code: str, part: str) -> None:
        await self.world.deliver()
        card = self.card(f"Phối hợp trả lời {code}")
        await self.press_on(card, "🤝 Gửi phần phối hợp")
        await self.reply_to_prompt(part)
        await self.chat.hears("Đã gửi phần phối hợp", code)


class Authority(Staff):
    """A competent authority's own group, when it uses this bot: it answers by replying to the card."""

    async def answers(self, code: str, answer: str) -> None:
        await self.world.deliver()
        card = self.card(code, "chuyển kiến nghị")
        await self.tg.send_text(self.group, answer, from_user=self.user, reply_to=card["message_id"])
        await self.chat.hears("Đã ghi trả lời", code)


@dataclass
class World:
    tg: Any
    app: App
    clock: FixedClock
    settings: Settings
    office: Office = None  # type: ignore[assignment]  # set by ``procedure``
    land: Department = None  # type: ignore[assignment]
    social: Department = None  # type: ignore[assignment]
    district: Authority = None  # type: ignore[assignment]  # UBND huyện: its own group uses the bot
    people: dict[int, Citizen] = field(default_factory=dict)

    def citizen(self, user_id: int, name: str, locale: str = "vi") -> Citizen:
        self.people[user_id] = Citizen(self, user_id, name, locale)
        return self.people[user_id]

    def group(self, chat_id: int) -> Chat:
        return Chat(self, chat_id)

    async def at(self, when: date | datetime | None = None, *, hour: int = 9, **delta: float) -> datetime:
        """Move the clock: to a local date (at ``hour``), to an instant, or forward by ``delta``."""
        if when is None:
            self.clock.advance(timedelta(**delta))
        elif isinstance(when, datetime):
            self.clock.set(when)
        else:
            self.clock.set(datetime.combine(when, time(hour), tzinfo=timezone()))
        return self.clock.now()

    async def tick(self) -> Any:
        """One scheduler tick at the clock's time, then deliver what it queued."""
        return await run_tick(self.app, self.clock.now())

    async def deliver(self) -> int:
        return await self.dispatcher().deliver_all()

    def dispatcher(self) -> Any:
        if "dispatcher" not in self.app.extras:
            self.app.extras["dispatcher"] = telegram_dispatcher(self.app)
        return self.app.extras["dispatcher"]

    async def days(self, first: date, last: date, *, hour: int = 9) -> None:
        """Tick once a day, every day from ``first`` to ``last`` (inclusive)."""
        day = first
        while day <= last:
            await self.at(day, hour=hour)
            await self.tick()
            day += timedelta(days=1)


@contextlib.asynccontextmanager
async def procedure(database_url: str, *, days_ahead: int = 20, **overrides: Any) -> AsyncIterator[World]:
    """The sample commune (office, departments, staff), a session announced ``days_ahead`` days ahead,
    and the real bot polling the fake Bot API."""
    from bot.simulator.telegram import FakeTelegram

    clock = FixedClock(START)
    async with FakeTelegram() as tg:
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:TEST",
            admin_ids=[ww.ADMIN],
            redis_url="",
            rate_private_per_s=1000,  # the fake server's limits are off; tests need not wait
            rate_group_per_min=100_000,
            rate_global_per_s=1000,
            flood_max_updates=0,  # tests press buttons faster than a person (tests/test_faults.py floods)
            **overrides,
        )
        app = build_app(settings, clock=clock)
        await app.migrate()
        async with app.sessionmaker() as db:
            await apply(db, parse(ww.SAMPLE_DIRECTORY.read_text(encoding="utf-8")), clock.now())
            await create_session(
                db,
                title=SESSION_TITLE,
                place="Hội trường UBND xã",
                starts_at=clock.now() + timedelta(days=days_ahead),
                now=clock.now(),
                announce=True,
            )
            await db.commit()
        for chat_id in range(-1001000000008, -1001000000002):  # the sample directory's other departments
            tg.group(chat_id, f"Đơn vị {chat_id}")
        world = World(tg=tg, app=app, clock=clock, settings=settings)
        world.office = Office(world, tg.user(ww.OFFICE_STAFF, "Hoa Văn phòng"), ww.OFFICE)
        world.land = Department(world, tg.user(ww.DIA_CHINH_STAFF, "Bình Địa chính"), ww.DIA_CHINH_CHAT)
        world.social = Department(world, tg.user(ww.XA_HOI_STAFF, "Mai Xã hội"), ww.XA_HOI_CHAT)
        world.district = Authority(world, tg.user(7000001, "Cán bộ huyện"), DISTRICT_CHAT)
        await app.start_polling()
        try:
            yield world
        finally:
            await world.app.close()
        assert tg.violations == [], tg.violations
