"""What the bot says outside its screens, for every front end: one catalogue, ready for
translation (screens are documents; their words are in content/ and bot/core/screens)."""

from __future__ import annotations

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
BUSY = "I'm busy saving other changes right now. Please try that again in a few seconds."
STALE_BUTTON = "This button is out of date. Send /start for a fresh menu."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."

# Reminders
ADMINS_ONLY = (
    "Only group admins can change reminders here. You can set your own in a private chat with me."
)
NEEDS_ZONE_FIRST = (
    "First set your time zone with /timezone and your city, then send this /remind again."
)
ONLY_ASKER = "Only the person who asked can answer this."
STOP_USAGE = "Send /stop 3 to delete reminder #3, or /stop all to delete every reminder here."
FORGET_QUESTION = (
    "Delete everything I store about this chat: its time zone, every reminder and "
    "their delivery log? This cannot be undone."
)
