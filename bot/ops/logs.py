"""Logging for every ``doithoai`` command: readable lines by default, or one JSON object per line
(``DOITHOAI_LOG_JSON=1``) for a log collector.

A JSON line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``exception`` when there
is one, the record's extras (``log.info("…", extra={"chat_id": …})``), and what the update being
handled is about (``update_id``, ``update``, ``chat_id``, ``user_id``: set by bot.ops.metrics'
middleware for every line logged while an update is handled).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# what the update being handled is about (bot.ops.metrics.UpdateMetrics)
log_context: ContextVar[dict[str, Any] | None] = ContextVar("doithoai_log_context", default=None)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            # the record's own wall-clock time: logs say when they were written
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = log_context.get()
        if context:
            entry.update(context)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: int, json_lines: bool = False) -> None:
    """The root logger: one handler on stderr, text or JSON. Like ``logging.basicConfig``, nothing is
    changed when something else configured logging first (a test runner)."""
    root = logging.getLogger()
    if any(not getattr(h, "doithoai", False) for h in root.handlers):
        return
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.doithoai = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
