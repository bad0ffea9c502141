"""One log line per handled update, from the real Application, with no user text anywhere."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest

from bot.telegram.render import Renderer
from bot.telegram.update_log import UpdateLog
from tests.telegram.harness import TOKEN, Harness
from tests.test_logs import logging_to_string, parse_kv

USER = 1001


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The bot's log output at DEBUG; listed before `bot` so that it sees the start-up too."""
    with logging_to_string("DEBUG") as stream:
        yield stream


def update_lines(output: io.StringIO) -> list[dict[str, str]]:
    """The `bot.updates` lines so far."""
    lines = [parse_kv(line) for line in output.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "bot.updates"]


async def wait_lines(output: io.StringIO, count: int) -> list[dict[str, str]]:
    """The `bot.updates` lines once there are `count` (the line follows the reply)."""
    for _ in range(100):
        if len(lines := update_lines(output)) >= count:
            return lines
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} update lines in:\n{output.getvalue()}")


def test_chat_tag_is_keyed_short_and_stable() -> None:
    tag = UpdateLog(TOKEN.encode()).chat_tag(USER)
    assert len(tag) == 12
    assert int(tag, 16) >= 0
    assert tag == UpdateLog(TOKEN.encode()).chat_tag(USER)  # as after a restart
    assert tag != UpdateLog(b"another token").chat_tag(USER)
    assert tag != UpdateLog(TOKEN.encode()).chat_tag(USER + 1)


async def test_command_gives_one_line_without_its_text(
    output: io.StringIO, bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.say("/foods magnesium")
    await bot.say("/help")  # handled after the first update's line, in the same chat
    foods, helped = await wait_lines(output, 2)
    assert foods["msg"] == "update handled"
    assert foods["level"] == "info"
    assert foods["update"] == "message"
    assert foods["handler"] == "/foods"
    assert foods["outcome"] == "ok"
    assert foods["chat"] == UpdateLog(TOKEN.encode()).chat_tag(USER)
    assert foods["chat"] != str(USER)
    assert float(foods["ms"]) > 0
    assert helped["handler"] == "/help"
    assert helped["chat"] == foods["chat"]
    assert "magnesium" not in output.getvalue().lower()
    assert TOKEN not in output.getvalue()
    for record in caplog.records:  # every logger, whatever the handler set-up
        shown = f"{record.getMessage()} {record.exc_text or ''} {getattr(record, 'fields', '')}"
        assert "magnesium" not in shown.lower(), record.name


async def test_button_press_gives_a_callback_query_line(output: io.StringIO, bot: Harness) -> None:
    menu = await bot.say("/start")
    await bot.press(menu, "Foods", USER)
    start, pressed = await wait_lines(output, 2)
    assert start["handler"] == "/start"
    assert pressed["update"] == "callback_query"
    assert pressed["handler"] == "LookupHandlers.on_button"
    assert pressed["chat"] == start["chat"]
    assert pressed["outcome"] == "ok"


async def test_alias_is_named_as_sent_and_free_text_by_its_handler(
    output: io.StringIO, bot: Harness
) -> None:
    await bot.say("/food@CrampCoachBot zinc")
    await bot.say("bananas?")
    alias, text = await wait_lines(output, 2)
    assert alias["handler"] == "/food"
    assert text["handler"] == "LookupHandlers.on_text"
    assert "zinc" not in output.getvalue()
    assert "banana" not in output.getvalue()


async def test_failing_handler_still_gives_its_line(
    output: io.StringIO, bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Renderer, view: object) -> None:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(Renderer, "render", broken)
    reply = await bot.say("bananas?")
    assert "Sorry" in reply.plain
    (line,) = await wait_lines(output, 1)
    assert line["handler"] == "LookupHandlers.on_text"
    assert line["outcome"] == "error"
    errors = [
        parse_kv(raw)
        for raw in output.getvalue().splitlines()
        if parse_kv(raw)["logger"] == "bot.telegram.app"
    ]
    assert len(errors) == 1
    assert "RuntimeError: renderer broke" in errors[0]["exc"]


async def test_unhandled_update_is_logged_with_no_handler(
    output: io.StringIO, bot: Harness
) -> None:
    await bot.say_nothing_back("just chatting", chat_id=-2001, chat_type="group")
    unhandled, probe = await wait_lines(output, 2)
    assert unhandled["update"] == "message"
    assert unhandled["handler"] == "-"
    assert probe["handler"] == "/help"
    assert "chatting" not in output.getvalue()
