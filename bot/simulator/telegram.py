"""A fake Telegram Bot API server on 127.0.0.1, for the tests and ``doithoai demo``.

It speaks the real HTTP protocol (``POST /bot<token>/<method>`` with JSON, form or multipart bodies;
``{"ok": true, "result": …}`` or Telegram's error objects), serves long polling, keeps every chat's
history, lets simulated people write, share contacts, send files and press buttons, checks every
call the bot makes (bot/simulator/apispec.py) and answers a bad call with the error Telegram
would give. Optional flood limits answer 429 with ``retry_after``.

    async with FakeTelegram() as tg:
        lan = tg.user(1001, "Lan")
        await tg.send_text(lan, "/start")
        reply = await tg.next_message(lan.id)
        await tg.press(lan.id, "✅ Đồng ý")

Reading state: ``messages(chat_id)`` (edits applied), ``next_message`` (per-chat cursor),
``transcript(chat_id)``, ``calls`` (every call with its answer), ``violations`` (every call Telegram
would refuse, with why), ``commands``, ``files``, ``callback_answers``/``wait_answer``,
``unimplemented`` (api.json methods answered with a bare ``true``), ``pending_polls`` (held
getUpdates), ``count_429``/``sent_per_chat``. Steering: ``block``, ``fail_next``,
``member_status[(chat_id, user_id)]`` for getChatMember, ``Limits`` for flood control,
``any_chat=True`` to accept chats never seen. ``wait_for(condition)`` is re-checked after every call.

Webhooks: after ``setWebhook`` the updates are POSTed to its URL with the secret token header, a chat's
one after the other (the next once the previous was answered 2xx; a failed post is repeated), chats
at once up to ``max_connections``; getUpdates is then refused (409) until ``deleteWebhook``.
``webhook`` (url, secret, connections), ``webhook_posts`` ((update_id, HTTP status) of each post),
``webhook_keepalive = False`` for a new connection per post.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.simulator import apispec

SEND_METHODS = {
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendMediaGroup",
    "copyMessage",
    "forwardMessage",
    "sendContact",
    "sendSticker",
    "sendVoice",
    "sendLocation",
    "sendVideo",
    "sendAudio",
    "sendAnimation",
}
# Other calls aimed at a chat that a blocked person also refuses.
BLOCKABLE_METHODS = {
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "sendChatAction",
}
RESTRICTED_FLAGS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
FILE_FIELDS = {"document", "photo", "video", "audio", "voice", "sticker", "animation", "thumbnail"}


@dataclass(frozen=True)
class SimUser:
    id: int
    first_name: str
    language_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class SimChat:
    id: int
    title: str
    type: str = "supergroup"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class Limits:
    global_per_s: float = 30
    private_per_s: float = 1
    group_per_min: float = 20


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool
    response: Any


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class ChatState:
    chat: dict[str, Any]
    user: SimUser | None = None  # the person, for a private chat
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_messages: list[int] = field(default_factory=list)  # in the order they were sent
    history: list[tuple[str, int]] = field(default_factory=list)  # ("user"|"bot", message_id)
    edits: dict[int, int] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    pressed: list[tuple[str, str]] = field(default_factory=list)  # (who, label) in press order
    cursor: int = 0
    next_id: int = 1


class FakeTelegram:
    def __init__(
        self,
        token: str | None = None,
        limits: Limits | None = None,
        any_chat: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.limits = limits
        self.any_chat = any_chat
        self.host, self.port = host, port
        self.base_url = ""
        self.bot_user = {
            "id": 123456789,
            "is_bot": True,
            "first_name": "Đối thoại",
            "username": "doithoai_bot",
        }
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.file_names: dict[str, str] = {}
        self.count_429 = 0
        self.sent_per_chat: Counter[int] = Counter()
        self.callback_answers: dict[str, dict[str, Any]] = {}
        # getChatMember answers "member" for every known person unless set here:
        # member_status[(chat_id, user_id)] = "administrator" | "creator" | "left" | "kicked" | …
        self.member_status: dict[tuple[int, int], str] = {}
        # the bot's own status in a group (``set_bot_status``); "administrator" unless set
        self.bot_status: dict[int, str] = {}
        self.pending_polls = 0  # getUpdates requests being held open right now
        self.unimplemented: list[str] = []  # methods in api.json answered with a bare ``true``
        self._allowed_updates: list[str] | None = None
        self._chats: dict[int, ChatState] = {}
        self._updates: deque[dict[str, Any]] = deque()  # pending, oldest first
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._keyed: dict[tuple[str, Any], list[asyncio.Future[None]]] = {}
        self._blocked: set[int] = set()
        self._faults: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = defaultdict(list)
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        # Webhook delivery (setWebhook): as Telegram does, the updates of one chat are posted one
        # after the other (the next once the previous was answered 2xx), different chats at once, at
        # most ``max_connections`` requests at a time; a failed post is repeated.
        self.webhook: dict[str, Any] | None = None
        # False: a new connection for every post (several workers on one port then each get a share
        # of the posts, whatever the kernel's choice for a few long-lived connections)
        self.webhook_keepalive = True
        self.webhook_posts: list[tuple[int, int]] = []  # (update_id, HTTP status) of every post
        self._hook_queues: dict[Any, deque[dict[str, Any]]] = {}
        self._hook_ready: deque[Any] = deque()
        self._hook_busy: set[Any] = set()
        self._hook_wake = asyncio.Event()
        self._hook_task: asyncio.Task[None] | None = None
        self._hook_last_error: tuple[int, str] | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        apispec.spec()  # no spec, no server: it would validate nothing (apispec.SpecMissing)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._serve_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{self.host}:{port}"
        return self

    async def stop(self) -> None:
        await self._stop_webhook()
        if self._runner is not None:
            self._new_update.set()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- people and chats ------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, language_code: str | None = "vi") -> SimUser:
        person = SimUser(user_id, first_name, language_code)
        state = self._chats.get(user_id)
        if state is None:
            self._chats[user_id] = ChatState(
                chat={"id": user_id, "type": "private", "first_name": first_name}, user=person
            )
        else:
            state.user = person
        return person

    def group(self, chat_id: int, title: str) -> SimChat:
        chat = SimChat(chat_id, title)
        self._chats.setdefault(chat_id, ChatState(chat=chat.as_dict()))
        return chat

    def block(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """The bot's membership in a group: "administrator" (the default), "member", "restricted" (may
        not send messages), "left" or "kicked" (then the group is closed to the bot, as on Telegram)."""
        if status not in ("administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(status)
        self.bot_status[chat_id] = status

    def _bot_present(self, chat_id: int) -> None:
        status = self.bot_status.get(chat_id)
        if status == "kicked":
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if status == "left":
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        parameters: dict[str, Any] | None = None,  # ResponseParameters, e.g. {"retry_after": 1}
    ) -> None:
        self._faults[method].extend([(error_code, description, parameters)] * times)

    def _chat(self, chat_id: int) -> ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            if not self.any_chat:
                raise ApiError(400, "Bad Request: chat not found")
            kind = "private" if chat_id > 0 else "supergroup"
            chat = {
                "id": chat_id,
                "type": kind,
                "first_name" if kind == "private" else "title": f"chat {chat_id}",
            }
            state = self._chats[chat_id] = ChatState(chat=chat)
        return state

    # --- what people do --------------------------------------------------------------------------

    def _from(self, chat: SimUser | SimChat, from_user: SimUser | None) -> SimUser:
        if from_user is not None:
            return from_user
        if isinstance(chat, SimUser):
            return chat
        raise ValueError("a message in a group needs from_user")

    async def _user_message(
        self,
        chat: SimUser | SimChat,
        from_user: SimUser | None,
        content: dict[str, Any],
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        sender = self._from(chat, from_user)
        state = self._chat(chat.id)
        message = {
            "message_id": state.next_id,
            "date": int(time.time()),
            "chat": dict(state.chat),
            "from": sender.as_dict(),
            **content,
        }
        state.next_id += 1
        if reply_to is not None and reply_to in state.messages:
            replied = {k: v for k, v in state.messages[reply_to].items() if k != "reply_to_message"}
            message["reply_to_message"] = self._public(replied)
        state.messages[message["message_id"]] = message
        state.history.append(("user", message["message_id"]))
        await self._push({"message": message})
        return message

    async def send_text(
        self,
        chat: SimUser | SimChat,
        text: str,
        from_user: SimUser | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._user_message(chat, from_user, content, reply_to)

    async def send_contact(
        self, chat: SimUser, phone: str, user_id: int | None = None, from_user: SimUser | None = None
    ) -> dict[str, Any]:
        sender = self._from(chat, from_user)
        contact = {
            "phone_number": phone,
            "first_name": sender.first_name,
            "user_id": sender.id if user_id is None else user_id,
        }
        return await self._user_message(chat, from_user, {"contact": contact})

    def _new_file(self, content: bytes, name: str | None = None) -> dict[str, Any]:
        n = next(self._file_ids)
        file_id = f"FILE-{n}-{secrets.token_hex(4)}"
        self.files[file_id] = content
        if name:
            self.file_names[file_id] = name
        return {"file_id": file_id, "file_unique_id": f"U{n}", "file_size": len(content)}

    async def send_photo(
        self,
        chat: SimUser | SimChat,
        caption: str | None = None,
        media_group_id: str | None = None,
        from_user: SimUser | None = None,
        content: bytes = b"\x89PNG\r\n\x1a\n",
    ) -> dict[str, Any]:
        small, large = self._new_file(content), self._new_file(content)
        data: dict[str, Any] = {
            "photo": [{**small, "width": 90, "height": 90}, {**large, "width": 1280, "height": 960}]
        }
        if caption:
            data["caption"] = caption
        if media_group_id:
            data["media_group_id"] = media_group_id
        return await self._user_message(chat, from_user, data)

    async def send_document(
        self,
        chat: SimUser | SimChat,
        file_name: str = "tai-lieu.pdf",
        content: bytes = b"",
        media_group_id: str | None = None,
        from_user: SimUser | None = None,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        doc = {
            **self._new_file(content, file_name),
            "file_name": file_name,
            "mime_type": "application/octet-stream",
        }
        data: dict[str, Any] = {"document": doc}
        if caption:
            data["caption"] = caption
        if media_group_id:
            data["media_group_id"] = media_group_id
        return await self._user_message(chat, from_user, data, reply_to)

    async def send_sticker(self, chat: SimUser | SimChat, from_user: SimUser | None = None) -> dict[str, Any]:
        sticker = {
            **self._new_file(b"webp"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self._user_message(chat, from_user, {"sticker": sticker})

    async def send_voice(self, chat: SimUser | SimChat, from_user: SimUser | None = None) -> dict[str, Any]:
        voice = {**self._new_file(b"ogg"), "duration": 3, "mime_type": "audio/ogg"}
        return await self._user_message(chat, from_user, {"voice": voice})

    async def send_location(
        self, chat: SimUser | SimChat, from_user: SimUser | None = None
    ) -> dict[str, Any]:
        return await self._user_message(
            chat, from_user, {"location": {"latitude": 18.34, "longitude": 105.9}}
        )

    def _find_button(self, state: ChatState, label: str, message: dict[str, Any] | None) -> tuple[dict, dict]:
        candidates = [message["message_id"]] if message is not None else list(reversed(state.bot_messages))
        for message_id in candidates:
            current = state.messages.get(message_id)
            if current is None or message_id in state.deleted:
                continue
            buttons = [
                b for row in (current.get("reply_markup") or {}).get("inline_keyboard") or [] for b in row
            ]
            exact = [b for b in buttons if b.get("text") == label]
            if not exact:
                starting = [b for b in buttons if b.get("text", "").startswith(label)]
                exact = starting if len(starting) == 1 else []
            if exact:
                return current, exact[0]
        shown = self.transcript(state.chat["id"])
        raise AssertionError(f"no button {label!r} in chat {state.chat['id']}:\n{shown}")

    async def press(
        self,
        chat_id: int,
        label: str,
        from_user: SimUser | None = None,
        message: dict[str, Any] | None = None,
    ) -> str:
        state = self._chat(chat_id)
        current, button = self._find_button(state, label, message)
        sender = from_user or state.user
        if sender is None:
            raise ValueError("pressing a button in a group needs from_user")
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} has no callback data")
        state.history.append(("press", 0))
        state.pressed.append((sender.first_name, button["text"]))
        return await self._callback(state, sender, current, button["callback_data"])

    async def send_callback(
        self, chat: SimUser | SimChat, from_user: SimUser, message_id: int, data: str
    ) -> str:
        state = self._chat(chat.id)
        message = state.messages.get(message_id) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": dict(state.chat),
        }
        return await self._callback(state, from_user, message, data)

    async def _callback(self, state: ChatState, sender: SimUser, message: dict[str, Any], data: str) -> str:
        query_id = str(next(self._callback_ids))
        await self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": sender.as_dict(),
                    "message": self._public(message),
                    "chat_instance": str(state.chat["id"]),
                    "data": data,
                }
            }
        )
        return query_id

    async def _push(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        if self._allowed_updates and not self._wanted(update):
            return  # Telegram never delivers kinds the bot did not ask for
        if self.webhook is not None:
            self._queue_for_webhook(update)
            await self._notify()
            return
        self._updates.append(update)
        self._new_update.set()
        await self._notify()

    # --- reading what the bot did ----------------------------------------------------------------

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        state = self._chats.get(chat_id)
        if state is None:
            return []
        return [state.messages[i] for i in state.bot_messages if i not in state.deleted]

    async def next_message(self, chat_id: int, timeout: float = 5) -> dict[str, Any]:
        """The next new bot message in the chat after this chat's reading cursor."""

        def ready() -> bool:
            state = self._chats.get(chat_id)
            return state is not None and state.cursor < len(state.bot_messages)

        try:
            await self._wait_keyed(("chat", chat_id), ready, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no new message in chat {chat_id} within {timeout}s:\n{self.transcript(chat_id)}"
            ) from None
        state = self._chats[chat_id]
        message_id = state.bot_messages[state.cursor]
        state.cursor += 1
        return state.messages[message_id]

    async def wait_answer(self, callback_id: str, timeout: float = 5) -> dict[str, Any]:
        try:
            await self._wait_keyed(
                ("answer", callback_id), lambda: callback_id in self.callback_answers, timeout
            )
        except TimeoutError:
            raise AssertionError(f"callback {callback_id} was not answered within {timeout}s") from None
        return self.callback_answers[callback_id]

    async def _wait_keyed(self, key: tuple[str, Any], condition: Callable[[], bool], timeout: float) -> None:
        """Like wait_for, but woken only by changes to one chat or one callback (cheap with many waiters)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            future = loop.create_future()
            self._keyed.setdefault(key, []).append(future)
            try:
                await asyncio.wait_for(future, remaining)
            finally:
                waiting = self._keyed.get(key, [])
                if future in waiting:
                    waiting.remove(future)
                if not waiting:
                    self._keyed.pop(key, None)

    def _wake_key(self, key: tuple[str, Any]) -> None:
        for future in self._keyed.pop(key, []):
            if not future.done():
                future.set_result(None)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5) -> None:
        """Wait until ``condition()`` holds; it is re-checked after every API call and every update."""
        if condition():
            return
        waiter = (condition, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter[1], timeout)
        finally:
            self._waiters.remove(waiter)

    async def _notify(self) -> None:
        self._wake()

    def _wake(self) -> None:
        for condition, future in self._waiters:
            if not future.done() and condition():
                future.set_result(None)

    def transcript(self, chat_id: int) -> str:
        state = self._chats.get(chat_id)
        if state is None:
            return "(no such chat)"
        lines: list[str] = []
        presses = iter(state.pressed)
        for who, message_id in state.history:
            if who == "press":
                name, label = next(presses)
                lines.append(f"👆 {name} bấm [ {label} ]")
                continue
            message = state.messages[message_id]
            if who == "user":
                name = message.get("from", {}).get("first_name", "?")
                lines.append(f"👤 {name}: {_describe(message)}")
                continue
            gone = " (deleted)" if message_id in state.deleted else ""
            edited = " (edited)" if state.edits.get(message_id) else ""
            lines.append(f"🤖 Bot{edited}{gone}: {_describe(message)}")
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard") or markup.get("keyboard") or []:
                lines.append(
                    "      " + "  ".join(f"[ {b['text'] if isinstance(b, dict) else b} ]" for b in row)
                )
        return "\n".join(lines)

    # --- the HTTP API ----------------------------------------------------------------------------

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=self.files[file_id])

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        params[f"__file__{key}"] = (value.filename, content)
                    else:
                        params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        raw = await self._read_params(request)
        uploads = {k[len("__file__") :]: v for k, v in raw.items() if k.startswith("__file__")}
        params = {k: v for k, v in raw.items() if not k.startswith("__file__")}
        if self.token is not None and token != self.token:
            return self._error(method, params, ApiError(401, "Unauthorized"))
        prefix = token.split(":", 1)[0]
        if prefix.isdigit():  # as on Telegram, the bot's user id is the token's first part
            self.bot_user["id"] = int(prefix)
        handler = getattr(self, f"_m_{method}", None)
        spec = apispec.spec()
        if handler is None and method not in spec["methods"]:
            self.violations.append(f"unknown method {method}")
            return self._error(method, params, ApiError(404, "Not Found"))
        params = apispec.coerce(method, params)
        for name in uploads:  # a file part named like the field; others are attach:// targets
            if name in FILE_FIELDS:
                params.setdefault(name, apispec.FILE)
        problems = apispec.validate(method, params)
        if problems:
            self.violations.extend(problems)
            return self._error(method, params, ApiError(400, "Bad Request: " + problems[0].error))
        try:
            if self._faults.get(method):
                code, description, parameters = self._faults[method].pop(0)
                raise ApiError(code, description, parameters)
            self._check_limits(method, params)
            if handler is None:
                self.unimplemented.append(method)
            result = await handler(params, uploads) if handler is not None else True
        except ApiError as exc:
            return self._error(method, params, exc)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            # A call the simulator cannot make sense of (a parameter of the wrong shape that
            # api.json let through): a violation, answered as Telegram answers bad input.
            self.violations.append(f"{method}: cannot handle {params!r}: {exc!r}")
            return self._error(method, params, ApiError(400, f"Bad Request: invalid parameters ({exc})"))
        self.calls.append(Call(method, params, True, result))
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _error(self, method: str, params: dict[str, Any], exc: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        self.calls.append(Call(method, params, False, body))
        self._wake()
        return web.json_response(body, status=exc.code)

    def _check_limits(self, method: str, params: dict[str, Any]) -> None:
        if method in BLOCKABLE_METHODS:
            chat = str(params.get("chat_id", ""))
            if chat.lstrip("-").isdigit() and int(chat) in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat.lstrip("-").isdigit():
                self._bot_present(int(chat))
            return
        if method not in SEND_METHODS:
            return
        chat_id = int(params.get("chat_id", 0))
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._bot_present(chat_id)
        if self.bot_status.get(chat_id) == "restricted":
            raise ApiError(400, "Bad Request: not enough rights to send text messages to the chat")
        if self.limits is None:
            self.sent_per_chat[chat_id] += 1
            return
        now = time.monotonic()
        private = chat_id > 0
        window_s = 1.0 if private else 60.0
        allowed = self.limits.private_per_s if private else self.limits.group_per_min
        chat_window = self._chat_windows[chat_id]
        for window, span in ((self._global_window, 1.0), (chat_window, window_s)):
            while window and window[0] <= now - span:
                window.popleft()
        wait = 0.0
        if len(self._global_window) >= self.limits.global_per_s:
            wait = max(wait, self._global_window[0] + 1.0 - now)
        if len(chat_window) >= allowed:
            wait = max(wait, chat_window[0] + window_s - now)
        if wait > 0:
            self.count_429 += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        self._global_window.append(now)
        chat_window.append(now)
        self.sent_per_chat[chat_id] += 1

    # --- methods ---------------------------------------------------------------------------------

    async def _m_getMe(self, p, u):
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, p, u):
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = min(float(p.get("timeout") or 0), 50)
        allowed = p.get("allowed_updates")  # remembered until changed, as on Telegram
        if isinstance(allowed, list) and (allowed or None) != self._allowed_updates:
            self._allowed_updates = list(allowed) or None
            if self._allowed_updates:
                self._updates = deque(x for x in self._updates if self._wanted(x))
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed
        if not self._updates and timeout > 0:
            self._new_update.clear()
            self.pending_polls += 1
            self._wake()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), timeout)
            finally:
                self.pending_polls -= 1
        # Updates are never changed after they are queued; the response is serialised at once.
        return list(itertools.islice(self._updates, limit))

    def _wanted(self, update: dict[str, Any]) -> bool:
        allowed = self._allowed_updates or ()
        return any(kind in allowed for kind in update if kind != "update_id")

    # --- webhook -------------------------------------------------------------------------------

    async def _m_setWebhook(self, p, u):
        url = str(p.get("url") or "")
        if not url:
            await self._stop_webhook()
            return True
        # Telegram requires HTTPS on port 443, 80, 88 or 8443; the fake posts to plain HTTP on
        # 127.0.0.1 (tests, the benchmark), so only the scheme is checked.
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: invalid URL")
        secret = p.get("secret_token")
        if secret is not None and not (
            1 <= len(str(secret)) <= 256 and all(c.isalnum() or c in "_-" for c in str(secret))
        ):
            self.violations.append("setWebhook: secret_token must be 1-256 characters A-Z, a-z, 0-9, _, -")
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = int(p.get("max_connections") or 40)
        if not 1 <= connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = list(allowed) or None
        if p.get("drop_pending_updates"):
            self._updates.clear()
            self._hook_queues.clear()
        await self._stop_webhook()
        self.webhook = {"url": url, "secret_token": secret, "max_connections": connections}
        while self._updates:  # what getUpdates has not confirmed goes by webhook now
            self._queue_for_webhook(self._updates.popleft())
        self._hook_task = asyncio.create_task(self._deliver_webhook(dict(self.webhook)))
        return True

    async def _m_deleteWebhook(self, p, u):
        await self._stop_webhook(drop=bool(p.get("drop_pending_updates")))
        return True

    async def _m_getWebhookInfo(self, p, u):
        pending = len(self._updates) + sum(len(q) for q in self._hook_queues.values())
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._hook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._hook_last_error
        return info

    async def _stop_webhook(self, drop: bool = False) -> None:
        """Stop posting; updates not yet delivered wait for getUpdates again (in order)."""
        self.webhook = None
        if self._hook_task is not None:
            self._hook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._hook_task
            self._hook_task = None
        left = sorted((u for q in self._hook_queues.values() for u in q), key=lambda u: u["update_id"])
        self._hook_queues.clear()
        self._hook_ready.clear()
        self._hook_busy.clear()
        if not drop:
            self._updates.extend(left)

    @staticmethod
    def _chat_of(update: dict[str, Any]) -> Any:
        for kind, value in update.items():
            if kind == "update_id" or not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat:
                return chat["id"]
            if value.get("from"):
                return value["from"]["id"]
        return ("update", update["update_id"])

    def _queue_for_webhook(self, update: dict[str, Any]) -> None:
        chat = self._chat_of(update)
        queue = self._hook_queues.setdefault(chat, deque())
        queue.append(update)
        if len(queue) == 1 and chat not in self._hook_busy:
            self._hook_ready.append(chat)
            self._hook_wake.set()

    async def _deliver_webhook(self, hook: dict[str, Any]) -> None:
        import aiohttp

        headers = {"Content-Type": "application/json"}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        slots = asyncio.Semaphore(hook["max_connections"])
        tasks: set[asyncio.Task[None]] = set()
        connector = aiohttp.TCPConnector(
            limit=hook["max_connections"], force_close=not self.webhook_keepalive
        )
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

            async def one_chat(chat: Any) -> None:
                try:
                    queue = self._hook_queues.get(chat)
                    while queue:
                        update = queue[0]
                        status = await post(update)
                        self.webhook_posts.append((update["update_id"], status))
                        if 200 <= status < 300:
                            queue.popleft()
                            break
                        error = f"Wrong response from the webhook: {status}"
                        self._hook_last_error = (int(time.time()), error)
                        await asyncio.sleep(0.2)  # Telegram waits longer; the fake keeps tests short
                finally:
                    slots.release()
                    self._hook_busy.discard(chat)
                    queue = self._hook_queues.get(chat)
                    if queue:
                        self._hook_ready.append(chat)
                        self._hook_wake.set()
                    elif queue is not None:
                        del self._hook_queues[chat]
                    self._wake()

            async def post(update: dict[str, Any]) -> int:
                body = json.dumps(update, ensure_ascii=False).encode()
                try:
                    async with http.post(hook["url"], data=body, headers=headers) as response:
                        await response.read()
                        return response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    self._hook_last_error = (int(time.time()), f"Connection failed: {exc!r}"[:200])
                    return 0

            try:
                while True:
                    while not self._hook_ready:
                        self._hook_wake.clear()
                        await self._hook_wake.wait()
                    await slots.acquire()
                    chat = self._hook_ready.popleft()
                    if chat in self._hook_busy or not self._hook_queues.get(chat):
                        slots.release()
                        continue
                    self._hook_busy.add(chat)
                    task = asyncio.create_task(one_chat(chat))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            finally:
                for task in list(tasks):
                    task.cancel()
                for task in list(tasks):
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    @staticmethod
    def _visible(params: dict[str, Any], value: str) -> str:
        """What a person reads: HTML is parsed away, as Telegram does (entities are not modelled)."""
        return apispec.html_to_text(value) if str(params.get("parse_mode", "")).upper() == "HTML" else value

    def _bot_message(
        self, state: ChatState, content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        for key in ("text", "caption"):
            if isinstance(content.get(key), str):
                content[key] = self._visible(params, content[key])
        message = {
            "message_id": state.next_id,
            "date": int(time.time()),
            "chat": dict(state.chat),
            "from": dict(self.bot_user),
            **content,
        }
        state.next_id += 1
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        reply_params = params.get("reply_parameters")
        reply_to = reply_params.get("message_id") if isinstance(reply_params, dict) else None
        reply_to = reply_to or params.get("reply_to_message_id")
        replied = state.messages.get(int(reply_to)) if reply_to else None
        if replied is not None:
            message["reply_to_message"] = self._public(
                {k: v for k, v in replied.items() if k != "reply_to_message"}
            )
        state.messages[message["message_id"]] = message
        state.bot_messages.append(message["message_id"])
        self._wake_key(("chat", state.chat["id"]))
        state.history.append(("bot", message["message_id"]))
        return message

    @staticmethod
    def _public(message: dict[str, Any]) -> dict[str, Any]:
        """The message as the Bot API returns it: only inline keyboards are echoed."""
        out = {k: v for k, v in message.items() if not k.startswith("_")}
        markup = out.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            out.pop("reply_markup")
        return copy.deepcopy(out)

    def _message(self, p: dict[str, Any]) -> tuple[ChatState, dict[str, Any]]:
        state = self._chat(int(p["chat_id"]))
        message = state.messages.get(int(p.get("message_id", 0)))
        if message is None or message["message_id"] in state.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return state, message

    async def _m_sendMessage(self, p, u):
        state = self._chat(int(p["chat_id"]))
        return self._public(self._bot_message(state, {"text": p["text"]}, p))

    async def _m_editMessageText(self, p, u):
        state, message = self._message(p)
        markup = p.get("reply_markup")
        text = self._visible(p, p["text"])
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        state.edits[message["message_id"]] = state.edits.get(message["message_id"], 0) + 1
        return self._public(message)

    async def _m_editMessageReplyMarkup(self, p, u):
        state, message = self._message(p)
        markup = p.get("reply_markup") or None
        if message.get("reply_markup") == markup or (not markup and "reply_markup" not in message):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        state.edits[message["message_id"]] = state.edits.get(message["message_id"], 0) + 1
        return self._public(message)

    async def _m_editMessageCaption(self, p, u):
        state, message = self._message(p)
        message["caption"] = self._visible(p, p.get("caption", ""))
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        state.edits[message["message_id"]] = state.edits.get(message["message_id"], 0) + 1
        return self._public(message)

    async def _m_deleteMessage(self, p, u):
        state = self._chat(int(p["chat_id"]))
        message_id = int(p["message_id"])
        if message_id not in state.messages or message_id in state.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        state.deleted.add(message_id)
        return True

    async def _m_answerCallbackQuery(self, p, u):
        query_id = str(p["callback_query_id"])
        if query_id in self.callback_answers:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers[query_id] = p
        self._wake_key(("answer", query_id))
        return True

    def _file_param(self, p: dict[str, Any], uploads: dict[str, Any], name: str) -> dict[str, Any]:
        value = p.get(name)
        if name in uploads or (isinstance(value, str) and value.startswith("attach://")):
            key = (
                value[len("attach://") :]
                if isinstance(value, str) and value.startswith("attach://")
                else name
            )
            filename, content = uploads[key]
            return {**self._new_file(content, filename), "file_name": filename or name}
        if isinstance(value, str) and value:
            return {
                "file_id": value,
                "file_unique_id": f"U-{value[-8:]}",
                "file_size": len(self.files.get(value, b"")),
                "file_name": self.file_names.get(value, "file"),
            }
        raise ApiError(400, f"Bad Request: there is no {name} in the request")

    async def _m_sendDocument(self, p, u):
        state = self._chat(int(p["chat_id"]))
        doc = self._file_param(p, u, "document")
        content: dict[str, Any] = {"document": {**doc, "mime_type": "application/octet-stream"}}
        if p.get("caption"):
            content["caption"] = p["caption"]
        return self._public(self._bot_message(state, content, p))

    async def _m_sendPhoto(self, p, u):
        state = self._chat(int(p["chat_id"]))
        photo = self._file_param(p, u, "photo")
        photo.pop("file_name", None)
        content: dict[str, Any] = {"photo": [{**photo, "width": 1280, "height": 960}]}
        if p.get("caption"):
            content["caption"] = p["caption"]
        return self._public(self._bot_message(state, content, p))

    async def _m_sendMediaGroup(self, p, u):
        state = self._chat(int(p["chat_id"]))
        media = p.get("media") or []
        if not (2 <= len(media) <= 10):
            raise ApiError(400, "Bad Request: wrong number of media in the group (2–10)")
        sent = []
        for item in media:
            kind = item.get("type", "document")
            file = self._file_param({kind: item.get("media")}, u, kind)
            content: dict[str, Any] = (
                {"photo": [{**file, "width": 1280, "height": 960}]} if kind == "photo" else {kind: file}
            )
            if item.get("caption"):
                content["caption"] = item["caption"]
            as_sent = {"parse_mode": item.get("parse_mode")}
            sent.append(self._public(self._bot_message(state, content, as_sent)))
        return sent

    def _source(self, p: dict[str, Any]) -> dict[str, Any]:
        source_state = self._chat(int(p["from_chat_id"]))
        message = source_state.messages.get(int(p["message_id"]))
        if message is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        return message

    async def _m_copyMessage(self, p, u):
        state = self._chat(int(p["chat_id"]))
        source = self._source(p)
        content = {
            k: v
            for k, v in source.items()
            if k in ("text", "caption", "document", "photo", "voice", "sticker", "location", "contact")
        }
        if "caption" in p:
            content["caption"] = p["caption"]
        message = self._bot_message(state, content, p)
        return {"message_id": message["message_id"]}

    async def _m_forwardMessage(self, p, u):
        state = self._chat(int(p["chat_id"]))
        source = self._source(p)
        content = {
            k: v
            for k, v in source.items()
            if k in ("text", "caption", "document", "photo", "voice", "sticker", "location", "contact")
        }
        content["forward_origin"] = {"type": "hidden_user", "sender_user_name": "?", "date": source["date"]}
        return self._public(self._bot_message(state, content, {}))

    async def _m_sendChatAction(self, p, u):
        self._chat(int(p["chat_id"]))
        return True

    @staticmethod
    def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope")
        key = json.dumps(scope, sort_keys=True, ensure_ascii=False) if scope else "default"
        return key, str(p.get("language_code") or "")

    async def _m_setMyCommands(self, p, u):
        self.commands[self._scope_key(p)] = list(p["commands"])
        return True

    async def _m_getMyCommands(self, p, u):
        return self.commands.get(self._scope_key(p), [])

    async def _m_deleteMyCommands(self, p, u):
        self.commands.pop(self._scope_key(p), None)
        return True

    async def _m_setChatMenuButton(self, p, u):
        return True

    async def _m_getChat(self, p, u):
        state = self._chat(int(p["chat_id"]))
        self._bot_present(int(p["chat_id"]))
        return {
            **state.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_getChatMember(self, p, u):
        chat_id = int(p["chat_id"])
        self._chat(chat_id)
        self._bot_present(chat_id)
        user_id = int(p["user_id"])
        bot_status = self.bot_status.get(chat_id, "administrator")
        if user_id == self.bot_user["id"] and bot_status == "member":
            return {"status": "member", "user": self.bot_user}
        if user_id == self.bot_user["id"] and bot_status == "restricted":
            flags = {k: False for k in RESTRICTED_FLAGS}
            return {
                "status": "restricted",
                "user": self.bot_user,
                "is_member": True,
                "until_date": 0,
                **flags,
            }
        if user_id == self.bot_user["id"]:
            return {
                "status": "administrator",
                "user": self.bot_user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_send_welcome_messages": False,  # required by aiogram 3.31's model
            }
        person = self._chats.get(user_id)
        if person is None or person.user is None:
            raise ApiError(400, "Bad Request: user not found")
        status = self.member_status.get((int(p["chat_id"]), user_id), "member")
        member: dict[str, Any] = {"status": status, "user": person.user.as_dict()}
        if status == "restricted":
            member.update({"is_member": True, "until_date": 0})
            member.update({k: False for k in RESTRICTED_FLAGS})
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            return {**(await self._m_getChatMember({**p, "user_id": self.bot_user["id"]}, u)), **member}
        return member

    async def _m_getFile(self, p, u):
        file_id = str(p["file_id"])
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"U-{file_id[-8:]}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    async def _m_close(self, p, u):
        return True

    async def _m_logOut(self, p, u):
        return True


def _describe(message: dict[str, Any]) -> str:
    if "text" in message:
        return message["text"]
    parts = []
    for kind, label in (
        ("photo", "📷 photo"),
        ("document", "📄 document"),
        ("sticker", "🏷 sticker"),
        ("voice", "🎤 voice"),
        ("location", "📍 location"),
        ("contact", "☎️ contact"),
    ):
        if kind in message:
            detail = message[kind]
            if kind == "document":
                label += f" {detail.get('file_name', '')}"
            if kind == "contact":
                label += f" {detail.get('phone_number', '')}"
            parts.append(label)
    if message.get("caption"):
        parts.append(message["caption"])
    return " — ".join(parts) or "(message)"
