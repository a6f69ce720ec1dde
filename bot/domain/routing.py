"""Suggestions for the office: which department should answer, and which questions look alike.

Plain Python: ``suggest_department`` uses the topic's department first, then the directory's
keywords (matched on whole words, with or without Vietnamese diacritics). ``likely_duplicates``
compares wording inside the same session, diacritics folded away.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.text import fold
from storage.models import Department, Submission, SubmissionStatus

DUPLICATE_THRESHOLD = 0.5
NOT_DUPLICATE_TARGETS = {SubmissionStatus.MERGED, SubmissionStatus.WITHDRAWN, SubmissionStatus.REJECTED}

# Short words that say nothing about the subject (folded).
_STOP = (
    "va la cua cho toi chung co khong duoc da dang se nay do thi ma voi tai tu den nhu nhung cac mot "
    "gia dinh ong ba xin hoi ve khi nao bao gio vi sao tai sao lam the nao can de o trong ra vao len "
    "xuong rat qua cung con nua roi"
)
STOPWORDS = set(_STOP.split(" "))


def _words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class Prepared:
    """What comparing a question needs, computed once per text."""

    words: frozenset[str]  # significant words, folded
    folded: str
    grams: frozenset[str]  # three-letter pieces of the folded text


@functools.lru_cache(maxsize=1024)  # a few sessions' duplicate windows (DUPLICATE_WINDOW each)
def _prepared(text: str) -> Prepared:
    """Each new question is compared with the earlier ones of its session, which would otherwise be
    folded and cut up every time."""
    folded = " ".join(fold(text).split())
    grams = frozenset(folded[i : i + 3] for i in range(len(folded) - 2))
    return Prepared(frozenset(_words(text)), folded, grams)


@functools.lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    folded = fold(keyword)
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)") if folded else None


def keyword_score(text: str, keywords: list[str]) -> int:
    """How many of the keywords occur in the text as whole words (diacritics optional)."""
    folded = f" {fold(text)} "
    patterns = (_keyword_pattern(keyword) for keyword in keywords)
    return sum(1 for pattern in patterns if pattern is not None and pattern.search(folded))


def suggest_from(
    text: str, topic_department: Department | None, departments: list[Department]
) -> Department | None:
    if topic_department is not None and topic_department.active:
        return topic_department
    scored = [(keyword_score(text, list(d.keywords or [])), d) for d in departments if d.active]
    scored = [item for item in scored if item[0] > 0]
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1].id))
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None  # a tie: let the office choose
    return scored[0][1]


async def suggest_department(db: AsyncSession, submission: Submission) -> Department | None:
    topic_dept = submission.topic.department if submission.topic is not None else None
    if topic_dept is not None and topic_dept.unit_id != submission.unit_id:
        topic_dept = None  # a question handed up keeps the commune's topic: the province suggests anew
    departments: list[Department] = []
    if topic_dept is None or not topic_dept.active:  # else suggest_from takes the topic's own
        departments = list(await db.scalars(select(Department).order_by(Department.id)))
    return suggest_from(submission.text, topic_dept, departments)


def similarity(a: str, b: str) -> float:
    """0..1: the larger of the word overlap (Jaccard) and the overlap of three-letter pieces of the
    folded texts (Dice), which forgives small changes of wording and spelling."""
    return _similarity(_prepared(a), _prepared(b))


def _similarity(a: Prepared, b: Prepared) -> float:
    """Set operations only: a session's new question is compared with hundreds of earlier ones
    (difflib's ratio, used before, took half a millisecond for two unrelated questions)."""
    if a.folded == b.folded:
        return 1.0 if a.folded else 0.0
    jaccard = len(a.words & b.words) / len(a.words | b.words) if a.words and b.words else 0.0
    grams = 2 * len(a.grams & b.grams) / (len(a.grams) + len(b.grams)) if a.grams and b.grams else 0.0
    return max(jaccard, grams)


@dataclass(frozen=True)
class Earlier:
    """An earlier question of the session, as a duplicate hint shows it."""

    id: int
    code: str


@dataclass
class Candidate:
    submission: Earlier
    score: float


# Compare a new question with at most this many earlier ones of its session (the most recent):
# the office sees duplicates while triaging, and the cost of each new question stays bounded.
DUPLICATE_WINDOW = 300

# The row's version as the database holds it (SQLite: text): parsing 300 dates per new question
# would cost more than the rest of the comparison.
_VERSION = type_coerce(Submission.updated_at, String()).label("version")
_WINDOW = (
    select(Submission.id, _VERSION)
    .where(
        Submission.session_id == bindparam("session_id"),
        Submission.id < bindparam("before_id"),
        Submission.created_at <= bindparam("created_at"),
        Submission.status.not_in(list(NOT_DUPLICATE_TARGETS)),
    )
    .order_by(Submission.id.desc())
    .limit(DUPLICATE_WINDOW)
)
_TEXTS = select(Submission.id, _VERSION, Submission.code, Submission.text).where(
    Submission.id.in_(bindparam("ids", expanding=True))
)


class EarlierTexts:
    """The earlier questions already compared, prepared, by (id, row version): each new question
    reads its session's window as keys and reads a text again only when its row has changed
    (a question's text changes only when its asker's data is deleted, which updates the row).
    Questions are up to 3000 characters: the window would otherwise be re-read, up to a megabyte,
    for every new question. One per database (engine), bounded."""

    SIZE = 4 * DUPLICATE_WINDOW

    def __init__(self) -> None:
        self._rows: OrderedDict[tuple[int, object], tuple[str, Prepared]] = OrderedDict()

    def get(self, key: tuple[int, object]) -> tuple[str, Prepared] | None:
        found = self._rows.get(key)
        if found is not None:
            self._rows.move_to_end(key)
        return found

    def put(self, key: tuple[int, object], code: str, text: str) -> tuple[str, Prepared]:
        found = self._rows[key] = (code, _prepared(text))
        while len(self._rows) > self.SIZE:
            self._rows.popitem(last=False)
        return found

    def forget(self, submission_ids: set[int]) -> None:
        for key in [key for key in self._rows if key[0] in submission_ids]:
            del self._rows[key]


_earlier: weakref.WeakKeyDictionary[Any, EarlierTexts] = weakref.WeakKeyDictionary()


def forget(submission_ids: Collection[int]) -> None:
    """Drop this process's copies of these questions' texts, every version (their personal data was
    erased: bot.domain.privacy). The prepared texts are keyed by the text itself: all are dropped."""
    ids = set(submission_ids)
    for known in list(_earlier.values()):
        known.forget(ids)
    _prepared.cache_clear()


async def likely_duplicates(
    db: AsyncSession, submission: Submission, limit: int = 3, threshold: float = DUPLICATE_THRESHOLD
) -> list[Candidate]:
    """Earlier submissions of the same session with similar wording, most similar first."""
    conn = await db.connection()  # plain rows: Core, not the ORM
    known = _earlier.setdefault(conn.sync_engine, EarlierTexts())
    window = {
        "session_id": submission.session_id,
        "before_id": submission.id,
        "created_at": submission.created_at,
    }
    keys = [(row.id, row.version) for row in await conn.execute(_WINDOW, window)]
    found = {key: known.get(key) for key in keys}
    missing = [sub_id for (sub_id, _), hit in found.items() if hit is None]
    if missing:
        for row in await conn.execute(_TEXTS, {"ids": missing}):
            found[row.id, row.version] = known.put((row.id, row.version), row.code, row.text)
    new = _prepared(submission.text)
    scored = []
    for (sub_id, _), hit in found.items():
        if hit is None:  # the row changed between the two reads: its newer version is in `found`
            continue
        code, earlier = hit
        score = _similarity(new, earlier)
        if score >= threshold:
            scored.append((-score, sub_id, code))
    scored.sort()
    return [Candidate(Earlier(sub_id, code), -score) for score, sub_id, code in scored[:limit]]
