"""An asker whose question the office recorded (on paper, by phone, at the session…) follows it in a
chat: they type the tracking code and the last four digits of the phone number they gave
(``TD-26-0042 5678``), and from then on every update reaches that chat.

Channel-neutral: the citizen conversation (Telegram and Zalo alike) calls ``claim`` with what was
typed outside a flow; ``None`` means the text is not of that shape and the conversation goes on.
Three wrong tries lock the code for a day (the phone's last digits are a weak secret: this keeps
guessing slow); the lock is per question, so nobody can lock someone else's chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.codes import normalize_code
from bot.domain.intake import get_or_create_citizen
from bot.domain.queries import by_code
from bot.domain.recording import OFFLINE
from storage.models import Citizen, Submission

TRIES = 3
LOCK = timedelta(days=1)
_SHAPE = re.compile(r"^\s*([A-Za-z]{2,4}[\s._-]*\d{2}[\s._-]*\d{1,6})[\s,;:./-]+(\d{4})\s*$")


@dataclass
class Claim:
    outcome: str  # linked | already | taken | wrong | locked | unknown | no_phone
    code: str
    submission: Submission | None = None
    tries_left: int = 0
    locked_until: datetime | None = None


def parse(text: str) -> tuple[str, str] | None:
    """``TD-26-0042 5678`` → ("TD-26-0042", "5678"); None for anything else."""
    m = _SHAPE.match(text or "")
    if not m:
        return None
    code = normalize_code(m.group(1))
    return (code, m.group(2)) if code else None


def _last4(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else None


async def claim(db: AsyncSession, channel: str, chat_id: str, text: str, now: datetime) -> Claim | None:
    """Link a recorded question to this chat when ``text`` is its code and the phone's last four digits."""
    parsed = parse(text)
    if parsed is None:
        return None
    code, digits = parsed
    sub = await by_code(db, code)
    if sub is None:
        return Claim("unknown", code)
    owner = await db.get(Citizen, sub.citizen_id)
    if owner is not None and owner.chat_id is not None:
        mine = owner.channel == channel and owner.chat_id == str(chat_id)
        return Claim("already" if mine else "taken", code, sub)
    if sub.claim_locked_until is not None and sub.claim_locked_until > now:
        return Claim("locked", code, sub, locked_until=sub.claim_locked_until)
    expected = _last4(sub.phone or (owner.phone if owner else None))
    if expected is None:
        return Claim("no_phone", code, sub)
    if digits != expected:
        failures = (sub.claim_failures or 0) + 1
        if failures >= TRIES:
            sub.claim_failures, sub.claim_locked_until = 0, now + LOCK
            return Claim("locked", code, sub, locked_until=sub.claim_locked_until)
        sub.claim_failures = failures
        return Claim("wrong", code, sub, tries_left=TRIES - failures)
    citizen = await get_or_create_citizen(db, channel, str(chat_id), now)
    if owner is not None:
        citizen.name = citizen.name or owner.name
        citizen.phone = citizen.phone or owner.phone
        citizen.address = citizen.address or owner.address
    citizen.last_seen_at = now
    await lifecycle.move(
        db,
        sub,
        "link_chat",
        lifecycle.CITIZEN,
        now,
        detail={"channel": channel},
        event={"channel": channel},
        citizen_id=citizen.id,
        channel=channel,
        claim_failures=0,
        claim_locked_until=None,
    )
    if owner is not None and owner.channel == OFFLINE:
        await db.delete(owner)  # the placeholder asked nothing else: each recorded question has its own
    return Claim("linked", code, sub)
