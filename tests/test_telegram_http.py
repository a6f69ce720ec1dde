"""The bot's keep-alive Bot API client (bot/telegram_http.py) against a scripted HTTP server on
127.0.0.1: connections are reused, every way an HTTP/1.1 answer may be framed is read, a connection
the server dropped while idle is replaced without an error, and failures become aiogram's network
errors. (Everything else, error answers, uploads, long polling, runs through the same client in
tests/test_simulator.py and every end-to-end test.)"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
from collections.abc import Callable
from urllib.parse import parse_qs, parse_qsl

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, SendDocument, SendMessage
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.channels.telegram import client as telegram_http
from bot.channels.telegram.client import KeepAliveSession

TOKEN = "4242:TEST-token"
OK_TRUE = json.dumps({"ok": True, "result": True}).encode()


def message_json(text: str) -> bytes:
    chat = {"id": 1001, "type": "private", "first_name": "Lan"}
    message = {"message_id": 7, "date": 1_700_000_000, "chat": chat, "text": text}
    return json.dumps({"ok": True, "result": message}, ensure_ascii=False).encode()


def framed(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode() + body


class ScriptedServer:
    """Reads each request whole and answers with ``script(n, request)``: raw bytes to write, or
    None to close the connection without answering. Records every request with its connection."""

    def __init__(self, script: Callable[[int, dict], bytes | None]) -> None:
        self.script = script
        self.requests: list[dict] = []
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.ssl: ssl.SSLContext | None = None

    async def __aenter__(self) -> ScriptedServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self.writers:
            writer.close()
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        self.writers.append(writer)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                request = {
                    "connection": connection,
                    "line": request_line.decode().strip(),
                    "headers": headers,
                    "fields": {k: v[0] for k, v in parse_qs(body.decode()).items()},
                }
                self.requests.append(request)
                answer = self.script(len(self.requests), request)
                if answer is None:
                    writer.close()
                    return
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return


def make_bot(url: str) -> Bot:
    return Bot(TOKEN, session=KeepAliveSession(api=TelegramAPIServer.from_base(url)))


async def test_calls_share_one_kept_alive_connection_and_send_what_aiogram_would():
    async with ScriptedServer(lambda n, r: framed(message_json(f"trả lời {n}"))) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            for i in range(3):
                sent = await bot.send_message(1001, f"Xin chào <b>{i}</b> & 😀", parse_mode="HTML")
                assert sent.text == f"trả lời {i + 1}" and sent.chat.id == 1001
        finally:
            await bot.session.close()
    assert server.connections == 1
    first = server.requests[0]
    assert first["line"] == f"POST /bot{TOKEN}/sendMessage HTTP/1.1"
    assert first["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert first["headers"]["host"] == f"127.0.0.1:{server.port}"
    assert first["fields"] == {"chat_id": "1001", "text": "Xin chào <b>0</b> & 😀", "parse_mode": "HTML"}


async def test_chunked_close_delimited_and_keep_alive_answers_are_all_read():
    body = message_json("từng khúc")
    answered_without_length = asyncio.Event()

    def script(n: int, request: dict) -> bytes | None:
        if n == 1:
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
            return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
        if n == 2:
            return framed(OK_TRUE, extra="Connection: close\r\n")
        if n == 3:  # no length: the answer ends when the server closes the connection
            answered_without_length.set()
            return b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + OK_TRUE
        return framed(OK_TRUE)

    async with ScriptedServer(script) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            assert (await bot.send_message(1001, "a")).text == "từng khúc"
            assert await bot.delete_message(1001, 1) is True
            closes = asyncio.create_task(bot.delete_message(1001, 2))
            await asyncio.wait_for(answered_without_length.wait(), 5)
            server.writers[-1].close()
            assert await asyncio.wait_for(closes, 5) is True
            assert await bot.delete_message(1001, 3) is True
        finally:
            await bot.session.close()
    # chunked: kept; "Connection: close": not; HTTP/1.0 without keep-alive: not
    assert [r["connection"] for r in server.requests] == [1, 1, 2, 3]


async def test_a_connection_the_server_dropped_while_idle_is_replaced_without_an_error():
    async with ScriptedServer(lambda n, r: framed(OK_TRUE)) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            assert await bot.delete_message(1001, 1) is True
            server.writers[0].close()  # the server closes the idle keep-alive connection
            assert await bot.delete_message(1001, 2) is True
        finally:
            await bot.session.close()
    assert [r["connection"] for r in server.requests] == [1, 2]


async def test_a_reused_connection_closed_before_the_answer_is_sent_again_on_a_new_one():
    def script(n: int, request: dict) -> bytes | None:
        return None if n == 2 else framed(OK_TRUE)  # the 2nd request: closed without an answer

    async with ScriptedServer(script) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            assert await bot.delete_message(1001, 1) is True
            assert await bot.delete_message(1001, 2) is True
        finally:
            await bot.session.close()
    assert [r["connection"] for r in server.requests] == [1, 1, 2]


async def test_no_answer_on_a_new_connection_bad_http_and_timeouts_are_network_errors():
    answers: dict[int, bytes | None] = {1: None, 2: b"SMTP ready\r\n\r\n", 4: framed(OK_TRUE)}

    def script(n: int, request: dict) -> bytes | None:
        return answers.get(n, b"")  # the 3rd: nothing written, the client waits

    async with ScriptedServer(script) as server:
        api = TelegramAPIServer.from_base(f"http://127.0.0.1:{server.port}")
        bot = Bot(TOKEN, session=KeepAliveSession(api=api, timeout=0.5))
        try:
            with pytest.raises(TelegramNetworkError, match="without an answer"):
                await bot.delete_message(1001, 1)
            with pytest.raises(TelegramNetworkError, match="not an HTTP status line"):
                await bot.delete_message(1001, 2)
            with pytest.raises(TelegramNetworkError, match="timeout"):
                await bot.delete_message(1001, 3)
            assert await bot.delete_message(1001, 4) is True  # a timed-out connection is not reused
        finally:
            await bot.session.close()
    assert [r["connection"] for r in server.requests] == [1, 2, 3, 4]


async def test_refused_connection_is_a_network_error():
    async with ScriptedServer(lambda n, r: framed(OK_TRUE)) as server:
        port = server.port
    bot = make_bot(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.delete_message(1001, 1)
    finally:
        await bot.session.close()


async def test_telegram_error_answers_keep_aiogram_exceptions_and_the_connection():
    error = json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})

    def script(n: int, request: dict) -> bytes:
        return framed(error.encode(), "400 Bad Request") if n == 1 else framed(OK_TRUE)

    async with ScriptedServer(script) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot.send_message(5, "x")
            assert await bot.delete_message(1001, 1) is True
        finally:
            await bot.session.close()
    assert server.connections == 1


async def test_idle_connections_expire(monkeypatch):
    async with ScriptedServer(lambda n, r: framed(OK_TRUE)) as server:
        bot = make_bot(f"http://127.0.0.1:{server.port}")
        try:
            assert await bot.delete_message(1001, 1) is True
            monkeypatch.setattr(telegram_http, "IDLE_SECONDS", 0.0)
            assert await bot.delete_message(1001, 2) is True
        finally:
            await bot.session.close()
    assert [r["connection"] for r in server.requests] == [1, 2]


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command for a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_https(certificate):
    cert, key = certificate
    server = ScriptedServer(lambda n, r: framed(OK_TRUE))
    server.ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.ssl.load_cert_chain(cert, key)
    async with server:
        api = TelegramAPIServer.from_base(f"https://127.0.0.1:{server.port}")
        trusting = ssl.create_default_context(cafile=str(cert))
        bot = Bot(TOKEN, session=KeepAliveSession(api=api, ssl_context=trusting))
        try:
            assert await bot.delete_message(1001, 1) is True
            assert await bot.delete_message(1001, 2) is True
        finally:
            await bot.session.close()
        untrusted = make_bot(f"https://127.0.0.1:{server.port}")  # the system's CAs: refused
        try:
            with pytest.raises(TelegramNetworkError, match="CERTIFICATE_VERIFY_FAILED"):
                await untrusted.delete_message(1001, 3)
        finally:
            await untrusted.session.close()
    assert [r["connection"] for r in server.requests] == [1, 1]


def _aiogram_fields(session: AiohttpSession, bot: Bot, method) -> dict[str, object]:
    form = session.build_form_data(bot, method)
    return {options["name"]: _json_or_text(value) for options, _headers, value in form._fields}


def _json_or_text(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(
            chat_id=1001,
            text="Ông/Bà chọn <b>lĩnh vực</b> & 😀",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [InlineKeyboardButton(text="Đất đai", callback_data="f:ab:topic:1")],
                    [InlineKeyboardButton(text="Trang web", url="https://example.org/?a=1&b=2")],
                ]
            ),
        ),
        SendMessage(
            chat_id=-100123,
            text="x",
            reply_markup=ReplyKeyboardMarkup(
                keyboard=[
                    [KeyboardButton(text="📱 Gửi số", request_contact=True)],
                    [KeyboardButton(text="Bỏ qua")],
                ],
                resize_keyboard=True,
                one_time_keyboard=True,
            ),
        ),
        SendMessage(chat_id=1, text="y", reply_markup=ReplyKeyboardRemove()),
        SendMessage(chat_id=1, text="z", reply_markup=ForceReply(input_field_placeholder="Họ tên")),
        EditMessageReplyMarkup(chat_id=1, message_id=5, reply_markup=None),
        AnswerCallbackQuery(callback_query_id="42", text="Nút này đã cũ", show_alert=False),
        SendMessage(
            chat_id=1, text="w", disable_notification=True, reply_parameters=ReplyParameters(message_id=3)
        ),
    ],
    ids=["inline", "reply-keyboard", "remove", "force-reply", "edit-markup", "answer", "no-markup"],
)
def test_the_form_holds_what_aiogram_itself_sends(method):
    bot = Bot(
        TOKEN,
        default=DefaultBotProperties(parse_mode="HTML", link_preview=LinkPreviewOptions(is_disabled=True)),
    )
    ours = KeepAliveSession(api=TelegramAPIServer.from_base("http://127.0.0.1:1"))
    fields = {key: _json_or_text(value) for key, value in parse_qsl(ours.form_body(bot, method).decode())}
    assert fields == _aiogram_fields(AiohttpSession(), bot, method)
    assert fields["chat_id" if "chat_id" in fields else "callback_query_id"]


def test_a_call_with_a_file_goes_multipart_through_aiohttp():
    bot = Bot(TOKEN)
    ours = KeepAliveSession(api=TelegramAPIServer.from_base("http://127.0.0.1:1"))
    assert ours.form_body(bot, SendDocument(chat_id=1, document=BufferedInputFile(b"%PDF", "a.pdf"))) is None
    assert ours.form_body(bot, SendDocument(chat_id=1, document="file-id-1")) is not None


async def test_with_a_proxy_every_call_goes_through_aiohttp(monkeypatch):
    session = KeepAliveSession(api=TelegramAPIServer.from_base("http://127.0.0.1:1"))
    monkeypatch.setattr(
        session, "_proxy", "socks5://127.0.0.1:1080"
    )  # what proxy= sets (needs aiohttp-socks)
    bot = Bot(TOKEN, session=session)
    seen = []

    async def through_aiohttp(self, bot, method, timeout=None):
        seen.append(method.__api_method__)
        return True

    monkeypatch.setattr(AiohttpSession, "make_request", through_aiohttp)
    try:
        assert await bot.delete_message(1001, 1) is True
    finally:
        await session.close()
    assert seen == ["deleteMessage"]
