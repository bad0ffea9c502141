"""Settings from the environment, checked at start-up with one clear line per mistake."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE = "data/cramp-coach.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# BotFather tokens are '<bot id>:<35 url-safe characters>'; allow some slack in the length.
_TOKEN = re.compile(r"[0-9]{5,20}:[A-Za-z0-9_-]{30,60}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and never shows a secret."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from the environment."""

    token: str | None
    api_url: str
    database_path: Path
    log_level: str

    @property
    def base_url(self) -> str:
        """PTB's base_url: the Bot API root with '/bot', to which the token is appended."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's base_file_url, built the same way as base_url."""
        return f"{self.api_url}/file/bot"


def load_settings(env: Mapping[str, str]) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad one."""
    token = env.get("BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN.fullmatch(token):
        raise ConfigError(
            "BOT_TOKEN is malformed: expected '<digits>:<35 letters, digits, _ or ->' "
            "as given by @BotFather (value not shown)"
        )
    api_url = env.get("BOT_API_URL", "").strip().rstrip("/") or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(
            f"BOT_API_URL must be an http(s) base URL such as {DEFAULT_API_URL} "
            "or http://127.0.0.1:8081"
        )
    log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    database = Path(env.get("DATABASE_PATH", "").strip() or DEFAULT_DATABASE)
    if database.is_dir():
        raise ConfigError("DATABASE_PATH must be a file path, not a folder")
    return Settings(token=token, api_url=api_url, database_path=database, log_level=log_level)
