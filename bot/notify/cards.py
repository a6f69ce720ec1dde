"""What the groups see: callback data for staff buttons and the cards (text + buttons) put in the outbox.

Callback data carries ids only (≤ 64 bytes); every press is re-loaded and re-checked by the handlers.
Group messages are rendered in the deployment's group language (Vietnamese).
"""

from __future__ import annotations

from bot.channels.telegram.callbacks import CallbackData, DeptCb, OfficeCb
from bot.domain.routing import Candidate
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.notify.outbox import Buttons
from bot.texts import department as td
from bot.texts import office as to
from storage.models import Department, DialogueSession, ExtensionRequest, Submission

GROUP_LOCALE = DEFAULT_LOCALE


def _b(text: str, data: CallbackData) -> dict[str, str]:
    return {"text": text, "data": data.pack()}


def triage_buttons(sub: Submission, suggested: Department | None) -> Buttons:
    rows: Buttons = []
    if suggested is not None:
        rows.append([_b(to.btn_route_to(suggested), OfficeCb(a="rt", s=sub.id, x=suggested.id))])
    rows.append(
        [
            _b(to.btn_pick_department(), OfficeCb(a="pk", s=sub.id)),
            _b(to.btn_merge(), OfficeCb(a="mg", s=sub.id)),
        ]
    )
    rows.append(
        [
            _b(to.btn_clarify(), OfficeCb(a="cl", s=sub.id)),
            _b(to.btn_reject(), OfficeCb(a="rj", s=sub.id)),
        ]
    )
    return rows


def department_list_buttons(sub: Submission, departments: list[Department]) -> Buttons:
    rows: Buttons = [[_b(to.department_name(d), OfficeCb(a="rt", s=sub.id, x=d.id))] for d in departments]
    rows.append([_b(to.btn_back(), OfficeCb(a="bk", s=sub.id))])
    return rows


def merge_buttons(sub: Submission, candidates: list[Candidate]) -> Buttons:
    rows: Buttons = [
        [_b(to.btn_merge_into(c.submission), OfficeCb(a="mi", s=sub.id, x=c.submission.id))]
        for c in candidates
    ]
    rows.append([_b(to.btn_back(), OfficeCb(a="bk", s=sub.id))])
    return rows


def department_buttons(sub: Submission) -> Buttons:
    return [
        [_b(td.btn_accept(), DeptCb(a="ac", s=sub.id)), _b(td.btn_answer(), DeptCb(a="an", s=sub.id))],
        [_b(td.btn_extend(), DeptCb(a="ex", s=sub.id)), _b(td.btn_forward(), DeptCb(a="fw", s=sub.id))],
        [_b(td.btn_hand_back(), DeptCb(a="hb", s=sub.id))],
    ]


def extension_buttons(req: ExtensionRequest) -> Buttons:
    return [
        [
            _b(to.btn_approve_extension(), OfficeCb(a="xa", s=req.id)),
            _b(to.btn_refuse_extension(), OfficeCb(a="xr", s=req.id)),
        ]
    ]


def session_buttons(session: DialogueSession) -> Buttons:
    from storage.models import SessionStatus

    actions: list[tuple[str, str]] = []
    status = session.status
    if status == SessionStatus.DRAFT:
        actions.append(("sa", to.btn_announce()))
    if status == SessionStatus.ANNOUNCED:
        actions.append(("sq", to.btn_close_questions()))
    if status in (SessionStatus.ANNOUNCED, SessionStatus.QUESTIONS_CLOSED):
        actions.append(("sh", to.btn_mark_held()))
    if status == SessionStatus.HELD:
        actions.append(("sn", to.btn_issue_notice()))
    actions.append(("sg", to.btn_agenda()))
    rows: Buttons = []
    for action, label in actions:
        button = _b(label, OfficeCb(a=action, s=session.id))
        if rows and len(rows[-1]) < 2:
            rows[-1].append(button)
        else:
            rows.append([button])
    return rows


def render_triage_card(
    sub: Submission, suggested: Department | None, duplicates: list[Candidate], note: str | None = None
) -> tuple[str, Buttons]:
    with use_locale(GROUP_LOCALE):
        return to.triage_card(sub, suggested, duplicates, note), triage_buttons(sub, suggested)


def render_department_card(sub: Submission, note: str | None = None) -> tuple[str, Buttons]:
    with use_locale(GROUP_LOCALE):
        return td.routed_card(sub, note), department_buttons(sub)
