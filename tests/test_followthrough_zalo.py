"""Following a question the office recorded works on Zalo too (the conversation is channel-neutral):
the code and the phone's last four digits, typed, link the question to the Zalo chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import recording
from storage.models import Citizen, DialogueSession, Submission
from tests.test_conversation import NOW
from tests.test_zalo_conversation import USER, ZaloCitizen, zalo_world

__all__ = ["zalo_world"]


async def test_a_zalo_citizen_links_the_question_the_office_recorded_for_them(zalo_world):
    server, sm, handled = zalo_world
    async with sm() as db:
        session = await db.scalar(select(DialogueSession))
        sub = await recording.record(
            db,
            recording.NewQuestion(
                session.id,
                "Đề nghị sửa cầu tràn thôn 6 bị sạt lở sau bão",
                recording.PHONE,
                asker=recording.Asker("Đinh Văn Cầu", "0987 111 222", "Thôn 6"),
            ),
            "office:1",
            NOW,
            "TD",
        )
        await db.commit()
        code = sub.code
    c = ZaloCitizen(server, USER, handled)
    wrong = await c.says(f"{code} 0000")
    assert "còn 2 lần thử" in wrong and "<" not in wrong
    linked = await c.says(f"{code.lower()} 1222")
    assert "Đã liên kết câu hỏi" in linked
    async with sm() as db:
        stored = await db.scalar(select(Submission).where(Submission.code == code))
        citizen = await db.get(Citizen, stored.citizen_id)
        assert (stored.channel, citizen.channel, citizen.chat_id, citizen.name) == (
            "zalo",
            "zalo",
            USER,
            "Đinh Văn Cầu",
        )
        await db.commit()
    assert code in await c.says("tra cứu")
