"""Settings from the environment, checked at start-up with one clear line per mistake."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DISCORD_API_URL = "https://discord.com/api/v10"
DEFAULT_DATABASE = "data/cramp-coach.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("kv", "json")
# All interfaces: inside a container, a port is reachable only where it is published.
DEFAULT_LISTEN_ADDRESS = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8080
# Telegram's limit for a bot's messages per second in all; paid broadcasts lift it to 1000.
FREE_SEND_RATE = 30
PAID_SEND_RATE = 1000
# Telegram's rule for secret_token is 1-256 of these; fewer than 16 would be guessable.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# ASCII only: str.isdigit() also takes '²', which int() then refuses.
_DIGITS = re.compile(r"[0-9]{1,20}")
# One DNS label; '_' too, as Docker and Compose service names may have it.
_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
# BotFather tokens are '<bot id>:<35 url-safe characters>'; allow some slack in the length.
_TOKEN = re.compile(r"[0-9]{5,20}:[A-Za-z0-9_-]{30,60}")
# Discord bot tokens are three base64url parts joined by dots.
_DISCORD_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}\.[A-Za-z0-9_-]{4,20}\.[A-Za-z0-9_-]{20,100}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and never shows a secret."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from the environment."""

    token: str | None = field(repr=False)
    api_url: str
    database_path: Path
    log_level: str
    log_format: str = "kv"
    webhook_url: str | None = None
    webhook_secret: str = ""
    listen_address: str = DEFAULT_LISTEN_ADDRESS
    port: int | None = None
    admin_ids: frozenset[int] = frozenset()
    send_rate: int = FREE_SEND_RATE
    paid_broadcast: bool = False
    discord_token: str | None = field(default=None, repr=False)
    discord_api_url: str = DEFAULT_DISCORD_API_URL

    @property
    def base_url(self) -> str:
        """PTB's base_url: the Bot API root with '/bot', to which the token is appended."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's base_file_url, built the same way as base_url."""
        return f"{self.api_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        """Where the bot's server takes updates: derived from the token, so it is stable
        across restarts (a proxy can route it) and cannot be guessed without the token."""
        digest = hmac.new((self.token or "").encode(), b"webhook path", hashlib.sha256)
        return f"/telegram/{digest.hexdigest()[:32]}"

    @property
    def webhook_endpoint(self) -> str | None:
        """The address given to Telegram's setWebhook, or None in long-polling mode."""
        return None if self.webhook_url is None else self.webhook_url + self.webhook_path


def load_settings(env: Mapping[str, str]) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad one."""
    token = env.get("BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN.fullmatch(token):
        raise ConfigError(
            "BOT_TOKEN is malformed: expected '<digits>:<35 letters, digits, _ or ->' "
            "as given by @BotFather (value not shown)"
        )
    api_url = _base_url(env, "BOT_API_URL", DEFAULT_API_URL, "http://127.0.0.1:8081")
    discord_token = env.get("DISCORD_TOKEN", "").strip() or None
    if discord_token is not None and not _DISCORD_TOKEN.fullmatch(discord_token):
        raise ConfigError(
            "DISCORD_TOKEN is malformed: expected the bot token from the Developer "
            "Portal's Bot page, three parts joined by dots (value not shown)"
        )
    discord_api_url = _base_url(
        env, "DISCORD_API_URL", DEFAULT_DISCORD_API_URL, "http://127.0.0.1:8082/api/v10"
    )
    log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    log_format = env.get("LOG_FORMAT", "").strip().lower() or "kv"
    if log_format not in LOG_FORMATS:
        raise ConfigError("LOG_FORMAT must be kv (key=value) or json")
    database = Path(env.get("DATABASE_PATH", "").strip() or DEFAULT_DATABASE)
    if database.is_dir():
        raise ConfigError("DATABASE_PATH must be a file path, not a folder")
    webhook_url = _webhook_url(env.get("WEBHOOK_URL", ""), self_hosted=api_url != DEFAULT_API_URL)
    secret = env.get("WEBHOOK_SECRET", "").strip()
    if secret and not _SECRET.fullmatch(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or - (value not shown)"
        )
    port = parse_port(env.get("PORT", ""))
    paid = _switch(env.get("PAID_BROADCAST", ""), "PAID_BROADCAST")
    return Settings(
        token=token,
        api_url=api_url,
        database_path=database,
        log_level=log_level,
        log_format=log_format,
        webhook_url=webhook_url,
        # Without one set, a fresh secret each start: setWebhook sends it to Telegram anyway.
        webhook_secret=secret or secrets.token_urlsafe(32),
        listen_address=_listen_address(env.get("LISTEN_ADDRESS", "")),
        port=DEFAULT_WEBHOOK_PORT if port is None and webhook_url else port,
        admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
        send_rate=_send_rate(env.get("SEND_RATE", ""), paid=paid),
        paid_broadcast=paid,
        discord_token=discord_token,
        discord_api_url=discord_api_url,
    )


def _base_url(env: Mapping[str, str], name: str, default: str, example: str) -> str:
    """An API's base URL: http(s), a host, no query, fragment or user name."""
    url = env.get(name, "").strip().rstrip("/") or default
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ConfigError(f"{name} must be an http(s) base URL such as {default} or {example}")
    return url


def _switch(value: str, name: str) -> bool:
    value = value.strip().lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name} must be on or off (1 or 0)")
    return value in ("1", "true", "yes", "on")


def _send_rate(value: str, *, paid: bool) -> int:
    """Messages a second in all; above Telegram's free 30 only with paid broadcasts on (each
    message sent then costs Stars, so the higher rate is asked for, never assumed)."""
    most = PAID_SEND_RATE if paid else FREE_SEND_RATE
    value = value.strip()
    if not value:
        return FREE_SEND_RATE
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= most:
        hint = "" if paid else f" (up to {PAID_SEND_RATE} with PAID_BROADCAST=on)"
        raise ConfigError(f"SEND_RATE must be a whole number from 1 to {most}{hint}")
    return int(value)


def _webhook_url(value: str, *, self_hosted: bool) -> str | None:
    """The public base address Telegram posts updates to; http only for a self-hosted API."""
    url = value.strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    schemes = ("http", "https") if self_hosted else ("https",)
    if parts.scheme not in schemes or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            "WEBHOOK_URL must be the bot's public https address, such as "
            "https://bot.example.com (Telegram only posts to https)"
        )
    return url


def parse_port(value: str) -> int | None:
    """PORT as a number, None when unset; ConfigError naming PORT otherwise."""
    value = value.strip()
    if not value:
        return None
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= 65535:
        raise ConfigError("PORT must be a whole number from 1 to 65535")
    return int(value)


def _listen_address(value: str) -> str:
    value = value.strip() or DEFAULT_LISTEN_ADDRESS
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not _is_hostname(value):
            raise ConfigError(
                "LISTEN_ADDRESS must be an IP address or host name, such as 0.0.0.0 or 127.0.0.1"
            ) from None
    return value


def _is_hostname(value: str) -> bool:
    """A syntactically valid host name. Its last label may not be all digits (RFC 1123,
    2.1), so a mistyped IP address such as 999.1.1.1 is refused here rather than when the
    server tries to listen."""
    labels = value.split(".")
    return (
        len(value) <= 253
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _admin_ids(value: str) -> frozenset[int]:
    """Telegram user ids, separated by commas or spaces."""
    ids = [part for part in re.split(r"[,\s]+", value.strip()) if part]
    if not all(_DIGITS.fullmatch(part) and 0 < int(part) < 2**53 for part in ids):
        raise ConfigError(
            "ADMIN_IDS must be Telegram user ids (numbers) separated by commas, "
            "such as 12345678,87654321"
        )
    return frozenset(int(part) for part in ids)
