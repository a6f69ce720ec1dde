"""Messages in the office group that are not commands: replies to the bot's prompts (each kind of
prompt has its handler in the module that asked), and people talking (ignored)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import queries
from bot.texts import office as to
from handlers.menus import office_audience
from handlers.staff import Reply, ReplyHandler, actor_name, answer_reply, error_text, pending_for
from storage.models import DialogueSession, Submission

SESSION_PROMPTS = ("participants", "postpone", "cancel_session", "issue_notice")
SESSION_PROMPTS += (
    "record_topic",
    "record_text",
    "record_source",
    "record_org",
    "record_asker",
    "import_file",
)


async def pending_label(db: AsyncSession, pending: dict) -> str:
    """What the pending prompt is about, for "reply to the prompt about …"."""
    target = int(pending.get("s") or 0)
    if pending.get("a") in SESSION_PROMPTS:
        session = await db.get(DialogueSession, target)
        return session.title if session else "?"
    if target:
        sub = await db.get(Submission, target)
        return sub.code if sub else "?"
    return to.btn_kind("periodic")


def make_router(handlers: dict[str, ReplyHandler]) -> Router:
    router = Router(name="office-replies")

    @router.message()
    async def on_message(
        message: Message, bot: Bot, db: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        pending, kind = await pending_for(message, bot, state)
        if kind == "chat":
            typed_command = (message.text or "").startswith("/")
            audience = await office_audience(db, message.chat.id) if typed_command else "office"
            await db.commit()
            if typed_command:
                await message.reply(to.help_text(audience))
            return
        if kind == "stale":
            await db.commit()
            await message.reply(to.prompt_replaced())
            return
        if kind == "pointer":
            label = await pending_label(db, pending)
            await db.commit()
            await message.reply(to.reply_to_prompt(label))
            return
        user = message.from_user
        reply = Reply(
            message, bot, db, state, pending, clock.now(), queries.office_actor(user.id), actor_name(user)
        )
        await answer_reply(handlers, reply, error_text)

    return router
