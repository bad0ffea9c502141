"""`python -m bot` / `cramp-coach`: settings, content, then Telegram or the offline console."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.content import ContentError, load_knowledge
from bot.core.knowledge import KnowledgeBase
from bot.logs import setup_logging
from bot.storage import StorageError
from bot.telegram.app import build_application
from bot.telegram.lifecycle import serve
from bot.telegram.web import ListenError

log = logging.getLogger("bot")


def fail(message: str) -> None:
    """End the process with one clear line and no traceback."""
    print(f"cramp-coach: {message}", file=sys.stderr)
    raise SystemExit(2)


def run_bot(settings: Settings, kb: KnowledgeBase) -> None:
    """Serve Telegram until SIGTERM or SIGINT; start-up failures end in one line."""
    app = build_application(settings, kb)
    try:
        asyncio.run(serve(app, settings))
    except InvalidToken:
        fail("the Bot API rejected BOT_TOKEN (unauthorized); check it with @BotFather")
    except BadRequest as error:
        # Only setWebhook sends something of ours that Telegram can refuse at start-up.
        fail(f"Telegram refused WEBHOOK_URL {settings.webhook_url}: {error}")
    except NetworkError as error:
        fail(f"cannot reach the Bot API at {settings.api_url} ({type(error).__name__})")
    except TelegramError as error:
        fail(f"the Bot API refused to start the bot: {error}")
    except ListenError as error:
        fail(str(error))


def main() -> None:
    """Entry point."""
    try:
        settings = load_settings(os.environ)
    except ConfigError as error:
        fail(str(error))
        return
    # The console is a chat: routine INFO lines would interleave with it unless asked for.
    quiet = settings.token is None and "LOG_LEVEL" not in os.environ
    setup_logging(
        "WARNING" if quiet else settings.log_level,
        [settings.token or "", settings.webhook_secret],
        settings.log_format,
    )
    try:
        kb = KnowledgeBase(load_knowledge())
    except ContentError as error:
        fail(str(error))
        return
    try:
        if settings.token is None:
            asyncio.run(run_console(settings, kb))
        else:
            run_bot(settings, kb)
    except StorageError as error:
        fail(str(error))


if __name__ == "__main__":
    main()
