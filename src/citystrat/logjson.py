"""Structured logs: one JSON object per line (``CITYSTRAT_LOG_FORMAT=json``; the default
under production settings), ready for journald, Loki or any log shipper."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter"]

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            data["method"] = getattr(request, "method", "")
            data["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            data["status"] = status
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in ("request", "status_code") and key not in data:
                data[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
