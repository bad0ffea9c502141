"""Operator commands for the ids in ADMIN_IDS: /stats and /broadcast (with confirmation).

Anyone else, and any group, gets the normal answer to an unknown command: the handlers
are not reached at all, so nobody can tell that the commands exist.
"""

from __future__ import annotations

import re
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.core.reminder_input import Kind
from bot.core.reminders import KIND_LABELS
from bot.core.texts import STALE_BUTTON
from bot.operator_service import OperatorService
from bot.storage import Stats
from bot.telegram.lookup_handlers import NEW_MESSAGES
from bot.telegram.render import Page
from bot.telegram.replies import reply

Context = ContextTypes.DEFAULT_TYPE
USAGE = (
    "Usage: /broadcast followed by the message, formatted as you like. "
    "You will see it as it will arrive, and confirm before anything is sent."
)
NOBODY = "No chat has reminders or a time zone set yet, so there is nobody to send to."
_COMMAND = re.compile(r"^/broadcast(@\w+)?\s*", re.IGNORECASE)
_BUTTON = re.compile(r"^bc:(\d+):(send|cancel)$")


def _version() -> str:
    try:
        return version("cramp-coach")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class AdminHandlers:
    """The operator's commands, for the user ids given."""

    def __init__(self, admin_ids: frozenset[int], operator: OperatorService) -> None:
        self.admin_ids = admin_ids
        self.operator = operator

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the operator's handlers; with no admins there is nothing to add."""
        if not self.admin_ids:
            return
        admins = NEW_MESSAGES & filters.ChatType.PRIVATE & filters.User(user_id=self.admin_ids)
        app.add_handler(CommandHandler("stats", self.stats, filters=admins))
        app.add_handler(CommandHandler("broadcast", self.broadcast, filters=admins))
        app.add_handler(CallbackQueryHandler(self.on_button, pattern=_BUTTON))

    async def stats(self, update: Update, context: Context) -> None:
        """Counts an operator wants at a glance."""
        message = update.effective_message
        if message is None:
            return
        seen = await self.operator.overview()
        await reply(message, Page(stats_text(seen.stats, seen.uptime, seen.backlog), None))

    async def broadcast(self, update: Update, context: Context) -> None:
        """Show the message exactly as it will arrive, then ask before queueing it."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _COMMAND.sub("", message.text_html, count=1).strip()
        if not text:
            await reply(message, Page(USAGE, None))
            return
        audience = await self.operator.audience()
        if audience == 0:
            await reply(message, Page(NOBODY, None))
            return
        try:
            await message.chat.send_message(text)
        except BadRequest as error:
            await message.reply_text(f"Telegram would not show this message ({error}).")
            return
        draft = await self.operator.draft(user.id, text)
        await message.chat.send_message(
            f"📣 Send the message above to <b>{audience}</b> chats (every chat with "
            "reminders or a time zone set)? It goes out through the reminder queue, "
            "within Telegram's rate limits.",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            f"📣 Send to {audience} chats", callback_data=f"bc:{draft}:send"
                        ),
                        InlineKeyboardButton("Cancel", callback_data=f"bc:{draft}:cancel"),
                    ]
                ]
            ),
        )

    async def on_button(self, update: Update, context: Context) -> None:
        """Send or cancel a drafted broadcast; a second tap changes nothing."""
        query = update.callback_query
        match = _BUTTON.match(query.data or "") if query is not None else None
        if query is None or match is None:
            return
        if query.from_user.id not in self.admin_ids:
            await query.answer(STALE_BUTTON)
            return
        draft, action = int(match[1]), match[2]
        if action == "send":
            count = await self.operator.start(draft)
            if count is not None:
                done = f"📣 Queued for {count} chats. /stats shows how it is going."
            else:
                done = "This broadcast was already sent or cancelled."
        else:
            cancelled = await self.operator.cancel(draft)
            done = (
                "Cancelled: nothing was sent."
                if cancelled
                else "This broadcast was already sent or cancelled."
            )
        await query.answer()
        if isinstance(query.message, Message):
            await query.edit_message_text(done)


def stats_text(stats: Stats, uptime: timedelta, backlog: int) -> str:
    """The /stats message."""
    chats = sum(stats.chats.values())
    groups = chats - stats.chats.get("private", 0)
    running = sum(stats.active.values())
    kinds = ", ".join(f"{KIND_LABELS[kind]} {stats.active.get(kind.value, 0)}" for kind in Kind)
    sent = stats.deliveries
    casts = stats.broadcasts
    lines = [
        f"📊 <b>Cramp Coach {_version()}</b>, up {_duration(uptime)}",
        f"Chats: {chats} (private {chats - groups}, groups {groups})",
        f"Reminders: {running} running ({kinds}), {stats.paused} paused",
        "Last 24 h: "
        f"{sent.get('sent', 0)} sent, {sent.get('unreachable', 0)} unreachable, "
        f"{sent.get('failed', 0)} failed, {sent.get('skipped_late', 0)} skipped as late",
        f"Queue: {stats.due_unclaimed} due, {sent.get('pending', 0)} claimed, "
        f"{backlog} with the senders",
    ]
    if casts:
        lines.append(
            f"Broadcasts: {casts.get('queued', 0)} queued, {casts.get('pending', 0)} claimed; "
            f"last 24 h {casts.get('sent', 0)} sent, {casts.get('unreachable', 0)} unreachable, "
            f"{casts.get('failed', 0)} failed"
        )
    return "\n".join(lines)


def _duration(delta: timedelta) -> str:
    """'3 d 4 h', '2 h 5 min', '40 s'."""
    seconds = max(int(delta.total_seconds()), 0)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"
