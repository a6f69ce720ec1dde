"""A competent authority's own group, when it uses this bot (the directory's ``[[authorities]]`` with a
``chat_id``): each question forwarded to it arrives as a card; a reply to that card (text and/or a
document) is the authority's answer, relayed to every asker and the office. The group is the
authority's: whoever the authority lets in may answer; only what was forwarded to it can be answered.
Anything else said in the group is left alone."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import forwarding, queries
from bot.domain.errors import DomainError
from bot.settings import Settings
from bot.texts import department_extra as tdx
from handlers.staff import input_file, input_text

log = logging.getLogger(__name__)
CODE = re.compile(r"\b[A-Z]{2,4}-\d{2}-\d{4,6}\b")


class AuthorityChat(BaseFilter):
    """A registered authority's group; handlers receive ``authority``."""

    async def __call__(self, message: Message, db: AsyncSession) -> bool | dict[str, Any]:
        if message.chat.id > 0:
            return False
        found = await forwarding.authority_for_chat(db, message.chat.id)
        return {"authority": found} if found is not None else False


def make_router(settings: Settings) -> Router:
    router = Router(name="authority")
    router.message.filter(AuthorityChat())

    @router.message()
    async def on_message(message: Message, bot: Bot, db: AsyncSession, clock: Clock, authority: Any) -> None:
        card = message.reply_to_message
        to_bot = card is not None and card.from_user is not None and card.from_user.id == bot.id
        found = CODE.search((card.text or card.caption or "") if card is not None else "")
        if not to_bot or found is None or message.from_user is None or message.from_user.is_bot:
            await db.commit()
            return
        sub = await queries.by_code(db, found.group(0))
        if sub is None:
            await db.commit()
            return
        actor = f"authority:{message.from_user.id}"
        try:
            sub = await forwarding.record_answer(
                db,
                sub.id,
                input_text(message),
                input_file(message),
                actor,
                clock.now(),
                authority_id=authority.id,
            )
        except DomainError as exc:
            await db.rollback()
            log.info("authority answer refused: %s", exc)
            await message.reply(tdx.authority_answer_refused())
            return
        await db.commit()
        await message.reply(tdx.authority_answer_recorded(sub))

    return router
