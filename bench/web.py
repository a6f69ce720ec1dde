"""Website benchmark: a session's page with 1,000 published answers, served to concurrent clients.

In the same run, the same load generator asks a bare aiohttp handler (``web.Response(text="ok")``) and
the site's session page (first page of 1,000 published answers, gzip accepted as phones do), each
server in a process of its own, taking turns for a few rounds. Prints requests/s, p50/p95 latency
and the server's CPU time per request for both, and the ratios; the median round is the figure.

    .venv/bin/python bench/web.py [--answers 1000] [--clients 32] [--seconds 5] [--rounds 3]

The 1,000 answers are asked, routed, answered and published through the product's own operations
(tests/web_world.py ``publish_many``). The site runs as ``doithoai web`` runs it: its page cache
(15 s) included, so a round also pays for the page being rebuilt when its copy goes stale; the cost
of one uncached build is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


# --- the two servers (each in its own process) ---------------------------------------------------------


def serve_bare(port: int) -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", ok)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_site(database: str, port: int) -> None:
    from bot.clock import FixedClock
    from bot.settings import Settings
    from bot.web.app import make_web_app
    from storage.db import make_engine, make_sessionmaker

    settings = Settings(
        _env_file=None, database_url=database, zalo_bot_link="https://zalo.me/0", bot_token=""
    )
    engine = make_engine(database)
    app = make_web_app(settings, make_sessionmaker(engine), FixedClock(START), bot_username="doithoai_bot")
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# --- the data ------------------------------------------------------------------------------------------


async def prepare(database: str, answers: int) -> tuple[int, float, int, int]:
    """The session with its published answers; (session id, ms per uncached page, bytes, gzip bytes)."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.clock import FixedClock
    from bot.domain.directory import load_file
    from bot.domain.sessions import create_session
    from bot.settings import Settings
    from bot.web import links
    from bot.web.app import make_web_app
    from storage.db import make_engine, make_sessionmaker, upgrade
    from tests.web_world import publish_many

    engine = make_engine(database)
    await upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    clock = FixedClock(START)
    async with sessionmaker() as db:
        await load_file(db, ROOT / "directory" / "sample_commune.toml", clock.now())
        session = await create_session(
            db,
            title="Hội nghị đối thoại cuối năm 2026",
            place="Hội trường UBND xã",
            starts_at=clock.now() + timedelta(days=20),
            now=clock.now(),
            announce=True,
        )
        await db.commit()
    await publish_many(sessionmaker, clock, session.id, answers)
    settings = Settings(_env_file=None, database_url=database, bot_token="")
    app = make_web_app(settings, sessionmaker, clock, cache_ttl=0, bot_username="doithoai_bot")
    async with TestClient(TestServer(app)) as client:
        path = links.session(session.id)
        await (await client.get(path)).read()
        n, began = 10, time.perf_counter()
        for _ in range(n):
            resp = await client.get(path)
            body = await resp.read()
        build_ms = (time.perf_counter() - began) / n * 1000
        resp = await client.get(path, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
        gz = await resp.read()
    await engine.dispose()
    return session.id, build_ms, len(body), len(gz)


# --- the load ------------------------------------------------------------------------------------------


@dataclass
class Round:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    cpu: float  # the server's CPU seconds during the round

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.requests * 1000


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(name: str, url: str, pid: int, clients: int, seconds: float, pipeline: int) -> Round:
    """``clients`` kept-alive HTTP/1.1 connections, each sending ``pipeline`` requests and reading their
    answers, again and again.

    The requests are written and the answers read on bare asyncio streams (a few microseconds each):
    aiohttp's own client costs more per request than the bare server, and would measure itself."""
    parts = urlsplit(url)
    request = (
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept-Encoding: gzip\r\n"
        "User-Agent: bench\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    count = 0
    streams = [await asyncio.open_connection(parts.hostname, parts.port) for _ in range(clients)]

    async def answer(reader: asyncio.StreamReader) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        if status != 200:
            raise RuntimeError(f"{url}: {status}")

    async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        writer.write(request * n)  # pipelined: n requests, then their n answers in order
        for _ in range(n):
            await answer(reader)

    await asyncio.gather(*(ask(r, w, 1) for r, w in streams))  # every connection warm
    cpu0, began = cpu_of(pid), time.perf_counter()
    end = began + seconds

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        while (t0 := time.perf_counter()) < end:
            await ask(reader, writer, pipeline)
            latencies.extend([(time.perf_counter() - t0)] * pipeline)  # each waited for the batch
            count += pipeline

    await asyncio.gather(*(client(r, w) for r, w in streams))
    elapsed = time.perf_counter() - began
    cpu = cpu_of(pid) - cpu0
    for _, writer in streams:
        writer.close()
    return Round(name, count, elapsed, latencies, cpu)


async def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as resp:
                    await resp.read()
                    return
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)  # a server starting: polled until it answers, with a deadline


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, __file__, *args, cwd=ROOT)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pipeline", type=int, default=1, help="requests in flight per connection")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="doithoai-bench-web-")
    database = f"sqlite+aiosqlite:///{folder}/site.db"
    print(f"preparing {args.answers} published answers …", flush=True)
    sid, build_ms, size, gz = await prepare(database, args.answers)
    print(f"session page 1 of {args.answers} answers: {size:,} bytes ({gz:,} gzip)")
    print(f"one uncached build of the page: {build_ms:.1f} ms")
    bare_port, site_port = free_port(), free_port()
    bare = await start("--serve-bare", str(bare_port))
    site = await start("--serve-site", database, str(site_port))
    bare_url, site_url = f"http://127.0.0.1:{bare_port}/", f"http://127.0.0.1:{site_port}/hoi-nghi/{sid}"
    try:
        await wait_up(bare_url)
        await wait_up(site_url)
        rounds: list[tuple[Round, Round]] = []
        for n in range(1, args.rounds + 1):
            b = await load("bare aiohttp", bare_url, bare.pid, args.clients, args.seconds, args.pipeline)
            s = await load("session page", site_url, site.pid, args.clients, args.seconds, args.pipeline)
            rounds.append((b, s))
            print(
                f"round {n}: bare {b.rps:,.0f} req/s (p95 {b.pct(0.95):.1f} ms, {b.cpu_ms:.3f} ms CPU/req); "
                f"site {s.rps:,.0f} req/s (p95 {s.pct(0.95):.1f} ms, {s.cpu_ms:.3f} ms CPU/req); "
                f"ratio {s.rps / b.rps:.2f}",
                flush=True,
            )
    finally:
        for proc in (bare, site):
            proc.send_signal(signal.SIGINT)
            await proc.wait()
    median = sorted(rounds, key=lambda r: r[1].rps / r[0].rps)[len(rounds) // 2]
    b, s = median
    print()
    print(f"{'':24} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/req':>11}")
    for r in (b, s):
        print(f"{r.name:24} {r.rps:9,.0f} {r.pct(0.5):8.1f} {r.pct(0.95):8.1f} {r.cpu_ms:11.3f}")
    print(
        f"ratio (median of {len(rounds)} rounds): {s.rps / b.rps:.2f} of the bare handler's requests/s "
        f"(target >= 0.2); server CPU per request {b.cpu_ms / s.cpu_ms:.2f} of the site's; "
        f"{args.clients} concurrent clients, {args.pipeline} requests in flight each"
    )
    print("all rounds:", ", ".join(f"{s_.rps / b_.rps:.2f}" for b_, s_ in rounds))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-bare"]:
        serve_bare(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--serve-site"]:
        serve_site(sys.argv[2], int(sys.argv[3]))
    else:
        asyncio.run(main())
