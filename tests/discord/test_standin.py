"""The stand-in Discord against a bare discord.py client: real HTTP, real gateway, no network."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from tests.discord_api import MANAGE_GUILD, Channel, DiscordStandIn, Guild, User
from tests.discord_api.gateway import zstd_packer

STREAMS = ("zlib-stream", "zstd-stream")

# A slash-command bot needs no privileged intent: guilds (for the guild and channel cache) and
# dm_messages (to read DMs, whose content arrives without the message-content intent).
INTENTS = discord.Intents.none()
INTENTS.guilds = True
INTENTS.dm_messages = True


class MenuView(discord.ui.View):
    """One button that rewrites the message it is on (callback type 7)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="More", custom_id="menu:more")
    async def more(
        self, interaction: discord.Interaction, button: discord.ui.Button[MenuView]
    ) -> None:
        await interaction.response.edit_message(content="More on cramps", view=None)


class BareClient(discord.Client):
    """discord.Client + CommandTree, pointed at the stand-in's gateway in setup_hook."""

    def __init__(self, intents: discord.Intents = INTENTS) -> None:
        # guild_ready_timeout: how long discord.py waits for more GUILD_CREATEs before on_ready.
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.dm_log: list[str] = []
        add_commands(self.tree)

    async def setup_hook(self) -> None:
        # Route.BASE already points at the stand-in; ask it where the gateway is, as a bot
        # with only DISCORD_BASE_URL would. (discord.Client never asks by itself.)
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return  # Discord echoes the bot's own messages back
        if isinstance(message.channel, discord.DMChannel):
            self.dm_log.append(message.content)
            await message.channel.send(f"echo: {message.content}")


def add_commands(tree: app_commands.CommandTree[BareClient]) -> None:
    """The commands the tests use."""

    @tree.command(description="A tip, as an embed")
    async def tip(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Stretch your toes", description="Pull them back gently.")
        await interaction.response.send_message(embed=embed)

    @tree.command(description="Whether you may manage the server")
    async def perms(interaction: discord.Interaction) -> None:
        allowed = interaction.permissions.manage_guild
        await interaction.response.send_message(f"manage_guild={allowed}", ephemeral=True)

    @tree.command(description="A menu with a button")
    async def menu(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Cramps", view=MenuView())

    @tree.command(description="Thinks first, answers later")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("Done thinking")

    @tree.command(description="Answers, edits, follows up, all ephemeral")
    async def steps(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Step 1", ephemeral=True)
        await interaction.edit_original_response(content="Step 2")
        await interaction.followup.send("Step 3", ephemeral=True)

    @tree.command(description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        return

    @tree.command(description="A reminder")
    @app_commands.describe(what="What to remember", hours="Every how many hours")
    async def remind(interaction: discord.Interaction, what: str, hours: int = 2) -> None:
        await interaction.response.send_message(f"{what} every {hours}h")

    @remind.autocomplete("what")
    async def what_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["water", "walk", "stretch"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]


class World:
    """One guild with one channel; ana is a plain member, ben may manage the guild."""

    def __init__(self, standin: DiscordStandIn) -> None:
        self.guild: Guild = standin.add_guild("Feet")
        self.general: Channel = standin.add_channel(self.guild, "general")
        self.ana: User = standin.add_user("ana")
        self.ben: User = standin.add_user("ben")
        standin.add_member(self.guild, self.ana)
        standin.add_member(self.guild, self.ben, permissions=MANAGE_GUILD)


@pytest.fixture
async def standin(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as running:
        # The REST seam: every Route (HTTPClient's and the webhook adapter's) reads BASE.
        monkeypatch.setattr(discord.http.Route, "BASE", running.base_url)
        # setup_hook sets the gateway; this restores discord.py's default afterwards.
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
        yield running


@pytest.fixture
def world(standin: DiscordStandIn) -> World:
    return World(standin)


@pytest.fixture
async def client(standin: DiscordStandIn, world: World) -> AsyncIterator[BareClient]:
    bare = BareClient()
    async with bare:
        await bare.login(standin.token)
        connection = asyncio.create_task(bare.connect(reconnect=False))
        await standin.ready()
        await bare.tree.sync()
        yield bare
        await bare.close()
    await connection


async def test_client_connects_and_becomes_ready(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    await asyncio.wait_for(client.wait_until_ready(), 5)
    assert client.user is not None
    assert client.user.id == standin.bot.id
    assert client.application_id == standin.application_id
    guild = client.get_guild(world.guild.id)
    assert guild is not None
    assert guild.name == "Feet"
    assert [c.name for c in guild.text_channels] == ["general"]
    assert guild.me.id == standin.bot.id
    assert standin.identify is not None
    assert standin.identify["intents"] == INTENTS.value
    [query] = standin.gateway_queries
    # zlib-stream here; discord.py asks for zstd-stream where zstandard (or Python 3.14) exists.
    assert query in ({"v": "10", "encoding": "json", "compress": c} for c in STREAMS)
    assert {r.authorization for r in standin.requests} == {f"Bot {standin.token}"}
    assert not standin.unknown_routes


async def test_sync_records_the_commands(standin: DiscordStandIn, client: BareClient) -> None:
    commands = {c["name"]: c for c in standin.commands()}
    assert set(commands) == {"tip", "perms", "menu", "slow", "steps", "silent", "remind"}
    options = {o["name"]: o for o in commands["remind"]["options"]}
    assert options["what"]["type"] == 3
    assert options["what"]["autocomplete"] is True
    assert options["hours"]["type"] == 4
    assert not options["hours"]["required"]
    fetched = await client.tree.fetch_commands()
    assert {c.name: c.id for c in fetched} == {n: int(c["id"]) for n, c in commands.items()}


async def test_slash_command_answered_with_an_embed(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    asked = await standin.slash(world.ana, "tip", channel=world.general)
    reply = await asked.reply()
    assert reply.kind == "reply"
    assert reply.channel_id == world.general.id
    assert reply.embeds[0]["title"] == "Stretch your toes"
    assert asked.callback_type == 4
    await standin.settled()
    assert standin.messages == [reply]
    callback = next(r for r in standin.requests if r.path.endswith("/callback"))
    assert callback.query == {"with_response": "1"}
    assert callback.authorization is None  # interaction callbacks carry no bot token


async def test_member_permissions_reach_the_interaction(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    ana = await (await standin.slash(world.ana, "perms", channel=world.general)).reply()
    ben = await (await standin.slash(world.ben, "perms", channel=world.general)).reply()
    assert (ana.content, ben.content) == ("manage_guild=False", "manage_guild=True")
    assert ana.ephemeral


async def test_options_are_typed_from_the_synced_command(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    asked = await standin.slash(world.ana, "remind", {"what": "water", "hours": 3})
    assert (await asked.reply()).content == "water every 3h"
    assert asked.channel == standin.dm_channel(world.ana)
    with pytest.raises(ValueError, match="takes a number"):
        await standin.slash(world.ana, "remind", {"what": "water", "hours": "3"})
    with pytest.raises(ValueError, match="no synced command"):
        await standin.slash(world.ana, "nope")


async def test_autocomplete_returns_choices(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    typing = await standin.autocomplete(world.ana, "remind", "what", "wa", channel=world.general)
    choices = await typing.choices()
    assert [c["name"] for c in choices] == ["water", "walk"]
    await standin.settled()
    assert not standin.messages


async def test_button_press_edits_the_message(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    menu = await (await standin.slash(world.ana, "menu", channel=world.general)).reply()
    assert menu.components[0]["components"][0]["custom_id"] == "menu:more"
    pressed = await standin.press(world.ana, menu, "menu:more")
    update = await pressed.reply()
    assert pressed.callback_type == 7
    assert (update.kind, update.message_id) == ("update", menu.message_id)
    assert update.content == "More on cramps"
    assert update.components == []
    await standin.settled()


async def test_deferred_reply_is_filled_in_by_the_followup(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    asked = await standin.slash(world.ana, "slow", channel=world.general)
    done = await standin.wait_for(lambda p: p.kind == "followup")
    await standin.settled()
    thinking = standin.messages[0]
    assert (thinking.kind, thinking.content, thinking.flags) == ("defer", "", 1 << 7)
    assert (done.message_id, done.content, done.flags) == (thinking.message_id, "Done thinking", 0)
    assert not asked.open


async def test_settled_names_an_unanswered_interaction(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    await standin.slash(world.ana, "silent", channel=world.general)
    with pytest.raises(TimeoutError, match="silent"):
        await standin.settled(patience=0.2)


async def test_fetch_user_create_dm_and_send(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    user = await client.fetch_user(world.ana.id)
    channel = await user.create_dm()
    await channel.send("Time for some water")
    sent = await standin.next_message()
    assert (sent.kind, sent.channel_id) == ("send", standin.dm_channel(world.ana).id)
    assert sent.content == "Time for some water"


async def test_dm_reaches_on_message_with_its_content(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    written = await standin.dm(world.ben, "hello")
    assert written.delivered
    echo = await standin.next_message()
    assert (echo.channel_id, echo.content) == (written.channel.id, "echo: hello")
    await standin.settled()
    assert client.dm_log == ["hello"]  # its own echo came back and was ignored
    assert len(standin.messages) == 1


async def test_429_is_waited_out_and_sent_once(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    standin.rate_limit("POST /channels/*/messages", retry_after=0.1)
    channel = client.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("Stretch break")
    first, second = [r for r in standin.requests if r.route.startswith("POST /channels/")]
    assert (first.status, second.status) == (429, 200)
    assert second.started - first.finished >= 0.1 - 0.005
    assert [m.content for m in standin.messages] == ["Stretch break"]


async def test_dms_refused_raise_forbidden_50007(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    standin.forbid_dms(world.ben)
    user = await client.fetch_user(world.ben.id)
    with pytest.raises(discord.Forbidden) as refused:
        await user.send("hello")
    assert refused.value.code == 50007
    assert not standin.messages


async def test_lost_and_deleted_channels(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    channel = client.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    standin.revoke_access(world.general)
    with pytest.raises(discord.Forbidden) as lost:
        await channel.send("x")
    assert lost.value.code == 50001
    await standin.delete_channel(world.general)
    with pytest.raises(discord.NotFound) as gone:
        await channel.send("x")
    assert gone.value.code == 10003
    await standin.settled()
    assert client.get_channel(world.general.id) is None  # CHANNEL_DELETE reached the cache


async def test_unknown_routes_are_404_and_recorded(
    standin: DiscordStandIn, client: BareClient
) -> None:
    with pytest.raises(discord.NotFound):
        await client.http.request(discord.http.Route("GET", "/nowhere"))
    assert [r.key for r in standin.unknown_routes] == ["GET /nowhere"]


async def test_edits_and_followups_of_an_ephemeral_reply(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    asked = await standin.slash(world.ana, "steps", channel=world.general)
    await standin.wait_for(lambda p: p.kind == "followup")
    await standin.settled()
    reply, edit, followup = asked.posted
    assert [(p.kind, p.content, p.ephemeral) for p in asked.posted] == [
        ("reply", "Step 1", True),
        ("edit", "Step 2", True),
        ("followup", "Step 3", True),
    ]
    assert edit.message_id == reply.message_id != followup.message_id


async def test_a_late_callback_is_an_unknown_interaction(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    standin.interaction_deadline = 0.0  # every callback is now later than Discord allows
    await standin.slash(world.ana, "tip", channel=world.general)
    late = await standin.wait_request(lambda r: r.path.endswith("/callback"))
    assert (late.status, late.reply["code"]) == (404, 10062)
    assert not standin.messages


async def test_global_429_is_waited_out(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    standin.rate_limit("GET /users/{user_id}", retry_after=0.05, global_=True)
    user = await client.fetch_user(world.ana.id)
    assert user.name == "ana"
    limited, answered = [r for r in standin.requests if r.route == "GET /users/{user_id}"]
    assert limited.reply["global"] is True
    assert answered.started - limited.finished >= 0.05 - 0.005


async def test_guild_messages_need_their_intent(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    written = await standin.say(world.ana, world.general, "anyone?")
    assert not written.delivered  # the client did not ask for guild messages


async def test_the_client_resumes_after_the_gateway_drops(
    standin: DiscordStandIn, world: World, client: BareClient
) -> None:
    await standin.drop_gateway(4000)
    await standin.ready()
    assert [f["op"] for f in standin.gateway_frames].count(6) == 1  # RESUME, not IDENTIFY
    assert len(standin.gateway_queries) == 2
    assert (await (await standin.slash(world.ana, "tip")).reply()).embeds


async def test_privileged_intents_are_refused(standin: DiscordStandIn, world: World) -> None:
    intents = discord.Intents.default()
    intents.members = True
    bare = BareClient(intents)
    async with bare:
        await bare.login(standin.token)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await bare.connect()


async def test_every_reply_carries_rate_limit_headers(standin: DiscordStandIn) -> None:
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bot {standin.token}"}
        async with session.get(f"{standin.base_url}/users/@me", headers=auth) as reply:
            assert reply.status == 200
            assert reply.headers["Content-Type"] == "application/json"
            for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
                assert f"X-RateLimit-{name}" in reply.headers
        async with session.get(f"{standin.base_url}/users/@me") as reply:
            assert reply.status == 401
        async with session.get(f"{standin.base_url}/nowhere", headers=auth) as reply:
            assert (reply.status, await reply.json()) == (
                404,
                {"message": "404: Not Found", "code": 0},
            )


def zstd_unpack(data: bytes) -> bytes:
    """One zstd-stream message, decompressed the way discord.py does."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        from compression import zstd  # type: ignore[import-not-found]

        return bytes(zstd.ZstdDecompressor().decompress(data))
    return bytes(zstandard.ZstdDecompressor().decompressobj().decompress(data))


@pytest.mark.parametrize("compress", [None, *STREAMS])
async def test_gateway_stream_compression(standin: DiscordStandIn, compress: str | None) -> None:
    if compress == "zstd-stream" and zstd_packer() is None:
        pytest.skip("no zstd library (zstandard, or Python 3.14's compression.zstd)")
    query = {"v": "10", "encoding": "json"} | ({"compress": compress} if compress else {})
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(standin.gateway_url, params=query) as ws,
    ):
        frame = await ws.receive()
        if compress is None:
            hello = json.loads(frame.data)
        elif compress == "zlib-stream":
            assert frame.data.endswith(b"\x00\x00\xff\xff")  # Z_SYNC_FLUSH ends each message
            hello = json.loads(zlib.decompressobj().decompress(frame.data))
        else:
            hello = json.loads(zstd_unpack(frame.data))
        assert hello["op"] == 10
        assert hello["d"]["heartbeat_interval"] > 0
