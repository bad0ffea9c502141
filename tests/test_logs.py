"""Log lines as the bot writes them: one line each, key=value or JSON, no token, no user text."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.logs import setup_logging

TOKEN = "123456789:AAExampleExampleExampleExample_1234"
TS = re.compile(r"^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")
PAIR = re.compile(r'(\w+)=("(?:\\.|[^"\\])*"|\S*)')
USER_TEXT = "my secret cramp diary"


@contextmanager
def logging_to_string(level: str = "INFO", log_format: str = "kv") -> Iterator[io.StringIO]:
    """The bot's logging set-up writing to a string; the previous set-up is restored after."""
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    setup_logging(level, [TOKEN], log_format)
    stream = io.StringIO()
    ours = root.handlers[0]
    assert isinstance(ours, logging.StreamHandler)
    ours.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(root_level)
        for name, level_before in levels.items():
            logging.getLogger(name).setLevel(level_before)


def parse_kv(line: str) -> dict[str, str]:
    """A key=value line back into its pairs, quoted values unescaped."""
    pairs = {}
    for key, value in PAIR.findall(line):
        pairs[key] = json.loads(value) if value.startswith('"') else value
    assert " ".join(f"{k}={v}" for k, v in PAIR.findall(line)) == line  # nothing unparsed
    return pairs


@pytest.fixture
def kv() -> Iterator[io.StringIO]:
    with logging_to_string("INFO", "kv") as stream:
        yield stream


@pytest.fixture
def as_json() -> Iterator[io.StringIO]:
    with logging_to_string("INFO", "json") as stream:
        yield stream


def test_kv_line_has_time_level_logger_message_and_fields(kv: io.StringIO) -> None:
    logging.getLogger("bot.dispatch").info(
        "chat unreachable: paused its %d reminders",
        2,
        extra={"fields": {"chat": "3fa2c1", "ms": 12.5, "note": 'a "b" = c', "none": None}},
    )
    line = kv.getvalue()
    assert line.count("\n") == 1
    assert TS.match(line), line
    after_ts = line.split(" ", 1)[1].rstrip("\n")
    assert after_ts == (
        'level=info logger=bot.dispatch msg="chat unreachable: paused its 2 reminders" '
        'chat=3fa2c1 ms=12.5 note="a \\"b\\" = c" none=null'
    )
    assert parse_kv(line.rstrip("\n"))["note"] == 'a "b" = c'


def test_kv_bare_values_stay_bare_and_empty_ones_are_quoted(kv: io.StringIO) -> None:
    logging.getLogger("bot").warning("ready", extra={"fields": {"path": "/a/b", "empty": ""}})
    line = kv.getvalue().rstrip("\n")
    assert line.endswith('level=warning logger=bot msg=ready path=/a/b empty=""')


def test_json_line_is_one_object(as_json: io.StringIO) -> None:
    logging.getLogger("bot.storage").info(
        "schema at %d", 2, extra={"fields": {"chat": "3fa2c1", "ms": 1.5, "msg": "ignored"}}
    )
    lines = as_json.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record.pop("ts").endswith("Z")
    assert record == {
        "level": "info",
        "logger": "bot.storage",
        "msg": "schema at 2",
        "chat": "3fa2c1",
        "ms": 1.5,
    }


@pytest.mark.parametrize("log_format", ["kv", "json"])
def test_traceback_stays_on_the_line(log_format: str) -> None:
    with logging_to_string("INFO", log_format) as stream:
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("bot.telegram.app").exception("update %s failed", 7)
    out = stream.getvalue()
    assert out.count("\n") == 1
    line = out.rstrip("\n")
    record = json.loads(line) if log_format == "json" else parse_kv(line)
    assert record["msg"] == "update 7 failed"
    assert record["level"] == "error"
    assert record["exc"].startswith("Traceback (most recent call last):\n")
    assert record["exc"].endswith("KeyError: 'missing'")


@pytest.mark.parametrize("log_format", ["kv", "json"])
def test_token_is_redacted_in_message_fields_and_traceback(log_format: str) -> None:
    with logging_to_string("INFO", log_format) as stream:
        log = logging.getLogger("bot")
        log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        log.info("fields", extra={"fields": {"url": f"/bot{TOKEN}/x", "obj": [TOKEN]}})
        try:
            raise RuntimeError(f"bad url /bot{TOKEN}/getMe")
        except RuntimeError:
            log.exception("failed")
        log.info("stack", stack_info=True, extra={"fields": {"token": TOKEN}})
    out = stream.getvalue()
    assert out.count("\n") == 4
    assert TOKEN not in out
    assert TOKEN.split(":")[1] not in out
    assert out.count("<token>") == 5


def test_caller_fields_are_not_changed_by_redaction(kv: io.StringIO) -> None:
    fields = {"url": TOKEN}
    logging.getLogger("bot").info("x", extra={"fields": fields})
    assert fields == {"url": TOKEN}
    assert "url=<token>" in kv.getvalue()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"), logging_to_string("INFO", "xml"):
        pass


def test_debug_shows_our_lines_but_no_library_data() -> None:
    update = {"update_id": 1, "message": {"text": USER_TEXT, "chat": {"id": 1001}}}
    with logging_to_string("DEBUG") as stream:
        logging.getLogger("bot.dispatch").debug("our own detail")
        logging.getLogger("telegram.ext.Application").debug("Processing update %s", update)
        logging.getLogger("telegram.ext.ExtBot").debug("Calling with parameters %s", update)
        logging.getLogger("telegram.Bot").debug("Calling with parameters %s", update)
        logging.getLogger("aiosqlite").debug("executing %s", USER_TEXT)
        logging.getLogger("httpx").info("HTTP Request: POST /bot%s/sendMessage", TOKEN)
        # Above DEBUG the library's own messages pass, but not the data in their arguments.
        logging.getLogger("telegram.Bot").critical(
            "Error while parsing updates! Received data was %r", [update]
        )
        logging.getLogger("telegram.request.BaseRequest").error(
            'Can not load invalid JSON data: "%s"', USER_TEXT
        )
        logging.getLogger("telegram.ext.AIORateLimiter").info(
            "Rate limit hit. Retrying after %f seconds", 1.5
        )
        logging.getLogger("telegram.ext.Application").error("by name: %(update)s", {"update": 1})
    out = stream.getvalue()
    assert USER_TEXT not in out
    assert "our own detail" in out
    assert "Processing update" not in out
    assert "Calling with parameters" not in out
    assert "HTTP Request" not in out
    assert 'msg="Error while parsing updates! Received data was <list>"' in out
    assert 'msg="Can not load invalid JSON data: \\"<str>\\""' in out
    assert 'msg="Rate limit hit. Retrying after 1.500000 seconds"' in out
    assert 'msg="by name: 1"' in out
    assert out.count("\n") == 5
