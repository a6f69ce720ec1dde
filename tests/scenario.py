"""A small scenario language over the fake Bot API: people say things and press buttons; the bot's
real polling loop answers; tests read what each chat received."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.directory import apply, parse
from bot.domain.sessions import create_session
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIRECTORY = ROOT / "directory" / "sample_commune.toml"
OFFICE_CHAT = -1001000000001
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday
TIMEOUT = 5


class Person:
    def __init__(self, world: World, user_id: int, name: str) -> None:
        self.world, self.tg = world, world.tg
        self.user = self.tg.user(user_id, name, language_code="vi")
        self.chat_id = user_id

    async def say(self, text: str) -> None:
        await self.tg.send_text(self.user, text)

    async def press(self, label: str) -> str:
        return await self.tg.press(self.chat_id, label)

    async def hears(self, *fragments: str, timeout: float = TIMEOUT) -> dict:
        """The next message the bot sends this person; it must contain every fragment."""
        message = await self.tg.next_message(self.chat_id, timeout=timeout)
        text = message.get("text") or message.get("caption") or ""
        missing = [f for f in fragments if f not in text]
        assert not missing, (
            f"{missing} not in the bot's message:\n{text}\n\n{self.tg.transcript(self.chat_id)}"
        )
        return message

    async def hears_until(self, *fragments: str, limit: int = 5) -> dict:
        """Skip messages until one contains every fragment (at most ``limit`` messages)."""
        seen = []
        for _ in range(limit):
            message = await self.tg.next_message(self.chat_id, timeout=TIMEOUT)
            text = message.get("text") or message.get("caption") or ""
            if all(f in text for f in fragments):
                return message
            seen.append(text)
        raise AssertionError(f"{fragments} not in the next {limit} messages: {seen}")

    def buttons(self, message: dict) -> list[str]:
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button["text"] for row in rows for button in row]


@dataclass
class World:
    tg: Any  # bot.simulator.telegram.FakeTelegram
    app: App
    clock: FixedClock
    database_url: str
    settings: Settings
    people: dict[int, Person] = field(default_factory=dict)

    def citizen(self, user_id: int, name: str) -> Person:
        self.people[user_id] = Person(self, user_id, name)
        return self.people[user_id]

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database, as after a crash or a deploy."""
        await self.app.close()
        self.app = build_app(self.settings, clock=self.clock)
        await self.app.start_polling()


# The fake server's limits are off in these worlds (tests/test_faults.py turns them on): tests need
# not wait for Telegram's pace, and act faster than a person without being taken for a flood.
UNPACED = {
    "rate_private_per_s": 1000,
    "rate_group_per_min": 100_000,
    "rate_global_per_s": 1000,
    "flood_max_updates": 0,
}


async def new_session(
    app: App, clock: FixedClock, days_ahead: int = 20, title: str = "Hội nghị đối thoại quý IV"
):
    async with app.sessionmaker() as db:
        session = await create_session(
            db,
            title=title,
            place="Hội trường UBND xã",
            starts_at=clock.now() + timedelta(days=days_ahead),
            now=clock.now(),
            announce=True,
        )
        await db.commit()
        return session


async def furnish(app: App, clock: FixedClock, *, with_session: bool = True) -> None:
    """A migrated database with the sample commune's directory and, unless told otherwise, one session
    announced for 20 days ahead."""
    await app.migrate()
    async with app.sessionmaker() as db:
        await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), clock.now())
        await db.commit()
    if with_session:
        await new_session(app, clock)


@contextlib.asynccontextmanager
async def running_bot(database_url: str, *, with_session: bool = True, **overrides) -> AsyncIterator[World]:
    from bot.simulator.telegram import FakeTelegram

    clock = FixedClock(START)
    overrides.setdefault("redis_url", "")
    for key, value in UNPACED.items():
        overrides.setdefault(key, value)
    async with FakeTelegram() as tg:
        settings = Settings(
            _env_file=None,
            telegram_api=tg.base_url,
            database_url=database_url,
            bot_token="4242:TEST",
            **overrides,
        )
        app = build_app(settings, clock=clock)
        await furnish(app, clock, with_session=with_session)
        await app.start_polling()
        world = World(tg=tg, app=app, clock=clock, database_url=database_url, settings=settings)
        try:
            yield world
        finally:
            await world.app.close()
        assert tg.violations == [], tg.violations


async def asked_on_zalo(db, chat: str, text: str, *, session_id: int, now, locale: str = "vi", **who):
    """A Zalo citizen who consented and asked (straight through the domain: what follows is tested);
    ``who``: name, phone (default: "Người hỏi", none)."""
    from bot.domain.intake import give_consent, submit

    citizen = await give_consent(db, "zalo", chat, locale, now)
    return await submit(
        db,
        citizen=citizen,
        session_id=session_id,
        topic_id=None,
        text=text,
        attachments=[],
        name=who.get("name", "Người hỏi"),
        phone=who.get("phone"),
        address="Thôn 6",
        public_name=False,
        now=now,
        default_prefix="TD",
    )
