"""The citizen conversation: screens with prompts, options and validation, channel-neutral.

State is a small JSON-able dict the channel stores between messages (aiogram FSM data on
Telegram): ``{"screen": …, "nonce": …, "draft": {…}, …}``. Every prompt is tagged with its screen and
the conversation's nonce; a choice that names another screen or nonce is stale and is answered
politely, so buttons from an old message or from a flow started twice cannot act.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import validation
from bot.conversation.model import Document, Inbound, Option, Outcome, Prompt, Reply
from bot.conversation.unit_choice import UnitChoice
from bot.domain import intake, linking, units
from bot.domain.errors import NotAllowed, NotFound, QuestionsClosed
from bot.i18n import fmt_date, local_date, use_locale
from bot.settings import Settings
from bot.texts import citizen as t
from bot.texts import citizen_extra as t_extra
from bot.texts import citizen_intake as ti
from storage import readcache
from storage.models import Citizen, DialogueSession, Submission, Topic

# The question flow, in order. "a_details" (a returning citizen confirms name, phone, address and
# whether the name may be read out, in one step) is skipped when nothing is saved; "a_media" (more
# photos and documents) is not a step: the review offers it, and the question's message can carry photos.
ASK_STEPS = [
    "a_session",
    "a_topic",
    "a_text",
    "a_details",
    "a_name",
    "a_phone",
    "a_addr",
    "a_public",
    "a_review",
]
EDITABLE = {
    "session": "a_session",
    "topic": "a_topic",
    "text": "a_text",
    "media": "a_media",
    "name": "a_name",
    "phone": "a_phone",
    "address": "a_addr",
    "public": "a_public",
}
COMMANDS = {"start", "ask", "my", "help", "privacy", "language", "cancel", "menu"}


@dataclass
class Context:
    db: AsyncSession
    now: datetime
    settings: Settings
    channel: str
    chat_id: str
    locale: str


def _nonce() -> str:
    """Tells a flow's buttons from an older flow's. Not a secret (a person can only press buttons in
    their own chat, and every press is checked against the state), so no system entropy per step."""
    return f"{random.getrandbits(24):06x}"


JOIN_LIMIT = 2000  # the shorter of the channels' message limits (Zalo)


def _tag(outcome: Outcome) -> Outcome:
    """Options offered without a screen belong to the screen the conversation is now on; a note that
    comes before a prompt is sent with it, as one message (one message per step, on every channel)."""
    for reply in outcome.replies:
        if reply.options and reply.screen is None:
            reply.screen = outcome.state.get("screen")
    joined: list[Reply] = []
    for reply in outcome.replies:
        before = joined[-1] if joined else None
        if (
            isinstance(reply, Prompt)
            and isinstance(before, Prompt)
            and not before.options
            and not before.ask_contact
            and len(before.text) + 2 + len(reply.text) <= JOIN_LIMIT
        ):
            joined[-1] = replace(reply, text=f"{before.text}\n\n{reply.text}")
            continue
        joined.append(reply)
    outcome.replies = joined
    return outcome


class CitizenConversation(UnitChoice):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self._known: Citizen | None = None

    # --- entry points -----------------------------------------------------------------------------

    async def command(self, state: dict, name: str, arg: str = "") -> Outcome:
        """A command (/start, /ask, …) or its equivalent; always starts afresh. ``arg``: what a link
        carried (``/start u_TD``: the commune of the poster it came from; ``/start s7``: the session
        the website's "ask about this session" link named)."""
        return _tag(await self._command(state, name, arg))

    async def _command(self, state: dict, name: str, arg: str = "") -> Outcome:
        citizen = await self._citizen()
        if name == "start" and arg and (linked := await self.start_in_unit(state, arg)) is not None:
            return linked
        if name == "start" and (session_link := _session_link(arg)) is not None:
            if citizen is None or citizen.consent_at is None:
                after = {"after": "ask", "session_link": session_link}
                return await self._enter(after, "consent", [Prompt(t.welcome())])
            return await self._start_asking(citizen, [Prompt(t.welcome())], session_link=session_link)
        if name == "start":
            if citizen is None or citizen.consent_at is None:
                return await self._enter({"after": "menu"}, "consent", [Prompt(t.welcome())])
            return await self._enter({}, "menu", [Prompt(t.welcome())])
        if name == "cancel":
            busy = state.get("screen") not in (None, "menu")
            return await self._enter({}, "menu", [Prompt(t.cancelled() if busy else t.nothing_to_cancel())])
        if name == "ask":
            if citizen is None or citizen.consent_at is None:
                return await self._enter({"after": "ask"}, "consent")
            return await self._start_asking(citizen)
        if name == "my":
            return await self._enter({}, "my_list")
        if name == "help":
            return await self._enter({}, "menu", [Prompt(t.help_text())])
        if name == "privacy":
            return await self._enter({}, "privacy")
        if name == "language":
            return await self._enter({}, "language")
        return await self._enter({}, "menu")

    async def handle(
        self, state: dict, inbound: Inbound, *, screen: str | None = None, nonce: str | None = None
    ) -> Outcome:
        """Input in the current screen. For a choice, ``screen`` and ``nonce`` are what the button carried."""
        return _tag(await self._handle(state, inbound, screen, nonce))

    async def _handle(self, state: dict, inbound: Inbound, screen: str | None, nonce: str | None) -> Outcome:
        current = state.get("screen")
        if inbound.kind == "text" and current in (None, "menu"):
            answered = await self._clarification(inbound.text)
            if answered is not None:
                return answered
        takes_no_text = current is None or not hasattr(self, f"_input_{current}")
        if inbound.kind == "text" and takes_no_text:
            # "TD-26-0042 5678": a question the office recorded, followed from this chat (#13)
            claim = await linking.claim(
                self.db, self.ctx.channel, self.ctx.chat_id, inbound.text, self.ctx.now
            )
            if claim is not None:
                told = t_extra.claim_result(claim.outcome, claim.code, claim.tries_left, claim.locked_until)
                return await self._enter({}, "menu", [Prompt(told)])
        if current is None:
            return await self._enter({}, "menu", [Prompt(t.guidance())])
        if inbound.kind in ("photo", "document") and current in ASK_STEPS and current != "a_text":
            return await self._file_aside(state, inbound)
        if inbound.kind == "choice":
            if screen != current or nonce != state.get("nonce"):
                return Outcome([Prompt(t.stale_button())], state)
            if inbound.value == "cancel":
                return await self.command(state, "cancel")
            if inbound.value == "menu":
                return await self._enter({}, "menu")
            handler = getattr(self, f"_choice_{current}", None)
            if handler is None:
                return Outcome([Prompt(t.stale_button())], state)
            return await handler(state, inbound.value)
        handler = getattr(self, f"_input_{current}", None)
        if handler is None:  # a menu: typed text is not an answer
            reminder = t.guidance() if current == "menu" else t.choose_from_buttons()
            return Outcome([Prompt(reminder), await self.prompt_for(state)], state)
        return await handler(state, inbound)

    async def prompt_for(self, state: dict) -> Prompt:
        """The current screen's prompt (a text-only channel re-reads it to match typed answers)."""
        screen = state.get("screen") or "menu"
        prompt: Prompt = await getattr(self, f"_render_{screen}")(state)
        prompt.screen = screen
        return prompt

    # --- plumbing ----------------------------------------------------------------------------------

    async def _enter(self, state: dict, screen: str, before: list[Reply] | None = None) -> Outcome:
        new_state = dict(state)
        new_state["screen"] = screen
        new_state["nonce"] = _nonce()
        prompt = await self.prompt_for(new_state)
        return Outcome([*(before or []), prompt], new_state)

    async def _goto(self, state: dict, screen: str, before: list[Reply] | None = None) -> Outcome:
        """Move within the same flow (same nonce, so the flow's identity is kept)."""
        new_state = dict(state)
        new_state["screen"] = screen
        prompt = await self.prompt_for(new_state)
        return Outcome([*(before or []), prompt], new_state)

    async def _advance(self, state: dict, before: list[Reply] | None = None) -> Outcome:
        if state.get("editing") or state["screen"] not in ASK_STEPS:
            return await self._goto(state, "a_review", before)
        following = ASK_STEPS[ASK_STEPS.index(state["screen"]) + 1 :]
        known = self._details_known(state["draft"])
        following = [step for step in following if known or step != "a_details"]
        return await self._goto(state, following[0], before)

    async def _citizen(self) -> Citizen | None:
        """The citizen (looked up once per event; None until they consent or choose a language)."""
        if self._known is None:
            found = await intake.find_citizen(self.db, self.ctx.channel, self.ctx.chat_id)
            if found is None:
                return None
            self._known = found
        return self._known

    async def _fresh_draft(self, citizen: Citizen) -> dict:
        last_public = None
        if citizen.name and citizen.address:  # whether the name may be read out, as they chose last time
            last_public = await self.db.scalar(
                select(Submission.public_name)
                .where(Submission.citizen_id == citizen.id, Submission.source == "chat")
                .order_by(Submission.id.desc())
                .limit(1)
            )
        return {
            "files": [],
            "groups": [],
            "saved_name": citizen.name,
            "saved_phone": citizen.phone,
            "saved_address": citizen.address,
            "saved_public": last_public,
        }

    @staticmethod
    def _details_known(draft: dict) -> bool:
        """A returning citizen: name and address saved (the phone may have been skipped)."""
        return bool(draft.get("saved_name") and draft.get("saved_address"))

    async def _start_asking(
        self, citizen: Citizen, before: list[Reply] | None = None, *, session_link: int | None = None, **flags
    ) -> Outcome:
        """A new question: the session a link named when it is open for questions; else first the
        commune on a deployment of many units when not chosen yet; the session is chosen for the
        citizen when only one is open for questions."""
        from bot.domain.sessions import open_sessions

        before = list(before or [])
        linked = None
        if session_link is not None:
            every_open = await open_sessions(self.db, self.ctx.now, cached=True)
            linked = next((s for s in every_open if s.id == session_link), None)
            if linked is None:  # closed since the link was made, or no such session
                before.append(Prompt(t.session_closed()))
        if linked is None and citizen.unit_id is None and await units.many(self.db):
            return await self._enter({"after": "ask"}, "unit", before)
        if linked is not None and citizen.unit_id is None:  # a commune's session link: their commune
            before += await self._unit_of_linked_session(citizen, linked)
        draft = await self._fresh_draft(citizen)
        draft.update(flags)
        sessions = [linked] if linked is not None else await self._open_sessions()
        if len(sessions) == 1:
            draft["session_id"], draft["auto_session"] = sessions[0].id, True
            draft["unit_id"] = sessions[0].unit_id
            return await self._enter({"draft": draft}, "a_topic", before)
        return await self._enter({"draft": draft}, "a_session", before)

    @staticmethod
    def _cancel_row() -> list[Option]:
        return [Option("cancel", t.btn_cancel())]

    def _menu_options(self) -> list[Option]:
        return [
            Option("ask", t.btn_ask()),
            Option("my", t.btn_my()),
            Option("help", t.btn_help()),
            Option("privacy", t.btn_privacy()),
            Option("language", t.btn_language()),
        ]

    # --- menu, consent, language, help --------------------------------------------------------------

    async def _render_menu(self, state: dict) -> Prompt:
        return Prompt(t.main_menu(), self._menu_options() + await self._unit_menu_options())

    async def _choice_menu(self, state: dict, value: str) -> Outcome:
        if value == "unit" and await self._unit_menu_options():
            return await self._enter({}, "unit")
        if value in COMMANDS:
            return await self.command(state, value)
        return Outcome([Prompt(t.stale_button())], state)

    async def _render_consent(self, state: dict) -> Prompt:
        return Prompt(t.consent(), [Option("yes", t.btn_agree()), Option("no", t.btn_decline())], columns=2)

    async def _choice_consent(self, state: dict, value: str) -> Outcome:
        if value == "no":
            return Outcome([Prompt(t.consent_declined())], {})
        if value != "yes":
            return Outcome([Prompt(t.stale_button())], state)
        citizen = await intake.give_consent(
            self.db, self.ctx.channel, self.ctx.chat_id, self.ctx.locale, self.ctx.now
        )
        self._known = citizen
        await self._unit_after_consent(state, citizen)
        if state.get("after") == "ask":
            thanks = [Prompt(t.consent_thanks())]
            return await self._start_asking(citizen, thanks, session_link=state.get("session_link"))
        # Someone who has just agreed has nothing to follow yet: straight to the question, the menu a
        # button away (and a recorded question's code typed now is still understood).
        return await self._start_asking(citizen, [Prompt(ti.consent_thanks_then_ask())], menu_exit=True)

    async def _render_language(self, state: dict) -> Prompt:
        return Prompt(t.choose_language(), [Option("vi", "Tiếng Việt"), Option("en", "English")], columns=2)

    async def _choice_language(self, state: dict, value: str) -> Outcome:
        if value not in ("vi", "en"):
            return Outcome([Prompt(t.stale_button())], state)
        await intake.set_locale(self.db, self.ctx.channel, self.ctx.chat_id, value, self.ctx.now)
        self.ctx.locale = value
        with use_locale(value):
            return await self._enter({}, "menu", [Prompt(t.language_set())])

    # --- asking: session, topic ----------------------------------------------------------------------

    async def _open_sessions(self) -> list[DialogueSession]:
        from bot.domain.sessions import open_sessions

        return await self._my_sessions(await open_sessions(self.db, self.ctx.now, cached=True))

    async def _render_a_session(self, state: dict) -> Prompt:
        sessions = await self._open_sessions()
        if not sessions:
            return Prompt(
                t.no_open_session(), [Option("notify", t.btn_notify_me()), Option("menu", t.btn_menu())]
            )
        options = [Option(f"s{s.id}", t.session_button(s)) for s in sessions]
        notify = [Option("notify", t.btn_notify_me())]
        return Prompt(t.choose_session(sessions), options + notify + self._cancel_row())

    async def _choice_a_session(self, state: dict, value: str) -> Outcome:
        if value == "notify":
            citizen = await self._citizen()
            if citizen is not None:
                await intake.subscribe_to_sessions(self.db, citizen)
            return await self._enter({}, "menu", [Prompt(t.will_notify())])
        sessions = {f"s{s.id}": s for s in await self._open_sessions()}
        if value not in sessions:
            return await self._goto(state, "a_session", [Prompt(t.session_closed())])
        draft = state["draft"]
        changed_unit = draft.get("unit_id") != sessions[value].unit_id
        draft["session_id"] = sessions[value].id
        draft.pop("auto_session", None)
        draft["unit_id"] = sessions[value].unit_id
        dropped = changed_unit and draft.pop("topic_id", None) is not None  # it was the other unit's:
        if dropped and self._session_topics(state, await self._topics()):  # chosen again among this one's
            return await self._goto(state, "a_topic")
        return await self._advance(state)

    async def _topics(self) -> list[Topic]:
        async def load() -> list[Topic]:
            query = select(Topic).where(Topic.active).order_by(Topic.sort_order, Topic.id)
            return [readcache.snapshot(topic) for topic in await self.db.scalars(query)]

        return await readcache.cached(self.db.bind, "topics", load)

    async def _render_a_topic(self, state: dict) -> Prompt:
        draft = state["draft"]
        options = [
            Option(f"t{topic.id}", t.name_of(topic))
            for topic in self._session_topics(state, await self._topics())
        ]
        text = t.choose_topic()
        if draft.get("auto_session") and not state.get("editing"):
            session = await self._draft_session(draft)
            if session is not None:  # named, with a way to change it
                text = f"{ti.session_chosen(session)}\n{text}"
                options.append(Option("session", ti.btn_other_session()))
        leave = [Option("menu", t.btn_menu())] if draft.get("menu_exit") else self._cancel_row()
        return Prompt(text, options + leave, columns=2)

    async def _choice_a_topic(self, state: dict, value: str) -> Outcome:
        if value == "session":
            return await self._goto(state, "a_session")
        topics = {f"t{topic.id}": topic for topic in self._session_topics(state, await self._topics())}
        if value not in topics:
            return Outcome([Prompt(t.stale_button())], state)
        state["draft"]["topic_id"] = topics[value].id
        return await self._advance(state)

    # --- asking: the question and files --------------------------------------------------------------

    async def _render_a_text(self, state: dict) -> Prompt:
        s = self.ctx.settings
        text = ti.write_question(s.question_min_chars, s.question_max_chars, s.max_attachments)
        return Prompt(text, self._cancel_row())

    async def _input_a_text(self, state: dict, inbound: Inbound) -> Outcome:
        """The question, typed, or as a photo's or document's caption (the file is kept; without a
        caption, the question is asked for and the file kept)."""
        if inbound.kind in ("photo", "document"):
            kept = self._attach(state["draft"], inbound)
            if not inbound.text.strip():
                if kept == "album":
                    return Outcome([], state)
                count, limit = len(state["draft"]["files"]), self.ctx.settings.max_attachments
                return Outcome([Prompt(ti.file_kept_write_question(count, limit), self._cancel_row())], state)
        elif inbound.kind != "text":
            return Outcome([Prompt(t.text_expected())], state)
        s = self.ctx.settings
        try:
            text = validation.question_text(inbound.text, s.question_min_chars, s.question_max_chars)
        except validation.Invalid as bad:
            if bad.reason == "too_short":
                message = t.question_too_short(bad.value, bad.limit)
            elif bad.reason == "too_long":
                message = t.question_too_long(bad.value, bad.limit)
            else:
                message = t.question_no_letters()
            return Outcome([Prompt(message, self._cancel_row())], state)
        state["draft"]["text"] = text
        return await self._advance(state)

    def _attach(self, draft: dict, inbound: Inbound) -> str:
        """Keep a photo or document on the draft: "added", "album" (a later part of an album already
        acknowledged), "full" (over the limit, to be said once) or "full_told"."""
        files: list = draft.setdefault("files", [])
        groups: list = draft.setdefault("groups", [])
        later_in_album = inbound.media_group_id is not None and inbound.media_group_id in groups
        if inbound.media_group_id is not None and not later_in_album:
            groups.append(inbound.media_group_id)
        if len(files) >= self.ctx.settings.max_attachments:
            if draft.get("limit_told"):
                return "full_told"
            draft["limit_told"] = True
            return "full"
        files.append({"kind": inbound.kind, "file_id": inbound.file_id, "file_name": inbound.file_name})
        return "album" if later_in_album else "added"

    async def _file_aside(self, state: dict, inbound: Inbound) -> Outcome:
        """A photo or document sent at another step of the question: kept, and the step asked again
        (the rest of an album whose caption was the question arrives here, silently)."""
        kept = self._attach(state["draft"], inbound)
        if kept in ("album", "full_told"):
            return Outcome([], state)
        limit = self.ctx.settings.max_attachments
        note = ti.files_full(limit) if kept == "full" else ti.file_added(len(state["draft"]["files"]), limit)
        return Outcome([Prompt(note), await self.prompt_for(state)], state)

    async def _render_a_media(self, state: dict) -> Prompt:
        count = len(state["draft"].get("files", []))
        return Prompt(
            ti.add_files(count, self.ctx.settings.max_attachments),
            [Option("done", t.btn_done_files()), *self._cancel_row()],
        )

    async def _choice_a_media(self, state: dict, value: str) -> Outcome:
        if value != "done":
            return Outcome([Prompt(t.stale_button())], state)
        return await self._advance(state)

    async def _input_a_media(self, state: dict, inbound: Inbound) -> Outcome:
        draft = state["draft"]
        limit = self.ctx.settings.max_attachments
        done = [Option("done", t.btn_done_files())]
        if inbound.kind not in ("photo", "document"):
            return Outcome([Prompt(t.files_expected(), done)], state)
        kept = self._attach(draft, inbound)
        if kept in ("album", "full_told"):
            return Outcome([], state)  # one acknowledgement per album; the review counts every file
        if kept == "full":
            return Outcome([Prompt(t.files_limit(limit), done)], state)
        return Outcome([Prompt(t.file_received(len(draft["files"]), limit), done)], state)

    # --- asking: a returning citizen's details, in one step --------------------------------------------

    async def _render_a_details(self, state: dict) -> Prompt:
        draft = state["draft"]
        text = ti.confirm_details(
            draft["saved_name"], draft.get("saved_phone"), draft["saved_address"], draft.get("saved_public")
        )
        options = [Option("yes", ti.btn_details_ok()), Option("edit", ti.btn_details_edit())]
        return Prompt(text, [*options, *self._cancel_row()], columns=2)

    async def _choice_a_details(self, state: dict, value: str) -> Outcome:
        draft = state["draft"]
        if value == "edit":  # each detail in turn, the saved value a button away
            return await self._goto(state, "a_name")
        if value != "yes" or not self._details_known(draft):
            return Outcome([Prompt(t.stale_button())], state)
        draft["name"], draft["phone"] = draft["saved_name"], draft.get("saved_phone")
        draft["address"] = draft["saved_address"]
        if draft.get("saved_public") is None:  # never asked: asked now, then the review
            state["editing"] = True
            return await self._goto(state, "a_public")
        draft["public"] = bool(draft["saved_public"])
        return await self._goto(state, "a_review")

    # --- asking: who is asking ----------------------------------------------------------------------

    def _saved_option(self, state: dict, key: str) -> list[Option]:
        value = state["draft"].get(f"saved_{key}")
        return [Option("saved", t.btn_use_saved(value))] if value else []

    async def _render_a_name(self, state: dict) -> Prompt:
        return Prompt(t.ask_name(), self._saved_option(state, "name") + self._cancel_row())

    async def _choice_a_name(self, state: dict, value: str) -> Outcome:
        saved = state["draft"].get("saved_name")
        if value != "saved" or not saved:
            return Outcome([Prompt(t.stale_button())], state)
        state["draft"]["name"] = saved
        return await self._advance(state)

    async def _input_a_name(self, state: dict, inbound: Inbound) -> Outcome:
        if inbound.kind != "text":
            return Outcome([Prompt(t.text_expected())], state)
        try:
            state["draft"]["name"] = validation.person_name(inbound.text)
        except validation.Invalid as bad:
            msg = t.too_long_field(bad.value, bad.limit) if bad.reason == "too_long" else t.bad_name()
            return Outcome([Prompt(msg)], state)
        return await self._advance(state)

    async def _render_a_phone(self, state: dict) -> Prompt:
        options = [
            Option("share", t.btn_share_phone()),
            *self._saved_option(state, "phone"),
            Option("skip", t.btn_skip()),
            *self._cancel_row(),
        ]
        return Prompt(t.ask_phone(), options, ask_contact=True)

    async def _choice_a_phone(self, state: dict, value: str) -> Outcome:
        draft = state["draft"]
        if value == "skip":
            draft["phone"] = None
            return await self._advance(state, [Prompt(t.phone_skipped())])
        if value == "saved" and draft.get("saved_phone"):
            draft["phone"] = draft["saved_phone"]
            return await self._advance(state, [Prompt(t.phone_saved(draft["phone"]))])
        if value == "share":  # a text-only channel cannot share a contact
            return Outcome([Prompt(t.not_own_contact())], state)
        return Outcome([Prompt(t.stale_button())], state)

    async def _input_a_phone(self, state: dict, inbound: Inbound) -> Outcome:
        if inbound.kind not in ("text", "contact"):
            return Outcome([Prompt(t.bad_phone())], state)
        raw = inbound.phone if inbound.kind == "contact" else inbound.text
        try:
            phone = validation.phone(raw)
        except validation.Invalid:
            return Outcome([Prompt(t.bad_phone())], state)
        state["draft"]["phone"] = phone
        return await self._advance(state, [Prompt(t.phone_saved(phone))])

    async def _render_a_addr(self, state: dict) -> Prompt:
        return Prompt(t.ask_address(), self._saved_option(state, "address") + self._cancel_row())

    async def _choice_a_addr(self, state: dict, value: str) -> Outcome:
        saved = state["draft"].get("saved_address")
        if value != "saved" or not saved:
            return Outcome([Prompt(t.stale_button())], state)
        state["draft"]["address"] = saved
        return await self._advance(state)

    async def _input_a_addr(self, state: dict, inbound: Inbound) -> Outcome:
        if inbound.kind != "text":
            return Outcome([Prompt(t.text_expected())], state)
        try:
            state["draft"]["address"] = validation.address(inbound.text)
        except validation.Invalid as bad:
            msg = t.too_long_field(bad.value, bad.limit) if bad.reason == "too_long" else t.bad_address()
            return Outcome([Prompt(msg)], state)
        return await self._advance(state)

    async def _render_a_public(self, state: dict) -> Prompt:
        return Prompt(
            t.ask_public(),
            [Option("yes", t.btn_public_yes()), Option("no", t.btn_public_no()), *self._cancel_row()],
        )

    async def _choice_a_public(self, state: dict, value: str) -> Outcome:
        if value not in ("yes", "no"):
            return Outcome([Prompt(t.stale_button())], state)
        state["draft"]["public"] = value == "yes"
        return await self._advance(state)

    # --- asking: review, edit, confirm ---------------------------------------------------------------

    async def _render_a_review(self, state: dict) -> Prompt:
        draft = state["draft"]
        session, topic = await self._draft_session(draft), None
        if tid := draft.get("topic_id"):
            topics = {topic.id: topic for topic in await self._topics()}
            topic = topics.get(tid) or await self.db.get(Topic, tid)
        options = [
            Option("confirm", t.btn_confirm()),
            Option("edit", t.btn_edit()),
            Option("media", ti.btn_add_files()),
            *self._cancel_row(),
        ]
        return Prompt(t.review(draft, session, topic), options)

    async def _draft_session(self, draft: dict) -> DialogueSession | None:
        if not (sid := draft.get("session_id")):
            return None
        open_now = {s.id: s for s in await self._open_sessions()}
        return open_now.get(sid) or await self.db.get(DialogueSession, sid)

    async def _choice_a_review(self, state: dict, value: str) -> Outcome:
        if value == "edit":
            return await self._goto(state, "a_edit")
        if value == "media":
            state["editing"] = True
            return await self._goto(state, "a_media")
        if value != "confirm":
            return Outcome([Prompt(t.stale_button())], state)
        return await self._confirm(state)

    async def _render_a_edit(self, state: dict) -> Prompt:
        labels = t.edit_labels()
        options = [Option(key, label) for key, label in labels.items()]
        return Prompt(t.choose_edit(), [*options, Option("back", t.btn_back())], columns=2)

    async def _choice_a_edit(self, state: dict, value: str) -> Outcome:
        if value == "back":
            return await self._goto(state, "a_review")
        if value not in EDITABLE:
            return Outcome([Prompt(t.stale_button())], state)
        state["editing"] = True
        if value == "media":
            state["draft"]["files"], state["draft"]["groups"] = [], []
            state["draft"].pop("limit_told", None)
        return await self._goto(state, EDITABLE[value])

    async def _confirm(self, state: dict) -> Outcome:
        draft = state["draft"]
        citizen = await self._citizen()
        if citizen is None or citizen.consent_at is None:
            return await self._enter({"after": "ask"}, "consent")
        try:
            sub = await intake.submit(
                self.db,
                citizen=citizen,
                session_id=draft["session_id"],
                topic_id=draft.get("topic_id"),
                text=draft["text"],
                attachments=[
                    intake.NewAttachment(f["kind"], f["file_id"], f.get("file_name"))
                    for f in draft.get("files", [])
                ],
                name=draft["name"],
                phone=draft.get("phone"),
                address=draft.get("address"),
                public_name=bool(draft.get("public")),
                now=self.ctx.now,
                default_prefix=self.ctx.settings.code_prefix,
            )
        except (QuestionsClosed, KeyError):
            state["editing"] = True
            return await self._goto(state, "a_session", [Prompt(t.submit_failed_closed())])
        conclusion_by = fmt_date(await self._conclusion_due(sub.session))
        ack = Prompt(t.acknowledgement(sub, conclusion_by))
        return await self._enter({}, "menu", [ack])

    async def _conclusion_due(self, session: DialogueSession):
        from bot.domain.deadlines import conclusion_due, load_calendar

        return conclusion_due(local_date(session.starts_at), await load_calendar(self.db, session.unit_id))

    # --- following: /my -----------------------------------------------------------------------------

    async def _render_my_list(self, state: dict) -> Prompt:
        citizen = await self._citizen()
        subs = await intake.citizen_submissions(self.db, citizen) if citizen else []
        if not subs:
            return Prompt(t.my_empty(), [Option("ask", t.btn_ask()), Option("menu", t.btn_menu())])
        options = [Option(f"i{sub.id}", t.my_button(sub)) for sub in subs[:20]]
        return Prompt(t.my_list(len(subs)), [*options, Option("menu", t.btn_menu())])

    async def _choice_my_list(self, state: dict, value: str) -> Outcome:
        if value == "ask":
            return await self.command(state, "ask")
        if not value.startswith("i") or not value[1:].isdigit():
            return Outcome([Prompt(t.stale_button())], state)
        return await self.show_submission(state, int(value[1:]))

    async def show_submission(self, state: dict, submission_id: int) -> Outcome:
        new_state = {**state, "item": submission_id}
        return await self._goto(new_state, "my_item")

    async def _render_my_item(self, state: dict) -> Prompt:
        citizen = await self._citizen()
        try:
            sub = await intake.citizen_submission(self.db, citizen, state["item"]) if citizen else None
        except NotFound:
            sub = None
        if sub is None:
            return Prompt(t.not_found(), [Option("back", t.btn_back())])
        options = [Option("withdraw", t.btn_withdraw())] if intake.can_withdraw(sub) else []
        events = await intake.history(self.db, sub)
        return Prompt(
            t.submission_detail(sub, events),
            [*options, Option("back", t.btn_back()), Option("menu", t.btn_menu())],
        )

    async def _choice_my_item(self, state: dict, value: str) -> Outcome:
        if value == "back":
            return await self._goto(state, "my_list")
        if value == "withdraw":
            return await self._goto(state, "my_wd")
        return Outcome([Prompt(t.stale_button())], state)

    async def _render_my_wd(self, state: dict) -> Prompt:
        citizen = await self._citizen()
        sub = await intake.citizen_submission(self.db, citizen, state["item"]) if citizen else None
        code = sub.code if sub else "?"
        return Prompt(
            t.withdraw_confirm(code), [Option("yes", t.btn_withdraw_yes()), Option("back", t.btn_back())]
        )

    async def _choice_my_wd(self, state: dict, value: str) -> Outcome:
        if value == "back":
            return await self._goto(state, "my_item")
        if value != "yes":
            return Outcome([Prompt(t.stale_button())], state)
        citizen = await self._citizen()
        try:
            if citizen is None:
                raise NotFound()
            sub = await intake.withdraw(self.db, citizen, state["item"], self.ctx.now)
        except (NotAllowed, NotFound):
            return await self._goto(state, "my_item", [Prompt(t.cannot_withdraw())])
        return await self._goto(state, "my_list", [Prompt(t.withdrawn(sub.code))])

    # --- privacy ------------------------------------------------------------------------------------

    async def _render_privacy(self, state: dict) -> Prompt:
        return Prompt(
            t.privacy(),
            [
                Option("export", t.btn_export()),
                Option("delete", t.btn_delete()),
                Option("menu", t.btn_menu()),
            ],
        )

    async def _choice_privacy(self, state: dict, value: str) -> Outcome:
        citizen = await self._citizen()
        if value == "export":
            if citizen is None or (citizen.consent_at is None and not citizen.name):
                return Outcome([Prompt(t.nothing_stored()), await self.prompt_for(state)], state)
            data = await intake.export_data(self.db, citizen)
            body = json.dumps(data, ensure_ascii=False, indent=2)
            doc = Document("du-lieu-cua-toi.json", body.encode("utf-8"), t.export_caption(), body)
            doc.options = (await self.prompt_for(state)).options  # the file carries the screen's buttons
            return Outcome([doc], state)
        if value == "delete":
            if citizen is None:
                return Outcome([Prompt(t.nothing_stored()), await self.prompt_for(state)], state)
            return await self._goto(state, "priv_del")
        return Outcome([Prompt(t.stale_button())], state)

    async def _render_priv_del(self, state: dict) -> Prompt:
        return Prompt(t.delete_confirm(), [Option("yes", t.btn_delete_yes()), Option("back", t.btn_back())])

    async def _choice_priv_del(self, state: dict, value: str) -> Outcome:
        if value == "back":
            return await self._goto(state, "privacy")
        if value != "yes":
            return Outcome([Prompt(t.stale_button())], state)
        citizen = await self._citizen()
        count = await intake.delete_personal_data(self.db, citizen, self.ctx.now) if citizen else 0
        return Outcome([Prompt(t.deleted(count))], {})

    # --- outside any screen: an answer the office asked for, or a tracking code ------------------------

    async def _clarification(self, text: str) -> Outcome | None:
        """Text outside a flow while the office awaits more information: it goes to the office."""
        citizen = await self._citizen()
        if citizen is None or len(text.strip()) < 2:
            return None
        sub = await intake.awaiting_clarification(self.db, citizen)
        if sub is None:
            return None
        from bot.domain.followup import clarify

        await clarify(self.db, sub, text, self.ctx.now)
        return await self._enter({}, "menu", [Prompt(t.clarification_sent(sub.code))])

    async def lookup_code(self, state: dict, code: str) -> Outcome | None:
        citizen = await self._citizen()
        if citizen is None:
            return None
        sub = await intake.submission_by_code(self.db, citizen, code)
        if sub is None:
            return None
        return await self._enter({"item": sub.id}, "my_item")


def _session_link(arg: str) -> int | None:
    """``s7`` from ``t.me/<bot>?start=s7`` (bot/web/links.py): the session's id; None otherwise."""
    found = re.fullmatch(r"s(\d{1,9})", (arg or "").strip())
    return int(found.group(1)) if found else None
