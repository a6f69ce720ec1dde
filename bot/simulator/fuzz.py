"""Schema-generated updates, for fuzzing the bot (tests/test_fuzz.py, bench/fuzz.py).

``UpdateFuzzer(seed).update()`` builds one update from the vendored Bot API description
(bot/simulator/telegram_bot_api/api.json): one of the update kinds, each object with its required
fields and a random few of its optional ones, values of the described types. To reach the bot's
handlers rather than only its parser, texts are mostly commands and phrases the bot knows, chats
are a few private chats and groups (a private chat's id is its person's), and callback data looks
like the bot's own. Some messages lose their ``from`` (Telegram leaves it out for channels), and a
few updates are of a kind no library knows yet (``future_kind``).
"""

from __future__ import annotations

import random
import re
from typing import Any

from bot.simulator import apispec

TEXTS = [
    "/start",
    "/start x",
    "/cancel",
    "/help",
    "/ask",
    "/my",
    "/sessions",
    "/report",
    "/lang",
    "/privacy",
    "Xin chào",
    "Đường bê tông vào thôn bị sụt lún sau mưa lũ, xe máy đi lại rất nguy hiểm.",
    "0912345678",
    "TD-26-0001",
    "<b>đậm</b> & <i>",
    "",
    " ",
    "🙂",
    "x" * 4096,
]
CALLBACKS = ["c:agree:0:", "c:menu:0:", "o:route:1:2", "d:take:1:", "x", "", "c:topic:999999999:"]
KINDS = [
    ("message", 45),
    ("callback_query", 20),
    ("edited_message", 8),
    ("my_chat_member", 4),
    ("chat_member", 2),
    ("channel_post", 2),
    ("message_reaction", 2),
    ("inline_query", 2),
    ("poll_answer", 2),
    ("chat_join_request", 2),
    ("future_kind", 3),
]
QUOTED = re.compile(r"[“\"]([A-Za-z_][\w-]*)[”\"]")
PEOPLE = [1001, 1002, 1003, 424242, 5_000_000_001]
GROUPS = [-1001000000001, -1001000000002, -1001999999999, -42]


class UpdateFuzzer:
    def __init__(self, seed: int | None = None, *, sans_from: float = 0.1) -> None:
        self.rng = random.Random(seed)
        self.types = apispec.spec()["types"]
        self.sans_from = sans_from

    # --- values of the described types -----------------------------------------------------------

    def _scalar(self, kind: str, name: str) -> Any:
        rng = self.rng
        if kind == "Integer":
            if name.endswith("date") or name.endswith("_time") or name == "date":
                return 1_790_000_000 + rng.randrange(10**6)
            if name.endswith("user_id") or name == "id":
                return rng.choice(PEOPLE)
            if name.endswith("chat_id"):
                return rng.choice(PEOPLE + GROUPS)
            return rng.choice([0, 1, 2, 7, 42, 10**6, 2**31 - 1, 2**53, -1])
        if kind == "Float":
            return rng.choice([0.0, 1.5, -73.25, 106.7])
        if kind == "Boolean":
            return rng.random() < 0.5
        if kind == "True":
            return True
        # String
        if name == "id" or name.endswith("_id"):
            return "id-" + str(rng.randrange(10**9))  # identifiers are never empty
        if name == "data":
            return rng.choice(CALLBACKS)
        if name in ("text", "caption", "query", "title", "first_name", "last_name", "username"):
            return rng.choice(TEXTS)
        if name == "type":
            return rng.choice(["private", "group", "supergroup", "channel", "mention", "emoji"])
        if name == "phone_number":
            return rng.choice(["+84912345678", "0912", "", "+1"])
        return rng.choice(["", "a", "x" * 64, "đối thoại", "id-" + str(rng.randrange(10**9))])

    def value(self, types: list[str], name: str, depth: int, description: str = "") -> Any:
        kind = self.rng.choice(types)
        if kind == "String" and ("always" in description or name in ("type", "status", "source")):
            choices = QUOTED.findall(description)  # a discriminator: one of the documented values
            if choices:
                return self.rng.choice(choices)
        if kind.startswith("Array of "):
            inner = kind[len("Array of ") :]
            size = self.rng.choice([0, 1, 1, 2]) if depth < 2 else 0
            return [self.value([inner], name, depth + 1) for _ in range(size)]
        if kind in ("Integer", "Float", "Boolean", "True", "String"):
            return self._scalar(kind, name)
        return self.obj(kind, depth + 1)

    def obj(self, type_name: str, depth: int = 0) -> dict[str, Any]:
        spec = self.types.get(type_name)
        if spec is None or depth > 5:
            return {}
        if spec.get("subtypes"):
            return self.obj(self.rng.choice(spec["subtypes"]), depth)
        chance = (0.2, 0.05)[depth] if depth < 2 else 0.0
        out: dict[str, Any] = {}
        for field in spec.get("fields", []):
            if field["required"] or self.rng.random() < chance:
                text = (
                    " ".join(field.get("description") or [])
                    if isinstance(field.get("description"), list)
                    else field.get("description") or ""
                )
                out[field["name"]] = self.value(field["types"], field["name"], depth, text)
        if type_name == "User":
            out["is_bot"] = self.rng.random() < 0.05
        if type_name == "Chat":
            self._chat(out)
        return out

    def _chat(self, chat: dict[str, Any]) -> None:
        if self.rng.random() < 0.6:
            chat["type"], chat["id"] = "private", self.rng.choice(PEOPLE)
        else:
            chat["type"] = self.rng.choice(["group", "supergroup", "channel"])
            chat["id"] = self.rng.choice(GROUPS)

    # --- updates ---------------------------------------------------------------------------------

    def kind(self) -> str:
        names, weights = zip(*KINDS, strict=True)
        return self.rng.choices(names, weights)[0]

    def update(self) -> dict[str, Any]:
        """One update, without its ``update_id`` (the server numbers them). The description is newer
        than the aiogram release the bot runs on (a field it requires that the description does not,
        a type it does not know): an update aiogram cannot parse is drawn again, since aiogram
        refuses the whole batch of updates around it, which no bot can handle."""
        from aiogram.types import Update

        for _ in range(50):
            update = self._update()
            try:
                Update.model_validate({"update_id": 1, **update})
            except ValueError:
                continue
            return update
        raise RuntimeError("no parseable update drawn in 50 tries")

    def _update(self) -> dict[str, Any]:
        kind = self.kind()
        if kind == "future_kind":
            return {"future_kind": {"id": self.rng.randrange(10**6), "note": "a kind no library knows yet"}}
        fields = {f["name"]: f for f in self.types["Update"]["fields"]}
        body = self.obj(fields[kind]["types"][0], 0)
        if kind in ("message", "edited_message"):
            chat = body.get("chat", {})
            if chat.get("type") == "private" and "from" in body:
                body["from"]["id"] = chat["id"]  # a private chat's id is its person's
            if "from" in body and self.rng.random() < self.sans_from:
                del body["from"]
            elif "from" not in body and self.rng.random() > self.sans_from:
                body["from"] = self.obj("User", 1)
        return {kind: body}
