"""Bot API client benchmark: the CPU one Bot API call costs the bot, through aiogram's default
aiohttp session and through the bot's keep-alive session (bot/telegram_http.py).

    .venv/bin/python bench/bot_api_calls.py [--calls 3000] [--rounds 3]

The fake Bot API server runs in its own process; this process only makes the calls, 50 at a time,
each a sendMessage like the bot's (Vietnamese text, six buttons) whose answer aiogram parses into a
Message. The two clients take turns, round after round, in one run. Prints each client's CPU per
call (median of the rounds) and the ratio keep-alive / aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402

from bot.channels.telegram.client import KeepAliveSession  # noqa: E402

CLIENTS = {
    "aiohttp (aiogram's default)": AiohttpSession,
    "keep-alive (bot/telegram_http.py)": KeepAliveSession,
}
TEXT = (
    "Ông/Bà chọn <b>lĩnh vực</b> của câu hỏi. Kỳ đối thoại ngày 12/12/2026, "
    "hội trường Ủy ban nhân dân xã; câu hỏi nhận đến hết ngày 05/12/2026."
)
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text=f"Đất đai, xây dựng {i}", callback_data=f"f:a1b2:topic:{i}")]
        for i in range(6)
    ]
)
CONCURRENT = 50


async def serve() -> None:
    """Child process: the fake Bot API, answering any chat, until stdin closes."""
    from bot.simulator.telegram import FakeTelegram

    async with FakeTelegram(any_chat=True) as tg:
        print(tg.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def cpu_per_call(session_class, base_url: str, calls: int) -> float:
    bot = Bot("4242:BENCH", session=session_class(api=TelegramAPIServer.from_base(base_url)))
    try:
        await bot.send_message(1, "warm-up")
        gc.collect()
        started = time.process_time()
        for first in range(0, calls, CONCURRENT):
            batch = range(first, first + CONCURRENT)
            await asyncio.gather(*(bot.send_message(1000 + i, TEXT, reply_markup=KEYBOARD) for i in batch))
        return (time.process_time() - started) / calls
    finally:
        await bot.session.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    try:
        base_url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        figures: dict[str, list[float]] = {name: [] for name in CLIENTS}
        for _ in range(args.rounds):
            for name, session_class in CLIENTS.items():
                figures[name].append(await cpu_per_call(session_class, base_url, args.calls))
    finally:
        server.stdin.close()
        await server.wait()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    print(
        f"{args.calls} sendMessage calls x {args.rounds} rounds, {CONCURRENT} at a time; "
        "CPU of the caller per call:"
    )
    for name, value in medians.items():
        rounds = ", ".join(f"{v * 1000:.3f}" for v in figures[name])
        print(f"  {name}: {value * 1000:.3f} ms (rounds: {rounds})")
    aiohttp_cpu, keep_alive_cpu = medians.values()
    print(f"ratio keep-alive / aiohttp: {keep_alive_cpu / aiohttp_cpu:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(serve())
    else:
        asyncio.run(main())
