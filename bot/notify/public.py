"""What the bot posts on its own for the public and for oversight.

- ``post_announcement(db, session, now)``: a session's announcement to the public channel, when it is
  announced (R1's 7 days are checked by the announcement itself; a draft is never posted).
- ``post_conclusion(db, session, now)``: the conclusion notice (its text, and its file) when issued.
- ``public_tick(db, now, settings)``: run by every deadline tick: on the first days of a month (from
  08:00), the monthly summary to the channel; from Monday 08:00, the weekly digest of late and overdue
  questions to the oversight group (codes, departments, days late: nothing personal).
- ``publication_buttons(sub)``: the office's buttons to publish an answered question on the website.

Messages go through the outbox in the caller's transaction, each under a key naming the event, so
calling twice posts once. The channel and the site's address come from settings
(``DOITHOAI_PUBLIC_CHANNEL_ID``, ``DOITHOAI_PUBLIC_URL``); ``configure`` copies them into
``app_config`` (every tick does), so code that has no settings — the session operations — reads them
from the database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.directory import _set_config, get_config
from bot.domain.oversight import oversight_chat_id
from bot.domain.publication import can_publish, is_published
from bot.i18n import DEFAULT_LOCALE, timezone, use_locale
from bot.notify.actions import Actions, action
from bot.notify.outbox import enqueue
from bot.reports import metrics
from bot.reports.metrics import LATE
from bot.reports.periods import Period
from bot.texts import public as tp
from bot.web import links
from storage.models import DialogueSession, Outbox, SessionStatus, Submission

GROUP_LOCALE = DEFAULT_LOCALE
CHANNEL_KEY = "public_channel_id"
URL_KEY = "public_url"
BOT_KEY = "bot_username"
POST_HOUR = 8  # local time: summaries are posted from 08:00
MONTHLY_CATCH_UP_DAYS = 7  # a bot stopped on the 1st still posts the month's summary until the 7th
EPOCH = date(2000, 1, 1)


# --- settings the session operations cannot see --------------------------------------------------------


async def configure(db: AsyncSession, settings: Any, bot_username: str | None = None) -> None:
    """Copy the channel and the site's address from ``settings`` into ``app_config`` (only what
    changed: an unchanged setting writes nothing)."""
    channel = getattr(settings, "public_channel_id", None)
    wanted = {
        CHANNEL_KEY: str(channel) if channel else "",
        URL_KEY: (getattr(settings, "public_url", "") or "").rstrip("/"),
    }
    if bot_username:
        wanted[BOT_KEY] = bot_username.lstrip("@")
    for key, value in wanted.items():
        if (await get_config(db, key) or "") != value:
            await _set_config(db, key, value)
    await db.flush()


async def channel_id(db: AsyncSession) -> int | None:
    value = await get_config(db, CHANNEL_KEY)
    return int(value) if value else None


async def site_url(db: AsyncSession) -> str:
    return await get_config(db, URL_KEY) or ""


async def bot_username(db: AsyncSession) -> str:
    return await get_config(db, BOT_KEY) or ""


async def _site_link(db: AsyncSession, path: str) -> str | None:
    base = await site_url(db)
    return links.absolute(base, path) if base else None


# --- the channel: announcements, conclusions ------------------------------------------------------------


async def post_announcement(db: AsyncSession, session: DialogueSession, now: datetime) -> int | None:
    """Post an announced session to the public channel; None when there is no channel, the session is
    not announced, or it was posted already."""
    chat = await channel_id(db)
    if chat is None or session.announced_at is None or session.status == SessionStatus.DRAFT:
        return None
    username = await bot_username(db)
    with use_locale(GROUP_LOCALE):
        text = tp.channel_announcement(
            session,
            await _site_link(db, links.session(session.id)),
            links.telegram_start(username, session.id) if username else None,
        )
    return await enqueue(
        db,
        key=f"public:announce:{session.id}",
        chat_id=chat,
        purpose="public_announcement",
        text=text,
        now=now,
    )


async def post_conclusion(db: AsyncSession, session: DialogueSession, now: datetime) -> int | None:
    """Post the conclusion notice (its text, and its file when there is one) to the public channel."""
    chat = await channel_id(db)
    if chat is None or session.notice_at is None:
        return None
    with use_locale(GROUP_LOCALE):
        text = tp.channel_conclusion(
            session, session.notice_text, await _site_link(db, links.session(session.id))
        )
    document = None
    if session.notice_file_id:
        document = {"file_id": session.notice_file_id, "caption": session.title[:200]}
    return await enqueue(
        db,
        key=f"public:conclusion:{session.id}",
        chat_id=chat,
        purpose="public_conclusion",
        text=text,
        now=now,
        document=document,
    )


# --- the tick: monthly summary, weekly oversight digest --------------------------------------------------


async def public_tick(db: AsyncSession, now: datetime, settings: Any, report: Any = None) -> None:
    """What is due at ``now``; ``report`` (a ``TickReport``) counts what was enqueued."""
    await configure(db, settings)
    local = now.astimezone(timezone())
    if local.hour < POST_HOUR:
        return
    for purpose, row in (
        ("public_monthly", await _monthly(db, now, local.date())),
        ("oversight_weekly", await _weekly(db, now, local.date())),
    ):
        if report is not None and row is not None:
            report.add(purpose)


async def _queued(db: AsyncSession, key: str) -> bool:
    return await db.scalar(select(Outbox.id).where(Outbox.key == key)) is not None


def last_twelve_months(today: date) -> Period:
    """This month and the eleven before it, up to ``today``."""
    first = today.year * 12 + today.month - 1 - 11
    return Period(date(first // 12, first % 12 + 1, 1), today, "range")


async def _monthly(db: AsyncSession, now: datetime, today: date) -> int | None:
    chat = await channel_id(db)
    if chat is None or today.day > MONTHLY_CATCH_UP_DAYS:
        return None
    month = today.replace(day=1) - timedelta(days=1)
    key = f"public:month:{month:%Y-%m}"
    if await _queued(db, key):
        return None
    report = await metrics.for_period(db, last_twelve_months(today), now)
    if not report.sessions:
        return None
    with use_locale(GROUP_LOCALE):
        text = tp.channel_monthly(report, f"{month:%m/%Y}", await _site_link(db, links.accountability()))
    return await enqueue(db, key=key, chat_id=chat, purpose="public_monthly", text=text, now=now)


async def _weekly(db: AsyncSession, now: datetime, today: date) -> int | None:
    chat = await oversight_chat_id(db)
    if chat is None:
        return None
    year, week, _day = today.isocalendar()
    key = f"oversight:week:{year}-W{week:02d}:{chat}"
    if await _queued(db, key):
        return None
    report = await metrics.for_period(db, Period(EPOCH, today, "range"), now)
    week_start = today - timedelta(days=7)
    late = [f for f in report.late if f.timeliness == LATE and f.settled_on and f.settled_on >= week_start]
    with use_locale(GROUP_LOCALE):
        text = tp.weekly_digest(
            report.overdue, late, week_start, today, await _site_link(db, links.accountability())
        )
    return await enqueue(db, key=key, chat_id=chat, purpose="oversight_weekly", text=text, now=now)


# --- the office's buttons to publish an answer ----------------------------------------------------------


def publication_buttons(sub: Submission) -> Actions:
    """[📢 Công khai] [✏️ Sửa rồi công khai] [✖️ Thôi] for an answered question not yet published;
    [✏️ Sửa nội dung công khai] [🙈 Gỡ khỏi trang công khai] for a published one; nothing otherwise.
    In the caller's locale (the groups': ``use_locale(GROUP_LOCALE)``)."""
    if is_published(sub):
        return [
            [action(tp.btn_edit_published(), "publish_edit", sub.id)],
            [
                action(tp.btn_unpublish(), "unpublish", sub.id),
                action(tp.btn_dismiss(), "publish_dismiss", sub.id),
            ],
        ]
    if can_publish(sub):
        return [
            [
                action(tp.btn_publish(), "publish", sub.id),
                action(tp.btn_edit_then_publish(), "publish_edit", sub.id),
            ],
            [action(tp.btn_dismiss(), "publish_dismiss", sub.id)],
        ]
    return []
