"""The bot's HTTP client for the Bot API: keep-alive HTTP/1.1 connections, one request at a time each.

aiogram's default session sends every call through aiohttp's general-purpose client (cookie jar,
redirects, tracing, a form-data object, URL parsing per call). Under load that was the largest
single cost of the bot: bench/bot_api_calls.py measures the CPU of a Bot API call through both.
This session writes the same request aiogram would (a form-urlencoded POST to the same URL) on a
kept-alive connection and reads the answer, which aiogram then parses and checks as usual
(``check_response``: the same errors, the same types).

Calls that upload a file (multipart), file downloads, and every call when a proxy is set still go
through aiohttp (the parent class).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import certifi
from aiogram import __version__ as aiogram_version
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.types import ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

# Reply markups hold no files and no bot defaults: pydantic's JSON of them is what aiogram sends.
KEYBOARDS = (InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, ForceReply)
IDLE_SECONDS = 15.0  # an unused connection is closed after this (servers drop idle ones too)
MAX_LINE = 65536


class ProtocolError(Exception):
    """The server's answer is not HTTP we understand."""


class _Dropped(Exception):
    """A reused connection was closed by the server before it answered (safe to send again)."""


@dataclass(frozen=True)
class Target:
    origin: tuple[str, str, int]  # scheme, host, port: connections are pooled per origin
    head: bytes  # "POST /bot<token>/<method> HTTP/1.1" and the fixed headers


def target_for(url: str, user_agent: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n"
        "Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    )
    return Target(origin=(parts.scheme, parts.hostname, port), head=head.encode("ascii"))


class Connection:
    """One HTTP/1.1 connection: a request is written, its whole answer read, then the next."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()

    @classmethod
    async def open(cls, origin: tuple[str, str, int], ssl_context: ssl.SSLContext | None) -> Connection:
        scheme, host, port = origin
        tls = ssl_context if scheme == "https" else None
        reader, writer = await asyncio.open_connection(host, port, ssl=tls, limit=MAX_LINE)
        return cls(reader, writer)

    def usable(self, now: float) -> bool:
        return (
            now - self.idle_since < IDLE_SECONDS
            and not self.reader.at_eof()
            and not self.writer.transport.is_closing()
        )

    def close(self) -> None:
        self.writer.close()

    async def post(self, target: Target, body: bytes, reused: bool) -> tuple[int, bytes, bool]:
        """Send one request; return (status, body, whether the connection may be used again)."""
        self.writer.write(b"%sContent-Length: %d\r\n\r\n%s" % (target.head, len(body), body))
        if self.writer.transport.get_write_buffer_size() > MAX_LINE:
            await self.writer.drain()
        version, status, headers = await self._head(reused)
        keep = version == b"HTTP/1.1"
        connection = headers.get(b"connection", b"").lower()
        if b"close" in connection:
            keep = False
        elif b"keep-alive" in connection:
            keep = True
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            content = await self._chunked()
        elif (length := headers.get(b"content-length")) is not None:
            content = await self.reader.readexactly(int(length))
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:  # the body ends when the server closes the connection
            content, keep = await self.reader.read(), False
        return status, content, keep

    async def _head(self, reused: bool) -> tuple[bytes, int, dict[bytes, bytes]]:
        """The status line and the headers, read in one go."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as cut:
            if cut.partial:
                raise ProtocolError("the answer's headers were cut off") from None
            if reused:
                raise _Dropped() from None
            raise ProtocolError("the server closed the connection without an answer") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("the answer's headers are too long") from None
        except ConnectionError:
            if reused:
                raise _Dropped() from None
            raise
        status_line, *lines = head[:-4].split(b"\r\n")
        version, status = _status(status_line)
        headers: dict[bytes, bytes] = {}
        for line in lines:
            name, sep, value = line.partition(b":")
            if not sep:
                raise ProtocolError(f"not a header line: {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        return version, status, headers

    async def _chunked(self) -> bytes:
        chunks = []
        while True:
            size_line = await self.reader.readline()
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size: {size_line[:80]!r}") from None
            if size == 0:
                while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)  # the CRLF after each chunk


def _field_values(method: TelegramMethod[Any], skip_markup: bool) -> list[tuple[str, Any]]:
    """The method's fields as ``model_dump`` would list them, but as the objects themselves (aiogram's
    ``prepare_value`` dumps nested objects): dumping the whole method first cost as much again."""
    values = [
        (name, value)
        for name in type(method).model_fields
        if (value := getattr(method, name)) is not None and not (skip_markup and name == "reply_markup")
    ]
    if method.model_extra:
        values.extend(method.model_extra.items())
    return values


def _status(line: bytes) -> tuple[bytes, int]:
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP status line: {line[:80]!r}")
    return parts[0], int(parts[1])


class KeepAliveSession(AiohttpSession):
    """An aiogram session whose Bot API calls use :class:`Connection` (see the module's doc)."""

    def __init__(self, *, limit: int = 100, ssl_context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        super().__init__(limit=limit, **kwargs)
        self._idle: dict[tuple[str, str, int], deque[Connection]] = {}
        self._slots = asyncio.Semaphore(limit)  # at most `limit` requests in flight, as aiohttp
        self._targets: dict[tuple[str, str], Target] = {}
        self._ssl = ssl_context  # by default: certifi's certificate authorities, as aiogram
        self.user_agent = f"aiogram/{aiogram_version}"

    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        return self._ssl

    def _target(self, bot: Bot, name: str) -> Target:
        key = (bot.token, name)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = target_for(self.api.api_url(bot.token, name), self.user_agent)
        return found

    def form_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The fields aiogram's own session would send, form-urlencoded; None when a file is
        attached (then the call goes multipart through aiohttp). A keyboard is serialised by pydantic
        in one step (the same JSON as aiogram's field-by-field walk, which cost as much as the rest of
        the call's encoding); tests/test_telegram_http.py compares the two."""
        files: dict[str, Any] = {}
        markup = getattr(method, "reply_markup", None)
        plain_markup = isinstance(markup, KEYBOARDS)
        fields = []
        for key, value in _field_values(method, plain_markup):
            value = self.prepare_value(value, bot=bot, files=files)
            if value:
                fields.append((key, value))
        if files:
            return None
        if plain_markup:
            fields.append(("reply_markup", markup.model_dump_json(exclude_none=True)))
        return urlencode(fields).encode("ascii")

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        body = self.form_body(bot, method) if self.proxy is None else None
        if body is None:  # a file to upload, or a proxy (aiohttp's connectors speak to proxies)
            return await super().make_request(bot, method, timeout)
        target = self._target(bot, method.__api_method__)
        try:
            async with self._slots, asyncio.timeout(self.timeout if timeout is None else timeout):
                status, content = await self._post(target, body)
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except (OSError, EOFError, ProtocolError, ValueError) as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=content.decode("utf-8", "replace")
        )
        return response.result

    async def _post(self, target: Target, body: bytes) -> tuple[int, bytes]:
        while True:
            conn = self._take_idle(target.origin)
            reused = conn is not None
            if conn is None:
                conn = await Connection.open(target.origin, self.ssl_context())
            try:
                status, content, keep = await conn.post(target, body, reused)
            except _Dropped:
                conn.close()
                continue  # the server had closed it while idle: try the next one, or a new one
            except BaseException:
                conn.close()  # cancelled or failed mid-answer: the connection's state is unknown
                raise
            if keep:
                conn.idle_since = time.monotonic()
                self._idle.setdefault(target.origin, deque()).append(conn)
            else:
                conn.close()
            return status, content

    def _take_idle(self, origin: tuple[str, str, int]) -> Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle and not idle[0].usable(now):  # the longest unused: closed once they expire
            idle.popleft().close()
        while idle:
            conn = idle.pop()  # the most recently used first: the likeliest to be alive
            if conn.usable(now):
                return conn
            conn.close()
        return None

    async def close(self) -> None:
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        await super().close()
