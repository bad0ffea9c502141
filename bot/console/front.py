"""The offline console as a front end of the core: typed lines to the services, their
replies and the dispatcher's reminders printed on the terminal, buttons pressed by number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from bot.app import Core
from bot.console.render import TARGET_MAX, Message, TerminalRenderer
from bot.core.commands import Command, Part, of
from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.core.replies import Annotate, Refuse, Reply
from bot.core.screens.reminders import reminder_message
from bot.core.targets import ReminderPress, decode
from bot.core.texts import STALE_BUTTON
from bot.core.views import Action, View
from bot.dispatch import Outbound, Outcome, Sender, SendResult
from bot.reminder_flow import Asker, waiting_for

USER_ID = 1001
# Commands and their aliases by name; the operator's (/stats, /broadcast) are not offered:
# the console has no operator.
_COMMANDS: dict[str, Command] = {
    name: command
    for command in (*of(Part.LOOKUP), *of(Part.REMINDERS))
    for name in (command.name, *command.aliases)
}
GROUP_CHATTER = "(in a group the bot answers commands only, not chatter: try /private)"


@dataclass(frozen=True, slots=True)
class Chat:
    """One of the console's two chats."""

    id: int
    type: str

    @property
    def group(self) -> bool:
        """Whether answers here are compact."""
        return self.type != "private"


PRIVATE = Chat(USER_ID, "private")
GROUP = Chat(-1002, "group")


class ConsoleFrontEnd:
    """Serves the console's chats for the core: one user, in a private chat or in a group
    where they are its admin (so they may change its reminders too)."""

    platform = Platform.CONSOLE
    platforms = frozenset({Platform.CONSOLE})

    def __init__(self, core: Core, out: TextIO) -> None:
        self.core = core
        self.out = out
        self.renderer = TerminalRenderer(core.kb, ansi=out.isatty())
        self.flow = core.flow(TARGET_MAX)
        self.chat = PRIVATE
        # The message whose buttons the numbers press, and the chat it is in.
        self._shown: tuple[Message, Chat] | None = None
        core.attach(self)

    @property
    def sender(self) -> Sender:
        """Prints reminders as the dispatcher delivers them."""
        return self

    def healthy(self) -> bool:
        """The terminal is always there."""
        return True

    async def connect(self) -> None:
        """Nothing to reach: the terminal is here."""

    async def start(self) -> None:
        """Lines are taken by run_console once everything runs."""

    async def stop(self) -> None:
        """Nothing to finish: each line is answered before the next one is read."""

    async def close(self) -> None:
        """Nothing to release."""

    async def send(self, item: Outbound) -> SendResult:
        """Print a due reminder with its Done / Snooze / Skip buttons. The console has no
        /broadcast, so no broadcast copy is ever queued for its chats."""
        if not isinstance(item, Claim):
            return SendResult(Outcome.FAILED)
        message = self.renderer.single(reminder_message(item.reminder, self.core.kb))
        self._print(message, PRIVATE if item.chat_id == PRIVATE.id else GROUP)
        self.out.flush()
        return SendResult(Outcome.SENT)

    async def handle_line(self, line: str) -> None:
        """Act on one typed line: a chat switch, a button number, a command or free text."""
        line = line.strip()
        if line in ("/group", "/private"):
            self.chat = GROUP if line == "/group" else PRIVATE
            self.out.write(f"(now in a {self.chat.type} chat)\n")
        elif self._shown and line.isdigit() and 0 < int(line) <= len(self._shown[0].data()):
            message, chat = self._shown
            await self._press(message, chat, message.data()[int(line) - 1])
        elif line.startswith("/"):
            await self._command(line)
        elif self.chat.group:
            # As in Telegram's groups with privacy mode on: only commands reach the bot.
            self.out.write(GROUP_CHATTER + "\n")
        else:
            answer = self.core.answers.text(line)
            if isinstance(answer, Action):
                answer = await self.flow.command(answer, self._asker(self.chat))
            self._answer(answer)

    async def _command(self, line: str) -> None:
        word, *rest = line.split(maxsplit=1)
        argument = rest[0] if rest else ""
        name = word[1:].partition("@")[0].lower()
        command = _COMMANDS.get(name)
        if command is None:
            self._answer(self.core.answers.command(name))  # "I don't know that command"
        elif command.part is Part.REMINDERS:
            asker = self._asker(self.chat)
            self._answer(await self.flow.command(Action(command.name), asker, argument))
        else:
            self._answer(
                self.core.answers.command(command.name, argument, compact=self.chat.group)
            )

    async def _press(self, message: Message, chat: Chat, data: str) -> None:
        """A button: the screen it names in place of its message, or its reminder action."""
        target = decode(data)
        if isinstance(target, View):
            self._print(self.renderer.page(target), chat, edited=True)
            return
        reply: Reply = Refuse(STALE_BUTTON)
        if isinstance(target, ReminderPress):
            reply = await self.flow.press(self._asker(chat), target, waiting_for(message.data()))
        if isinstance(reply, Refuse):
            self.out.write(f"(notice) {reply.text}\n")
        elif isinstance(reply, Annotate):
            self._print(Message(f"{message.text}\n\n{reply.note}"), chat, edited=True)
        else:
            self._print(self.renderer.message(reply), chat, edited=True)

    def _answer(self, reply: Reply) -> None:
        """A reply to a typed line, as a new message in the current chat."""
        if isinstance(reply, Annotate | Refuse):
            # Only presses get these; a message gets the text.
            message = Message(reply.note if isinstance(reply, Annotate) else reply.text)
        else:
            message = self.renderer.message(reply)
        self._print(message, self.chat)

    def _print(self, message: Message, chat: Chat, *, edited: bool = False) -> None:
        """Show a message; its buttons are the ones the numbers press from now on."""
        label = "bot (edited)" if edited else "bot"
        if chat != self.chat:
            label += f" in the {chat.type} chat"
        write = self.out.write
        write(f"\n{label} › {message.text}\n")
        number = 0
        for row in message.rows:
            cells = []
            for key in row:
                if key.data is None:
                    cells.append(f"({key.label}: {key.url})")
                else:
                    number += 1
                    cells.append(f"[{number}] {key.label}")
            write("   " + "   ".join(cells) + "\n")
        self._shown = (message, chat)

    def _asker(self, chat: Chat) -> Asker:
        return Asker(Platform.CONSOLE, chat.id, chat.type, USER_ID, _admin)


async def _admin() -> bool:
    """The console's user may change reminders in both chats: in the group, as its admin."""
    return True
