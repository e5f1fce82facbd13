"""Logging: readable console lines by default, JSON lines with CONSOLE_JSON.

DEBUG_LOGGING keeps a rotating debug log file (as LibreChat does); DEBUG_CONSOLE
sends debug output to the console too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pythonjsonlogger.json import JsonFormatter


class TruncatingJsonFormatter(JsonFormatter):
    """JSON lines whose string values are cut at CONSOLE_JSON_STRING_LENGTH."""

    def __init__(self, *args: Any, max_length: int = 255, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: self._cut(value) for key, value in log_data.items()}

    def _cut(self, value: Any) -> Any:
        if isinstance(value, str) and len(value) > self.max_length:
            return value[: self.max_length] + "..."
        return value


def logging_config(
    *,
    level: str,
    console_json: bool,
    json_string_length: int,
    debug_console: bool,
    debug_file: Path | None,
) -> dict[str, Any]:
    console_level = "DEBUG" if debug_console else level
    handlers: dict[str, dict[str, Any]] = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if console_json else "plain",
            "level": console_level,
        }
    }
    if debug_file:
        debug_file.parent.mkdir(parents=True, exist_ok=True)
        handlers["debug_file"] = {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(debug_file),
            "maxBytes": 20 * 1024 * 1024,
            "backupCount": 5,
            "formatter": "plain",
            "level": "DEBUG",
        }
    parley_level = "DEBUG" if debug_file or debug_console else level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "json": {
                "()": TruncatingJsonFormatter,
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "asctime": "timestamp"},
                "max_length": json_string_length,
            },
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {name: {"level": parley_level} for name in ("chatapp", "endpoints", "accounts")},
    }
