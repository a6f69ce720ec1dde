"""What the staff groups see: each card's text with the actions its current state allows.

Rendered in the deployment's group language (Vietnamese). A session card's actions come from the
lifecycle table (``lifecycle.session_actions``), so a card never offers a move the state forbids.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import lifecycle
from bot.domain.routing import Candidate
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.notify import extra_cards
from bot.notify.actions import Actions, action, rows
from bot.texts import department as td
from bot.texts import office as to
from storage.models import Department, DialogueSession, ExtensionRequest, Submission

GROUP_LOCALE = DEFAULT_LOCALE

# session moves the office makes with a button on the card → the button's action
SESSION_BUTTONS = {
    "announce": "announce",
    "close_questions": "close_questions",
    "mark_held": "mark_held",
    "postpone": "postpone",
    "cancel": "cancel_session",
    "issue_notice": "issue_notice",
}


def triage_actions(sub: Submission, suggested: Department | None) -> Actions:
    out: Actions = []
    if suggested is not None:
        out.append([action(to.btn_route_to(suggested), "route", sub.id, suggested.id)])
    out += rows(
        action(to.btn_pick_department(), "pick_department", sub.id),
        action(to.btn_merge(), "merge_menu", sub.id),
        action(to.btn_clarify(), "ask_citizen", sub.id),
        action(to.btn_reject(), "reject", sub.id),
    )
    return out + extra_cards.triage_actions(sub)  # classify, forward to a competent authority


def department_list_actions(sub: Submission, departments: list[Department]) -> Actions:
    out: Actions = [[action(to.department_name(d), "route", sub.id, d.id)] for d in departments]
    out.append([action(to.btn_back(), "show_triage", sub.id)])
    return out


def merge_actions(sub: Submission, candidates: list[Candidate]) -> Actions:
    out: Actions = [
        [action(to.btn_merge_into(c.submission), "merge_into", sub.id, c.submission.id)] for c in candidates
    ]
    out.append([action(to.btn_back(), "show_triage", sub.id)])
    return out


def department_actions(sub: Submission) -> Actions:
    return rows(
        action(td.btn_accept(), "accept", sub.id),
        action(td.btn_answer(), "answer", sub.id),
        action(td.btn_extend(), "extend", sub.id),
        action(td.btn_forward(), "forward", sub.id),
        action(td.btn_hand_back(), "hand_back", sub.id),
    )


def extension_actions(req: ExtensionRequest) -> Actions:
    return rows(
        action(to.btn_approve_extension(), "approve_extension", req.id),
        action(to.btn_refuse_extension(), "refuse_extension", req.id),
    )


def session_actions(session: DialogueSession, now: datetime) -> Actions:
    """The buttons of a session's card: the moves its state allows, and the agenda. ("Held" is offered
    before the session too — one card serves throughout — and refused with a word if pressed early.)"""
    labels = {
        "announce": to.btn_announce,
        "close_questions": to.btn_close_questions,
        "mark_held": to.btn_mark_held,
        "postpone": to.btn_postpone,
        "cancel_session": to.btn_cancel_session,
        "issue_notice": to.btn_issue_notice,
    }
    found = []
    for move in lifecycle.session_actions(session):
        name = SESSION_BUTTONS.get(move)
        if name is None:
            continue
        found.append(action(labels[name](), name, session.id))
    found += extra_cards.session_actions(session)  # record a question; the agenda at the session
    found.append(action(to.btn_agenda(), "agenda", session.id))
    return rows(*found)


def session_card(session: DialogueSession, now: datetime) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return to.session_card(session, now), session_actions(session, now)


def held_check(session: DialogueSession, now: datetime) -> tuple[str, Actions]:
    """The daily question after a session's date while nobody marked it held."""
    with use_locale(GROUP_LOCALE):
        text = to.held_check(session)
        buttons = rows(
            action(to.btn_mark_held(), "mark_held", session.id),
            action(to.btn_postpone(), "postpone", session.id),
            action(to.btn_cancel_session(), "cancel_session", session.id),
        )
        return text, buttons


def triage_card(
    sub: Submission, suggested: Department | None, duplicates: list[Candidate], note: str | None = None
) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return to.triage_card(sub, suggested, duplicates, note), triage_actions(sub, suggested)


def department_card(sub: Submission, note: str | None = None) -> tuple[str, Actions]:
    with use_locale(GROUP_LOCALE):
        return td.routed_card(sub, note), department_actions(sub)
