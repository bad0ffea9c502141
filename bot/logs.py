"""Logging set-up that can never print the bot token."""

from __future__ import annotations

import logging

from telegram.error import InvalidToken, NetworkError

# httpx logs every request URL at INFO, and Bot API URLs contain the token.
_NOISY = ("httpx", "httpcore", "apscheduler", "tornado.access")


class RedactFilter(logging.Filter):
    """Replaces each secret in a record's final text with a placeholder."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it, and keep the record."""
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken | NetworkError):
            # A rejected token or an unreachable server is a condition, not a bug: one line
            # with the error says it all, where a traceback would bury it.
            message = f"{message} ({type(error).__name__}: {error})"
            record.exc_info = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, "<token>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<token>")
        record.msg, record.args = message, None
        return True


def setup_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr at `level`, with secrets redacted and chatty libraries quietened."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
