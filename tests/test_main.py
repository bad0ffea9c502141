"""`python -m bot` as a person runs it: the offline console, and one-line failures."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from bot.offline.bot_api import FakeBotApi
from tests.bot_api_server import BotApiServer

GOOD_TOKEN = "123456789:AAExampleExampleExampleExample_1234"
OTHER_TOKEN = "987654321:BBSecretSecretSecretSecretSecret_99"
DATABASE = Path(tempfile.mkdtemp(prefix="cramp-main-")) / "bot.sqlite3"


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_API_URL")}
    env.update(settings)
    return env


def run_bot(stdin: str = "", **settings: str) -> subprocess.CompletedProcess[str]:
    settings.setdefault("DATABASE_PATH", str(DATABASE))
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(**settings),
        check=False,
    )


def test_console_chat_without_token_goes_through_the_handlers() -> None:
    done = run_bot("/foods magnesium\n1\nbananas?\n@ vit d\nquit\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Offline console" in out
    assert "Cramp Coach" in out  # the /start menu shown first
    assert "Magnesium: top foods" in out
    assert "Pumpkin seeds" in out
    assert "bot (edited)" in out  # button 1 was pressed and the message edited
    assert "banana" in out.lower()
    assert "[inline 1] Foods rich in Vitamin D" in out
    assert "<b>" not in out  # HTML is rendered for the terminal, not shown raw
    assert "Traceback" not in done.stderr


def test_console_in_a_group_is_compact() -> None:
    done = run_bot("/group\n/foods magnesium\n")
    assert done.returncode == 0, done.stderr
    assert "All " in done.stdout  # the 'All N foods' button of the compact form


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


def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_bot("/help\n", DATABASE_PATH=str(blocker / "bot.sqlite3"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "cannot open the database at" in done.stderr
    assert "Traceback" not in done.stderr


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
