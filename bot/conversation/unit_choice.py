"""The citizen's commune, on a deployment of many units (issue #15); mixed into the conversation.

A citizen picks their commune once — by typing part of its name, with or without diacritics, or
through a link that names it (``/start u_<CODE>``) — and can change it from the menu ("unit"
screen). The sessions they are offered are their commune's and those of the units above it (the
province's); a question's topics are its session's unit's. On a deployment of one unit none of this
shows: no screen, no menu entry, every session and topic as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.conversation.model import Option, Outcome, Prompt
from bot.domain import units
from bot.texts import citizen as t
from bot.texts import units as tu

if TYPE_CHECKING:
    from storage.models import Citizen

SHOW_ALL = 8  # up to this many units: offered as options at once (numbered on Zalo)
MAX_MATCHES = 8


class UnitChoice:
    """The "unit" screen and the filters, for ``CitizenConversation`` (which provides ``db``, ``ctx``,
    ``_enter``, ``_goto``, ``_citizen``, ``_start_asking`` — which asks for the commune first when it
    is not chosen yet — and ``_cancel_row``)."""

    db: Any
    ctx: Any

    async def _unit_menu_options(self) -> list[Option]:
        return [Option("unit", tu.btn_change_unit())] if await units.many(self.db) else []

    async def _render_unit(self, state: dict) -> Prompt:
        ids = state.get("matches")
        if ids is None:
            choosable = await units.choosable(self.db)
            shown = choosable if len(choosable) <= SHOW_ALL else []
            text = tu.choose_unit()
        else:
            shown = [u for u in [await units.get(self.db, i) for i in ids] if u is not None]
            total = state.get("matched") or len(shown)
            text = tu.choose_among(total) if total <= len(shown) else tu.choose_among_first(total, len(shown))
        options = [Option(f"u{u.id}", u.name(self.ctx.locale)) for u in shown]
        return Prompt(text, options + self._cancel_row())  # type: ignore[attr-defined]

    async def _input_unit(self, state: dict, inbound: Any) -> Outcome:
        if inbound.kind != "text" or not inbound.text.strip():
            return Outcome([Prompt(tu.unit_text_expected())], state)
        found = await units.match(self.db, inbound.text)
        if len(found) == 1:
            return await self._set_unit(state, found[0])
        if not found:
            again = {**state, "matches": None, "matched": None}
            return await self._goto(again, "unit", [Prompt(tu.unit_not_found(inbound.text))])  # type: ignore[attr-defined]
        shown = {"matches": [u.id for u in found[:MAX_MATCHES]], "matched": len(found)}
        return await self._goto({**state, **shown}, "unit")  # type: ignore[attr-defined]

    async def _choice_unit(self, state: dict, value: str) -> Outcome:
        unit = await units.get(self.db, int(value[1:])) if value[:1] == "u" and value[1:].isdigit() else None
        if unit is None or unit not in await units.choosable(self.db):
            return Outcome([Prompt(t.stale_button())], state)
        return await self._set_unit(state, unit)

    async def _set_unit(self, state: dict, unit: units.UnitInfo) -> Outcome:
        citizen = await self._citizen()  # type: ignore[attr-defined]
        told = [Prompt(tu.unit_set(unit))]
        if citizen is None or citizen.consent_at is None:  # consent first; the unit is kept till then
            return await self._enter(
                {"after": state.get("after") or "menu", "unit_code": unit.code}, "consent", told
            )  # type: ignore[attr-defined]
        citizen.unit_id = unit.id
        if state.get("after") == "ask":
            return await self._start_asking(citizen, told)  # type: ignore[attr-defined]
        return await self._enter({}, "menu", told)  # type: ignore[attr-defined]

    async def start_in_unit(self, state: dict, arg: str) -> Outcome | None:
        """``/start u_<CODE>`` (the link or QR code of one commune's poster); None when it names none."""
        if not arg.lower().startswith("u_") or not await units.many(self.db):
            return None
        unit = await units.by_code(self.db, arg[2:])
        if unit is not None and unit not in await units.choosable(self.db):
            return None  # the province's own poster: the commune is asked for as on a plain /start
        citizen = await self._citizen()  # type: ignore[attr-defined]
        if unit is None:  # a mistyped or outdated link: said, and the commune is asked for later
            hello = [Prompt(t.welcome()), Prompt(tu.unit_link_unknown(arg[2:]))]
            if citizen is None or citizen.consent_at is None:
                return await self._enter({"after": "menu"}, "consent", hello)  # type: ignore[attr-defined]
            return await self._enter({}, "menu", hello)  # type: ignore[attr-defined]
        if citizen is None or citizen.consent_at is None:
            hello = [Prompt(t.welcome()), Prompt(tu.unit_set(unit))]
            return await self._enter({"after": "menu", "unit_code": unit.code}, "consent", hello)  # type: ignore[attr-defined]
        citizen.unit_id = unit.id
        return await self._enter({}, "menu", [Prompt(t.welcome()), Prompt(tu.unit_set(unit))])  # type: ignore[attr-defined]

    async def _unit_of_linked_session(self, citizen: Citizen, session: Any) -> list[Prompt]:
        """A citizen with no commune yet who came by a commune's session link (the website's "ask
        about this session", its QR code) is taken to be of that commune, and told so (a province's
        session says nothing of their commune: it is asked for at their next question)."""
        unit = await units.get(self.db, session.unit_id)
        if unit is None or not await units.many(self.db) or unit not in await units.choosable(self.db):
            return []
        citizen.unit_id = unit.id
        return [Prompt(tu.unit_set(unit))]

    async def _unit_after_consent(self, state: dict, citizen: Citizen) -> None:
        """The commune a link named before the citizen consented is theirs now."""
        code = state.get("unit_code")
        unit = await units.by_code(self.db, code) if code else None
        if unit is not None:
            citizen.unit_id = unit.id

    async def _my_sessions(self, sessions: list) -> list:
        """Their commune's sessions and those of the units above it (all of them on one unit)."""
        if not await units.many(self.db):
            return sessions
        citizen = await self._citizen()  # type: ignore[attr-defined]
        mine = set(await units.line_of(self.db, citizen.unit_id if citizen is not None else None))
        return [s for s in sessions if s.unit_id in mine]

    @staticmethod
    def _session_topics(state: dict, topics: list) -> list:
        """The topics of the chosen session's unit (a deployment of one unit: unit None, all of them)."""
        unit_id = (state.get("draft") or {}).get("unit_id")
        return [topic for topic in topics if topic.unit_id == unit_id]
