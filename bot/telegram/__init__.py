"""The Telegram side: application wiring, handlers and rendering."""

import os

# Opt in to python-telegram-bot's coming durations as timedelta (e.g. RetryAfter.retry_after)
# instead of ints, which its 22.x releases deprecate with a warning on every access.
os.environ.setdefault("PTB_TIMEDELTA", "true")
