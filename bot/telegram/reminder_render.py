"""Reminder screens as Telegram pages: the core's reminder documents in HTML with buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.knowledge import KnowledgeBase
from bot.core.reminders import Reminder
from bot.core.screens import reminders as screens
from bot.core.screens.reminders import ZONES, Draft
from bot.reminder_service import ChatData
from bot.telegram.html import esc
from bot.telegram.render import Page, callback_data, inline_button, single

__all__ = [
    "Draft",
    "chat_data",
    "confirm",
    "created",
    "describe",
    "reminder_list",
    "reminder_message",
    "wizard_step",
    "zone_step",
]


def wizard_step(draft: Draft | None) -> Page:
    """The next setup question: what for, how often, or which waking hours."""
    return single(screens.wizard_step(draft))


def zone_step(draft: Draft) -> Page | None:
    """Ask for the time zone with a button per common zone; None if the draft is too long
    to carry a zone in button data (then the user sets it with /timezone first)."""
    if callback_data(replace(draft, zone=ZONES[-1]).press()) is None:
        return None
    return single(screens.zone_step(draft))


def describe(reminder: Reminder) -> str:
    """'💧 Water every 2 h, 08:00–22:00', escaped."""
    return esc(screens.describe(reminder))


def created(reminder: Reminder, now: datetime, edited: bool) -> Page:
    """The confirmation after setting or editing a reminder."""
    return single(screens.created(reminder, now, edited))


def reminder_list(reminders: list[Reminder], zone: str | None, now: datetime) -> Page:
    """The chat's reminders with their next times and buttons to manage each."""
    return single(screens.reminder_list(reminders, zone, now))


def reminder_message(
    reminder: Reminder, kb: KnowledgeBase
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reminder itself: a rotating water tip, or one concrete stretch with its steps."""
    page = single(screens.reminder_message(reminder, kb))
    return page.text, page.keyboard


def confirm(question: str, yes_label: str, yes_data: str) -> Page:
    """A yes / cancel question (the question is HTML, the answer button data)."""
    cancel = inline_button(screens.CANCEL)
    assert cancel is not None  # its data is a few bytes
    yes = InlineKeyboardButton(yes_label, callback_data=yes_data)
    return Page(question, InlineKeyboardMarkup([[yes, cancel]]))


def chat_data(data: ChatData) -> Page:
    """Everything stored about the chat, in plain words, times in the chat's zone."""
    return single(screens.chat_data(data))
