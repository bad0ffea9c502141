"""The Telegram side: application wiring, handlers and rendering."""
