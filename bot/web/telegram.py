"""What the website asks the Bot API, over plain aiohttp (the site never imports aiogram): the bot's
username (for the ``t.me`` links and QR codes) and the conclusion notice's file, which the office sent
to the bot and which is stored only as a Telegram file id.

Files are kept in memory once fetched (a few notices: ``MAX_FILES``), so the Bot API is asked once per
file and process. The type is read from the file's first bytes (PDF, or .docx — a ZIP), falling back to
the extension of Telegram's file path.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

MAX_FILES = 16
MAX_BYTES = 20 * 1024 * 1024  # the Bot API's own limit for getFile
TIMEOUT = aiohttp.ClientTimeout(total=30)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".doc": "application/msword",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True)
class File:
    content: bytes
    content_type: str
    extension: str


def sniff(content: bytes, path: str) -> tuple[str, str]:
    """(content type, extension) of a document."""
    if content.startswith(b"%PDF"):
        return "application/pdf", ".pdf"
    if content.startswith(b"PK\x03\x04"):
        return DOCX, ".docx"
    if content.startswith(b"\x89PNG"):
        return "image/png", ".png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg", ".jpg"
    dot = path.rfind(".")
    ext = path[dot:].lower() if dot > path.rfind("/") else ""
    return TYPES.get(ext, "application/octet-stream"), ext if ext in TYPES else ""


class BotApi:
    def __init__(self, api: str, token: str) -> None:
        self.api, self.token = api.rstrip("/"), token
        self._http: aiohttp.ClientSession | None = None
        self._files: OrderedDict[str, File] = OrderedDict()
        self._lock = asyncio.Lock()

    @property
    def usable(self) -> bool:
        return bool(self.token)

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _call(self, method: str, **params: Any) -> Any:
        async with self._session().get(f"{self.api}/bot{self.token}/{method}", params=params) as resp:
            data = await resp.json(content_type=None)
        if not data.get("ok"):
            raise RuntimeError(f"{method}: {data.get('description')}")
        return data["result"]

    async def username(self) -> str | None:
        """The bot's username, or None when the Bot API cannot be reached."""
        if not self.usable:
            return None
        try:
            return (await self._call("getMe")).get("username")
        except (aiohttp.ClientError, TimeoutError, RuntimeError, ValueError):
            log.warning("could not ask the Bot API for the bot's username", exc_info=True)
            return None

    async def file(self, file_id: str) -> File | None:
        """A file the bot received, or None when it cannot be fetched now."""
        if file_id in self._files:
            self._files.move_to_end(file_id)
            return self._files[file_id]
        if not self.usable:
            return None
        async with self._lock:  # one download at a time: a popular notice is fetched once
            if file_id in self._files:
                return self._files[file_id]
            try:
                info = await self._call("getFile", file_id=file_id)
                path = info.get("file_path") or ""
                if int(info.get("file_size") or 0) > MAX_BYTES or not path:
                    return None
                async with self._session().get(f"{self.api}/file/bot{self.token}/{path}") as resp:
                    if resp.status != 200:
                        return None
                    content = await resp.content.read(MAX_BYTES + 1)
            except (aiohttp.ClientError, TimeoutError, RuntimeError, ValueError):
                log.warning("could not fetch the file %s from the Bot API", file_id, exc_info=True)
                return None
            if len(content) > MAX_BYTES:
                return None
            content_type, ext = sniff(content, path)
            found = File(content, content_type, ext)
            self._files[file_id] = found
            while len(self._files) > MAX_FILES:
                self._files.popitem(last=False)
            return found
