"""Cramp Coach: a chat bot for people who get toe and foot cramps."""

__version__ = "0.1.0"
