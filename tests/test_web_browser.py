"""The public website in a real browser: Debian's headless Chromium, driven over the DevTools protocol
(tests/browser.py). Each page at 360 px (a cheap phone) and 1280 px wide: a screenshot into
test-artifacts/screenshots/, the content against the database, nothing wider than the screen, headings,
labels, image alternatives and text contrast; then a crawl of every link from the home page (both
languages) finding no personal data and no broken link; and a citizen typing a code into the look-up.

Without Chromium these tests skip, saying how to install it (CI installs it: .ci/run).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.clock import FixedClock
from bot.notify import sessionmaker_for
from bot.reports import metrics
from bot.settings import Settings
from bot.web import links
from bot.web.app import make_web_app
from storage.db import make_engine, upgrade
from tests import web_world
from tests.browser import Chromium, find_chromium
from tests.test_web import ZALO, StubBotApi

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("DOITHOAI_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")
WIDTHS = (360, 1280)
CHROMIUM = find_chromium()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install Debian's package (apt-get install -y chromium), "
    "or set DOITHOAI_CHROMIUM to a Chromium executable",
)

OVERFLOW = """(() => {
  const width = window.innerWidth, wide = [];
  if (document.documentElement.scrollWidth > width) wide.push('page ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5)
      wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
  }
  return wide.slice(0, 10);
})()"""

ACCESSIBILITY = """(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push('no lang');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1');
  let last = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = +h.tagName[1];
    if (last && level > last + 1)
      problems.push('heading jumps to ' + h.tagName + ': ' + h.textContent.trim());
    last = level;
  }
  for (const img of document.images) {
    if (!img.hasAttribute('alt')) problems.push('no alt: ' + img.src);
    if (!img.complete || img.naturalWidth === 0) problems.push('broken image: ' + img.src);
  }
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.type !== 'hidden' && !(field.labels && field.labels.length))
      problems.push('no label: ' + field.name);
  }
  for (const a of document.links) if (!a.textContent.trim()) problems.push('empty link: ' + a.href);
  return problems;
})()"""

CONTRAST = """(() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => { for (; el; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  let worst = 99, where = '';
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (box.width < 2 || box.right < 0 || style.visibility === 'hidden') continue;
    const a = lum(parse(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst) { worst = ratio; where = el.tagName + ': ' + node.textContent.trim().slice(0, 40); }
  }
  return [worst, where];
})()"""


@pytest.fixture
async def served(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'site.db'}")
    await upgrade(engine)
    sessionmaker = sessionmaker_for(engine)
    clock = FixedClock(web_world.START)
    seeded = await web_world.seed(sessionmaker, clock)
    settings = Settings(_env_file=None, database_url="sqlite+aiosqlite://", zalo_bot_link=ZALO, redis_url="")
    app = make_web_app(
        settings, sessionmaker, clock, cache_ttl=0, bot_username="doithoai_bot", bot_api=StubBotApi()
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server, seeded, sessionmaker, clock
    finally:
        await server.close()
        await engine.dispose()


def pages(seeded: web_world.Seeded) -> list[tuple[str, str, int]]:
    a, b = seeded.session_a, seeded.session_b
    return [
        ("home", "/", 200),
        ("home-en", "/en/", 200),
        ("session-past", links.session(a), 200),
        ("session-past-en", links.session(a, "en"), 200),
        ("session-upcoming", links.session(b), 200),
        ("question", links.question(a, seeded.codes["land"]), 200),
        ("accountability", links.accountability(), 200),
        ("accountability-en", links.accountability("en"), 200),
        ("lookup", links.lookup(), 200),
        ("lookup-found", links.lookup(code=seeded.codes["open"]), 200),
        ("lookup-unknown", links.lookup(code="TD-26-0999"), 404),
        ("poster", links.poster(b), 200),
        ("not-found", "/khong-co-trang-nay", 404),
    ]


async def test_every_page_at_360_and_1280_px_fits_reads_and_matches_the_database(served):
    server, seeded, sessionmaker, clock = served
    async with sessionmaker() as db:
        report = await metrics.for_session(db, seeded.session_a, clock.now())
        await db.commit()
    async with Chromium.launch(CHROMIUM) as browser:
        for width in WIDTHS:
            page = await browser.new_page(width)
            for name, path, status in pages(seeded):
                assert await page.goto(str(server.make_url(path))) == status, path
                await page.screenshot(SHOTS / f"{name}-{width}.png")
                assert await page.eval(OVERFLOW) == [], (path, width)
                assert await page.eval(ACCESSIBILITY) == [], (path, width)
                worst, where = await page.eval(CONTRAST)
                assert worst >= 4.5, (path, width, worst, where)
                header = await page.eval(
                    "getComputedStyle(document.querySelector('header.site')).backgroundColor"
                )
                assert header == "rgb(138, 28, 28)"  # the stylesheet is applied
                html = await page.eval("document.documentElement.outerHTML")
                for secret in seeded.secrets:
                    assert secret not in html, (path, secret)
            # the content, as read on the screen, against the database
            await page.goto(str(server.make_url(links.session(seeded.session_a))))
            text = await page.eval("document.body.innerText")
            c = report.totals
            assert f"Nhận {c.received} câu hỏi, kiến nghị; {c.cases} việc phải giải quyết" in text
            for code, question in seeded.published.items():
                assert code in text and question in text and seeded.published_answers[code] in text
            await page.goto(str(server.make_url("/")))
            text = await page.eval("document.body.innerText")
            assert text.index("Hội nghị sắp tới") < text.index("Hội nghị đối thoại quý I năm 2027")
            assert await page.eval("document.querySelector('img[src^=\"/qr/\"]').naturalWidth") > 0
    assert (SHOTS / "home-360.png").read_bytes().startswith(b"\x89PNG")
    assert len(list(SHOTS.glob("*-360.png"))) >= len(pages(seeded))


async def test_crawling_every_link_from_home_finds_no_personal_data_and_no_broken_link(served):
    server, seeded, _, _ = served
    origin = str(server.make_url("/")).rstrip("/")
    seen: dict[str, int] = {}
    async with Chromium.launch(CHROMIUM) as browser, aiohttp.ClientSession() as http:
        page = await browser.new_page(360)
        queue = [origin + "/", origin + "/en/"]
        while queue:
            url = queue.pop(0).split("#", 1)[0]
            if url in seen:
                continue
            path = urlsplit(url).path
            if path.endswith((".png", ".css", "/thong-bao-ket-luan")):
                # files, not pages (the site's Content-Security-Policy forbids a page's fetch())
                async with http.get(url) as resp:
                    seen[url] = resp.status
                assert seen[url] == 200, url
                continue
            seen[url] = await page.goto(url)
            assert seen[url] == 200, url
            html = await page.eval("document.documentElement.outerHTML")
            for secret in seeded.secrets:
                assert secret not in html, (url, secret)
            assert await page.eval(ACCESSIBILITY) == [], url
            for href in await page.eval(
                "Array.from(document.querySelectorAll('a[href], link[href], img[src]'))"
                ".map(e => e.href || e.src)"
            ):
                if href.startswith(origin) and href.split("#", 1)[0] not in seen:
                    queue.append(href)
    crawled = [urlsplit(u).path for u in seen]
    assert len(seen) >= 20
    assert links.question(seeded.session_a, seeded.codes["road"]) in crawled
    assert links.notice_file(seeded.session_a) in crawled and links.qr_session(seeded.session_b) in crawled
    assert any(p.startswith("/en/hoi-nghi/") for p in crawled) and "/en/tra-cuu" in crawled


async def test_a_citizen_types_a_tracking_code_into_the_look_up_on_a_phone(served):
    server, seeded, _, _ = served
    async with Chromium.launch(CHROMIUM) as browser:
        page = await browser.new_page(360)
        assert await page.goto(str(server.make_url(links.lookup()))) == 200
        await page.eval("document.getElementById('ma').focus()")
        await page.type(seeded.codes["late"].lower().replace("-", " "))
        assert await page.submit_by_enter() == 200
        text = await page.eval("document.body.innerText")
        assert f"Kết quả tra cứu mã {seeded.codes['late']}" in text and "Trễ hạn 6 ngày" in text
        assert await page.eval(OVERFLOW) == []
        await page.screenshot(SHOTS / "lookup-typed-360.png")
        # a private code reads exactly like an unknown one
        await page.eval("document.getElementById('ma').select()")
        await page.type(seeded.codes["withdrawn"])
        assert await page.submit_by_enter() == 404
        private = (await page.eval("document.querySelector('main').innerText")).replace(
            seeded.codes["withdrawn"], "X"
        )
        assert await page.goto(str(server.make_url(links.lookup(code="TD-26-0999")))) == 404
        unknown = (await page.eval("document.querySelector('main').innerText")).replace("TD-26-0999", "X")
        assert private == unknown
