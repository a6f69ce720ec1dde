"""Callback data of the buttons the bot puts under its messages: an action word, the id it acts on
and a small argument — ids only, never user text (≤ 64 bytes). Every press is re-loaded and
re-checked by its handler; a stale or forged one changes nothing.

The notification layer's channel-neutral actions (bot/notify/actions.py) become buttons here: each
action belongs to one audience, whose prefix the callback data carries (``o`` office, ``d``
department, ``c`` citizen), so a staff button in a private chat, or a department's in the office
group, is recognised and refused.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.notify.actions import Actions, audience_of


class OfficeCb(CallbackData, prefix="o"):
    action: str
    id: int  # submission, session or extension request
    arg: int = 0  # a department, a merge target, a session kind


class DeptCb(CallbackData, prefix="d"):
    action: str
    id: int  # submission
    arg: int = 0


class CitizenCb(CallbackData, prefix="c"):
    action: str
    id: int  # the citizen's own submission
    arg: int = 0  # the rating


class PubCb(CallbackData, prefix="pub"):
    """Publishing an answered question on the website (handlers/publication.py)."""

    action: str  # publish | publish_edit | unpublish | publish_dismiss
    id: int  # submission
    arg: int = 0


class LinkCb(CallbackData, prefix="lk"):
    """An admin choosing the unit when linking a group (handlers/staff.py): ``what`` is "o" (the
    office of unit ``id``) or "d" (department ``id``). Only admins' presses are taken."""

    what: str
    id: int


BY_AUDIENCE: dict[str, type[CallbackData]] = {
    "office": OfficeCb,
    "department": DeptCb,
    "citizen": CitizenCb,
    "publication": PubCb,
}


def pack(item: dict[str, Any]) -> str:
    """An action (``{"action", "id", "arg"}``) as callback data for its audience."""
    cls = BY_AUDIENCE[audience_of(item["action"]) or ""]
    return cls(action=item["action"], id=int(item["id"]), arg=int(item.get("arg") or 0)).pack()


def markup(actions: Actions | None) -> InlineKeyboardMarkup | None:
    """Inline buttons for rows of actions."""
    if not actions:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=a["label"], callback_data=pack(a)) for a in line] for line in actions
        ]
    )


MAX_UNIT_CHOICES = 24  # more units than that: the answer lists their codes, to be typed


def unit_choice(what: str, ids: list[int], choices: list[Any]) -> InlineKeyboardMarkup | None:
    """A button per unit an admin may mean when linking a group (``what``, ``ids``: as in ``LinkCb``:
    the unit's id for its office, its department's id for a department), two a row."""
    if not choices or len(choices) > MAX_UNIT_CHOICES:
        return None
    buttons = [
        InlineKeyboardButton(
            text=f"{u.code} · {u.name_vi}"[:64], callback_data=LinkCb(what=what, id=key).pack()
        )
        for key, u in zip(ids, choices, strict=True)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[k : k + 2] for k in range(0, len(buttons), 2)])


__all__ = [
    "BY_AUDIENCE",
    "CallbackData",
    "CitizenCb",
    "DeptCb",
    "LinkCb",
    "OfficeCb",
    "PubCb",
    "markup",
    "pack",
    "unit_choice",
]
