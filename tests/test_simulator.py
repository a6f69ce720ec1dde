"""The fake Telegram Bot API, driven by a real aiogram Bot and Dispatcher over HTTP: long polling,
buttons, Telegram's own error answers for bad calls, flood limits, blocked users, files."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    Message,
)

from bot.channels.telegram.client import KeepAliveSession
from bot.simulator import apispec
from bot.simulator.telegram import FakeTelegram, Limits

TOKEN = "4242:TEST-token"
OFFICE = -1001000000001


SESSIONS = {"aiohttp": AiohttpSession, "keep-alive": KeepAliveSession}
CLIENT = {"session": AiohttpSession}


@pytest.fixture(autouse=True, params=sorted(SESSIONS))
def _each_client(request, monkeypatch):
    """Every test runs with aiogram's own client and with the bot's (bot/telegram_http.py)."""
    monkeypatch.setitem(CLIENT, "session", SESSIONS[request.param])


def make_bot(tg: FakeTelegram) -> Bot:
    session = CLIENT["session"](api=TelegramAPIServer.from_base(tg.base_url))
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


def echo_router(received: list[bytes] | None = None) -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="✅ Đồng ý", callback_data="yes")],
                [InlineKeyboardButton(text="❌ Không đồng ý", callback_data="no")],
            ]
        )
        await message.answer("Ông/Bà có đồng ý <b>điều khoản</b> không?", reply_markup=keyboard)

    @router.callback_query(F.data.in_({"yes", "no"}))
    async def agree(query: CallbackQuery) -> None:
        await query.answer("Đã ghi nhận" if query.data == "yes" else "Đã huỷ")
        await query.message.edit_text(f"Ông/Bà đã chọn: {query.data}")

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer("Nút này đã cũ")

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        data = await bot.download(message.document.file_id)
        if received is not None:
            received.append(data.read())
        await message.answer(f"Đã nhận {message.document.file_name}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Bạn viết: {message.text}")

    return router


@contextlib.asynccontextmanager
async def polling(tg: FakeTelegram, router: Router, polling_timeout: int = 30) -> AsyncIterator[Bot]:
    """The bot's real polling loop against the fake server; stopped cleanly afterwards."""
    bot = make_bot(tg)
    dp = Dispatcher()
    dp.include_router(router)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=polling_timeout)
    )
    try:
        await tg.wait_for(lambda: tg.pending_polls > 0 or task.done(), timeout=5)
        assert not task.done(), task
        yield bot
    finally:
        if not task.done():
            await dp.stop_polling()
        await asyncio.wait_for(task, 5)
        await bot.session.close()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    b = make_bot(tg)
    yield b
    await b.session.close()


async def raw(tg: FakeTelegram, method: str, token: str = TOKEN, **kwargs) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.base_url}/bot{token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


# --- polling and buttons -------------------------------------------------------------------------


async def test_long_polling_holds_the_request_and_wakes_at_once_when_someone_writes(tg):
    lan = tg.user(1001, "Lan")
    async with polling(tg, echo_router(), polling_timeout=30):
        polls_before = sum(c.method == "getUpdates" for c in tg.calls)
        started = time.monotonic()
        await tg.send_text(lan, "Xin chào")
        reply = await tg.next_message(lan.id, timeout=5)
        assert reply["text"] == "Bạn viết: Xin chào"
        # The held getUpdates (timeout 30 s) returned as soon as the update was queued.
        assert time.monotonic() - started < 3
        assert sum(c.method == "getUpdates" for c in tg.calls) - polls_before <= 3
        assert reply["from"]["id"] == 4242 and reply["from"]["is_bot"]
        assert reply["chat"] == {"id": 1001, "type": "private", "first_name": "Lan"}
    assert tg.violations == []
    assert "👤 Lan: Xin chào" in tg.transcript(lan.id)
    assert "🤖 Bot: Bạn viết: Xin chào" in tg.transcript(lan.id)


async def test_get_updates_waits_the_timeout_when_nothing_happens_and_offset_confirms(tg):
    lan = tg.user(1001, "Lan")
    started = time.monotonic()
    status, body = await raw(tg, "getUpdates", json={"timeout": 1})
    assert (status, body) == (200, {"ok": True, "result": []})
    assert time.monotonic() - started >= 0.9

    poll = asyncio.create_task(raw(tg, "getUpdates", json={"timeout": 20}))
    await tg.wait_for(lambda: tg.pending_polls == 1, timeout=5)
    assert not poll.done()
    await tg.send_text(lan, "một")
    status, body = await asyncio.wait_for(poll, 5)
    [update] = body["result"]
    assert update["message"]["text"] == "một"
    await tg.send_text(lan, "hai")
    _, body = await raw(tg, "getUpdates", json={"offset": update["update_id"] + 1})
    [second] = body["result"]
    assert second["update_id"] > update["update_id"] and second["message"]["text"] == "hai"
    assert second["message"]["message_id"] > update["message"]["message_id"]
    _, body = await raw(tg, "getUpdates", data={"offset": str(second["update_id"] + 1), "limit": "5"})
    assert body["result"] == []


async def test_allowed_updates_keeps_other_kinds_away(tg):
    lan = tg.user(1001, "Lan")
    sent = await tg.send_text(lan, "hỏi")
    await tg.send_callback(lan, lan, sent["message_id"], "x")
    _, body = await raw(tg, "getUpdates", json={"allowed_updates": ["callback_query"]})
    assert [sorted(u) for u in body["result"]] == [["callback_query", "update_id"]]
    # Remembered: the next call without allowed_updates still gets no messages.
    await tg.send_text(lan, "nữa")
    _, body = await raw(tg, "getUpdates", json={})
    assert [sorted(u) for u in body["result"]] == [["callback_query", "update_id"]]


async def test_pressing_a_button_answers_the_query_and_edits_the_message(tg):
    lan = tg.user(1001, "Lan")
    async with polling(tg, echo_router()):
        await tg.send_text(lan, "/start")
        question = await tg.next_message(lan.id)
        assert question["text"] == "Ông/Bà có đồng ý điều khoản không?"  # what the person reads
        labels = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["✅ Đồng ý", "❌ Không đồng ý"]

        cb = await tg.press(lan.id, "✅ Đồng ý")
        answer = await tg.wait_answer(cb)
        assert answer["text"] == "Đã ghi nhận"
        await tg.wait_for(lambda: tg.messages(lan.id)[-1]["text"].endswith("yes"))
        assert "reply_markup" not in tg.messages(lan.id)[-1]

        # A unique prefix is enough; a forged callback gets the polite stale answer.
        await tg.send_text(lan, "/start")
        await tg.next_message(lan.id)
        assert (await tg.wait_answer(await tg.press(lan.id, "❌")))["text"] == "Đã huỷ"
        forged = await tg.send_callback(lan, lan, question["message_id"], "🙈" * 16)
        assert (await tg.wait_answer(forged))["text"] == "Nút này đã cũ"

    transcript = tg.transcript(lan.id)
    assert "🤖 Bot (edited): Ông/Bà đã chọn: yes" in transcript
    assert "👆 Lan bấm [ ✅ Đồng ý ]" in transcript
    assert "[ ✅ Đồng ý ]" in transcript and "[ ❌ Không đồng ý ]" in transcript
    with pytest.raises(AssertionError, match="no button 'Hủy'"):
        await tg.press(lan.id, "Hủy")
    assert tg.violations == []


async def test_next_message_timeout_shows_the_chat(tg):
    lan = tg.user(1001, "Lan")
    await tg.send_text(lan, "có ai không?")
    with pytest.raises(AssertionError, match="(?s)no new message in chat 1001.*Lan: có ai không"):
        await tg.next_message(lan.id, timeout=0.2)


async def test_group_messages_replies_and_chat_member(tg, bot):
    office = tg.group(OFFICE, "Văn phòng")
    staff = tg.user(2001, "Hùng")
    first = await tg.send_text(office, "câu hỏi", from_user=staff)
    reply = await tg.send_text(office, "trả lời", from_user=staff, reply_to=first["message_id"])
    assert reply["reply_to_message"]["message_id"] == first["message_id"]
    assert reply["chat"]["type"] == "supergroup" and reply["chat"]["title"] == "Văn phòng"
    sent = await bot.send_message(OFFICE, "Đã chuyển <i>phòng Tư pháp</i>", reply_to_message_id=1)
    assert sent.message_id == 3 and sent.text == "Đã chuyển phòng Tư pháp"
    assert sent.reply_to_message.text == "câu hỏi"  # the deprecated reply_to_message_id still works
    member = await bot.get_chat_member(OFFICE, staff.id)
    assert member.status == "member" and member.user.first_name == "Hùng"
    assert (await bot.get_chat_member(OFFICE, bot.id)).status == "administrator"
    for status in ("left", "kicked", "restricted", "creator", "administrator"):
        tg.member_status[(OFFICE, staff.id)] = status
        assert (await bot.get_chat_member(OFFICE, staff.id)).status == status
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(OFFICE, 777)
    chat = await bot.get_chat(OFFICE)
    assert chat.title == "Văn phòng"
    assert tg.violations == []


# --- validation ----------------------------------------------------------------------------------


async def test_bad_html_is_refused_like_telegram(tg, bot):
    tg.user(1001, "Lan")
    with pytest.raises(TelegramBadRequest, match='can\'t parse entities: Unsupported start tag "br"'):
        await bot.send_message(1001, "a<br>b")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unmatched end tag"):
        await bot.send_message(1001, "<b><i>x</b></i>")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag corresponding to start tag"):
        await bot.send_message(1001, "<b>x")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1001, "Tôi & anh")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1001, "1 < 2")
    assert len(tg.violations) == 5 and all("sendMessage" in v for v in tg.violations)
    assert tg.messages(1001) == []
    # The same text escaped, or without parse mode, is fine.
    ok = await bot.send_message(1001, "Tôi &amp; anh, 1 &lt; 2 &#8594; <a href='https://x.vn'>x</a>")
    assert ok.text == "Tôi & anh, 1 < 2 → x"
    assert (await bot.send_message(1001, "1 < 2 & <br>", parse_mode=None)).text == "1 < 2 & <br>"


def test_html_parser_accepts_every_supported_tag():
    text = (
        "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s><strike>h</strike>"
        '<del>i</del><span class="tg-spoiler">j</span><tg-spoiler>k</tg-spoiler><a href="t.me">l</a>'
        '<code>m</code><pre><code class="language-python">n</code></pre><blockquote>o</blockquote>'
        '<blockquote expandable>p</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert apispec.html_to_text(text) == "abcdefghijklmnop👍"
    for bad in ("<span>x</span>", "<a>x</a>", "</b>", "x > y", "<div>x</div>", "&nbsp;"):
        with pytest.raises(apispec.HtmlError):
            apispec.html_to_text(bad)


async def test_length_is_counted_after_entity_parsing(tg, bot):
    tg.user(1001, "Lan")
    fits = "<b>" + "ă" * 4096 + "</b>"  # 4103 characters sent, 4096 read
    assert len((await bot.send_message(1001, fits)).text) == 4096
    with pytest.raises(TelegramBadRequest, match="text is too long"):
        await bot.send_message(1001, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1001, "<b> </b>")
    doc = BufferedInputFile(b"x", "a.txt")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(1001, doc, caption="c" * 1025)
    assert (await bot.send_document(1001, doc, caption="&lt;" * 1024)).caption == "<" * 1024
    assert len(tg.violations) == 3


async def test_callback_data_is_limited_to_64_bytes(tg, bot):
    tg.user(1001, "Lan")

    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Nút", callback_data=data)]])

    ok = await bot.send_message(1001, "ok", reply_markup=markup("đ" * 32))  # 64 bytes
    assert ok.reply_markup.inline_keyboard[0][0].callback_data == "đ" * 32
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "x", reply_markup=markup("đ" * 32 + "a"))  # 65 bytes
    assert tg.violations == ["BUTTON_DATA_INVALID: callback_data of 65 bytes on [ Nút ]"]
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("1", text="a" * 201)


async def test_missing_unknown_and_mistyped_fields_and_unknown_methods(tg):
    tg.user(1001, "Lan")
    status, body = await raw(tg, "sendMessage", json={"chat_id": 1001})
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
    status, body = await raw(tg, "sendMessage", json={"chat_id": 1001, "text": "x", "colour": "red"})
    assert status == 400 and "colour" in body["description"]
    status, body = await raw(tg, "editMessageText", json={"chat_id": 1001, "message_id": "one", "text": "x"})
    assert status == 400 and "message_id" in body["description"]
    status, body = await raw(tg, "sendMesage", json={"chat_id": 1001, "text": "x"})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert len(tg.violations) == 4
    assert [c.ok for c in tg.calls] == [False] * 4


async def test_unknown_method_through_aiogram_and_methods_only_accepted(tg, bot):
    from aiogram.methods import SetChatTitle
    from aiogram.methods.base import TelegramMethod

    class Frobnicate(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "frobnicate"

    with pytest.raises(TelegramNotFound):
        await bot(Frobnicate())
    tg.group(OFFICE, "Văn phòng")
    assert await bot(SetChatTitle(chat_id=OFFICE, title="Văn phòng xã")) is True
    assert tg.unimplemented == ["setChatTitle"]


async def test_unknown_chat_is_not_found_unless_any_chat(tg, bot):
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "x")
    async with FakeTelegram(any_chat=True) as loose:
        b = make_bot(loose)
        try:
            assert (await b.send_message(999, "x")).chat.id == 999
        finally:
            await b.session.close()


# --- limits, blocks, faults ----------------------------------------------------------------------


async def test_flood_limits_answer_429_with_retry_after():
    async with FakeTelegram(limits=Limits(global_per_s=30, private_per_s=1, group_per_min=20)) as tg:
        tg.user(1001, "Lan")
        tg.group(OFFICE, "Văn phòng")
        bot = make_bot(tg)
        try:
            await bot.send_message(1001, "một")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(1001, "hai")
            assert caught.value.retry_after == 1
            for i in range(20):
                await bot.send_message(OFFICE, f"tin {i}")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(OFFICE, "tin 21")
            assert 1 <= caught.value.retry_after <= 60
            assert tg.count_429 == 2
            assert tg.sent_per_chat == {1001: 1, OFFICE: 20}
            [body] = [c.response for c in tg.calls if not c.ok][:1]
            assert body == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
            # Editing is not a send: it is not counted.
            assert (await bot.edit_message_text("tin 0 (sửa)", chat_id=OFFICE, message_id=1)).text
        finally:
            await bot.session.close()


async def test_global_limit():
    async with FakeTelegram(limits=Limits(global_per_s=5, private_per_s=1, group_per_min=20)) as tg:
        bot = make_bot(tg)
        try:
            for uid in range(1, 6):
                tg.user(uid, f"P{uid}")
                await bot.send_message(uid, "x")
            tg.user(6, "P6")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(6, "x")
        finally:
            await bot.session.close()


async def test_blocked_user_and_injected_faults(tg, bot):
    tg.user(1001, "Lan")
    sent = await bot.send_message(1001, "x")
    tg.block(1001)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1001, "x")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.edit_message_text("y", chat_id=1001, message_id=sent.message_id)
    tg.user(1002, "Minh")
    tg.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(1002, "x")
    assert (await bot.send_message(1002, "x")).text == "x"
    assert tg.messages(1002)[-1]["text"] == "x" and len(tg.messages(1002)) == 1
    assert tg.violations == []


# --- files ---------------------------------------------------------------------------------------


async def test_file_round_trip_both_ways(tg):
    lan = tg.user(1001, "Lan")
    received: list[bytes] = []
    async with polling(tg, echo_router(received)) as bot:
        await tg.send_document(lan, file_name="don.pdf", content=b"%PDF-1.4 don")
        assert (await tg.next_message(lan.id))["text"] == "Đã nhận don.pdf"
        assert received == [b"%PDF-1.4 don"]

        sent = await bot.send_document(
            lan.id, BufferedInputFile(b"bien ban", "bien-ban.docx"), caption="Biên bản"
        )
        file_id = sent.document.file_id
        assert tg.files[file_id] == b"bien ban"
        assert sent.document.file_name == "bien-ban.docx" and sent.caption == "Biên bản"
        downloaded = await bot.download(file_id)
        assert downloaded.read() == b"bien ban"
        again = await bot.send_document(lan.id, file_id)
        assert again.document.file_id == file_id

        album = await bot.send_media_group(
            lan.id,
            [
                InputMediaDocument(media=BufferedInputFile(b"1", "a.pdf")),
                InputMediaDocument(media=BufferedInputFile(b"22", "b.pdf"), caption="<b>hai</b> tệp"),
            ],
        )
        assert [tg.files[m.document.file_id] for m in album] == [b"1", b"22"]
        assert album[1].caption == "hai tệp"
        two = [InputMediaDocument(media=file_id), InputMediaDocument(media=file_id, caption="<b>x")]
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_media_group(lan.id, two)
        assert tg.violations == [
            "sendMediaGroup: can't parse entities: Can't find end tag corresponding to start tag \"b\""
        ]
        tg.violations.clear()
        photo = await bot.send_photo(lan.id, BufferedInputFile(b"\x89PNG", "p.png"))
        assert tg.files[photo.photo[-1].file_id] == b"\x89PNG"
    assert tg.violations == []


async def test_people_send_contacts_photos_stickers_voice_locations(tg):
    lan = tg.user(1001, "Lan")
    contact = await tg.send_contact(lan, "+84912345678")
    assert contact["contact"] == {"phone_number": "+84912345678", "first_name": "Lan", "user_id": 1001}
    photo = await tg.send_photo(lan, caption="ảnh", media_group_id="g1")
    assert photo["media_group_id"] == "g1" and len(photo["photo"]) == 2
    await tg.send_sticker(lan)
    await tg.send_voice(lan)
    await tg.send_location(lan)
    _, body = await raw(tg, "getUpdates", json={})
    kinds = [
        next(k for k in u["message"] if k in ("contact", "photo", "sticker", "voice", "location"))
        for u in body["result"]
    ]
    assert kinds == ["contact", "photo", "sticker", "voice", "location"]
    transcript = tg.transcript(lan.id)
    assert "☎️ contact +84912345678" in transcript and "📷 photo — ảnh" in transcript


# --- other methods -------------------------------------------------------------------------------


async def test_commands_per_scope_and_language_and_bot_identity(tg, bot):
    tg.user(1001, "Lan")
    await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")])
    await bot.set_my_commands(
        [BotCommand(command="help", description="Help")],
        scope=BotCommandScopeChat(chat_id=1001),
        language_code="en",
    )
    assert tg.commands[("default", "")] == [{"command": "start", "description": "Bắt đầu"}]
    scoped = tg.commands[('{"chat_id": 1001, "type": "chat"}', "en")]
    assert scoped == [{"command": "help", "description": "Help"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    me = await bot.get_me()
    assert me.id == 4242 and me.is_bot
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.send_chat_action(1001, "typing") is True
    assert tg.violations == []


async def test_edits_deletes_copies_and_forwards(tg, bot):
    lan = tg.user(1001, "Lan")
    tg.group(OFFICE, "Văn phòng")
    question = await tg.send_text(lan, "Đường làng bị hỏng")
    forwarded = await bot.forward_message(OFFICE, lan.id, question["message_id"])
    assert forwarded.text == "Đường làng bị hỏng" and forwarded.chat.id == OFFICE
    copied = await bot.copy_message(OFFICE, lan.id, question["message_id"])
    assert tg.messages(OFFICE)[-1]["message_id"] == copied.message_id
    sent = await bot.send_message(lan.id, "Đang xử lý")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Đang xử lý", chat_id=lan.id, message_id=sent.message_id)
    await bot.edit_message_text("Đã xong", chat_id=lan.id, message_id=sent.message_id)
    assert await bot.delete_message(lan.id, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(lan.id, sent.message_id)
    assert tg.messages(lan.id) == []
    assert "🤖 Bot (edited) (deleted): Đã xong" in tg.transcript(lan.id)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("sửa", chat_id=lan.id, message_id=question["message_id"])
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("sửa", chat_id=lan.id, message_id=999)


async def test_wrong_token_is_unauthorized():
    async with FakeTelegram(token=TOKEN) as tg:
        status, body = await raw(tg, "getMe", token="1:other")
        assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        status, body = await raw(tg, "getMe")
        assert status == 200 and body["result"]["id"] == 4242


async def test_a_missing_spec_is_a_loud_error_not_a_silent_skip(monkeypatch, tmp_path):
    monkeypatch.setenv("DOITHOAI_TELEGRAM_API_JSON", str(tmp_path / "missing.json"))
    apispec.spec.cache_clear()
    try:
        with pytest.raises(apispec.SpecMissing, match="missing.json"):
            apispec.validate("sendMessage", {"chat_id": 1, "text": "x"})
        with pytest.raises(apispec.SpecMissing):
            await FakeTelegram().start()
        (tmp_path / "missing.json").write_text("[]")
        apispec.spec.cache_clear()
        with pytest.raises(apispec.SpecMissing, match="not a Bot API spec"):
            apispec.spec()
    finally:
        monkeypatch.delenv("DOITHOAI_TELEGRAM_API_JSON")
        apispec.spec.cache_clear()


def test_the_vendored_spec_is_the_one_in_the_repository_and_names_its_version():
    assert apispec.VENDORED_SPEC.is_file()
    assert Path(__file__).resolve().parent.parent in apispec.VENDORED_SPEC.parents
    assert apispec.spec()["version"] == "Bot API 10.1"
    assert "sendMessage" in apispec.spec()["methods"]
