"""Every handler and filter the bot registers is a coroutine: aiogram runs synchronous ones (magic
``F`` filters included) in a worker thread, a hop per filter per update."""

from __future__ import annotations

from aiogram import Router

from bot.app import build_app
from bot.settings import Settings


def _routers(router: Router):
    yield router
    for child in router.sub_routers:
        yield from _routers(child)


def _app(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    return build_app(Settings(_env_file=None, database_url=url, redis_url=""))


def test_every_filter_and_handler_runs_inline(tmp_path):
    app = _app(tmp_path)
    threaded = []
    for router in _routers(app.dp):
        for name, observer in router.observers.items():
            called = [*(observer._handler.filters or [])]  # the observer's own (router.message.filter)
            for handler in observer.handlers:
                called += [handler, *(handler.filters or [])]
            threaded += [f"{router.name}.{name}: {item.callback!r}" for item in called if not item.awaitable]
    assert not threaded, threaded


def test_private_and_group_updates_take_separate_routers(tmp_path):
    app = _app(tmp_path)
    names = [r.name for r in app.dp.sub_routers]
    assert names == ["menus", "private", "groups"], names


def test_button_data_is_what_the_callback_filter_reads():
    from handlers.citizen import FlowCb, flow_data

    for nonce, screen, value in [("a1b2c3", "a_topic", "t12"), ("ffffff", "", "cancel")]:
        packed = flow_data(nonce, screen, value)
        assert packed == FlowCb(n=nonce, s=screen, v=value).pack()
        assert FlowCb.unpack(packed) == FlowCb(n=nonce, s=screen, v=value)
