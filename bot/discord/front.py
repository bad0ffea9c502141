"""Discord as a front end of the core (discord.py): slash commands from the command table
with autocomplete, button presses by custom id, free text in DMs, and reminder delivery.

Only the default, unprivileged gateway intents for guilds and DMs: slash commands and
buttons arrive as interactions, and DMs carry their text without the message-content
intent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.app import Core
from bot.config import DEFAULT_DISCORD_API_URL
from bot.core.choices import choices_for
from bot.core.commands import COMMANDS, Argument, Choices, Command, Part
from bot.core.platforms import Platform
from bot.core.replies import Annotate, Refuse, Reply
from bot.core.targets import ReminderPress, decode
from bot.core.texts import BUSY, SORRY, STALE_BUTTON
from bot.core.views import Action, View
from bot.discord.delivery import DiscordSender
from bot.discord.render import (
    CUSTOM_ID_MAX,
    MAX_ROWS,
    PER_ROW,
    Card,
    DiscordRenderer,
    annotated,
)
from bot.dispatch import Sender
from bot.reminder_flow import Asker, waiting_for
from bot.storage import BusyError

log = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 30.0
# Interactions being handled when the bot stops get this long to finish.
STOP_TIMEOUT_SECONDS = 10.0
NO_CHANNEL = "I can't tell which channel this is. Please try again in a text channel or DM."
# Discord's names for what Telegram calls /start.
_NAMES = {"start": "menu"}
Callback = Callable[..., Coroutine[Any, Any, None]]
Completer = Callable[
    [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


class _Client(discord.Client):
    """discord.Client that asks the API where the gateway is when the API is not
    Discord's own (a self-hosted proxy, the tests' stand-in): discord.py otherwise
    connects to its built-in gateway address."""

    def __init__(self, api_url: str, guild_ready_timeout: float) -> None:
        super().__init__(intents=intents(), guild_ready_timeout=guild_ready_timeout)
        self.api_url = api_url

    async def setup_hook(self) -> None:
        """Before the first connection: find the gateway."""
        if self.api_url != DEFAULT_DISCORD_API_URL:
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


def intents() -> discord.Intents:
    """Guilds (channels and permissions in the cache) and DMs; nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


class DiscordFrontEnd:
    """Serves Discord for the core when DISCORD_TOKEN is set."""

    platform = Platform.DISCORD

    def __init__(
        self, core: Core, *, sync_commands: bool = True, guild_ready_timeout: float = 2.0
    ) -> None:
        self.core = core
        settings = core.settings
        # discord.py has one API base for the process; there is one Discord client in it.
        discord.http.Route.BASE = settings.discord_api_url
        self.client = _Client(settings.discord_api_url, guild_ready_timeout)
        self.tree = app_commands.CommandTree(self.client)
        self.renderer = DiscordRenderer(core.kb)
        self.flow = core.flow(CUSTOM_ID_MAX, PER_ROW * MAX_ROWS)
        self.sync_commands = sync_commands
        self._sender = DiscordSender(self.client, core.kb, self.renderer)
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._handling: set[asyncio.Task[Any]] = set()
        for command in COMMANDS:
            if command.part is not Part.OPERATOR:
                self.tree.add_command(self._slash(command))
        self.client.event(self.on_interaction)
        self.client.event(self.on_message)
        self.tree.error(self.on_command_error)
        core.attach(self)

    @property
    def sender(self) -> Sender:
        """Sends reminders to Discord channels."""
        return self._sender

    def healthy(self) -> bool:
        """Whether the gateway connection is up."""
        return self.client.is_ready() and not self.client.is_closed()

    async def connect(self) -> None:
        """Log in: Discord checks the token."""
        await self.client.login(self.core.settings.discord_token or "")

    async def start(self) -> None:
        """Connect to the gateway, wait until ready, publish the slash commands."""
        self._task = asyncio.create_task(self.client.connect(reconnect=True))
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=READY_TIMEOUT_SECONDS, return_when="FIRST_COMPLETED"
        )
        if ready not in done:
            ready.cancel()
            if self._task in done:
                self._task.result()  # the connection's own error
            raise TimeoutError("Discord's gateway did not get ready in time")
        self._task.add_done_callback(_connection_ended)
        if self.sync_commands:
            try:
                synced = await self.tree.sync()
            except discord.HTTPException as error:
                # The commands published last time stay; the bot serves them meanwhile.
                log.warning("could not publish the slash commands: %s", error)
            else:
                log.info("published %d slash commands to Discord", len(synced))

    async def stop(self) -> None:
        """Take no more interactions or DMs and finish those taken; the connection stays
        open, so the dispatcher's last sends still go out."""
        self._closing = True
        if self._handling:
            await asyncio.wait(set(self._handling), timeout=STOP_TIMEOUT_SECONDS)

    async def close(self) -> None:
        """Disconnect from the gateway and close the HTTP session."""
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await self._task

    @contextlib.contextmanager
    def _handled(self) -> Iterator[bool]:
        """Count one interaction or DM as being handled, for stop(); False once stopping
        (then it is left unanswered: the bot is going away)."""
        task = asyncio.current_task()
        if self._closing or task is None:
            yield False
            return
        self._handling.add(task)
        try:
            yield True
        finally:
            self._handling.discard(task)

    # Slash commands

    def _slash(self, command: Command) -> app_commands.Command[app_commands.Group, ..., None]:
        """A slash command from its row in the command table, with its one optional
        argument (and choices as it is typed) when it takes one."""
        name = _NAMES.get(command.name, command.name)
        description = command.summary[:100]
        argument = command.argument
        if argument is None:

            async def bare(interaction: discord.Interaction) -> None:
                await self._command(interaction, command, "")

            return app_commands.Command(name=name, description=description, callback=_where(bare))

        async def run(interaction: discord.Interaction, text: str | None = None) -> None:
            await self._command(interaction, command, text or "")

        named = app_commands.rename(text=argument.name)(run)
        described = app_commands.describe(text=argument.description)(named)
        if argument.choices is not Choices.NONE:
            described = app_commands.autocomplete(text=self._completer(argument))(described)
        return app_commands.Command(name=name, description=description, callback=_where(described))

    def _completer(self, argument: Argument) -> Completer:
        kb = self.core.kb

        async def complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            """Names that match what has been typed so far, best first."""
            return [
                app_commands.Choice(name=label, value=value)
                for label, value in choices_for(kb, argument.choices, current)
            ]

        return complete

    async def _command(
        self, interaction: discord.Interaction, command: Command, text: str
    ) -> None:
        with self._handled() as taken:
            if not taken:
                return
            if command.part is not Part.REMINDERS:
                shared = interaction.guild_id is not None
                reply = self.core.answers.command(command.name, text, compact=shared)
                await self._respond(interaction, reply)
                return
            asker = self.asker(interaction)
            if asker is None:
                await interaction.response.send_message(NO_CHANNEL, ephemeral=True)
                return
            # The database may wait on a lock for longer than Discord's 3 s to answer.
            await interaction.response.defer(thinking=True)
            reply = await self.flow.command(Action(command.name), asker, text)
            await self._follow_up(interaction, reply)

    async def on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A slash command that failed: logged, and the user told, without details."""
        await self._sorry(interaction, error.__cause__ or error)

    async def _sorry(self, interaction: discord.Interaction, error: BaseException) -> None:
        log.error("Discord interaction %s failed", interaction.id, exc_info=error)
        # The database stayed locked past its busy timeout: nothing was written, so say so.
        text = BUSY if isinstance(error, BusyError) else SORRY
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell Discord interaction %s about it", interaction.id)

    # Buttons and DMs

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button press: the screen it names in place of its message, or the reminder
        action it stands for. Slash commands go through the command tree."""
        if interaction.type is not discord.InteractionType.component:
            return
        try:
            with self._handled() as taken:
                if taken:
                    await self._component(interaction)
        except Exception as error:
            await self._sorry(interaction, error)

    async def _component(self, interaction: discord.Interaction) -> None:
        custom_id = interaction.data.get("custom_id") if interaction.data else None
        target = decode(custom_id if isinstance(custom_id, str) else None)
        if target is None or interaction.message is None:
            await interaction.response.send_message(STALE_BUTTON, ephemeral=True)
            return
        if isinstance(target, View):
            await self._edit(interaction, self.renderer.render(target))
            return
        await self._press(interaction, target)

    async def _press(self, interaction: discord.Interaction, press: ReminderPress) -> None:
        message = interaction.message
        assert message is not None
        shown = (
            child.custom_id
            for row in message.components
            for child in getattr(row, "children", ())
            if isinstance(getattr(child, "custom_id", None), str)
        )
        asker = self.asker(interaction)
        if asker is None:
            await interaction.response.send_message(NO_CHANNEL, ephemeral=True)
            return
        # The database may wait on a lock for longer than Discord's 3 s to answer.
        await interaction.response.defer()
        reply = await self.flow.press(asker, press, waiting_for(shown))
        if isinstance(reply, Refuse):
            await interaction.followup.send(reply.text, ephemeral=True)
        elif isinstance(reply, Annotate):
            embed = annotated(message.embeds, reply.note)
            await interaction.edit_original_response(embed=embed, view=None)
        else:
            card = self.renderer.card(reply)
            await interaction.edit_original_response(
                embed=card.embed(), view=self.renderer.view(card)
            )

    async def on_message(self, message: discord.Message) -> None:
        """Free text in a DM: the same understanding as everywhere, a warning sign first;
        a failure is logged and the user told, without details."""
        if message.guild is not None or message.author.bot or not message.content:
            return
        with self._handled() as taken:
            if not taken:
                return
            try:
                await self._dm(message)
            except Exception as error:
                log.error("Discord DM %s failed", message.id, exc_info=error)
                text = BUSY if isinstance(error, BusyError) else SORRY
                with contextlib.suppress(discord.HTTPException):
                    await message.channel.send(text)

    async def _dm(self, message: discord.Message) -> None:
        answer = self.core.answers.text(message.content)
        if isinstance(answer, Action):
            asker = Asker(Platform.DISCORD, message.channel.id, "private", message.author.id, _yes)
            answer = await self.flow.command(answer, asker)
        if isinstance(answer, Annotate | Refuse):
            return
        card = self.renderer.card(answer)
        await message.channel.send(embed=card.embed(), view=self.renderer.view(card))  # type: ignore[arg-type]

    def asker(self, interaction: discord.Interaction) -> Asker | None:
        """Who asks where: anyone in their DMs; in a server channel, members who may manage
        the server or the channel (Discord resolves their permissions in the channel).
        None when Discord names no channel."""
        permissions = interaction.permissions
        shared = interaction.guild_id is not None

        async def may_manage() -> bool:
            return not shared or permissions.manage_guild or permissions.manage_channels

        if interaction.channel_id is None:
            return None
        chat_type = "group" if shared else "private"
        user = interaction.user.id
        return Asker(Platform.DISCORD, interaction.channel_id, chat_type, user, may_manage)

    async def _respond(self, interaction: discord.Interaction, reply: Reply) -> None:
        if isinstance(reply, Refuse | Annotate):
            text = reply.text if isinstance(reply, Refuse) else reply.note
            await interaction.response.send_message(text, ephemeral=True)
            return
        card = self.renderer.card(reply)
        # discord.py's send_message wants a View, not None, when there are no buttons.
        buttons = self.renderer.view(card) or discord.utils.MISSING
        await interaction.response.send_message(embed=card.embed(), view=buttons)

    async def _follow_up(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Fill in a deferred answer ("thinking…") with the reply."""
        if isinstance(reply, Refuse | Annotate):
            text = reply.text if isinstance(reply, Refuse) else reply.note
            await interaction.followup.send(text)
            return
        card = self.renderer.card(reply)
        buttons = self.renderer.view(card) or discord.utils.MISSING
        await interaction.followup.send(embed=card.embed(), view=buttons)

    async def _edit(self, interaction: discord.Interaction, card: Card) -> None:
        await interaction.response.edit_message(embed=card.embed(), view=self.renderer.view(card))


def _where(callback: Callback) -> Callback:
    """Offered where the bot is: servers it was invited to and DMs with it. Not in group
    DMs or servers it is not in (a user install): it could not deliver reminders there."""
    installed = app_commands.allowed_installs(guilds=True, users=False)(callback)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)(installed)


async def _yes() -> bool:
    return True


def _connection_ended(task: asyncio.Task[None]) -> None:
    """The gateway connection gave up for good (discord.py reconnects by itself before):
    say why, once, rather than only at shutdown."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("the Discord gateway connection ended: %s", error, exc_info=error)
