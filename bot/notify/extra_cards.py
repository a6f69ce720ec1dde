"""The staff groups' cards and buttons for what issue #13 added: going through the agenda at the
session, recording a question, classifying it, forwarding it to a competent authority, recording that
authority's answer, coordinating departments, and the reporting windows. Rendered in the groups'
language; ``bot.notify.cards`` adds the session card's and the triage card's extra buttons from here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import lifecycle
from bot.domain.floor import Next
from bot.domain.recording import NATURES, RECORDED_SOURCES
from bot.domain.reporting import Window
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.notify.actions import Actions, action, rows
from bot.notify.outbox import enqueue_many, row
from bot.texts import department_extra as tde
from bot.texts import office_extra as tox
from storage.models import Authority, DialogueSession, SessionStatus, Submission, Topic

GROUP_LOCALE = DEFAULT_LOCALE


# --- on the cards bot/notify/cards.py draws ------------------------------------------------------------


def session_actions(session: DialogueSession) -> list[dict[str, Any]]:
    """Extra buttons of a session card: record a question while it takes them; during the session,
    go through the agenda."""
    found = []
    if session.status in lifecycle.SESSION_TAKES_RECORDED:
        found.append(action(tox.btn_record(), "record_session", session.id))
    if session.status == SessionStatus.HELD:
        found.append(action(tox.btn_floor(), "floor", session.id))
    return found


def triage_actions(sub: Submission) -> Actions:
    """Extra buttons of a triage card: classify it, forward it to a competent authority."""
    return rows(
        action(tox.btn_classify(), "classify_menu", sub.id), action(tox.btn_forward(), "forward_menu", sub.id)
    )


# --- going through the agenda ----------------------------------------------------------------------------


def floor_card(found: Next) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        text = tox.floor_card(found)
        if found.submission is None:
            return text, []
        sub = found.submission
        return text, [
            [action(tox.btn_floor_answer(), "floor_answer", sub.id)],
            [action(tox.btn_floor_follow_up(), "floor_follow_up", sub.id)],
            [action(tox.btn_floor_skip(), "floor_next", found.session.id, sub.id)],
        ]


# --- recording a question (the guided steps' buttons) -----------------------------------------------------


def session_choice(sessions: list[DialogueSession], name: str) -> Actions:
    with use_locale(GROUP_LOCALE):
        return [[action(tox.session_button(s), name, s.id)] for s in sessions]


def topic_choice(topics: list[Topic]) -> Actions:
    with use_locale(GROUP_LOCALE):
        found = [action(tox.topic_button(t), "record_topic", 0, t.id) for t in topics]
        return rows(*found, action(tox.btn_no_topic(), "record_topic", 0, 0))


def source_choice() -> Actions:
    with use_locale(GROUP_LOCALE):
        return rows(
            *[action(tox.source_button(s), "record_source", 0, i) for i, s in enumerate(RECORDED_SOURCES)]
        )


# --- classification --------------------------------------------------------------------------------------


def nature_choice(sub: Submission) -> Actions:
    with use_locale(GROUP_LOCALE):
        found = [action(tox.nature_label(n), "classify", sub.id, i) for i, n in enumerate(NATURES)]
        return rows(*found)


def set_aside_choice(sub: Submission) -> Actions:
    with use_locale(GROUP_LOCALE):
        return [
            [action(tox.btn_set_aside(), "set_aside", sub.id)],
            [action(tox.btn_keep_in_dialogue(), "keep_in_dialogue", sub.id)],
        ]


# --- forwarding --------------------------------------------------------------------------------------------


def authority_choice(sub: Submission, authorities: list[Authority], name: str) -> Actions:
    with use_locale(GROUP_LOCALE):
        return [[action(tox.authority_button(a), name, sub.id, a.id)] for a in authorities]


def forwarded_office_card(sub: Submission, actor: str) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return tox.forwarded_card(sub, actor), [[action(tox.btn_above_answer(), "above_answer", sub.id)]]


def follow_up_card(sub: Submission) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return tox.forward_follow_up(sub), [[action(tox.btn_above_answer(), "above_answer", sub.id)]]


# --- coordinating departments -------------------------------------------------------------------------------


def coordinator_choice(sub: Submission, departments: list[Any]) -> Actions:
    with use_locale(GROUP_LOCALE):
        return [[action(tox.department_button(d), "coordinate", sub.id, d.id)] for d in departments]


def coordination_card(sub: Submission) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return tde.coordination_card(sub), [[action(tde.btn_contribute(), "contribute", sub.id)]]


async def tell_coordinators(db: AsyncSession, sub: Submission, event: Any, text: str) -> None:
    """A note to every department coordinating on ``sub``."""
    from bot.domain.coordination import coordinators

    found = await coordinators(db, sub.id)
    stamp = event.history_id or event.at.strftime("%Y%m%d%H%M%S%f")
    await enqueue_many(
        db,
        [
            row(
                key=f"coordinators:{event.name}:{stamp}:{dept.id}",
                chat_id=dept.chat_id,
                purpose="coordination",
                text=text,
                now=event.at,
                submission_id=sub.id,
            )
            for _c, dept in found
            if dept.chat_id is not None
        ],
    )


# --- reporting windows --------------------------------------------------------------------------------------


def window_choice(windows: list[Window]) -> Actions:
    with use_locale(GROUP_LOCALE):
        return [[action(tox.window_button(w), "report_window", w.year, w.index)] for w in windows]
