"""`python -m bot` as a person runs it: the offline console, and one-line failures."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.bot_api_server import BotApiServer
from tests.telegram_api import FakeBotApi

GOOD_TOKEN = "123456789:AAExampleExampleExampleExample_1234"
OTHER_TOKEN = "987654321:BBSecretSecretSecretSecretSecret_99"
DATABASE = Path(tempfile.mkdtemp(prefix="cramp-main-")) / "bot.sqlite3"


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_API_URL")}
    env.update(settings)
    return env


def run_bot(
    stdin: str | None = None, *args: str, cwd: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot *args` to its end, `stdin` piped in, or /dev/null as `docker run -d`
    gives it: never a terminal."""
    settings.setdefault("DATABASE_PATH", str(DATABASE))
    given = {"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        **given,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(**settings),
        cwd=cwd,
        check=False,
    )


def console(stdin: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The offline console driven from a pipe, as scripts and tests do."""
    return run_bot(stdin, "--console", **settings)


def test_console_chat_without_token_goes_through_the_services() -> None:
    done = console("/foods magnesium\n1\nbananas?\n@ vit d\n/food@CrampCoachBot k\nquit\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Offline console" in out
    assert "Cramp Coach" in out  # the /start menu shown first
    assert "Magnesium: top foods" in out
    assert "Pumpkin seeds" in out
    assert "[1] All 17 foods ▸   [2] 📚 Sources ▸" in out  # buttons, numbered
    assert "bot (edited) › Magnesium: all 17 foods" in out  # button 1 pressed: edited
    assert "What banana gives you" in out
    # Inline queries are Telegram's: '@ vit d' is plain words here, and answered as such.
    assert "bot › Vitamin D" in out
    assert "Potassium: top foods" in out  # an alias ('/food'), addressed to the bot, 'k'
    assert "NIH Office of Dietary Supplements (https://ods.od.nih.gov/" in out  # links
    assert "\033[" not in out  # no ANSI bold when the output is no terminal
    assert "Traceback" not in done.stderr


def test_console_reads_plain_words_warning_signs_first() -> None:
    done = console(
        "my calf hurts after a long flight\nmy foot went cold and pale and it hurts\n"
        "pickle juice?\nstop reminding me\nI feel weak after running\nquit\n"
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "See a doctor today" in out  # the calf after a flight
    assert "Call an emergency number now" in out  # the cold, pale foot
    assert "Pickle juice" in out
    assert "/stop" in out  # 'stop reminding me' ran the stop command
    assert out.count("This sounds like") == 2  # weak after a run is no warning
    assert "Traceback" not in done.stderr


def test_console_in_a_group_is_compact_and_its_user_is_the_admin() -> None:
    done = console(
        "/group\n/start\npickle juice?\n/timezone UTC\n"
        "/remind water every 2h 08:00-22:00\n/private\n/reminders\n"
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "(now in a group chat)" in out
    assert out.count("Cramp Coach 🦶") == 2  # the menu: first in private, then the group's
    assert out.count("❓ Help") == 1  # ... whose compact form leaves Help, Sources, About
    assert "answers commands only" in out  # chatter in a group is not for the bot
    assert "Pickle juice" not in out
    assert "Reminder #1 set" in out  # an admin may set the group's reminders
    assert "No reminders in this chat yet" in out  # the private chat has none


def test_without_a_token_or_a_terminal_it_stops_with_one_line_and_code_2() -> None:
    for stdin in (None, "/foods magnesium\n"):
        done = run_bot(stdin)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            "cramp-coach: neither BOT_TOKEN nor DISCORD_TOKEN is set; set one (or both) to run "
            "the bot, or run in a terminal (or with --console) for the offline console\n"
        )


def test_in_a_terminal_without_a_token_it_opens_the_console(tmp_path: Path) -> None:
    # `make run` in a terminal, the README's quick start; no DATABASE_PATH either.
    leader, follower = pty.openpty()
    with (
        os.fdopen(leader, "wb", buffering=0) as keyboard,
        subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment(),
            cwd=tmp_path,
            text=True,
        ) as process,
    ):
        os.close(follower)
        keyboard.write(b"/foods magnesium\nquit\n")
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Offline console" in out
    assert "Magnesium: top foods" in out
    assert list(tmp_path.iterdir()) == []  # the console's database is its own, in memory


def test_console_leaves_the_bots_database_alone(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    done = console(
        "/timezone Europe/Berlin\n/remind water every 2h 08:00-22:00\n/mydata\n",
        DATABASE_PATH=str(database),
    )
    assert done.returncode == 0, done.stderr
    assert "Reminders: 1" in done.stdout  # stored, in the console's own database
    assert not database.parent.exists()


def test_help_says_what_it_does_and_the_settings_and_exits_0() -> None:
    done = run_bot(None, "--help")
    assert (done.returncode, done.stderr) == (0, "")
    usage = done.stdout
    assert usage.startswith("usage: cramp-coach [-h] [--console]\n")
    assert "Telegram and Discord bot about toe and foot cramps" in usage
    for setting in ("BOT_TOKEN", "BOT_API_URL", "DATABASE_PATH", "WEBHOOK_URL", "PORT"):
        assert f"\n  {setting} " in usage
    assert "README.md" in usage
    assert "Offline console:" not in usage  # it did not open the console


@pytest.mark.parametrize(
    "args", [["serve"], ["--tokn"], ["--console=yes"], ["--token", GOOD_TOKEN]]
)
def test_an_unknown_argument_is_one_line_with_a_usage_hint(args: list[str]) -> None:
    done = run_bot(None, *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "cramp-coach: unknown arguments: settings come from the environment, "
        "not the command line (see cramp-coach --help)\n"
    )


class NotABotApi(BaseHTTPRequestHandler):
    """A web server at BOT_API_URL: an HTML page, with the server's status, that echoes the
    request's path as error pages do (the token in it)."""

    server: WebServer

    def do_POST(self) -> None:
        """Answer every request the same way."""
        self.server.paths.append(self.path)
        body = f"<html><h1>Not here</h1><p>{self.path}</p></html>".encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class WebServer(ThreadingHTTPServer):
    """A loopback web server that is not a Bot API."""

    status = 404

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), NotABotApi)
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        """Its base URL, as BOT_API_URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def web_server() -> Iterator[WebServer]:
    server = WebServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (404, "HTTP 404, not JSON"),
        (502, "HTTP 502, not JSON"),
        (200, "an answer that is not JSON"),
    ],
)
def test_a_bot_api_url_that_is_no_bot_api_is_one_line_naming_it(
    web_server: WebServer, status: int, said: str
) -> None:
    web_server.status = status
    done = run_bot(BOT_TOKEN=GOOD_TOKEN, BOT_API_URL=web_server.url)
    assert done.returncode == 2
    assert done.stderr == (
        f"cramp-coach: BOT_API_URL {web_server.url} did not answer like a Telegram Bot API "
        f"({said})\n"
    )
    assert web_server.paths == [f"/bot{GOOD_TOKEN}/getMe"]  # so the page quoted the token


def test_malformed_token_is_one_clear_line_without_the_token() -> None:
    done = run_bot(BOT_TOKEN="not-a-token-secretvalue")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "BOT_TOKEN is malformed" in done.stderr
    assert "secretvalue" not in done.stderr + done.stdout


def test_bad_setting_names_itself() -> None:
    done = run_bot(LOG_LEVEL="LOUD")
    assert done.returncode == 2
    assert "LOG_LEVEL" in done.stderr
    done = run_bot(BOT_API_URL="ftp://example")
    assert done.returncode == 2
    assert "BOT_API_URL" in done.stderr


async def serve_bot(server: BotApiServer, **settings: str) -> asyncio.subprocess.Process:
    """`python -m bot` against the stand-in, with stdout and stderr captured."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=environment(BOT_API_URL=server.base_url.removesuffix("/bot"), **settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_rejected_token_is_one_clear_line_without_the_token(level: str) -> None:
    async with BotApiServer(FakeBotApi(), token=GOOD_TOKEN) as server:
        process = await serve_bot(
            server, BOT_TOKEN=OTHER_TOKEN, DATABASE_PATH=str(DATABASE), LOG_LEVEL=level
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 2, stderr
    assert "rejected BOT_TOKEN" in stderr.splitlines()[-1]
    if level == "INFO":
        assert "Traceback" not in stderr
    secret = OTHER_TOKEN.split(":")[1]
    assert secret not in stderr + out.decode()


async def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    async with BotApiServer(FakeBotApi(), token=GOOD_TOKEN) as server:
        process = await serve_bot(
            server,
            BOT_TOKEN=GOOD_TOKEN,
            DATABASE_PATH=str(blocker / "bot.sqlite3"),
            LOG_LEVEL="WARNING",
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    (line,) = err.decode().splitlines()
    assert process.returncode == 2
    assert line.startswith(f"cramp-coach: cannot open the database at {blocker}")


def test_a_bad_webhook_secret_is_one_line_without_the_value() -> None:
    done = run_bot(BOT_TOKEN=GOOD_TOKEN, WEBHOOK_SECRET="tiny-secretvalue!")
    assert done.returncode == 2
    assert "WEBHOOK_SECRET must be" in done.stderr
    assert "secretvalue" not in done.stderr + done.stdout


async def test_ctrl_c_stops_the_served_bot_cleanly(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with BotApiServer(FakeBotApi(), token=GOOD_TOKEN) as server:
        process = await serve_bot(
            server,
            BOT_TOKEN=GOOD_TOKEN,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            LISTEN_ADDRESS="127.0.0.1",
            PORT=str(port),
        )
        try:
            async with httpx.AsyncClient() as http, asyncio.timeout(30):
                while True:
                    try:
                        if (await http.get(f"http://127.0.0.1:{port}/healthz")).is_success:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    stderr = err.decode()
    assert process.returncode == 0, stderr
    assert "SIGINT received: stopping gracefully" in stderr
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
