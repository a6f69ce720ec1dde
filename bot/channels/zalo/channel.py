"""Zalo events → the channel-neutral citizen conversation; its replies → numbered text menus.

State lives in ``fsm_states`` under key ``zalo:<chat id>`` (``{"conv": state}``), so a
conversation survives a restart. Typed numbers or option words (diacritics optional) choose;
"0", "huỷ"/"huy" cancel; "/my" or "tra cứu" lists the citizen's questions.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.channels.zalo.client import TEXT_MAX, ZaloClient
from bot.conversation import rating
from bot.conversation.citizen import COMMANDS, CitizenConversation, Context
from bot.conversation.model import Document, Inbound, Outcome, Prompt, fold, match_option
from bot.conversation.split import split_text
from bot.i18n import use_locale
from bot.texts import zalo as zt
from storage.models import Channel, Citizen, FsmState

_TAG = re.compile(r"<[^>]+>")
CANCEL_WORDS = {"0", "huy", "thoat"}
WORD_COMMANDS = {"tra cuu": "my", "bat dau": "start", "tro giup": "help", "menu": "menu"}
PROACTIVE_WINDOW = timedelta(days=7)


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", re.sub(r"<br\s*/?>", "\n", text or "")))


def visible_options(prompt: Prompt) -> list:
    return [o for o in prompt.options if o.value != "share"]


def render_prompt(prompt: Prompt) -> str:
    text = plain(prompt.text)
    options = visible_options(prompt)
    if options:
        lines = [f"{i}. {plain(o.label)}" for i, o in enumerate(options, 1)]
        text = f"{text}\n\n" + "\n".join(lines) + f"\n\n{zt.answer_with_number(len(options))}"
    return text


class ZaloChannel:
    def __init__(self, client: ZaloClient, sessionmaker: Any, clock: Any, settings: Any) -> None:
        self.client = client
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.settings = settings

    async def handle(self, event: dict[str, Any]) -> None:
        message = event.get("message") or {}
        chat_id = str((message.get("chat") or {}).get("id") or (message.get("from") or {}).get("id") or "")
        if not chat_id:
            return
        name = event.get("event_name", "")
        now = self.clock.now()
        async with self.sessionmaker() as db:
            citizen = (
                await db.execute(
                    select(Citizen).where(Citizen.channel == Channel.ZALO, Citizen.chat_id == chat_id)
                )
            ).scalar_one_or_none()
            previous = citizen.last_seen_at if citizen is not None else None
            if citizen is not None:
                citizen.last_seen_at = now
            locale = (citizen.locale if citizen else None) or self.settings.default_locale
            key = f"zalo:{chat_id}"
            row = await db.get(FsmState, key)
            state = dict(((row.data if row else None) or {}).get("conv") or {})
            conv = CitizenConversation(Context(db, now, self.settings, Channel.ZALO, chat_id, locale))
            with use_locale(locale), zt.use_channel(Channel.ZALO):
                if name == "message.unsupported.received":
                    outcome = Outcome([Prompt(zt.unsupported())], state)
                else:
                    outcome = await self._dispatch(conv, state, name, message, previous)
            new_state = dict(outcome.state)
            if row is None:
                db.add(FsmState(key=key, state=None, data={"conv": new_state} if new_state else {}))
            else:
                row.data = {"conv": new_state} if new_state else {}
            locale = conv.ctx.locale
            await db.commit()
        with use_locale(locale), zt.use_channel(Channel.ZALO):
            texts = [self._text(r) for r in outcome.replies]
        for text in texts:
            for part in split_text(text, TEXT_MAX) if text.strip() else []:
                await self.client.send_message(chat_id, part)

    @staticmethod
    def _text(reply: Any) -> str:
        if isinstance(reply, Document):  # the file's text, and the options it carries
            return render_prompt(Prompt(html.escape(reply.fallback_text), reply.options))
        return render_prompt(reply)

    async def _dispatch(
        self, conv: CitizenConversation, state: dict, name: str, message: dict, previous: Any = None
    ) -> Outcome:
        if name == "message.image.received":
            caption = str(message.get("caption") or "")  # the question may come as the photo's caption
            return await conv.handle(
                state, Inbound("photo", text=caption, file_id=str(message.get("photo") or ""))
            )
        if name != "message.text.received":
            return await conv.handle(state, Inbound("other"))
        text = str(message.get("text") or "").strip()
        folded = fold(text)
        if text.startswith("/"):
            command = text[1:].split()[0].lower() if len(text) > 1 else ""
            if command in COMMANDS:
                return await conv.command(state, command)
        if folded in CANCEL_WORDS:
            return await conv.command(state, "cancel")
        if folded in WORD_COMMANDS:
            return await conv.command(state, WORD_COMMANDS[folded])
        # a rating typed as a number (the rating question's list), or a tracking code
        found = await rating.typed(conv, state, text, previous_message_at=previous)
        if found is not None:
            return found
        if state.get("screen"):
            prompt = await conv.prompt_for(state)
            options = visible_options(prompt)
            if options:
                chosen = match_option(text, options)
                if chosen is not None:
                    return await conv.handle(
                        state,
                        Inbound("choice", value=chosen.value),
                        screen=state.get("screen"),
                        nonce=state.get("nonce"),
                    )
        return await conv.handle(state, Inbound("text", text=text))
