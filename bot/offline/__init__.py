"""Run the bot without Telegram: an in-memory Bot API and a PTB request that talks to it."""
