"""The public website over HTTP (aiohttp's test client; the browser tests are in test_web_browser.py):
what each page shows against the database, what it must never show, and the manners of the web —
status codes, cache headers, ETags, gzip, sitemap, robots, Open Graph, page weight."""

from __future__ import annotations

import gzip
import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FixedClock
from bot.domain import publication
from bot.reports import metrics
from bot.settings import Settings
from bot.web import links
from bot.web.app import make_web_app
from bot.web.telegram import BotApi, File
from tests import web_world

ZALO = "https://zalo.me/1234567890"
PAGE_LIMIT = 100 * 1024


class StubBotApi(BotApi):
    """The Bot API's answers for the conclusion notice's file, without a server."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", "")

    async def file(self, file_id: str) -> File | None:
        return (
            File(web_world.NOTICE_PDF, "application/pdf", ".pdf")
            if file_id == web_world.NOTICE_FILE
            else None
        )


def web_settings(database_url: str, **kw) -> Settings:
    return Settings(_env_file=None, database_url=database_url, zalo_bot_link=ZALO, redis_url="", **kw)


@pytest.fixture
async def site(database_url, sessionmaker):
    clock = FixedClock(web_world.START)
    seeded = await web_world.seed(sessionmaker, clock)
    app = make_web_app(
        web_settings(database_url),
        sessionmaker,
        clock,
        cache_ttl=0,
        bot_username="doithoai_bot",
        bot_api=StubBotApi(),
    )
    async with TestClient(TestServer(app)) as client:
        yield client, seeded, sessionmaker, clock


async def get(client: TestClient, path: str, **kw) -> tuple[int, str, dict]:
    resp = await client.get(path, allow_redirects=False, **kw)
    body = await resp.read()
    return resp.status, body.decode("utf-8", "replace"), resp.headers


def visible_text(html: str) -> str:
    """The page's text as a reader sees it (tags dropped, spaces collapsed)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'").split())


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (
                (tag == "a" and name == "href") or (tag in ("img", "link") and name in ("src", "href"))
            ):
                self.found.append(value)


def links_in(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


# --- pages against the database ----------------------------------------------------------------------------


async def test_home_shows_the_next_session_how_to_ask_and_the_last_answers(site):
    client, seeded, _, _ = site
    status, html, headers = await get(client, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    text = visible_text(html)
    upcoming = text.index("Hội nghị sắp tới")
    assert upcoming < text.index("Hội nghị đối thoại quý I năm 2027") < text.index("Cách gửi câu hỏi")
    assert "12/03/2027" in text and "Nhà văn hóa thôn 2" in text and "Đang nhận câu hỏi" in text
    assert "Lĩnh vực nhận câu hỏi Đất đai, Xây dựng, giao thông nông thôn" in text  # the directory's topics
    assert f'href="https://t.me/doithoai_bot?start=s{seeded.session_b}"' in html
    assert f'href="{ZALO}"' in html
    assert f'src="/qr/hoi-nghi-{seeded.session_b}.png"' in html
    # what was answered at the last session, and a way to all of it
    assert "Hội nghị gần nhất đã trả lời những gì" in text
    for code in seeded.published:
        assert code in text
    assert f'href="/hoi-nghi/{seeded.session_a}#answers"' in html
    assert "Bản nháp chưa công bố" not in html  # a draft is not public
    assert '<html lang="vi">' in html and "<h1>" in html


async def test_session_page_matches_the_figures_and_shows_only_what_was_published(site):
    client, seeded, sessionmaker, clock = site
    status, html, _ = await get(client, links.session(seeded.session_a))
    assert status == 200
    text = visible_text(html)
    async with sessionmaker() as db:
        report = await metrics.for_session(db, seeded.session_a, clock.now())
        await db.commit()
    c = report.totals
    assert f"Nhận {c.received} câu hỏi, kiến nghị; {c.cases} việc phải giải quyết" in text
    assert (c.received, c.cases, c.answered_at_session, c.responded_late, c.forwarded, c.overdue) == (
        10,
        7,
        2,
        1,
        1,
        1,
    )
    assert "Trả lời ngay tại hội nghị 2" in text and "Trả lời bằng văn bản, trễ hạn 1" in text
    assert "Đang giải quyết, đã quá hạn 1" in text
    for group in report.by_topic:
        name = str(group.name) if group.name else "Chưa phân loại"
        assert f"{name} {group.counts.received} {group.counts.settled} {group.counts.open}" in text
    # deadlines, the notice and its file
    assert "hạn 14/12/2026; ban hành ngày 05/12/2026, đúng hạn" in text
    assert "hạn 18/01/2027" in text
    assert (
        "Kết luận của Chủ tịch UBND xã" in text
        and f'href="/hoi-nghi/{seeded.session_a}/thong-bao-ket-luan"' in html
    )
    # the published questions, as published; names only where allowed
    assert "Câu hỏi và câu trả lời đã công khai (3)" in text
    for code, question in seeded.published.items():
        assert question in text and seeded.published_answers[code] in text
    for code, name in seeded.public_names.items():
        assert f"{code} · " in text and f"Người hỏi: {name}" in text
    assert "Người hỏi không nêu tên" in text
    for secret in seeded.secrets:
        assert secret not in html, secret


async def test_a_published_question_has_its_own_page_and_nothing_else_does(site):
    client, seeded, _, _ = site
    land = seeded.codes["land"]
    status, html, _ = await get(client, links.question(seeded.session_a, land))
    assert status == 200
    assert seeded.published[land] in visible_text(html) and "Lê Văn Lộ" not in html
    for name in ("open", "late", "dup", "deleted", "withdrawn"):
        status, html, _ = await get(client, links.question(seeded.session_a, seeded.codes[name]))
        assert status == 404 and "Không tìm thấy trang" in html, name
    status, _, _ = await get(client, links.question(seeded.session_b, land))  # another session's address
    assert status == 404
    status, _, _ = await get(
        client, f"/hoi-nghi/{seeded.session_a}/cau-hoi/td-26-0001"
    )  # not the code's form
    assert status == 404


async def test_the_office_unpublishing_takes_a_question_off_the_site(site):
    client, seeded, sessionmaker, clock = site
    road = seeded.codes["road"]
    async with sessionmaker() as db:
        sub = await publication.unpublish(db, (await _sub_id(db, road)), web_world.OFFICE, clock.now())
        await db.commit()
    _, html, _ = await get(client, links.session(seeded.session_a))
    assert road not in visible_text(html).split("Câu hỏi và câu trả lời đã công khai")[1]
    assert "Câu hỏi và câu trả lời đã công khai (2)" in visible_text(html)
    status, _, _ = await get(client, links.question(seeded.session_a, road))
    assert status == 404 and sub.published_at is None


async def _sub_id(db, code: str) -> int:
    from sqlalchemy import select

    from storage.models import Submission

    return await db.scalar(select(Submission.id).where(Submission.code == code))


async def test_accountability_per_department_matches_the_figures(site):
    client, seeded, sessionmaker, clock = site
    status, html, _ = await get(client, links.accountability())
    assert status == 200
    text = visible_text(html)
    from bot.i18n import local_date
    from bot.notify.public import last_twelve_months

    async with sessionmaker() as db:
        report = await metrics.for_period(db, last_twelve_months(local_date(clock.now())), clock.now())
        await db.commit()
    land = next(g for g in report.by_department if g.name and g.name.vi.startswith("Địa chính"))
    c = land.counts
    assert (c.received, c.on_time, c.late, c.overdue) == (7, 3, 1, 1)  # the forwarded one is not judged
    section = text.split("Địa chính – Xây dựng", 1)[1]
    assert section.startswith(
        f" Câu hỏi nhận được {c.received} Trả lời đúng hạn {c.on_time} (60,0%) Trả lời trễ hạn {c.late} "
        f"Quá hạn, chưa trả lời {c.overdue}"
    )
    assert (
        f"Số ngày làm việc trung bình để trả lời {c.avg_working_days_to_respond:.1f}".replace(".", ",")
        in section
    )
    assert f"{seeded.codes['open']}: hạn 18/01/2027, quá 35 ngày" in section  # overdue: codes only
    whole = report.totals
    rate = f"{100 * whole.on_time / whole.judged:.1f}".replace(".", ",")
    assert f"Tỉ lệ trả lời đúng hạn của cả đơn vị {rate}%" in text
    assert "12/2026" in text
    # another period, and a period that is not one
    status, html, _ = await get(client, links.accountability() + "?ky=2026")
    assert status == 200 and "Các hội nghị từ 01/01/2026 đến 31/12/2026" in visible_text(html)
    status, html, _ = await get(client, links.accountability() + "?ky=2026H3")
    assert status == 400 and "Không hiểu kỳ báo cáo" in visible_text(html)
    for secret in seeded.secrets:
        assert secret not in html


async def test_look_up_shows_state_and_due_dates_and_private_codes_answer_like_unknown_ones(site):
    client, seeded, _, _ = site
    code = seeded.codes["open"]
    status, html, headers = await get(client, links.lookup(code=code))
    assert status == 200 and headers["Cache-Control"] == "no-store"
    text = visible_text(html)
    assert "Đang chờ trả lời bằng văn bản" in text and "Hạn trả lời bằng văn bản 18/01/2027" in text
    assert "Đã quá hạn 35 ngày" in text and "Địa chính – Xây dựng" in text
    assert "câu hỏi kín 5" not in html and "Xóm Kín 5" not in html
    # typed as people type it
    status, html, _ = await get(client, links.lookup(code=code.lower().replace("-", " ")))
    assert status == 200 and code in html
    # a merged duplicate points to the question that carries the answer
    _, html, _ = await get(client, links.lookup(code=seeded.codes["dup"]))
    assert f"Gộp với câu hỏi {seeded.codes['road']}" in visible_text(html)
    # a forwarded question names the authority
    _, html, _ = await get(client, links.lookup(code=seeded.codes["forwarded"]))
    assert "Đã chuyển tới UBND huyện Thạch Hà" in visible_text(html)

    def answer_for(body: str, typed: str) -> str:
        return visible_text(body).replace(typed, "CODE")

    unknown = "TD-26-0999"
    status, unknown_html, _ = await get(client, links.lookup(code=unknown))
    assert status == 404 and "Không tìm thấy câu hỏi có mã TD-26-0999" in visible_text(unknown_html)
    for private in seeded.private_codes:
        status, html, _ = await get(client, links.lookup(code=private))
        assert status == 404
        assert answer_for(html, private) == answer_for(unknown_html, unknown), private
    status, html, _ = await get(client, links.lookup(code="xin chào"))
    assert status == 400 and "không phải mã theo dõi" in visible_text(html)


async def test_english_pages_and_language_redirects(site):
    client, seeded, _, _ = site
    status, html, headers = await get(client, links.session(seeded.session_a, "en"))
    assert status == 200 and '<html lang="en">' in html and headers["Content-Language"] == "en"
    text = visible_text(html)
    assert "Announcement" in text and "Published questions and answers (3)" in text
    assert 'hreflang="vi"' in html and f'href="/hoi-nghi/{seeded.session_a}"' in html
    status, _, headers = await get(client, f"/hoi-nghi/{seeded.session_a}?lang=en")
    assert status == 301 and headers["Location"] == f"/en/hoi-nghi/{seeded.session_a}"
    status, _, headers = await get(client, "/en/giai-trinh?lang=vi&ky=2026")
    assert status == 301 and headers["Location"] == "/giai-trinh?ky=2026"
    status, _, headers = await get(client, "/en")
    assert status == 301 and headers["Location"] == "/en/"
    _, html, _ = await get(client, "/en/")
    text = visible_text(html)
    assert "Upcoming sessions" in text and "Answered by: Land administration and construction" in text


# --- manners -------------------------------------------------------------------------------------------


async def test_status_codes_cache_headers_etags_and_gzip(site):
    client, seeded, _, _ = site
    status, _, headers = await get(client, "/")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=60"
    assert (
        headers["X-Content-Type-Options"] == "nosniff"
        and "default-src 'none'" in headers["Content-Security-Policy"]
    )
    etag = headers["ETag"]
    status, body, headers = await get(client, "/", headers={"If-None-Match": etag})
    assert status == 304 and body == ""
    resp = await client.get("/", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    raw = await resp.read()
    assert resp.headers["Content-Encoding"] == "gzip" and b"<!doctype html>" in gzip.decompress(raw)
    for path in (
        f"/hoi-nghi/{seeded.session_c}",  # a draft
        "/hoi-nghi/999",
        f"/hoi-nghi/{seeded.session_a}?trang=9",
        f"/hoi-nghi/{seeded.session_a}?trang=x",
        "/khong-co",
        f"/qr/hoi-nghi-{seeded.session_c}.png",
        f"/hoi-nghi/{seeded.session_b}/thong-bao-ket-luan",  # no notice yet
    ):
        status, html, headers = await get(client, path)
        assert status == 404, path
        if path.startswith("/hoi-nghi") and "qr" not in path and "thong-bao" not in path:
            assert "Không tìm thấy trang" in html and 'name="robots" content="noindex"' in html
    resp = await client.post("/")
    assert resp.status == 405
    resp = await client.head(links.session(seeded.session_a))
    assert resp.status == 200
    status, css, headers = await get(
        client, "/static/site.css?v=" + re.search(r"site\.css\?v=(\w+)", html).group(1)
    )
    assert status == 200 and "immutable" in headers["Cache-Control"] and "box-sizing" in css
    resp = await client.get(f"/qr/hoi-nghi-{seeded.session_b}.png")
    png = await resp.read()
    assert (
        resp.status == 200
        and png.startswith(b"\x89PNG")
        and resp.headers["Cache-Control"] == "public, max-age=86400"
    )
    resp = await client.get("/qr/zalo.png")
    assert resp.status == 200 and (await resp.read()).startswith(b"\x89PNG")
    resp = await client.get(links.notice_file(seeded.session_a))
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert (await resp.read()) == web_world.NOTICE_PDF
    assert 'filename="thong-bao-ket-luan-hoi-nghi-' in resp.headers["Content-Disposition"]


async def test_sitemap_robots_and_open_graph(site):
    client, seeded, _, _ = site
    status, xml, headers = await get(client, "/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    base = str(client.make_url("")).rstrip("/")
    assert f"<loc>{base}/hoi-nghi/{seeded.session_a}</loc>" in xml
    assert f"<loc>{base}/en/hoi-nghi/{seeded.session_b}</loc>" in xml
    for code in seeded.published:
        assert f"/hoi-nghi/{seeded.session_a}/cau-hoi/{code}</loc>" in xml
    for hidden in (f"/hoi-nghi/{seeded.session_c}<", seeded.codes["open"], seeded.codes["deleted"]):
        assert hidden not in xml
    status, robots, _ = await get(client, "/robots.txt")
    assert status == 200 and "Disallow: /tra-cuu" in robots and f"Sitemap: {base}/sitemap.xml" in robots
    _, html, _ = await get(client, links.session(seeded.session_a))
    assert '<meta property="og:title" content="Hội nghị đối thoại cuối năm 2026">' in html
    assert f'<meta property="og:url" content="{base}/hoi-nghi/{seeded.session_a}">' in html
    assert '<meta property="og:description" content="Hội nghị đối thoại 09:00 03/12/2026' in html
    image = f"{base}/og/hoi-nghi-{seeded.session_a}.png"
    assert f'<meta property="og:image" content="{image}">' in html
    resp = await client.get(image.removeprefix(base))
    png = await resp.read()
    assert resp.status == 200 and resp.headers["Content-Type"] == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (1200, 630)
    _, html, _ = await get(client, "/en/giai-trinh")
    assert f'<meta property="og:image" content="{base}/og/trang-chu.png">' in html
    assert (await client.get("/og/trang-chu.png")).status == 200
    assert (await client.get(f"/og/hoi-nghi-{seeded.session_c}.png")).status == 404  # a draft


async def test_public_url_makes_absolute_links(database_url, sessionmaker):
    clock = FixedClock(web_world.START)
    seeded = await web_world.seed(sessionmaker, clock)
    settings = web_settings(database_url, public_url="https://doithoai.thachdai.gov.vn/")
    app = make_web_app(settings, sessionmaker, clock, cache_ttl=0, bot_username="doithoai_bot")
    async with TestClient(TestServer(app)) as client:
        _, html, _ = await get(client, links.session(seeded.session_b))
        assert (
            f'<link rel="canonical" href="https://doithoai.thachdai.gov.vn/hoi-nghi/{seeded.session_b}">'
            in html
        )
        _, xml, _ = await get(client, "/sitemap.xml")
        assert "<loc>https://doithoai.thachdai.gov.vn/</loc>" in xml


async def test_every_page_is_under_100_kb_even_with_many_long_answers(site):
    client, seeded, sessionmaker, clock = site
    await web_world.publish_many(sessionmaker, clock, seeded.session_b, 45, length=2900)
    first = links.session(seeded.session_b)
    status, html, _ = await get(client, first)
    assert status == 200 and len(html.encode()) < PAGE_LIMIT
    assert "Trang 1/3" in visible_text(html) and 'rel="next"' in html
    status, html, _ = await get(client, links.session(seeded.session_b, page=3))
    assert status == 200 and "Trang 3/3" in visible_text(html) and len(html.encode()) < PAGE_LIMIT
    read_more = [href for href in links_in(html) if "/cau-hoi/" in href]
    status, full, _ = await get(client, read_more[0])
    assert status == 200 and len(full.encode()) < PAGE_LIMIT and "Đọc toàn văn" in html


# --- the independent check: every link from the home page, in both languages -------------------------------


async def test_crawl_every_link_finds_no_personal_data_and_no_broken_link(site):
    client, seeded, _, _ = site
    seen: dict[str, int] = {}
    queue = ["/", "/en/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        resp = await client.get(path, allow_redirects=False)
        body = await resp.read()
        seen[path] = resp.status
        assert resp.status == 200, (path, resp.status)
        if not resp.headers["Content-Type"].startswith("text/html"):
            continue
        html = body.decode()
        for secret in seeded.secrets:
            assert secret not in html, (path, secret)
        for href in links_in(html):
            url = urlsplit(urljoin("http://site" + path, href))
            if url.netloc != "site":
                continue
            queue.append(url.path + (f"?{url.query}" if url.query else ""))
    assert len(seen) > 20
    assert links.question(seeded.session_a, seeded.codes["land"]) in seen
    assert any(p.startswith("/en/tra-cuu?ma=") for p in seen) and "/static/site.css" in "".join(seen)


async def test_a_units_poster_qr_code_opens_the_bot_with_that_commune(database_url, sessionmaker):
    """/qr/don-vi-<CODE>.png: the QR code of t.me/<bot>?start=u_<CODE> (a unit of the directory's only)."""
    from bot.domain.directory import apply, parse
    from bot.web.app import qr_png
    from tests.test_units import PROVINCE_FILE

    async with sessionmaker() as db:
        await apply(db, parse(PROVINCE_FILE.read_text(encoding="utf-8")), web_world.START)
        await db.commit()
    app = make_web_app(
        web_settings(database_url),
        sessionmaker,
        FixedClock(web_world.START),
        cache_ttl=0,
        bot_username="doithoai_bot",
        bot_api=StubBotApi(),
    )
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/qr/don-vi-td.png")
        assert resp.status == 200
        assert await resp.read() == qr_png("https://t.me/doithoai_bot?start=u_TD")
        resp = await client.get("/qr/don-vi-XYZ.png")
        assert resp.status == 404
