"""A government unit's Zalo Official Account: free messages inside the 7-day window, the approved
ZNS template to the phone number after it, a visible failure when neither can reach the citizen;
and the OA's webhook events read as the Bot API's."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.zalo.oa import (
    OAClient,
    OfficialAccountSender,
    ZNSClient,
    normalize_event,
    parse_templates,
    verify_signature,
    zns_phone,
)
from bot.clock import FixedClock
from bot.notify.outbox import row
from bot.notify.sender import PermanentError
from bot.simulator.zalo_oa import FakeZaloOA
from storage.models import Channel, Citizen, Submission

NOW = datetime(2027, 2, 17, 2, tzinfo=UTC)


@pytest.fixture
async def oa():
    async with FakeZaloOA() as server:
        yield server


async def seed(sessionmaker, *, last_seen: datetime, phone: str | None) -> tuple[str, int]:
    from bot.domain.directory import apply, parse
    from bot.domain.sessions import create_session
    from tests.workflow_world import SAMPLE_DIRECTORY

    async with sessionmaker() as db:
        await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), NOW - timedelta(days=90))
        session = await create_session(
            db, title="Hội nghị", place="Xã", starts_at=NOW - timedelta(days=40), now=NOW - timedelta(days=60)
        )
        citizen = Citizen(
            channel=Channel.ZALO,
            chat_id="zu1",
            locale="vi",
            created_at=NOW,
            last_seen_at=last_seen,
            phone=phone,
        )
        db.add(citizen)
        await db.flush()
        sub = Submission(
            code="TD-27-0007",
            session_id=session.id,
            citizen_id=citizen.id,
            channel=Channel.ZALO,
            text="Đường thôn 3",
            phone=phone,
            status="awaiting_response",
            created_at=NOW,
            updated_at=NOW,
        )
        db.add(sub)
        await db.commit()
        return "zu1", sub.id


def sender_for(oa: FakeZaloOA, sessionmaker, templates: str = '{"r5_status": "231677", "*": "231680"}'):
    return OfficialAccountSender(
        OAClient(oa.access_token, oa.base_url),
        ZNSClient(oa.access_token, oa.base_url),
        parse_templates(templates),
        sessionmaker=sessionmaker,
        clock=FixedClock(NOW),
    )


def payload(
    purpose: str, submission_id: int, text: str = "⏰ Câu hỏi <b>TD-27-0007</b>: hạn trả lời là 16/02/2027"
) -> dict:
    values = row(
        key="k",
        chat_id="zu1",
        channel=Channel.ZALO,
        purpose=purpose,
        text=text,
        now=NOW,
        submission_id=submission_id,
    )
    return values["payload"]


async def test_inside_the_window_a_free_message_from_the_oa(oa, sessionmaker):
    chat, sub_id = await seed(sessionmaker, last_seen=NOW - timedelta(days=2), phone="0912 345 678")
    oa.interacted.add(chat)
    mid = await sender_for(oa, sessionmaker).send(chat, payload("r5_status", sub_id))
    assert mid.startswith("oa") and oa.sent[0].kind == "oa"
    assert oa.sent[0].body["message"]["text"].startswith("⏰ Câu hỏi TD-27-0007")  # no HTML on Zalo


async def test_after_the_window_the_template_goes_to_the_phone_number(oa, sessionmaker):
    chat, sub_id = await seed(sessionmaker, last_seen=NOW - timedelta(days=30), phone="0912 345 678")
    mid = await sender_for(oa, sessionmaker).send(chat, payload("r5_status", sub_id))
    assert mid.startswith("zns")
    (zns,) = oa.sent
    assert zns.to == "84912345678" and zns.body["template_id"] == "231677"
    assert zns.body["template_data"]["code"] == "TD-27-0007"
    assert zns.body["template_data"]["date"] == "17/02/2027"
    # another kind of message uses the default template
    await sender_for(oa, sessionmaker).send(chat, payload("response", sub_id))
    assert oa.sent[-1].body["template_id"] == "231680"


async def test_the_oa_saying_the_window_closed_falls_back_to_the_template(oa, sessionmaker):
    chat, sub_id = await seed(sessionmaker, last_seen=NOW - timedelta(days=1), phone="0912345678")
    # our clock says inside the window, but the OA knows better (the person never followed it)
    await sender_for(oa, sessionmaker).send(chat, payload("r5_status", sub_id))
    assert [s.kind for s in oa.sent] == ["zns"]


async def test_no_phone_or_no_template_is_a_visible_failure(oa, sessionmaker):
    chat, sub_id = await seed(sessionmaker, last_seen=NOW - timedelta(days=30), phone=None)
    with pytest.raises(PermanentError, match="no phone number"):
        await sender_for(oa, sessionmaker).send(chat, payload("r5_status", sub_id))
    with pytest.raises(PermanentError, match="no ZNS template"):
        await sender_for(oa, sessionmaker, templates="{}").send(chat, payload("r5_status", sub_id))
    oa.known_phones = set()
    chat2, sub2 = "zu1", sub_id
    async with sessionmaker() as db:
        citizen = await db.get(Citizen, (await db.get(Submission, sub2)).citizen_id)
        citizen.phone = "0987654321"
        await db.commit()
    with pytest.raises(PermanentError, match="does not exist"):
        await sender_for(oa, sessionmaker).send(chat2, payload("r5_status", sub2))
    assert oa.sent == []


def test_phone_numbers_as_zns_wants_them():
    assert zns_phone("0912 345 678") == "84912345678"
    assert zns_phone("+84 912-345-678") == "84912345678"
    assert zns_phone("12345") is None and zns_phone(None) is None


def test_templates_setting_is_checked():
    assert parse_templates('{"response": 231677}') == {"response": "231677"}
    assert parse_templates("") == {}
    with pytest.raises(ValueError):
        parse_templates('["231677"]')


def test_oa_webhook_events_read_as_the_bot_api_s_and_are_signed():
    text = {
        "app_id": "360846524940903967",
        "event_name": "user_send_text",
        "sender": {"id": "246845883529197922"},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": "TD-26-0001", "msg_id": "96d3cdf3af150460909"},
        "timestamp": "1750316131602",
    }
    event = normalize_event(text)
    assert event["event_name"] == "message.text.received"
    assert event["message"]["chat"]["id"] == "246845883529197922" and event["message"]["text"] == "TD-26-0001"
    image = {
        **text,
        "event_name": "user_send_image",
        "message": {"msg_id": "x", "attachments": [{"type": "image", "payload": {"url": "https://z/p.jpg"}}]},
    }
    assert normalize_event(image)["message"]["photo"] == "https://z/p.jpg"
    assert (
        normalize_event({**text, "event_name": "user_send_sticker"})["event_name"]
        == "message.unsupported.received"
    )
    assert normalize_event({**text, "event_name": "follow"}) is None
    assert normalize_event({"sender": "x"}) is None and normalize_event("garbage") is None
    body = json.dumps(text).encode()
    mac = hashlib.sha256(b"360846524940903967" + body + b"1750316131602" + b"secret").hexdigest()
    assert verify_signature("360846524940903967", "secret", body, "1750316131602", f"mac={mac}")
    assert not verify_signature("360846524940903967", "secret", body + b" ", "1750316131602", f"mac={mac}")
    assert not verify_signature("360846524940903967", "", body, "1750316131602", f"mac={mac}")


def test_every_zalo_setting_is_documented():
    from pathlib import Path

    from bot.settings import Settings

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = (root / ".env.example").read_text(encoding="utf-8")
    names = [f"DOITHOAI_{n.upper()}" for n in Settings.model_fields if n.startswith("zalo_")]
    assert len(names) >= 12
    assert [n for n in names if n not in readme] == []
    assert [n for n in names if n not in example] == []


def test_doctor_says_what_an_official_account_lacks():
    from bot.ops.doctor import Findings, check_zalo_oa
    from bot.settings import Settings

    def lines(**values) -> list[tuple[bool, str]]:
        found = Findings()
        check_zalo_oa(Settings(_env_file=None, zalo_channel="oa", **values), found)
        return found.lines

    ((good, text),) = lines(zalo_oa_access_token="t")
    assert not good and "DOITHOAI_ZALO_OA_APP_ID" in text and "DOITHOAI_ZALO_OA_SECRET_KEY" in text
    full = {"zalo_oa_access_token": "t", "zalo_oa_app_id": "1", "zalo_oa_secret_key": "s"}
    ((good, text),) = lines(**full, zalo_zns_templates="[1]")
    assert not good and "DOITHOAI_ZALO_ZNS_TEMPLATES" in text
    assert all(good for good, _ in lines(**full, zalo_zns_templates='{"*": "231680"}'))
    assert any("office" in text for _, text in lines(**full, zalo_zns_templates='{"response": "1"}'))
