"""A thin async client for Zalo's Bot API (``<base>/bot<TOKEN>/<method>``), aiohttp only.

Every call has a timeout; errors become clear exceptions: ``ZaloQuotaExceeded`` (429),
``ZaloInvalidToken`` (401/403 or an unknown token), ``ZaloUnknownChat`` (chat not found),
``ZaloBadRequest`` (other 4xx), ``ZaloServerError`` (5xx), ``ZaloNetworkError`` (timeouts,
connection errors).
"""

from __future__ import annotations

from typing import Any

import aiohttp

TEXT_MAX = 2000


class ZaloError(Exception):
    def __init__(self, description: str, error_code: int = 0) -> None:
        super().__init__(f"{error_code}: {description}" if error_code else description)
        self.description = description
        self.error_code = error_code


class ZaloQuotaExceeded(ZaloError):
    pass


class ZaloInvalidToken(ZaloError):
    pass


class ZaloUnknownChat(ZaloError):
    pass


class ZaloBadRequest(ZaloError):
    pass


class ZaloServerError(ZaloError):
    pass


class ZaloNetworkError(ZaloError):
    pass


def _classify(code: int, description: str) -> ZaloError:
    low = description.lower()
    if code == 429 or "quota" in low:
        return ZaloQuotaExceeded(description, code)
    if code in (401, 403) or "token" in low and "invalid" in low:
        return ZaloInvalidToken(description, code)
    if "chat" in low and ("not found" in low or "unknown" in low or "invalid" in low):
        return ZaloUnknownChat(description, code)
    if code >= 500:
        return ZaloServerError(description, code)
    return ZaloBadRequest(description, code)


class ZaloClient:
    def __init__(
        self, token: str, base_url: str = "https://bot-api.zaloplatforms.com", *, timeout: float = 15.0
    ) -> None:
        if not token:
            raise ZaloInvalidToken("no Zalo token configured")
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        url = f"{self.base_url}/bot{self.token}/{method}"
        session = await self._http()
        limit = aiohttp.ClientTimeout(total=timeout if timeout is not None else self.timeout)
        try:
            async with session.post(url, json=params or {}, timeout=limit) as resp:
                try:
                    body = await resp.json(content_type=None)
                except ValueError as exc:
                    raise _classify(resp.status, f"non-JSON reply (HTTP {resp.status})") from exc
                status = resp.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ZaloNetworkError(str(exc) or type(exc).__name__) from exc
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            code = int(body.get("error_code") or status or 0)
            raise _classify(code, str(body.get("description") or f"HTTP {status}"))
        return body.get("result")

    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe")

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:
        """Long polling: one event (a dict with ``event_name`` and ``message``) or None."""
        result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + self.timeout)
        return result or None

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict[str, Any]:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo")

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return await self.call("sendMessage", {"chat_id": str(chat_id), "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": str(chat_id), "photo": photo}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": str(chat_id), "action": action})
