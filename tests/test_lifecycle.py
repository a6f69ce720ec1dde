"""The lifecycle table itself: every state can be reached and every unfinished one left, every event
has a notification rule, and the domain imports nothing of chats."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

from bot.domain import lifecycle
from bot.notify import notifier
from storage.models import SessionStatus, SubmissionStatus

ROOT = Path(__file__).resolve().parent.parent


def reachable(moves: tuple[lifecycle.Move, ...]) -> set[str]:
    start = {t for m in moves if not m.sources for t in m.targets}
    seen, todo = set(start), deque(start)
    while todo:
        state = todo.popleft()
        for m in moves:
            if state in m.sources:
                for target in m.targets - seen:
                    seen.add(target)
                    todo.append(target)
    return seen


def exits(moves: tuple[lifecycle.Move, ...], state: str) -> set[str]:
    return {t for m in moves if state in m.sources for t in m.targets if t != state}


def test_every_question_state_is_reachable_and_every_unfinished_one_has_a_way_out():
    states = {str(s) for s in SubmissionStatus}
    assert reachable(lifecycle.SUBMISSION_MOVES) == states
    for state in states - lifecycle.SUBMISSION_FINAL:
        assert exits(lifecycle.SUBMISSION_MOVES, state), f"{state} has no way out"
    # a merged question follows its target; it stands alone again only if its target is withdrawn
    assert exits(lifecycle.SUBMISSION_MOVES, SubmissionStatus.MERGED) == lifecycle.OPEN


def test_every_session_state_is_reachable_and_every_unfinished_one_has_a_way_out():
    states = {str(s) for s in SessionStatus}
    assert reachable(lifecycle.SESSION_MOVES) == states
    for state in states - lifecycle.SESSION_FINAL:
        assert exits(lifecycle.SESSION_MOVES, state), f"{state} has no way out"


def test_the_status_sets_are_the_table_s():
    assert lifecycle.OPEN | lifecycle.SETTLED | {SubmissionStatus.MERGED} == {
        str(s) for s in SubmissionStatus
    }
    assert not lifecycle.OPEN & lifecycle.SETTLED
    # what a department can act on is exactly where "respond" may start
    assert set(lifecycle.sources("respond")) == lifecycle.AT_DEPARTMENT
    # an open question can always be settled: answered, or closed without an answer
    for state in lifecycle.OPEN:
        assert (
            exits(lifecycle.SUBMISSION_MOVES, state) & lifecycle.SETTLED or state == SubmissionStatus.RECEIVED
        )


def test_every_event_has_a_notification_rule():
    names = {m.action for m in lifecycle.SUBMISSION_MOVES}
    names |= {f"session_{m.action}" for m in lifecycle.SESSION_MOVES}
    unruled = names - set(notifier.HANDLERS) - notifier.SILENT
    assert not unruled, f"events nobody decided who hears: {sorted(unruled)}"


def test_the_domain_imports_no_chat_library_texts_or_callback_data():
    probe = (
        "import sys, pkgutil, importlib, bot.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('bot.domain.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] == 'aiogram' or n.startswith('bot.texts')"
        " or n.startswith('bot.channels') or n.startswith('bot.notify') or n.startswith('handlers'))\n"
        "print('LOADED', bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout, done.stdout


def test_there_are_no_import_circles_among_the_application_modules():
    import ast

    graph: dict[str, set[str]] = {}
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py"), *ROOT.glob("storage/*.py")]:
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.col_offset == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import) and node.col_offset == 0:
                found.update(a.name for a in node.names)
        graph[name] = found
    modules = set(graph)
    edges = {m: {d for d in deps if d in modules and d != m} for m, deps in graph.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack, path = [(start, iter(edges[start]))], [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
            elif child == start:
                return [*path, start]
            elif child not in path:
                stack.append((child, iter(edges[child])))
                path.append(child)
        return None

    circles = [c for m in sorted(modules) if (c := cycle_from(m))]
    assert not circles, f"import circles (module level): {circles[:3]}"
