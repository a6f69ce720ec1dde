"""Suggested departments (topic, then keywords) and likely duplicates (with or without diacritics)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import intake
from bot.domain.routing import (
    DUPLICATE_THRESHOLD,
    keyword_score,
    likely_duplicates,
    similarity,
    suggest_department,
)
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import SubmissionStatus
from tests.workflow_world import ask, load_directory, new_session


def test_keywords_match_whole_words_with_or_without_diacritics():
    assert keyword_score("Xin cấp sổ đỏ cho thửa đất nhà tôi", ["sổ đỏ", "thửa"]) == 2
    assert keyword_score("xin cap so do cho thua dat", ["sổ đỏ", "thửa"]) == 2
    assert keyword_score("đất", ["đất"]) == 1
    assert keyword_score("Đất đai", ["rác"]) == 0
    # "rác" must not match inside another word
    assert keyword_score("giấy trắc địa", ["rác"]) == 0


def test_similarity_ignores_diacritics_and_little_words():
    a = "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa?"
    b = "duong lien thon 3 bi hong nang khi nao duoc sua"
    assert similarity(a, b) > 0.9
    assert similarity(a, "Xin hỏi về chế độ trợ cấp người cao tuổi") < 0.5


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        (
            "Đường liên thôn từ thôn Trung Sơn ra quốc lộ bị hỏng nặng từ mùa mưa năm ngoái, khi nào sửa?",
            "Đường liên thôn từ thôn Trung Sơn ra quốc lộ bị hư hỏng nặng, khi nào xã sửa chữa?",
            True,
        ),
        ("Khi nào xã trả tiền hỗ trợ hộ nghèo năm 2026?", "Tiền hỗ trợ hộ nghèo năm nay bao giờ trả?", True),
        (
            "Đề nghị xã kiểm tra việc đổ rác thải bừa bãi ở bờ sông thôn Trung Sơn",
            "Rác thải đổ bừa bãi ven sông ở thôn Trung Sơn, xã có kiểm tra không?",
            True,
        ),
        ("Khi nào xã trả tiền hỗ trợ hộ nghèo năm 2026?", "Khi nào xã sửa đường thôn Đông năm 2026?", False),
        (
            "Đường liên thôn từ thôn Trung Sơn ra quốc lộ bị hỏng nặng từ mùa mưa năm ngoái, khi nào sửa?",
            "Nhà tôi ở thôn Trung Sơn đã nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất, sao chưa có?",
            False,
        ),
        ("", "Đường hỏng", False),
    ],
)
def test_reworded_questions_are_alike_and_different_subjects_are_not(a, b, alike):
    assert (similarity(a, b) >= DUPLICATE_THRESHOLD) is alike
    assert similarity(a, b) == similarity(b, a)


async def test_topic_department_comes_first(sessionmaker, clock):
    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        sub = await ask(
            db, session, 1001, "Nhà tôi bị trộm, xin hỏi về việc cấp sổ đỏ", clock.now(), topic="DAT_DAI"
        )
        dept = await suggest_department(db, sub)
        assert dept is not None and dept.code == "DIA_CHINH"


async def test_keywords_suggest_when_the_topic_has_no_department(sessionmaker, clock):
    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        sub = await ask(
            db,
            session,
            1001,
            "Rac thai o thon 2 gay o nhiem moi truong nghiem trong",
            clock.now(),
            topic="KHAC",
        )
        dept = await suggest_department(db, sub)
        assert dept is not None and dept.code == "NONG_NGHIEP"
        nothing = await ask(
            db, session, 1002, "Xin hỏi lịch họp của xã tuần sau là khi nào", clock.now(), topic="KHAC"
        )
        assert await suggest_department(db, nothing) is None


async def test_a_tie_between_departments_suggests_nothing(sessionmaker, clock):
    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        sub = await ask(db, session, 1001, "Chuyện đất đai và chuyện trộm cắp trong thôn", clock.now())
        assert await suggest_department(db, sub) is None


async def test_duplicates_are_earlier_questions_of_the_same_session(sessionmaker, clock):
    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        other = await new_session(db, clock.now(), title="Hội nghị khác")
        first = await ask(
            db, session, 1001, "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa chữa?", clock.now()
        )
        await ask(db, other, 1003, "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa chữa?", clock.now())
        await ask(db, session, 1004, "Xin hỏi về chế độ trợ cấp cho người cao tuổi", clock.now())
        dup = await ask(db, session, 1002, "duong lien thon 3 hong nang khi nao sua chua vay", clock.now())
        found = await likely_duplicates(db, dup)
        assert [c.submission.id for c in found] == [first.id]
        # the earlier one does not list the later one
        assert await likely_duplicates(db, first) == []


async def test_a_deleted_question_stops_being_a_duplicate_hint_and_databases_do_not_mix(
    sessionmaker, clock, tmp_path
):
    """Earlier questions' texts are kept prepared between new questions (bot/routing.py): a row that
    changed is read again, and another database with the same ids and times is not confused."""
    road = "Đường liên thôn 3 bị hỏng nặng, khi nào được sửa chữa?"
    async with sessionmaker() as db:
        await load_directory(db, clock.now())
        session = await new_session(db, clock.now())
        first = await ask(db, session, 1001, road, clock.now())
        second = await ask(db, session, 1002, "duong lien thon 3 hong nang khi nao sua chua", clock.now())
        assert [c.submission.id for c in await likely_duplicates(db, second)] == [first.id]
        first.status = SubmissionStatus.ANSWERED_AT_SESSION  # answered: deleting keeps its status
        citizen = await intake.find_citizen(db, "telegram", "1001")
        await intake.delete_personal_data(db, citizen, clock.now() + timedelta(minutes=5))
        assert first.status == SubmissionStatus.ANSWERED_AT_SESSION and first.text != road
        await db.commit()
        third = await ask(db, session, 1003, "Đường liên thôn 3 hỏng nặng, bao giờ sửa chữa?", clock.now())
        assert [c.submission.id for c in await likely_duplicates(db, third)] == [second.id]

    other = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")  # same ids, same clock
    await upgrade(other)
    try:
        async with make_sessionmaker(other)() as db:
            await load_directory(db, clock.now())
            session = await new_session(db, clock.now())
            await ask(db, session, 2001, "Xin hỏi về chế độ trợ cấp cho người cao tuổi", clock.now())
            await ask(db, session, 2002, "Trạm y tế xã thiếu thuốc cho trẻ em", clock.now())
            later = await ask(db, session, 2003, road, clock.now())
            assert await likely_duplicates(db, later) == []
    finally:
        await other.dispose()
