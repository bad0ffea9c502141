"""Discord command path: interactions/s and time from injection to the bot's callback through
discord.py's real gateway and HTTP code, with the stand-in Discord in its own process (as
Discord's servers are), side by side with a bare discord.py bot in the same run.

N users each run one slash command at once in a server channel (or in their DMs with
--place dm). The stand-in's rate limits are lifted (interaction callbacks are not rate
limited by Discord) and so is its 3 s callback deadline, so that every row measures the
handling. Both bots get the same injection and the same waiting: the stand-in process sends
every INTERACTION_CREATE, waits on its own records (events, no polling) until every callback
has arrived, and reports the times on its own clock. Each round runs every path once, in
alternating order; each path's best round (highest rate) is reported, as the machine is shared.

Run: .venv/bin/python -m bench.discord_commands [--interactions 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.discord.front import DiscordFrontEnd
from bot.loader import load_knowledge

TARGET_RATIO = 0.8
BARE = "bare discord.py"
# Discord's token shape (bot/config.py checks it); the stand-in takes any token.
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.GstAnd.standin-token-not-a-real-secret-0000"
# ~600 characters, about what a screen of ours carries.
BARE_TEXT = ("Cramps in the toes and feet are common and mostly harmless. " * 10).strip()
PATIENCE = 300.0  # seconds the stand-in waits for every callback before giving up


@dataclass(frozen=True)
class Row:
    """One row: which bot, and the slash command its users run."""

    name: str
    bare: bool
    command: str
    options: dict[str, str]


PATHS = [
    Row(BARE, True, "hello", {}),
    Row("/foods nutrient:magnesium", False, "foods", {"nutrient": "magnesium"}),
    Row("/causes", False, "causes", {}),
]


@dataclass(frozen=True)
class Result:
    """One measurement: interactions/s, p50 and p99 ms, and CPU seconds of each process."""

    rate: float
    p50: float
    p99: float
    bot_cpu: float
    standin_cpu: float


# --- the stand-in's process ---


async def serve(users: int, place: str) -> None:
    """The stand-in Discord for `users` members; one base URL line out, then one JSON line
    of results for each {"command", "options"} line in."""
    from tests.discord_api import DiscordStandIn

    standin = DiscordStandIn(global_limit=None, bucket_limit=10**9, interaction_deadline=3600.0)
    guild = standin.add_guild("Feet")
    channel = standin.add_channel(guild, "general")
    people = [standin.add_user(f"user{n}") for n in range(users)]
    for person in people:
        standin.add_member(guild, person)
    where = channel if place == "guild" else None
    async with standin:
        print(standin.base_url, flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            asked = json.loads(line)
            await standin.ready()
            before, cpu = len(standin.messages), time.process_time()
            handles = [
                await standin.slash(person, asked["command"], asked["options"], channel=where)
                for person in people
            ]
            await standin.wait_posted(before + users, PATIENCE)
            cpu = time.process_time() - cpu
            posted = standin.messages[before:]
            replied = {id(p.interaction): p.at for p in posted if p.interaction}
            latencies = sorted((replied[id(h)] - h.created) * 1000 for h in handles)
            elapsed = max(replied.values()) - min(h.created for h in handles)
            refused = [r for r in standin.requests if r.status >= 400]
            result = {
                "rate": users / elapsed,
                "p50": statistics.median(latencies),
                "p99": latencies[int(users * 0.99) - 1],
                "standin_cpu": cpu,
                "refused": [f"{r.status} {r.route}" for r in refused[:5]],
                "kinds": sorted({p.kind for p in posted}),
                "bare": sum(not p.embeds for p in posted),  # replies without an embed
            }
            print(json.dumps(result), flush=True)


# --- the bots, in this process ---


def minimal_intents() -> discord.Intents:
    """Guilds only: slash commands need no intent at all; guilds fills the channel cache."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class BareBot(discord.Client):
    """discord.py's app-command example: one slash command answering with an embed."""

    def __init__(self) -> None:
        super().__init__(intents=minimal_intents(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="hello", description="Say hello")
        async def hello(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=discord.Embed(description=BARE_TEXT))

    async def setup_hook(self) -> None:
        """Before the first connection: the gateway is where the API says."""
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


@asynccontextmanager
async def bare_bot(base_url: str, database: str, kb: KnowledgeBase) -> AsyncIterator[None]:
    """The bare bot connected, ready and its command synced."""
    discord.http.Route.BASE = base_url
    client = BareBot()
    await client.login(TOKEN)
    task = asyncio.create_task(client.connect(reconnect=True))
    try:
        await client.wait_until_ready()
        await client.tree.sync()
        yield
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
            await task


@asynccontextmanager
async def our_bot(base_url: str, database: str, kb: KnowledgeBase) -> AsyncIterator[None]:
    """Ours as `python -m bot` runs it with DISCORD_TOKEN set: the core and its database,
    the dispatcher, the Discord front end (commands synced when it has started)."""
    environment = {"DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": base_url, "DATABASE_PATH": database}
    core = Core(load_settings(environment), kb)
    DiscordFrontEnd(core, guild_ready_timeout=0.05)
    async with running(core):
        yield


Runner = Callable[[str, str, KnowledgeBase], contextlib.AbstractAsyncContextManager[None]]


async def measure(path: Row, args: argparse.Namespace, database: str, kb: KnowledgeBase) -> Result:
    """Start a fresh stand-in process and bot, have every user run the command once."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bench.discord_commands", "--serve"),
        *("--interactions", str(args.interactions), "--place", args.place),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    gateway, base = DiscordWebSocket.DEFAULT_GATEWAY, discord.http.Route.BASE
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        base_url = (await process.stdout.readline()).decode().strip()
        runner: Runner = bare_bot if path.bare else our_bot
        async with runner(base_url, database, kb):
            asked = {"command": path.command, "options": path.options}
            cpu = time.process_time()
            process.stdin.write(json.dumps(asked).encode() + b"\n")
            await process.stdin.drain()
            line = await process.stdout.readline()
            cpu = time.process_time() - cpu
        if not line:
            raise RuntimeError(f"the stand-in gave no result for {path.name}")
        data: dict[str, Any] = json.loads(line)
        if data["refused"] or data["kinds"] != ["reply"] or data["bare"]:
            raise RuntimeError(f"{path.name}: not every reply was an embed: {data}")
        return Result(data["rate"], data["p50"], data["p99"], cpu, data["standin_cpu"])
    finally:
        DiscordWebSocket.DEFAULT_GATEWAY, discord.http.Route.BASE = gateway, base
        if process.returncode is None:
            process.kill()
        await process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--place", choices=("guild", "dm"), default="guild")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.interactions, args.place))
        return 0
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # no voice: not wanted
    kb = KnowledgeBase(load_knowledge())
    best: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-discord-commands-") as folder:
        database = str(Path(folder) / "bot.sqlite3")
        for round_ in range(args.rounds):
            # Alternate the order, so no path always runs first (or last) in a round.
            for path in PATHS if round_ % 2 == 0 else PATHS[::-1]:
                result = asyncio.run(measure(path, args, database, kb))
                if path.name not in best or result.rate > best[path.name].rate:
                    best[path.name] = result
    where = "a server channel" if args.place == "guild" else "their DMs"
    print(
        f"{args.interactions} users each run one slash command at once in {where}; stand-in "
        f"Discord in its own process, rate limits lifted; best of {args.rounds} rounds\n"
    )
    header = f"{'path':<28}{'interactions/s':>15}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}"
    print(f"{header}{'bot CPU µs/int':>16}{'stand-in CPU µs/int':>21}")
    missed = False
    for path in PATHS:
        result = best[path.name]
        ratio = result.rate / best[BARE].rate
        missed |= not path.bare and ratio < TARGET_RATIO
        line = f"{path.name:<28}{result.rate:>15.0f}{result.p50:>9.1f}{result.p99:>9.1f}"
        cpus = (result.bot_cpu, result.standin_cpu)
        bot_cpu, standin_cpu = (cpu / args.interactions * 1e6 for cpu in cpus)
        print(f"{line}{ratio:>9.2f}{bot_cpu:>16.0f}{standin_cpu:>21.0f}")
    verdict = "MISSED" if missed else "met"
    print(f"\ntarget: >= {TARGET_RATIO} of the bare bot's rate for each of ours: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
