"""Fault injection with real processes: ``doithoai run`` subprocesses against the fake Bot API with
Telegram's limits enforced (tests/test_faults.py, bench/crash.py).

``Fleet`` starts and kills ``doithoai run`` processes on one database; ``fill_notices`` enqueues a
notice to many private chats through the outbox (as an announcement does); ``outbox_statuses``
reads the outcome."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.notify import sessionmaker_for
from bot.notify.outbox import enqueue_many, row
from storage.db import make_engine, upgrade
from storage.models import Outbox, OutboxStatus

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHAT = 700_000_000
TOKEN = "4242:FAULTS"


async def fill_notices(
    database_url: str, count: int, *, first_chat: int = FIRST_CHAT, now: datetime | None = None
) -> list[int]:
    """One notice to each of ``count`` private chats, pending in the outbox."""
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        sm = sessionmaker_for(engine)
        now = now or SystemClock().now()
        chats = [first_chat + i for i in range(count)]
        async with sm() as db:
            await enqueue_many(
                db,
                [
                    row(key=f"notice:{c}", chat_id=c, purpose="notice", text=f"Thông báo số {i}", now=now)
                    for i, c in enumerate(chats)
                ],
            )
            await db.commit()
        return chats
    finally:
        await engine.dispose()


async def outbox_statuses(database_url: str) -> Counter:
    engine = make_engine(database_url)
    try:
        sm = sessionmaker_for(engine)
        async with sm() as db:
            rows = (await db.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
            await db.rollback()
        return Counter(dict(rows))
    finally:
        await engine.dispose()


@dataclass
class Fleet:
    """``doithoai run`` processes on one database, against ``api`` (the fake Bot API)."""

    database_url: str
    api: str
    lease_s: float = 2.0
    sending_timeout_s: float = 5.0
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: list[asyncio.subprocess.Process] = field(default_factory=list)
    stderr: dict[int, bytes] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
        env.update(
            DOITHOAI_BOT_TOKEN=TOKEN,
            DOITHOAI_TELEGRAM_API=self.api,
            DOITHOAI_DATABASE_URL=self.database_url,
            DOITHOAI_REDIS_URL="",
            DOITHOAI_RUN_LEASE_S=str(self.lease_s),
            DOITHOAI_OUTBOX_SENDING_TIMEOUT_S=str(self.sending_timeout_s),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    async def start(self) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; raise SystemExit(main(['run']))",
            cwd=str(ROOT),
            env=self.env(),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self.procs.append(proc)
        self.stderr[proc.pid] = b""
        asyncio.get_running_loop().create_task(self._drain(proc))
        return proc

    async def _drain(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while True:
            line = await proc.stderr.readline()
            if not line:
                return
            self.stderr[proc.pid] += line

    def said(self, proc: asyncio.subprocess.Process, text: str) -> bool:
        return text in self.stderr.get(proc.pid, b"").decode("utf-8", "replace")

    async def kill(self, proc: asyncio.subprocess.Process) -> None:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()

    async def stop(self, proc: asyncio.subprocess.Process, timeout: float = 30) -> None:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                await self.kill(proc)

    async def close(self) -> None:
        for proc in self.procs:
            await self.kill(proc)


def sent_notices(tg, chats: list[int]) -> Counter:
    """How many times each chat received its notice."""
    wanted = set(chats)
    return Counter({c: n for c, n in tg.sent_per_chat.items() if c in wanted})


def stranded(statuses: Counter) -> int:
    return statuses[OutboxStatus.SENDING]
