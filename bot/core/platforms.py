"""Which platform a chat is on: its reminders are delivered by that platform's sender."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """A chat's platform, stored with the chat and each of its reminders.

    Chat ids need no platform prefix to be unique: Telegram's have at most 52 significant
    bits, and every Discord id (a snowflake made after January 2015) is larger than 2**52."""

    TELEGRAM = "telegram"
    DISCORD = "discord"
    CONSOLE = "console"
