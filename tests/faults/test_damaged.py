"""A damaged database file (one page zeroed, as a bad sector would) is refused at start with
one line naming the file, before the bot takes any update."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bot_api_server import BotApiServer
from tests.faults.test_kill import start_bot
from tests.storage.test_integrity import last_page, seeded, zero_page
from tests.telegram.harness import BOT_NAME, TOKEN
from tests.telegram_api import FakeBotApi


async def test_a_zeroed_page_stops_start_up_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await seeded(database)
    zero_page(database, last_page(database))
    api = FakeBotApi(username=BOT_NAME)
    async with BotApiServer(api, token=TOKEN) as server:
        process = await start_bot(server, database, stderr=asyncio.subprocess.PIPE)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"cramp-coach: the database at {database} is damaged")
    assert TOKEN not in lines[0]
    assert not any(call == "getUpdates" for call, _ in api.calls)
