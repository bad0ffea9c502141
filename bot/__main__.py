"""`python -m bot` / `cramp-coach`: settings, content, then Telegram or the offline console."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.content import ContentError, load_knowledge
from bot.core.knowledge import KnowledgeBase
from bot.logs import setup_logging
from bot.telegram.app import build_application

log = logging.getLogger("bot")


def fail(message: str) -> None:
    """End the process with one clear line and no traceback."""
    print(f"cramp-coach: {message}", file=sys.stderr)
    raise SystemExit(2)


def serve(settings: Settings, kb: KnowledgeBase) -> None:
    """Serve Telegram by long polling until interrupted."""
    app = build_application(settings, kb)
    log.info("starting long polling against %s", settings.api_url)
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        fail("the Bot API rejected BOT_TOKEN (unauthorized); check it with @BotFather")
    except NetworkError as error:
        fail(f"cannot reach the Bot API at {settings.api_url} ({type(error).__name__})")


def main() -> None:
    """Entry point."""
    try:
        settings = load_settings(os.environ)
    except ConfigError as error:
        fail(str(error))
        return
    # The console is a chat: routine INFO lines would interleave with it unless asked for.
    quiet = settings.token is None and "LOG_LEVEL" not in os.environ
    setup_logging("WARNING" if quiet else settings.log_level, [settings.token or ""])
    try:
        kb = KnowledgeBase(load_knowledge())
    except ContentError as error:
        fail(str(error))
        return
    if settings.token is None:
        asyncio.run(run_console(settings, kb))
    else:
        serve(settings, kb)


if __name__ == "__main__":
    main()
