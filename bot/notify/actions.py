"""What a reader can do with a message, channel-neutral: each action is a word (``route``,
``rate``…), the id it acts on and an optional small argument, with the label the reader sees.

The outbox stores them in the payload (``{"text": …, "actions": [[{"label", "action", "id",
"arg"}…]…]}``); Telegram renders them as inline buttons (bot/channels/telegram/callbacks.py packs
each into callback data for its audience), Zalo as numbered options. Every action name belongs to
exactly one audience, so a button pressed in the wrong place is recognised as such.
"""

from __future__ import annotations

from typing import Any

Action = dict[str, Any]
Actions = list[list[Action]]

OFFICE = frozenset(
    {
        # triage
        "route",
        "pick_department",
        "show_triage",
        "merge_menu",
        "merge_into",
        "ask_citizen",
        "reject",
        # extensions
        "approve_extension",
        "refuse_extension",
        # sessions
        "announce",
        "close_questions",
        "mark_held",
        "postpone",
        "cancel_session",
        "issue_notice",
        "agenda",
        "session_kind",
        # recording questions, the agenda at the session, classification, forwarding, reports (#13)
        "record_session",
        "record_topic",
        "record_source",
        "import_session",
        "floor",
        "floor_next",
        "floor_answer",
        "floor_follow_up",
        "classify_menu",
        "classify",
        "set_aside",
        "keep_in_dialogue",
        "coordinate",
        "forward_menu",
        "forward_to",
        "above_answer",
        "report_window",
    }
)
DEPARTMENT = frozenset(
    {
        "accept",
        "answer",
        "extend",
        "forward",
        "hand_back",
        "forward_authority",
        "department_card",
        "contribute",
    }
)
CITIZEN = frozenset({"rate", "not_resolved"})
PUBLICATION = frozenset(
    {"publish", "publish_edit", "unpublish", "publish_dismiss"}
)  # the office, for the site
AUDIENCES = {"office": OFFICE, "department": DEPARTMENT, "citizen": CITIZEN, "publication": PUBLICATION}
assert sum(map(len, AUDIENCES.values())) == len(frozenset().union(*AUDIENCES.values())), (
    "an action of two audiences"
)


def action(label: str, name: str, target: int, arg: int = 0) -> Action:
    assert any(name in names for names in AUDIENCES.values()), f"unknown action {name!r}"
    return {"label": label, "action": name, "id": int(target), "arg": int(arg)}


def audience_of(name: str) -> str | None:
    return next((who for who, names in AUDIENCES.items() if name in names), None)


def rows(*actions: Action, per_row: int = 2) -> Actions:
    """Actions laid out ``per_row`` to a row."""
    out: Actions = []
    for item in actions:
        if out and len(out[-1]) < per_row:
            out[-1].append(item)
        else:
            out.append([item])
    return out
