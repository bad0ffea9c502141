"""Loads content/ (TOML) into the core types, checking every field and reporting every problem."""

from bot.loader.load import default_content_dir, load_knowledge
from bot.loader.nutrients import MIN_FOODS
from bot.loader.reader import ContentError

__all__ = ["MIN_FOODS", "ContentError", "default_content_dir", "load_knowledge"]
