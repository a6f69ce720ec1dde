"""Serving the website: inside the bot's process (``start_web``, as ``doithoai run`` does) and alone
(``doithoai web``, which never imports aiogram); and the page cache that keeps a busy page cheap."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import aiohttp

from bot.notify.public import bot_username, channel_id, site_url
from bot.web.app import Page, PageCache
from bot.web.server import start_web
from tests.scenario import SAMPLE_DIRECTORY, running_bot

ROOT = Path(__file__).resolve().parent.parent


async def test_the_bot_process_serves_the_site_and_records_what_its_posts_need(database_url):
    async with running_bot(
        database_url, web_port=0, public_channel_id=-1001777000001, public_url="https://xa.example.vn/"
    ) as world:
        handles = await start_web(world.app)
        try:
            assert len(handles) == 1 and handles[0].port > 0
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{handles[0].port}/") as resp,
            ):
                html = await resp.text()
            assert resp.status == 200 and "Hội nghị đối thoại quý IV" in html
            assert "https://t.me/doithoai_bot?start=s1" in html  # the username came from getMe
            async with world.app.sessionmaker() as db:
                assert await bot_username(db) == "doithoai_bot"
                assert await channel_id(db) == -1001777000001
                assert await site_url(db) == "https://xa.example.vn"
                await db.commit()
        finally:
            for handle in handles:
                await handle.stop()


async def test_without_a_port_the_bot_serves_no_site_but_still_records_the_settings(database_url):
    async with running_bot(database_url, public_url="https://xa.example.vn") as world:
        assert await start_web(world.app) == []
        async with world.app.sessionmaker() as db:
            assert await site_url(db) == "https://xa.example.vn" and await channel_id(db) is None
            await db.commit()


PROBE = """
import sys
from bot.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "aiogram" or m.startswith("aiogram."))
print("AIOGRAM:", len(loaded), loaded[:3], flush=True)
raise SystemExit(code)
"""


async def test_doithoai_web_serves_the_site_alone_without_aiogram(tmp_path):
    env = {
        **os.environ,
        "DOITHOAI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'site.db'}",
        "DOITHOAI_BOT_TOKEN": "",
        "PYTHONPATH": str(ROOT),
    }
    load = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "directory", "load", str(SAMPLE_DIRECTORY), cwd=tmp_path, env=env
    )
    assert await load.wait() == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBE,
        "web",
        "--port",
        "0",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line.startswith("public website on http://127.0.0.1:"), line
        url = line.split()[3]
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:
                html = await resp.text()
            assert (
                resp.status == 200
                and "UBND xã Thạch Đài" in html
                and "Chưa có hội nghị nào sắp diễn ra" in html
            )
            async with http.get(url + "giai-trinh") as resp:
                assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert "AIOGRAM: 0 []" in out.decode()


async def test_a_busy_page_is_built_once_and_a_stale_one_is_served_while_the_next_is_built():
    cache = PageCache(ttl=60)
    built = 0
    started, release = asyncio.Event(), asyncio.Event()

    async def build() -> Page:
        nonlocal built
        built += 1
        started.set()
        await release.wait()
        return Page(f"page {built}".encode())

    waiting = [asyncio.create_task(cache.get("home", build)) for _ in range(5)]
    await started.wait()  # the first asked and is building; the four others asked before this resumes
    release.set()
    pages = await asyncio.gather(*waiting)
    assert built == 1 and {p.body for p in pages} == {b"page 1"}
    # stale: the old page at once, one rebuild in the background
    pages[0].fresh_until = time.monotonic() - 1
    started.clear()
    release.clear()
    stale = await cache.get("home", build)
    assert stale.body == b"page 1"
    await started.wait()
    assert (await cache.get("home", build)).body == b"page 1" and built == 2  # still building: stale again
    release.set()
    await asyncio.gather(*cache._tasks)
    assert (await cache.get("home", build)).body == b"page 2" and built == 2
    # an error page is never kept
    errors = PageCache(ttl=60)

    async def missing() -> Page:
        return Page(b"not found", status=404)

    await errors.get("x", missing)
    assert errors._pages == {}
