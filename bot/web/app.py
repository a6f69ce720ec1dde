"""The public website as an aiohttp application: ``make_web_app(settings, sessionmaker, clock)``.

Pages (Vietnamese at the root, English under ``/en``; ``?lang=en`` redirects there):

    /                                   home: upcoming sessions, how to ask (links, QR), the last answers
    /hoi-nghi/<id>[?trang=N]            a session: announcement, deadlines, counts, notice, published answers
    /hoi-nghi/<id>/cau-hoi/<code>       one published question and its answer, in full
    /hoi-nghi/<id>/in                   a printable notice with the QR codes
    /giai-trinh[?ky=2026]               on time or late, per department; the unit's rate by month
    /tra-cuu[?ma=CODE]                  a tracking code's state and due dates (nothing personal)
    /hoi-nghi/<id>/thong-bao-ket-luan   the conclusion notice's file (.docx / PDF)
    /qr/hoi-nghi-<id>.png, /qr/don-vi-<CODE>.png (a unit's poster), /qr/telegram.png, /qr/zalo.png
    /sitemap.xml, /robots.txt, /static/site.css

Manners: 404 for what does not exist or is not public (a draft session, an unpublished question), 400
for a malformed code or period, 301 for ``?lang=``; ``Cache-Control`` on everything, weak ETags and
304s, gzip for clients that accept it; pages stay under 100 KB (answers are paginated and clipped, the
full text is on each question's page). Rendered pages are kept ``cache_ttl`` seconds and then served
while a fresh copy is built (one build at a time per page), so a published answer shows within that
time and a busy page costs one database read per ``cache_ttl``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import io
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.clock import Clock
from bot.domain import units
from bot.domain.codes import normalize_code
from bot.i18n import local_date, use_locale
from bot.reports.periods import PeriodError, parse_period
from bot.web import data, links
from bot.web import texts as t
from bot.web.telegram import BotApi

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PER_PAGE = 20
USERNAME_RETRY = 300.0
HTML = "text/html; charset=utf-8"
PAGE_CACHE = "public, max-age=60"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}
CSS = HERE / "static" / "site.css"

SESSIONMAKER = web.AppKey("sessionmaker", async_sessionmaker)
SITE = web.AppKey("site", object)


# --- rendered pages, kept for a while -------------------------------------------------------------------


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = HTML
    cache_control: str = PAGE_CACHE
    headers: dict[str, str] = field(default_factory=dict)
    gz: bytes | None = None
    etag: str = ""
    fresh_until: float = 0.0

    def __post_init__(self) -> None:
        self.etag = f'W/"{hashlib.blake2b(self.body, digest_size=12).hexdigest()}"'
        if len(self.body) > 1024 and self.content_type.startswith(("text/", "application/xml")):
            self.gz = gzip.compress(self.body, 6)
        base = {
            "Content-Type": self.content_type,
            "Cache-Control": self.cache_control,
            "ETag": self.etag,
            **SECURITY_HEADERS,
            **self.headers,
        }
        if self.gz is not None:
            base["Vary"] = "Accept-Encoding"
        self._plain = base
        self._gzip = {**base, "Content-Encoding": "gzip"}

    def response(self, request: web.Request) -> web.Response:
        inm = request.headers.get("If-None-Match")
        if inm and self.status == 200 and self.etag in (v.strip() for v in inm.split(",")):
            return web.Response(
                status=304, headers={k: v for k, v in self._plain.items() if k != "Content-Type"}
            )
        if self.gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(status=self.status, body=self.gz, headers=self._gzip)
        return web.Response(status=self.status, body=self.body, headers=self._plain)


class PageCache:
    """Rendered pages by key, fresh for ``ttl`` seconds; after that the stale copy is served while one
    task builds the next (up to ``STALE_FACTOR`` × ``ttl``, beyond which callers wait for it)."""

    STALE_FACTOR = 20

    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._pages: OrderedDict[Any, Page] = OrderedDict()
        self._building: dict[Any, asyncio.Future[Page]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def clear(self) -> None:
        self._pages.clear()

    async def get(self, key: Any, build: Callable[[], Awaitable[Page]]) -> Page:
        if self.ttl <= 0:
            return await build()
        now = time.monotonic()
        page = self._pages.get(key)
        if page is not None:
            if page.fresh_until > now:
                return page
            if page.fresh_until + self.ttl * self.STALE_FACTOR > now:
                if key not in self._building:
                    self._start(key, build)
                return page
        pending = self._building.get(key) or self._start(key, build)
        return await asyncio.shield(pending)

    def _start(self, key: Any, build: Callable[[], Awaitable[Page]]) -> asyncio.Future[Page]:
        """Build the page once in a task of its own; every caller meanwhile waits for the same one."""
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        task = asyncio.ensure_future(self._build(key, build, future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return future

    async def _build(
        self, key: Any, build: Callable[[], Awaitable[Page]], future: asyncio.Future[Page]
    ) -> None:
        try:
            page = await build()
        except Exception as exc:
            log.exception("the website could not build %r", key)  # a stale copy, if any, is served meanwhile
            future.set_exception(exc)
            future.exception()  # retrieved here: the callers waiting re-raise it
            return
        except BaseException:  # cancelled (the server stopping): the callers waiting are cancelled too
            future.cancel()
            raise
        finally:
            self._building.pop(key, None)
        if page.status == 200:
            page.fresh_until = time.monotonic() + self.ttl
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)
        future.set_result(page)


# --- the site ------------------------------------------------------------------------------------------


class Site:
    def __init__(
        self,
        settings: Any,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        cache_ttl: float,
        bot_username: str | None,
        bot_api: BotApi | None,
    ) -> None:
        self.settings, self.sessionmaker, self.clock = settings, sessionmaker, clock
        self.cache = PageCache(cache_ttl)
        self.bot_username = (bot_username or "").lstrip("@") or None
        self._username_retry_at = 0.0
        self.bot_api = bot_api or BotApi(settings.telegram_api, settings.bot_token)
        self.zalo = settings.zalo_bot_link or None
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(("html", "xml")),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(t=t, links=links)
        self.css = CSS.read_bytes()
        self.css_version = hashlib.blake2b(self.css, digest_size=6).hexdigest()
        self.qr_cache: OrderedDict[str, bytes] = OrderedDict()
        self.card_cache: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    # the bot's username: given, stored by `doithoai run` (app_config), or asked of the Bot API
    async def resolve_username(self) -> None:
        """At start, and again at most every ``USERNAME_RETRY`` seconds while unknown (Telegram may be
        unreachable when the site starts): the ``t.me`` links and QR codes need it."""
        if self.bot_username or time.monotonic() < self._username_retry_at:
            return
        self._username_retry_at = time.monotonic() + USERNAME_RETRY
        from bot.notify.public import bot_username

        async with self.sessionmaker() as db:
            stored = await bot_username(db)
            await db.commit()
        self.bot_username = stored or await self.bot_api.username()

    def base_url(self, request: web.Request) -> str:
        return (self.settings.public_url or f"{request.scheme}://{request.host}").rstrip("/")

    async def read(self, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """One short read transaction (on SQLite every transaction holds the write lock)."""
        async with self.sessionmaker() as db:
            try:
                return await fn(db)
            finally:
                await db.commit()

    def html(
        self,
        request: web.Request,
        lang: str,
        template: str,
        *,
        title: str,
        description: str,
        unit: str,
        section: str = "",
        status: int = 200,
        cache_control: str = PAGE_CACHE,
        noindex: bool = False,
        og_session: int | None = None,
        **context: Any,
    ) -> Page:
        path = request.path
        base = self.base_url(request)
        vi_path = links.other_language(path, "en") if lang == "en" else path
        en_path = path if lang == "en" else links.other_language(path, "vi")
        query = f"?{request.query_string}" if request.query_string and not noindex else ""
        with use_locale(lang):
            body = self.env.get_template(template).render(
                lang=lang,
                title=title,
                description=description,
                unit=unit or t.site_name(),
                section=section,
                canonical=links.absolute(base, path + query),
                alternates={
                    "vi": links.absolute(base, vi_path + query),
                    "en": links.absolute(base, en_path + query),
                },
                other_language_path=(en_path if lang == "vi" else vi_path) + query,
                stylesheet=links.stylesheet(self.css_version),
                now=self.clock.now(),
                today=local_date(self.clock.now()),
                noindex=noindex,
                og_image=links.absolute(base, links.og_image(og_session)),
                telegram=self.bot_username,
                zalo=self.zalo,
                **context,
            )
        return Page(
            body.encode(),
            status=status,
            cache_control=cache_control,
            headers={"Content-Language": lang},
        )

    def error(self, request: web.Request, status: int, message: str | None = None) -> Page:
        lang = "en" if request.path == "/en" or request.path.startswith("/en/") else "vi"
        with use_locale(lang):
            if status == 404:
                title, text = t.not_found_title(), t.not_found_text()
            elif status == 400:
                title, text = t.bad_request_title(), message or t.not_found_text()
            else:
                title, text = t.error_title(), t.error_text()
        return self.html(
            request,
            lang,
            "error.html",
            title=title,
            description=text,
            unit="",
            status=status,
            cache_control="no-store" if status >= 500 else "public, max-age=30",
            noindex=True,
            message=text,
        )


def _site(request: web.Request) -> Site:
    return request.app[SITE]  # type: ignore[return-value]


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    return int(value) if value.isdigit() and len(value) < 9 else None


# --- handlers ------------------------------------------------------------------------------------------


async def home(request: web.Request, lang: str) -> web.Response:
    site = _site(request)
    await site.resolve_username()

    async def build() -> Page:
        home_data = await site.read(lambda db: data.home(db, site.clock.now()))
        with use_locale(lang):
            unit = t.name(home_data.unit)
            title, description = t.home_title(), t.home_description(unit)
        return site.html(
            request,
            lang,
            "home.html",
            title=title,
            description=description,
            unit=unit,
            section="home",
            data=home_data,
        )

    page = await site.cache.get(("home", lang, site.base_url(request)), build)
    return page.response(request)


async def session_page(request: web.Request, lang: str) -> web.Response:
    site = _site(request)
    await site.resolve_username()
    sid = _int(request.match_info["sid"])
    number = _int(request.query.get("trang"), 1)
    if sid is None or number is None:
        raise web.HTTPNotFound()

    async def build() -> Page:
        found = await site.read(lambda db: data.session_page(db, sid, site.clock.now(), number, PER_PAGE))
        if found is None:
            return site.error(request, 404)
        with use_locale(lang):
            unit = t.name(found.unit)
            description = t.session_description(found.session)
        return site.html(
            request,
            lang,
            "session.html",
            title=found.session.title,
            description=description,
            unit=unit,
            data=found,
            og_session=sid,
        )

    page = await site.cache.get(("session", sid, number, lang, site.base_url(request)), build)
    return page.response(request)


async def question_page(request: web.Request, lang: str) -> web.Response:
    site = _site(request)
    sid = _int(request.match_info["sid"])
    code = normalize_code(request.match_info["code"])
    if sid is None or code is None or code != request.match_info["code"]:
        raise web.HTTPNotFound()

    async def build() -> Page:
        async def load(db: AsyncSession) -> Any:
            view = await data.public_session(db, sid, site.clock.now())
            item = await data.published_item(db, sid, code) if view is not None else None
            return view, item, await data.unit_name(db)

        view, item, unit_name = await site.read(load)
        if item is None:
            return site.error(request, 404)
        with use_locale(lang):
            unit = t.name(unit_name)
            title = t.question_title(code)
        description = item.question[:160]
        return site.html(
            request,
            lang,
            "question.html",
            title=title,
            description=description,
            unit=unit,
            session=view,
            item=item,
            og_session=sid,
        )

    page = await site.cache.get(("question", sid, code, lang, site.base_url(request)), build)
    return page.response(request)


async def poster(request: web.Request, lang: str) -> web.Response:
    site = _site(request)
    await site.resolve_username()
    sid = _int(request.match_info["sid"])
    if sid is None:
        raise web.HTTPNotFound()

    async def build() -> Page:
        async def load(db: AsyncSession) -> Any:
            return await data.public_session(db, sid, site.clock.now()), await data.unit_name(db)

        view, unit_name = await site.read(load)
        if view is None:
            return site.error(request, 404)
        with use_locale(lang):
            unit = t.name(unit_name)
            description = t.session_description(view)
        base = site.base_url(request)
        return site.html(
            request,
            lang,
            "poster.html",
            title=view.title,
            description=description,
            unit=unit,
            session=view,
            site=links.absolute(base, links.session(sid, lang)) if site.settings.public_url else "",
            og_session=sid,
        )

    page = await site.cache.get(("poster", sid, lang, site.base_url(request)), build)
    return page.response(request)


async def accountability(request: web.Request, lang: str) -> web.Response:
    from bot.notify.public import last_twelve_months

    site = _site(request)
    typed = request.query.get("ky", "").strip()[:40]
    error = None
    period = last_twelve_months(local_date(site.clock.now()))
    if typed:
        try:
            with use_locale(lang):
                period = parse_period(typed)
        except PeriodError as exc:
            error = str(exc)

    async def build() -> Page:
        page_data = await site.read(lambda db: data.accountability(db, period, site.clock.now()))
        with use_locale(lang):
            unit = t.name(page_data.unit)
            title, description = t.accountability_title(), t.accountability_description(unit)
        return site.html(
            request,
            lang,
            "accountability.html",
            title=title,
            description=description,
            unit=unit,
            section="accountability",
            status=400 if error else 200,
            noindex=bool(typed),
            data=page_data,
            period=period,
            period_text=typed,
            error=error,
        )

    key = ("accountability", period.start, period.end, bool(error), lang, site.base_url(request))
    page = await site.cache.get(key, build)
    return page.response(request)


async def lookup(request: web.Request, lang: str) -> web.Response:
    site = _site(request)
    typed = request.query.get("ma", "").strip()[:40]
    found, message, status = None, None, 200
    code = normalize_code(typed) if typed else None

    async def load(db: AsyncSession) -> Any:
        return (await data.lookup(db, code, site.clock.now()) if code else None), await data.unit_name(db)

    found, unit_name = await site.read(load)
    if typed:
        with use_locale(lang):
            if code is None:
                message, status = t.lookup_malformed(typed), 400
            elif found is None:
                message, status = t.lookup_not_found(code), 404
    with use_locale(lang):
        title = t.lookup_result(found.code) if found else t.lookup_title()
        description, unit = t.lookup_description(), t.name(unit_name)
    page = site.html(
        request,
        lang,
        "lookup.html",
        title=title,
        description=description,
        unit=unit,
        section="lookup",
        status=status,
        cache_control="no-store",
        noindex=bool(typed),
        typed=typed,
        found=found,
        message=message,
    )
    return page.response(request)


async def notice_file(request: web.Request) -> web.Response:
    site = _site(request)
    sid = _int(request.match_info["sid"])
    if sid is None:
        raise web.HTTPNotFound()
    view = await site.read(lambda db: data.public_session(db, sid, site.clock.now()))
    file_id = await site.read(lambda db: _notice_file_id(db, sid)) if view is not None else None
    if not file_id:
        raise web.HTTPNotFound()
    found = await site.bot_api.file(file_id)
    if found is None:
        return site.error(request, 503).response(request)
    name = f"thong-bao-ket-luan-hoi-nghi-{sid}{found.extension}"
    disposition = "inline" if found.content_type == "application/pdf" else "attachment"
    return web.Response(
        body=found.content,
        headers={
            "Content-Type": found.content_type,
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "public, max-age=3600",
            **SECURITY_HEADERS,
        },
    )


async def _notice_file_id(db: AsyncSession, sid: int) -> str | None:
    from storage.models import DialogueSession

    session = await db.get(DialogueSession, sid)
    return session.notice_file_id if session is not None and session.notice_at is not None else None


OG_NAME = re.compile(r"^(?:hoi-nghi-(\d{1,8})|trang-chu)$")


async def og_image(request: web.Request) -> web.Response:
    """The picture a shared link shows (Open Graph): the session's title, time and place, or the site's."""
    site = _site(request)
    m = OG_NAME.match(request.match_info["name"])
    if m is None:
        raise web.HTTPNotFound()

    async def load(db: AsyncSession) -> Any:
        view = await data.public_session(db, int(m.group(1)), site.clock.now()) if m.group(1) else None
        return view, await data.unit_name(db)

    view, unit_name = await site.read(load)
    if m.group(1) and view is None:
        raise web.HTTPNotFound()
    with use_locale("vi"):  # the picture is in the deployment's language, as its names are
        unit = t.name(unit_name) or t.site_name()
        if view is None:
            headline, details = t.home_title(), [t.card_home()]
        else:
            headline, details = view.title, [t.card_when_where(view.starts_at, view.place)]
    key = (unit, headline, tuple(details))
    png = site.card_cache.get(key)
    if png is None:
        from bot.web import card

        png = await asyncio.to_thread(card.render, unit, headline, details)
        site.card_cache[key] = png
        while len(site.card_cache) > 64:
            site.card_cache.popitem(last=False)
    return web.Response(
        body=png,
        headers={"Content-Type": "image/png", "Cache-Control": "public, max-age=3600", **SECURITY_HEADERS},
    )


QR_NAME = re.compile(r"^(?:hoi-nghi-(\d{1,8})|don-vi-([A-Za-z0-9_]{1,20})|telegram|zalo)$")


async def qr(request: web.Request) -> web.Response:
    site = _site(request)
    await site.resolve_username()
    name = request.match_info["name"]
    m = QR_NAME.match(name)
    if m is None:
        raise web.HTTPNotFound()
    target: str | None = None
    if name == "zalo":
        target = site.zalo
    elif site.bot_username:
        if m.group(1):
            sid = int(m.group(1))
            view = await site.read(lambda db: data.public_session(db, sid, site.clock.now()))
            target = links.telegram_start(site.bot_username, sid) if view is not None else None
        elif m.group(2):  # a commune's poster: the bot opens with that commune chosen
            unit = await site.read(lambda db: units.by_code(db, m.group(2)))
            target = links.telegram_start_in_unit(site.bot_username, unit.code) if unit is not None else None
        else:
            target = links.telegram_start(site.bot_username)
    if not target:
        raise web.HTTPNotFound()
    png = site.qr_cache.get(target)
    if png is None:
        png = qr_png(target)
        site.qr_cache[target] = png
        while len(site.qr_cache) > 256:
            site.qr_cache.popitem(last=False)
    return web.Response(
        body=png,
        headers={"Content-Type": "image/png", "Cache-Control": "public, max-age=86400", **SECURITY_HEADERS},
    )


def qr_png(target: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


async def stylesheet(request: web.Request) -> web.Response:
    site = _site(request)
    cache = (
        "public, max-age=31536000, immutable" if request.query.get("v") == site.css_version else PAGE_CACHE
    )
    return web.Response(
        body=site.css, headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": cache}
    )


async def robots(request: web.Request) -> web.Response:
    site = _site(request)
    lines = [
        "User-agent: *",
        "Disallow: /tra-cuu",
        "Disallow: /en/tra-cuu",
        "Disallow: /qr/",
        f"Sitemap: {links.absolute(site.base_url(request), '/sitemap.xml')}",
        "",
    ]
    return web.Response(
        text="\n".join(lines),
        content_type="text/plain",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


async def sitemap(request: web.Request) -> web.Response:
    site = _site(request)

    async def build() -> Page:
        rows = await site.read(data.sitemap_entries)
        base = site.base_url(request)
        entries = [
            _entry(base, path, None)
            for path in (links.home("vi"), links.accountability("vi"), links.lookup("vi"))
        ]
        for kind, sid, at in rows:
            path = links.session(sid) if kind == "session" else links.question(sid, kind)
            entries.append(_entry(base, path, at))
        body = site.env.get_template("sitemap.xml").render(entries=entries)
        return Page(
            body.encode(), content_type="application/xml; charset=utf-8", cache_control="public, max-age=600"
        )

    page = await site.cache.get(("sitemap", site.base_url(request)), build)
    return page.response(request)


def _entry(base: str, path: str, at: datetime | None) -> dict[str, str | None]:
    return {
        "vi": links.absolute(base, path),
        "en": links.absolute(base, links.other_language(path, "vi")),
        "lastmod": at.date().isoformat() if at else None,
    }


# --- the application -----------------------------------------------------------------------------------


@web.middleware
async def manners(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    """``?lang=`` redirects; not-found and error pages in the site's look (never a traceback)."""
    lang = request.query.get("lang")
    if lang in ("vi", "en"):
        current = "en" if request.path == "/en" or request.path.startswith("/en/") else "vi"
        query = "&".join(f"{k}={v}" for k, v in request.rel_url.query.items() if k != "lang")
        target = request.path if lang == current else links.other_language(request.path, current)
        raise web.HTTPMovedPermanently(target + (f"?{query}" if query else ""))
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _site(request).error(request, 404).response(request)
    except web.HTTPException:
        raise
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("the website failed on %s", request.path_qs)
        return _site(request).error(request, 500).response(request)


def make_web_app(
    settings: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    cache_ttl: float = 15.0,
    bot_username: str | None = None,
    bot_api: BotApi | None = None,
) -> web.Application:
    """The site over the bot's database (read-only). ``bot_username`` for the ``t.me`` links; when not
    given it is read from the database (``doithoai run`` stores it) or asked of the Bot API at start."""
    i18n.set_timezone(settings.timezone)
    site = Site(settings, sessionmaker, clock, cache_ttl, bot_username, bot_api)
    app = web.Application(middlewares=[manners])
    app[SITE] = site
    app[SESSIONMAKER] = sessionmaker

    async def on_startup(_app: web.Application) -> None:
        with contextlib.suppress(Exception):
            await site.resolve_username()

    async def on_cleanup(_app: web.Application) -> None:
        await site.bot_api.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    r = app.router
    for prefix, lang in (("", "vi"), ("/en", "en")):

        def bound(handler: Callable[[web.Request, str], Awaitable[web.StreamResponse]], lang_: str = lang):
            async def view(request: web.Request) -> web.StreamResponse:
                return await handler(request, lang_)

            return view

        r.add_get(f"{prefix}/", bound(home))
        r.add_get(prefix + r"/hoi-nghi/{sid:\d+}", bound(session_page))
        r.add_get(prefix + r"/hoi-nghi/{sid:\d+}/cau-hoi/{code}", bound(question_page))
        r.add_get(prefix + r"/hoi-nghi/{sid:\d+}/in", bound(poster))
        r.add_get(f"{prefix}/giai-trinh", bound(accountability))
        r.add_get(f"{prefix}/tra-cuu", bound(lookup))
    r.add_get("/en", _to_english_home)
    r.add_get(r"/hoi-nghi/{sid:\d+}/thong-bao-ket-luan", notice_file)
    r.add_get("/qr/{name}.png", qr)
    r.add_get("/og/{name}.png", og_image)
    r.add_get("/static/site.css", stylesheet)
    r.add_get("/robots.txt", robots)
    r.add_get("/sitemap.xml", sitemap)
    return app


async def _to_english_home(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/en/")


def site_of(app: web.Application) -> Site:
    return app[SITE]  # type: ignore[return-value]
