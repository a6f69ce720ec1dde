"""What every channel's sender promises the outbox dispatcher, and the errors it may raise."""

from __future__ import annotations

from typing import Any, Protocol


class RetryAfter(Exception):
    def __init__(self, seconds: float, whole_bot: bool = False) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds
        self.whole_bot = whole_bot


class TransientError(Exception):
    """Worth retrying later: network errors, timeouts, 5xx."""


class PermanentError(Exception):
    """Will never succeed: bot blocked, chat not found, malformed request."""

    def __init__(self, reason: str, blocked: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.blocked = blocked


class Sender(Protocol):
    async def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        """Deliver one channel-neutral payload; returns the message id."""
