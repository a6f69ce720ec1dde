"""What a citizen types outside the screens' own options — on a channel that has no buttons to press,
or on Telegram instead of pressing them: a tracking code ("TD-26-0001", any case or spacing), and the
answer to the rating question — a number 1–5, or 6 / "chưa được giải quyết", which reopens the
question (bot/domain/followup.py). On Telegram the rating's buttons carry no numbers: a number typed
at the menu is its stars (1–5), and only the words reopen.

The rating question is a numbered list (1–5 ⭐, then "not resolved"): a number typed is taken as its
answer only while that question is the last thing the citizen was sent — its outbox row is newer than
the citizen's previous message — so "5" typed later at the menu still means the menu's fifth item.
The words "chưa được giải quyết" need no such guard.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_, select

from bot.conversation.citizen import CitizenConversation
from bot.conversation.model import Outcome, Prompt
from bot.domain import followup, lifecycle
from bot.domain.codes import normalize_code
from bot.domain.intake import find_citizen
from bot.domain.text import fold
from bot.texts import citizen as t
from bot.texts import citizen_extra as t_extra
from bot.texts import zalo as zt
from storage.models import Outbox, Submission

NOT_RESOLVED_CHOICE = 6  # the rating list's sixth item
_NUMBER = re.compile(r"^([1-6])(?: ?(?:sao|diem|star|stars))?$")
_NOT_RESOLVED = {"chua duoc giai quyet", "chua giai quyet", "not resolved"}


def typed_rating(text: str, *, reopen_by_number: bool = True) -> int | None:
    """``"5"``, ``"5 sao"`` → 5; ``"6"`` → NOT_RESOLVED (0) where the list numbers it; else None."""
    folded = fold(text)
    if m := _NUMBER.match(folded):
        value = int(m.group(1))
        if value == NOT_RESOLVED_CHOICE:
            return followup.NOT_RESOLVED if reopen_by_number else None
        return value
    return None


def says_not_resolved(text: str) -> bool:
    return fold(text) in _NOT_RESOLVED


async def last_request(conv: CitizenConversation) -> tuple[int, datetime] | None:
    """The citizen's question whose rating question was sent last (and is still unanswered), and when
    that message was queued. Two indexed reads: the citizen's answered, unrated questions, then their
    rating messages by key."""
    ctx = conv.ctx
    citizen = await find_citizen(ctx.db, ctx.channel, ctx.chat_id)
    if citizen is None:
        return None
    waiting = (
        await ctx.db.execute(
            select(Submission.id, Submission.code, Submission.answered_at).where(
                Submission.citizen_id == citizen.id,
                Submission.answered_at.is_not(None),
                or_(Submission.rated_at.is_(None), Submission.rated_at < Submission.answered_at),
            )
        )
    ).all()
    keys = {followup.rating_key(code, answered): sid for sid, code, answered in waiting}
    if not keys:
        return None
    found = (
        await ctx.db.execute(
            select(Outbox.key, Outbox.created_at)
            .where(Outbox.key.in_(list(keys)))
            .order_by(Outbox.created_at.desc(), Outbox.id.desc())
            .limit(1)
        )
    ).first()
    return (keys[found.key], found.created_at) if found else None


async def typed(
    conv: CitizenConversation,
    state: dict,
    text: str,
    *,
    previous_message_at: datetime | None,
    reopen_by_number: bool = True,
) -> Outcome | None:
    """The outcome of ``text`` when it is a rating or a tracking code; None when it is neither.
    ``reopen_by_number``: "6" means "not resolved" (Zalo's numbered list; Telegram's buttons have no
    numbers, so a Telegram citizen typing a number means its stars)."""
    value = typed_rating(text, reopen_by_number=reopen_by_number)
    if value is None and says_not_resolved(text):
        value = followup.NOT_RESOLVED
        request = await last_request(conv)
    elif value is not None:
        request = await last_request(conv)
        if request is not None and previous_message_at is not None and request[1] <= previous_message_at:
            request = None  # the citizen wrote since: the number answers the screen they are on
    else:
        request = None
    if value is not None and request is not None:
        return await rate(conv, state, request[0], value)
    if state.get("screen") in (None, "menu") and (code := normalize_code(text)):
        return await conv.lookup_code(state, code)
    return None


async def rate(conv: CitizenConversation, state: dict, submission_id: int, value: int) -> Outcome:
    """Record a rating (1–5) and thank, or reopen (NOT_RESOLVED: the outbox tells every asker); the
    screen stays where it was."""
    ctx = conv.ctx
    try:
        await followup.rate(ctx.db, submission_id, ctx.channel, ctx.chat_id, value, ctx.now)
    except followup.RatingRefused as exc:
        if exc.reason == "too_late":
            told = t_extra.reopen_too_late(lifecycle.REOPEN_WITHIN_DAYS["answered_at_session"])
        elif exc.reason == "already":
            told = t.already_rated()
        else:
            told = zt.rating_not_open()
        return Outcome([Prompt(told)], state)
    if not value:  # reopened: every asker (this one too) hears it through the outbox, with the new date
        return Outcome([], state)
    return Outcome([Prompt(t.rated_thanks(value))], state)
