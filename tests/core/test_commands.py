"""The command table: one entry per command, each described once, and the menus and /help
built from it."""

from __future__ import annotations

from bot.core.commands import COMMANDS, Chats, Part, of, offered


def test_names_and_aliases_are_unique_and_fit_the_platforms() -> None:
    names = [name for c in COMMANDS for name in (c.name, *c.aliases)]
    assert len(names) == len(set(names))
    for command in COMMANDS:
        # Telegram: 1-32 lowercase letters, digits and underscores; 3-256 for the summary.
        # Discord slash commands: 1-32 characters, a description of 1-100.
        for name in (command.name, *command.aliases):
            assert name.isascii(), name
            assert name.islower(), name
            assert 1 <= len(name) <= 32, name
        assert 3 <= len(command.summary) <= 100, command.name


def test_menus_by_chat() -> None:
    private = {c.name for c in offered(Chats.PRIVATE)}
    group = {c.name for c in offered(Chats.GROUP)}
    operator = {c.name for c in offered(Chats.PRIVATE | Chats.OPERATOR)}
    assert {"start", "about", "remind", "foods"} <= private
    assert not {"start", "about"} & group
    assert "foods" in group
    assert {"stats", "broadcast"} <= operator - private
    assert not {c.name for c in of(Part.OPERATOR)} & (private | group)


def test_help_lists_every_command_people_use() -> None:
    listed = {c.name for c in COMMANDS if c.example}
    people = {c.name for c in COMMANDS if c.part is not Part.OPERATOR}
    assert people - listed == {"start", "help"}  # the menu and this list itself
