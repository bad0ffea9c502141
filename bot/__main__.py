"""`python -m bot` / `cramp-coach`: settings, content, then Telegram and/or Discord, or the
offline console."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Iterator
from typing import NoReturn

import aiohttp
import discord
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.app import Core, serve
from bot.config import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE,
    DEFAULT_DISCORD_API_URL,
    ConfigError,
    Settings,
    load_settings,
)
from bot.console import run_console
from bot.core.knowledge import KnowledgeBase
from bot.discord.front import DiscordFrontEnd
from bot.health_server import ListenError
from bot.loader import ContentError, load_knowledge
from bot.logs import setup_logging
from bot.storage import StorageError
from bot.telegram.lifecycle import TelegramFrontEnd

log = logging.getLogger("bot")
PROGRAM = "cramp-coach"
DESCRIPTION = """\
Cramp Coach: a Telegram and Discord bot about toe and foot cramps (causes, foods,
stretches, red flags, reminders).

With BOT_TOKEN set it serves Telegram: long polling, or a webhook when WEBHOOK_URL is set.
With DISCORD_TOKEN set it serves Discord; with both, both, over one database. Without
either, in a terminal, it opens an offline console: a chat with the bot on a database of
its own that is gone when you leave.
"""
EPILOG = f"""\
settings, from the environment:
  BOT_TOKEN       the bot's token from @BotFather (never printed or logged)
  BOT_API_URL     the Bot API server (default {DEFAULT_API_URL})
  DISCORD_TOKEN   the Discord bot's token (Developer Portal, Bot page; never logged)
  DISCORD_API_URL Discord's API base (default {DEFAULT_DISCORD_API_URL})
  DATABASE_PATH   the SQLite file (default {DEFAULT_DATABASE})
  WEBHOOK_URL     the bot's public https address: webhook mode instead of long polling
  WEBHOOK_SECRET  the secret Telegram sends with every webhook request
  PORT            the bot's HTTP server for the webhook and GET /healthz
  LISTEN_ADDRESS  where that server listens (default 0.0.0.0)
  ADMIN_IDS       Telegram user ids allowed /stats and /broadcast
  LOG_LEVEL       DEBUG, INFO, WARNING or ERROR; LOG_FORMAT kv or json

README.md (Settings, Deployment) has the details.
"""
# PTB's own text for an answer it could not parse as JSON: a web server, not a Bot API.
_NOT_JSON = "Invalid server response"
# PTB's error for a failed HTTP status starts with the status phrase and code, e.g.
# 'Not Found (404). Parsing the server response ... failed'.
_HTTP_STATUS = re.compile(r"[A-Za-z' -]+ \((?P<code>[0-9]{3})\)")


def fail(message: str) -> NoReturn:
    """End the process with one clear line and no traceback."""
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    raise SystemExit(2)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A wrong argument is one line, like every other start-up failure. argparse's
        message is not shown: it quotes the arguments, and `--token 123:AA...` is likely."""
        fail(
            "unknown arguments: settings come from the environment, "
            f"not the command line (see {PROGRAM} --help)"
        )


def parse_args() -> argparse.Namespace:
    """The command line: --help, and --console."""
    parser = _Parser(
        prog=PROGRAM,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--console",
        action="store_true",
        help="open the offline console even without a terminal (lines from standard "
        "input) or with BOT_TOKEN set",
    )
    return parser.parse_args()


def start_up_problem(error: TelegramError, settings: Settings) -> str:
    """The one line that says why Telegram's side stopped the bot from starting."""
    # PTB chains its errors: getMe's 'token rejected' from the HTTP status's, from the
    # parsing's.
    messages = [e.message for e in _causes(error) if isinstance(e, TelegramError)]
    if _NOT_JSON in messages:
        # Only the status code is taken from PTB's messages: the rest quotes the answer,
        # which may be a whole web page echoing the request's path, the token included.
        status = next(filter(None, map(_HTTP_STATUS.match, messages)), None)
        got = f"HTTP {status['code']}, not JSON" if status else "an answer that is not JSON"
        return f"BOT_API_URL {settings.api_url} did not answer like a Telegram Bot API ({got})"
    if isinstance(error, InvalidToken):
        return "the Bot API rejected BOT_TOKEN (unauthorized); check it with @BotFather"
    if isinstance(error, BadRequest):
        # Only setWebhook sends something of ours that Telegram can refuse at start-up.
        return f"Telegram refused WEBHOOK_URL {settings.webhook_url}: {error}"
    if isinstance(error, NetworkError):
        return f"cannot reach the Bot API at {settings.api_url} ({type(error).__name__})"
    return f"the Bot API refused to start the bot: {error}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what it was raised from, and so on."""
    cause: BaseException | None = error
    while cause is not None:
        yield cause
        cause = cause.__cause__


def run_bot(settings: Settings, kb: KnowledgeBase) -> None:
    """Serve Telegram, Discord or both (whichever has a token) over one database until
    SIGTERM or SIGINT; start-up failures end in one line."""
    core = Core(settings, kb)
    if settings.token is not None:
        TelegramFrontEnd(core)
    if settings.discord_token is not None:
        DiscordFrontEnd(core)
    try:
        asyncio.run(serve(core))
    except TelegramError as error:
        fail(start_up_problem(error, settings))
    except TimeoutError as error:
        fail(f"Discord at {settings.discord_api_url}: {error}")
    except discord.LoginFailure:
        fail("Discord rejected DISCORD_TOKEN; check it on the Developer Portal's Bot page")
    except (discord.DiscordException, aiohttp.ClientError) as error:
        fail(f"cannot reach Discord at {settings.discord_api_url} ({type(error).__name__})")
    except ListenError as error:
        fail(str(error))


def main() -> None:
    """Entry point."""
    args = parse_args()
    try:
        settings = load_settings(os.environ)
    except ConfigError as error:
        fail(str(error))
    tokens = settings.token is not None or settings.discord_token is not None
    console = args.console or not tokens
    # `docker run -d` without a token would otherwise read an empty standard input, show
    # the console's banner and exit 0, which looks like success. (stdin is None when the
    # process has no standard input at all.)
    if not tokens and not args.console and not (sys.stdin and sys.stdin.isatty()):
        fail(
            "neither BOT_TOKEN nor DISCORD_TOKEN is set; set one (or both) to run the bot, "
            "or run in a terminal (or with --console) for the offline console"
        )
    # The console is a chat: routine INFO lines would interleave with it unless asked for.
    quiet = console and "LOG_LEVEL" not in os.environ
    setup_logging(
        "WARNING" if quiet else settings.log_level,
        [settings.token or "", settings.discord_token or "", settings.webhook_secret],
        settings.log_format,
    )
    # This logger's one record is a whole unparsable answer with a traceback, logged just
    # before PTB raises the TelegramError that start_up_problem or the updater reports.
    logging.getLogger("telegram.request.BaseRequest").setLevel(logging.CRITICAL)
    try:
        kb = KnowledgeBase(load_knowledge())
    except ContentError as error:
        fail(str(error))
    try:
        if console:
            asyncio.run(run_console(settings, kb))
        else:
            run_bot(settings, kb)
    except StorageError as error:
        fail(str(error))


if __name__ == "__main__":
    main()
