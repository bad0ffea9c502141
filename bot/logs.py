"""Logging set-up: one structured line per record, never the bot token or a user's text.

A log call adds structured fields with `extra={"fields": {"chat": tag, "ms": 12.5}}`; each
field follows `msg` on the line. Field names are plain words; ts, level, logger, msg and exc
are taken, and fields so named are left out.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from telegram.error import InvalidToken, NetworkError

from bot.config import LOG_FORMATS

# httpx logs every request URL at INFO, and Bot API URLs contain the token.
_NOISY = ("httpx", "httpcore", "apscheduler", "tornado.access")
# At DEBUG these log whole updates and gateway payloads (message texts, interaction
# tokens), request parameters and URLs, and SQL parameters.
_PRIVATE = ("telegram", "discord", "aiosqlite")
_RESERVED = frozenset({"ts", "level", "logger", "msg", "exc"})
# Characters that would make a bare key=value value ambiguous to split.
_NEEDS_QUOTES = frozenset(' "=\\')


class _Hidden:
    """Stands in for a log argument whose content must not be shown: only its type is."""

    def __init__(self, value: object) -> None:
        self._shown = f"<{type(value).__name__}>"

    def __str__(self) -> str:
        return self._shown

    def __repr__(self) -> str:
        return self._shown


class LibraryDataFilter(logging.Filter):
    """Keeps only the numbers among python-telegram-bot's log arguments: its other arguments
    (an update, a response body, received data) can carry what a user wrote."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Hide the non-numeric arguments of records from the `telegram` loggers."""
        if record.args and (record.name == "telegram" or record.name.startswith("telegram.")):
            if isinstance(record.args, Mapping):
                record.args = {key: _number_or_hidden(v) for key, v in record.args.items()}
            else:
                record.args = tuple(_number_or_hidden(v) for v in record.args)
        return True


def _number_or_hidden(value: object) -> object:
    """The value itself if it is a number, else its stand-in."""
    return value if isinstance(value, int | float) else _Hidden(value)


class RedactFilter(logging.Filter):
    """Replaces each secret in a record's final text with a placeholder."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it and every other text, and keep the record."""
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken | NetworkError):
            # A rejected token or an unreachable server is a condition, not a bug: one line
            # with the error says it all, where a traceback would bury it.
            message = f"{message} ({type(error).__name__}: {error})"
            record.exc_info = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self._redact(message), None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if fields:
            # A new dict: the caller's own stays as it was.
            record.fields = {key: self._redact_value(value) for key, value in fields.items()}
        return True

    def _redact(self, text: str) -> str:
        """The text with each secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        return text

    def _redact_value(self, value: object) -> object:
        """A field value as it may be shown: numbers as they are, anything else as redacted
        text (an object's text may hold a secret)."""
        if value is None or isinstance(value, int | float):
            return value
        return self._redact(str(value))


class StructuredFormatter(logging.Formatter):
    """Formats a record as exactly one line: `key=value` pairs (logfmt), or a JSON object.

    The keys are ts (UTC, milliseconds), level, logger, msg, the record's fields, and exc
    (the traceback, if any). In key=value form a value with a space, quote, `=`, backslash or
    control character is quoted with JSON escapes, so a traceback stays on its line.
    """

    def __init__(self, log_format: str = "kv") -> None:
        super().__init__()
        if log_format not in LOG_FORMATS:
            raise ValueError(f"unknown log format {log_format!r}; expected one of {LOG_FORMATS}")
        self._json = log_format == "json"

    def format(self, record: logging.LogRecord) -> str:
        """The record's one line."""
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        pairs: dict[str, Any] = {
            "ts": f"{seconds}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            pairs.update((k, v) for k, v in fields.items() if k not in _RESERVED)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        exc = "\n".join(text for text in (record.exc_text, record.stack_info) if text)
        if exc:
            pairs["exc"] = exc
        if self._json:
            return json.dumps(pairs, default=str)
        return " ".join(f"{key}={_kv_value(value)}" for key, value in pairs.items())


def _kv_value(value: object) -> str:
    """A value as it appears after `key=`: bare when unambiguous, else a JSON string."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    text = str(value)
    if text and text.isprintable() and _NEEDS_QUOTES.isdisjoint(text):
        return text
    return json.dumps(text)


def setup_logging(level: str, secrets: list[str], log_format: str = "kv") -> None:
    """Log to stderr at `level` in `log_format` ("kv" or "json"), one line per record, with
    secrets redacted and chatty or text-carrying libraries held back."""
    handler = logging.StreamHandler()
    handler.setFormatter(StructuredFormatter(log_format))
    handler.addFilter(LibraryDataFilter())
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in _PRIVATE:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
