"""A world for the staff end-to-end tests: the bot's real polling loop against the fake Bot API, with the
office group, two department groups, their staff, an admin, an outsider and a few citizens.

Outbox delivery: ``World.deliver()`` sends what is pending through the app's own aiogram Bot — with the
outbox dispatcher (bot/dispatcher.py) when it exists, otherwise with a tiny local sender (below).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.telegram.callbacks import markup
from bot.clock import FixedClock
from bot.domain.intake import NewAttachment
from bot.settings import Settings
from storage.models import Outbox, OutboxStatus, Submission
from tests import workflow_world as ww
from tests.scenario import UNPACED

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday
TIMEOUT = 5
OUTSIDER = 6000001
UNREGISTERED = -1009999999


def text_of(message: dict) -> str:
    return message.get("text") or message.get("caption") or ""


def labels(message: dict) -> list[str]:
    markup_ = message.get("reply_markup") or {}
    return [b["text"] for row in markup_.get("inline_keyboard") or [] for b in row]


async def local_deliver(app: App) -> int:
    """Send every pending outbox row in order (text, then an optional document) and mark it sent."""
    sent = 0
    async with app.sessionmaker() as db:
        rows = list(
            await db.scalars(select(Outbox).where(Outbox.status == OutboxStatus.PENDING).order_by(Outbox.id))
        )
        await db.commit()
        for row in rows:
            payload: dict[str, Any] = row.payload
            chat = int(row.chat_id)
            keyboard = markup(payload.get("actions"))
            doc = payload.get("document")
            text = payload.get("text") or ""
            if doc and text and text != doc.get("caption"):
                await app.bot.send_message(chat, text, reply_markup=keyboard)
                keyboard = None
            if doc:
                caption = doc.get("caption") or None
                if doc.get("kind") == "photo":
                    msg = await app.bot.send_photo(
                        chat, doc["file_id"], caption=caption, reply_markup=keyboard
                    )
                else:
                    msg = await app.bot.send_document(
                        chat, doc["file_id"], caption=caption, reply_markup=keyboard
                    )
            else:
                msg = await app.bot.send_message(chat, text, reply_markup=keyboard)
            row.status, row.sent_at, row.message_id = OutboxStatus.SENT, app.clock.now(), str(msg.message_id)
            row.attempts += 1
            await db.commit()
            sent += 1
    return sent


@dataclass
class World:
    tg: Any
    app: App
    clock: FixedClock
    session_id: int
    users: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Any] = field(default_factory=dict)

    async def deliver(self) -> int:
        return await local_deliver(self.app)

    async def submit(self, citizen_id: int, text: str, **kw: Any) -> Submission:
        async with self.app.sessionmaker() as db:
            sub = await ww.ask(db, await self.session(db), citizen_id, text, self.clock.now(), **kw)
            await db.commit()
            return sub

    async def session(self, db):
        from storage.models import DialogueSession

        return await db.get(DialogueSession, self.session_id)

    async def load(self, code: str) -> Submission:
        async with self.app.sessionmaker() as db:
            sub = await db.scalar(select(Submission).where(Submission.code == code))
            await db.commit()
            return sub

    async def said(self, chat_id: int, *fragments: str, limit: int = 6) -> dict:
        """Skip the bot's messages in that chat until one contains every fragment."""
        seen = []
        for _ in range(limit):
            message = await self.tg.next_message(chat_id, timeout=TIMEOUT)
            if all(f in text_of(message) for f in fragments):
                return message
            seen.append(text_of(message))
        raise AssertionError(f"{fragments} not in the next {limit} messages of {chat_id}: {seen}")

    def all_text(self, chat_id: int) -> str:
        return "\n---\n".join(text_of(m) for m in self.tg.messages(chat_id))

    async def prompt_in(self, chat_id: int) -> dict:
        """The bot's next prompt (a message that expects a reply) in that chat."""
        return await self.said(chat_id, "✏️")


@contextlib.asynccontextmanager
async def staff_world(database_url: str) -> AsyncIterator[World]:
    from bot.simulator.telegram import FakeTelegram

    clock = FixedClock(START)
    async with FakeTelegram() as tg:
        users = {
            "office": tg.user(ww.OFFICE_STAFF, "Hoa Văn phòng", language_code="vi"),
            "land": tg.user(ww.DIA_CHINH_STAFF, "Bình Địa chính", language_code="vi"),
            "social": tg.user(ww.XA_HOI_STAFF, "Mai Xã hội", language_code="vi"),
            "admin": tg.user(ww.ADMIN, "Quản trị", language_code="vi"),
            "outsider": tg.user(OUTSIDER, "Người lạ", language_code="vi"),
            "an": tg.user(1001, "An", language_code="vi"),
            "lan": tg.user(1002, "Lan", language_code="vi"),
            "minh": tg.user(1003, "Minh", language_code="en"),
        }
        groups = {
            "office": tg.group(ww.OFFICE, "Văn phòng"),
            "land": tg.group(ww.DIA_CHINH_CHAT, "Địa chính"),
            "social": tg.group(ww.XA_HOI_CHAT, "Xã hội"),
            "unregistered": tg.group(UNREGISTERED, "Nhóm lạ"),
        }
        for chat_id in range(-1001000000008, -1001000000004):  # the sample directory's other departments
            tg.group(chat_id, f"Đơn vị {chat_id}")
        tg.group(-1001000000003, "Nông nghiệp")
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:TEST",
            admin_ids=[ww.ADMIN],
            redis_url="",
            **UNPACED,  # the fake server's limits are off; tests need not wait
        )
        app = build_app(settings, clock=clock)
        await app.migrate()
        async with app.sessionmaker() as db:
            await ww.load_directory(db, clock.now())
            session = await ww.new_session(db, clock.now())
            await db.commit()
        await app.start_polling()
        world = World(tg=tg, app=app, clock=clock, session_id=session.id, users=users, groups=groups)
        try:
            yield world
        finally:
            await world.app.close()
        assert tg.violations == [], tg.violations


def later(world: World, **delta: float) -> datetime:
    world.clock.advance(timedelta(**delta))
    return world.clock.now()


__all__ = ["NewAttachment", "World", "labels", "later", "staff_world", "text_of"]
