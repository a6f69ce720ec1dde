"""A small driver for Debian's headless Chromium over the DevTools protocol (no extra Python package):
launch it, open a tab at a given width, navigate, read the page's HTTP status, evaluate JavaScript, type,
and take full-page screenshots.

    async with Chromium.launch(tmp_path) as browser:
        page = await browser.new_page(width=360)
        status = await page.goto("http://127.0.0.1:8080/")
        title = await page.eval("document.title")
        await page.screenshot(Path("home-360.png"))

``find_chromium()`` is None where no Chromium is installed (the browser tests then skip).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
START_TIMEOUT = 60
CALL_TIMEOUT = 30


def find_chromium() -> str | None:
    explicit = os.environ.get("DOITHOAI_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class DevToolsError(RuntimeError):
    pass


class Connection:
    """One WebSocket to the browser; calls matched to answers by id, events handed to waiters."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[dict[str, Any]]]] = []
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data:
                future = self.pending.pop(data["id"], None)
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(DevToolsError(str(data["error"])))
                    else:
                        future.set_result(data.get("result", {}))
                continue
            self.events.append(data)
            for entry in list(self.waiters):
                match, future = entry
                if not future.done() and match(data):
                    future.set_result(data)
                    self.waiters.remove(entry)

    async def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> Any:
        call_id = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[call_id] = future
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, CALL_TIMEOUT)

    def expect(self, match: Callable[[dict[str, Any]], bool]) -> asyncio.Future[dict[str, Any]]:
        """A future for the next event that matches (register it before causing the event)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters.append((match, future))
        return future


class Page:
    def __init__(self, conn: Connection, session: str, width: int, height: int) -> None:
        self.conn, self.session, self.width, self.height = conn, session, width, height

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return await self.conn.call(method, params, self.session)

    def _mine(self, method: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: e.get("sessionId") == self.session and e.get("method") == method

    async def goto(self, url: str) -> int:
        """Navigate and wait for the load event; the main document's HTTP status."""
        response = self.conn.expect(
            lambda e: self._mine("Network.responseReceived")(e) and e["params"].get("type") == "Document"
        )
        loaded = self.conn.expect(self._mine("Page.loadEventFired"))
        await self.call("Page.navigate", {"url": url})
        status = (await asyncio.wait_for(response, CALL_TIMEOUT))["params"]["response"]["status"]
        await asyncio.wait_for(loaded, CALL_TIMEOUT)
        return int(status)

    async def submit_by_enter(self) -> int:
        """Press Enter in the focused field and wait for the page it leads to."""
        response = self.conn.expect(
            lambda e: self._mine("Network.responseReceived")(e) and e["params"].get("type") == "Document"
        )
        loaded = self.conn.expect(self._mine("Page.loadEventFired"))
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
            )
        status = (await asyncio.wait_for(response, CALL_TIMEOUT))["params"]["response"]["status"]
        await asyncio.wait_for(loaded, CALL_TIMEOUT)
        return int(status)

    async def type(self, text: str) -> None:
        await self.call("Input.insertText", {"text": text})

    async def eval(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            raise DevToolsError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        """The whole page, as wide as the screen."""
        metrics = await self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = max(int(size["height"]), self.height)
        shot = await self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1},
            },
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


async def _listening(process: asyncio.subprocess.Process) -> str:
    """The DevTools address Chromium prints on its standard error when it is ready."""
    assert process.stderr is not None
    while line := await process.stderr.readline():
        text = line.decode(errors="replace").strip()
        if text.startswith("DevTools listening on "):
            return text.removeprefix("DevTools listening on ")
    raise DevToolsError(f"Chromium exited before listening (exit {await process.wait()})")


async def _drain(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    while await process.stderr.readline():
        pass


class Chromium:
    def __init__(
        self, process: asyncio.subprocess.Process, http: aiohttp.ClientSession, conn: Connection
    ) -> None:
        self.process, self.http, self.conn = process, http, conn

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(cls, executable: str) -> AsyncIterator[Chromium]:
        profile = tempfile.mkdtemp(prefix="doithoai-chromium-")
        process = await asyncio.create_subprocess_exec(
            executable,
            *FLAGS,
            f"--user-data-dir={profile}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        http = aiohttp.ClientSession()
        browser = None
        drain: asyncio.Task[None] | None = None
        try:
            ws_url = await asyncio.wait_for(_listening(process), START_TIMEOUT)
            drain = asyncio.create_task(_drain(process))  # Chromium keeps logging: the pipe must not fill
            ws = await http.ws_connect(ws_url, max_msg_size=0)
            browser = cls(process, http, Connection(ws))
            yield browser
        finally:
            if browser is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(browser.conn.call("Browser.close"), 5)
                browser.conn.reader.cancel()
                with contextlib.suppress(Exception):
                    await browser.conn.ws.close()
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            if drain is not None:
                drain.cancel()
            await http.close()
            shutil.rmtree(profile, ignore_errors=True)

    async def new_page(self, width: int, height: int = 800) -> Page:
        target = await self.conn.call("Target.createTarget", {"url": "about:blank"})
        attached = await self.conn.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self.conn, attached["sessionId"], width, height)
        await page.call("Page.enable")
        await page.call("Network.enable")
        await page.call("Runtime.enable")
        await page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        return page
