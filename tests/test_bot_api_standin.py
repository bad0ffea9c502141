"""The Bot API stand-ins behave like Telegram: validation, updates, and PTB end to end."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import (
    Bot,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.bot_api_server import SECRET_HEADER, BotApiServer, WebhookPost
from tests.telegram_api import (
    NOT_MODIFIED,
    POLL_ENDED_BY_WEBHOOK,
    QUERY_TOO_OLD,
    WEBHOOK_ACTIVE,
    BotApiError,
    FakeBotApi,
    HtmlParseError,
    Webhook,
    parse_html,
)
from tests.telegram_api.request import InMemoryRequest

TOKEN = "123:ABC"
KEYBOARD = {"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]}


async def send(api: FakeBotApi, text: str, **params: Any) -> dict[str, Any]:
    """sendMessage in HTML to Ada's chat, params encoded the way PTB's form posts are."""
    wire = {"chat_id": "1001", "text": text, "parse_mode": "HTML"}
    wire.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
    result: dict[str, Any] = await api.call("sendMessage", wire)
    return result


async def bad_request(api: FakeBotApi, method: str, params: dict[str, Any]) -> str:
    """The description of the 400 a call gets."""
    with pytest.raises(BotApiError) as caught:
        await api.call(method, params)
    assert caught.value.code == 400, caught.value
    return caught.value.description


@pytest.fixture
def api() -> FakeBotApi:
    """A Bot API where Ada (1001) has written to the bot."""
    fake = FakeBotApi(clock=lambda: 1_700_000_000.0)
    fake.send_text("/start")
    return fake


# --- HTML ---------------------------------------------------------------------------------


def test_html_plain_text_and_entities() -> None:
    plain, entities = parse_html(
        '<b>Cramp</b> &amp; <a href="https://x.org/?a=1&amp;b=2">calf</a> &#128512;'
        '<pre><code class="language-python">x</code></pre>'
    )
    assert plain == "Cramp & calf 😀x"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "text_link", "offset": 8, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "pre", "offset": 15, "length": 1, "language": "python"},
    ]


def test_html_entities_and_case() -> None:
    plain, entities = parse_html(
        "<B>&lt;&gt;&quot;&#x1F600;</B> <blockquote expandable>q</blockquote>"
    )
    assert plain == '<>"😀 q'
    assert entities[0] == {"type": "bold", "offset": 0, "length": 5}
    assert entities[1]["type"] == "expandable_blockquote"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("é <x>", 'Unsupported start tag "x" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ('<span class="x">a</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("R&D", 'Unescaped "&" at byte offset 1'),
    ],
)
def test_html_errors(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value).startswith(reason)


def test_html_bare_ampersand_is_text_when_not_strict() -> None:
    assert parse_html("R&D &nbsp;", strict=False) == ("R&D &nbsp;", [])


async def test_send_reports_parse_errors_like_telegram(api: FakeBotApi) -> None:
    reason = await bad_request(
        api, "sendMessage", {"chat_id": 1001, "text": "1 < 2", "parse_mode": "HTML"}
    )
    assert (
        reason == 'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'
    )
    assert api.outbox == []


async def test_empty_and_too_long_texts(api: FakeBotApi) -> None:
    empty = {"chat_id": 1001, "text": ""}
    assert await bad_request(api, "sendMessage", empty) == "Bad Request: message text is empty"
    blank = {"chat_id": 1001, "text": "<b> </b>\n", "parse_mode": "HTML"}
    assert await bad_request(api, "sendMessage", blank) == "Bad Request: message must be non-empty"
    # The limit is 4096 UTF-16 units of parsed text: tags don't count, emoji count twice.
    await send(api, "<b>" + "a" * 4096 + "</b>")
    too_long = {"chat_id": 1001, "text": "😀" * 2049}
    assert await bad_request(api, "sendMessage", too_long) == "Bad Request: message is too long"


async def test_sent_message_is_stored_trimmed_with_entities(api: FakeBotApi) -> None:
    message = await send(api, "\n  <i>Stretch</i> &amp; rest  \n", reply_markup=KEYBOARD)
    assert message["text"] == "Stretch & rest"
    assert message["entities"] == [{"type": "italic", "offset": 0, "length": 7}]
    assert message["from"]["username"] == "CrampCoachBot"
    assert message["message_id"] == 2  # after Ada's /start
    [stored] = api.messages_in(1001)
    assert (stored.plain, stored.reply_markup) == ("Stretch & rest", KEYBOARD)
    [sent] = api.outbox
    assert (sent.method, sent.chat_id, sent.at) == ("sendMessage", 1001, 1_700_000_000.0)
    assert sent.text == "\n  <i>Stretch</i> &amp; rest  \n"
    assert api.buttons(1001, 2)[0][0].callback_data == "more"


# --- keyboards, replies, edits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "reason"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "x", "callback_data": ""},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        ({"text": "x", "callback_data": "a", "url": "https://x.org"}, "exactly one"),
        ({"text": "", "callback_data": "a"}, "Text must be non-empty"),
    ],
)
async def test_bad_buttons(api: FakeBotApi, button: dict[str, Any], reason: str) -> None:
    params = {"chat_id": 1001, "text": "hi", "reply_markup": {"inline_keyboard": [[button]]}}
    assert reason in await bad_request(api, "sendMessage", params)


async def test_callback_data_limit_is_bytes(api: FakeBotApi) -> None:
    await send(
        api, "ok", reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "é" * 32}]]}
    )
    params = {
        "chat_id": 1001,
        "text": "hi",
        "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]},
    }
    assert await bad_request(api, "sendMessage", params) == "Bad Request: BUTTON_DATA_INVALID"


async def test_replies(api: FakeBotApi) -> None:
    reply = await send(api, "hi", reply_parameters={"message_id": 1})
    assert reply["reply_to_message"]["text"] == "/start"
    assert api.messages_in(1001)[0].reply_to_message_id == 1
    missing: dict[str, Any] = {"chat_id": 1001, "text": "hi", "reply_to_message_id": 99}
    assert await bad_request(api, "sendMessage", missing) == (
        "Bad Request: message to be replied not found"
    )
    tolerant = await send(
        api, "hi", reply_parameters={"message_id": 99, "allow_sending_without_reply": True}
    )
    assert "reply_to_message" not in tolerant


async def test_unknown_chat(api: FakeBotApi) -> None:
    params = {"chat_id": 42, "text": "hi"}
    assert await bad_request(api, "sendMessage", params) == "Bad Request: chat not found"


async def test_edit_rules(api: FakeBotApi) -> None:
    sent = await send(api, "<b>Calf</b>", reply_markup=KEYBOARD)
    edit = {"chat_id": 1001, "message_id": sent["message_id"], "parse_mode": "HTML"}
    # Same rendered text and markup, even spelled differently, is "not modified".
    same = {**edit, "text": "<strong>Calf</strong>", "reply_markup": json.dumps(KEYBOARD)}
    assert await bad_request(api, "editMessageText", same) == NOT_MODIFIED
    # Leaving out reply_markup removes the keyboard, so that is a change.
    edited = await api.call("editMessageText", {**edit, "text": "<b>Calf</b>"})
    assert "reply_markup" not in edited
    assert edited["edit_date"] == 1_700_000_000
    assert api.messages_in(1001)[0].reply_markup is None
    markup = {**edit, "reply_markup": KEYBOARD}
    await api.call("editMessageReplyMarkup", markup)
    assert await bad_request(api, "editMessageReplyMarkup", markup) == NOT_MODIFIED
    gone = {**edit, "message_id": 99, "text": "x"}
    assert await bad_request(api, "editMessageText", gone) == (
        "Bad Request: message to edit not found"
    )
    assert [s.method for s in api.outbox] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]


async def test_delete(api: FakeBotApi) -> None:
    sent = await send(api, "bye")
    params = {"chat_id": 1001, "message_id": sent["message_id"]}
    assert await api.call("deleteMessage", params) is True
    assert api.messages_in(1001) == []
    assert await bad_request(api, "deleteMessage", params) == (
        "Bad Request: message to delete not found"
    )


# --- queries ----------------------------------------------------------------------------


async def test_callback_queries_are_answered_once(api: FakeBotApi) -> None:
    sent = await send(api, "Pick", reply_markup=KEYBOARD)
    query_id = api.press_button(1001, sent["message_id"], "more")
    updates = await api.call("getUpdates", {"offset": 0})
    query = updates[-1]["callback_query"]
    assert query["id"] == query_id
    assert query["message"]["reply_markup"] == KEYBOARD
    long = {"callback_query_id": query_id, "text": "x" * 201}
    assert await bad_request(api, "answerCallbackQuery", long) == "Bad Request: MESSAGE_TOO_LONG"
    await api.call("answerCallbackQuery", {"callback_query_id": query_id, "text": "Done"})
    assert api.callback_answers[query_id]["text"] == "Done"
    again = {"callback_query_id": query_id}
    assert await bad_request(api, "answerCallbackQuery", again) == QUERY_TOO_OLD
    unknown = {"callback_query_id": "nope"}
    assert await bad_request(api, "answerCallbackQuery", unknown) == QUERY_TOO_OLD
    with pytest.raises(LookupError, match="no button"):
        api.press_button(1001, sent["message_id"], "less")


async def test_set_buttons_replaces_a_keyboard(api: FakeBotApi) -> None:
    sent = await send(api, "Pick", reply_markup=KEYBOARD)
    api.set_buttons(1001, sent["message_id"], [[("Old", "zz|gone")], [("Older", "yy")]])
    assert [[b.text for b in row] for row in api.buttons(1001, sent["message_id"])] == [
        ["Old"],
        ["Older"],
    ]
    api.press_button(1001, sent["message_id"], "yy")
    with pytest.raises(BotApiError, match="BUTTON_DATA_INVALID"):
        api.set_buttons(1001, sent["message_id"], [[("Long", "x" * 65)]])


async def test_inline_queries(api: FakeBotApi) -> None:
    def article(n: int, text: str = "Magnesium") -> dict[str, Any]:
        content = {"message_text": text, "parse_mode": "HTML"}
        return {"type": "article", "id": str(n), "title": "t", "input_message_content": content}

    query_id = api.inline_query("magn")
    too_many = {
        "inline_query_id": query_id,
        "results": json.dumps([article(n) for n in range(51)]),
    }
    assert await bad_request(api, "answerInlineQuery", too_many) == "Bad Request: RESULTS_TOO_MUCH"
    twice = {"inline_query_id": query_id, "results": [article(1), article(1)]}
    assert await bad_request(api, "answerInlineQuery", twice) == "Bad Request: RESULT_ID_DUPLICATE"
    broken = {"inline_query_id": query_id, "results": [article(1, "<b>x")]}
    assert "can't parse entities" in await bad_request(api, "answerInlineQuery", broken)
    await api.call("answerInlineQuery", {"inline_query_id": query_id, "results": [article(1)]})
    assert api.inline_answers[query_id]["results"][0]["title"] == "t"
    again = {"inline_query_id": query_id, "results": []}
    assert await bad_request(api, "answerInlineQuery", again) == QUERY_TOO_OLD


# --- updates ----------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives() -> None:
    api = FakeBotApi()
    started = time.monotonic()
    poll = asyncio.create_task(api.call("getUpdates", {"timeout": "5"}))
    await asyncio.sleep(0.05)
    assert not poll.done()
    api.send_text("hi")
    updates = await asyncio.wait_for(poll, 1)
    assert time.monotonic() - started < 1
    assert [u["message"]["text"] for u in updates] == ["hi"]


async def test_long_poll_times_out_empty_and_offset_confirms() -> None:
    api = FakeBotApi()
    started = time.monotonic()
    assert await api.call("getUpdates", {"timeout": 0.2}) == []
    assert time.monotonic() - started >= 0.2
    api.send_text("one")
    api.send_text("two")
    first = await api.call("getUpdates", {"limit": 1})
    assert [u["message"]["text"] for u in first] == ["one"]
    rest = await api.call("getUpdates", {"offset": first[0]["update_id"] + 1})
    assert [u["message"]["text"] for u in rest] == ["two"]
    assert api.pending_updates == 1


async def test_a_second_poller_ends_the_first_with_409() -> None:
    api = FakeBotApi()
    first = asyncio.create_task(api.call("getUpdates", {"timeout": 5}))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(api.call("getUpdates", {"timeout": 0}))
    with pytest.raises(BotApiError) as caught:
        await first
    assert caught.value.code == 409
    assert await second == []


async def test_user_side_shapes() -> None:
    api = FakeBotApi()
    group = api.send_text("/help@CrampCoachBot now", chat_type="group", first_name="Bo")
    assert group["chat"] == {"id": -1001, "type": "group", "title": "Test group"}
    assert group["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    super_ = api.send_text("hello", chat_type="supergroup", chat_id=5, chat_title="Runners")
    assert super_["chat"]["id"] == -1_000_000_000_005
    reply = api.send_text("thanks", chat_id=-1001, chat_type="group", reply_to=1)
    assert reply["reply_to_message"]["message_id"] == 1
    with pytest.raises(ValueError, match="private chat"):
        api.send_text("hi", chat_id=5, user_id=6)


async def test_wait_for_times_out_with_the_outbox(api: FakeBotApi) -> None:
    await send(api, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await api.wait_for(lambda: False, timeout=0.05)


async def test_commands_members_and_chats(api: FakeBotApi) -> None:
    commands = [{"command": "start", "description": "Begin"}]
    await api.call("setMyCommands", {"commands": json.dumps(commands)})
    private = {"commands": commands, "scope": {"type": "all_private_chats"}, "language_code": "de"}
    await api.call("setMyCommands", private)
    assert api.commands == {"default": commands, "all_private_chats/de": commands}
    assert await api.call("getMyCommands", {}) == commands
    await api.call("deleteMyCommands", {})
    assert "default" not in api.commands
    bad = {"commands": [{"command": "Start", "description": "x"}]}
    assert await bad_request(api, "setMyCommands", bad) == "Bad Request: BOT_COMMAND_INVALID"
    member = await api.call("getChatMember", {"chat_id": 1001, "user_id": 1001})
    assert member["status"] == "member"
    assert (await api.call("getChat", {"chat_id": 1001}))["first_name"] == "Ada"
    with pytest.raises(BotApiError, match="Not Found"):
        await api.call("sendSticker", {})


async def test_faults_and_blocking(api: FakeBotApi) -> None:
    api.fail_next("sendMessage", BotApiError(429, "Too Many Requests: retry after 3", 3))
    with pytest.raises(BotApiError) as caught:
        await send(api, "hi")
    assert caught.value.to_json()["parameters"] == {"retry_after": 3}
    await send(api, "hi")
    api.block_chat(1001)
    with pytest.raises(BotApiError) as blocked:
        await send(api, "hi")
    assert (blocked.value.code, blocked.value.description) == (
        403,
        "Forbidden: bot was blocked by the user",
    )


# --- PTB over the stand-ins ---------------------------------------------------------------


async def test_ptb_gets_telegram_exceptions_in_process(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without this PTB 22 warns (an error here) whenever it builds a RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.set_member_status(1001, 1001, "administrator")
    request = InMemoryRequest(api, token=TOKEN)
    async with Bot(TOKEN, request=request, get_updates_request=request) as bot:
        assert bot.username == "CrampCoachBot"
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
        message = await bot.send_message(
            1001, "<b>Hi</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        assert message.text == "Hi"
        assert message.reply_markup == keyboard
        with pytest.raises(BadRequest, match="Message is not modified"):
            await message.edit_text("<b>Hi</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard)
        member = await bot.get_chat_member(1001, 1001)
        assert isinstance(member, ChatMemberAdministrator)
        chat = await bot.get_chat(1001)
        assert chat.first_name == "Ada"
        api.fail_next("sendMessage", BotApiError(429, "Too Many Requests: retry after 3", 3))
        with pytest.raises(RetryAfter):
            await bot.send_message(1001, "again")
        api.block_chat(1001)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(1001, "again")
    with pytest.raises(InvalidToken):
        async with Bot("999:XYZ", request=InMemoryRequest(api, token=TOKEN)):
            pass


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back in bold."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    await update.effective_message.reply_html(f"<b>{text}</b> back", do_quote=True)


async def run_echo_bot(app: Application[Any, Any, Any, Any, Any, Any], api: FakeBotApi) -> None:
    """Poll with a real Application, push a message, and wait for the reply."""
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    try:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        api.send_text("hi")
        await api.wait_for(lambda: len(api.messages_in(1001)) == 1)
        [reply] = api.messages_in(1001)
        assert (reply.plain, reply.text) == ("hi back", "<b>hi</b> back")
        assert reply.reply_to_message_id == 1
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
    # The updater confirms what it fetched on the way out.
    assert api.pending_updates == 0


async def test_ptb_polls_a_real_http_server() -> None:
    async with BotApiServer(token=TOKEN) as server:
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
        await run_echo_bot(app, server.api)
        methods = {request.method for request in server.requests}
        assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= methods


async def test_ptb_polls_in_process() -> None:
    api = FakeBotApi()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(InMemoryRequest(api))
        .get_updates_request(InMemoryRequest(api))
        .build()
    )
    await run_echo_bot(app, api)


async def test_http_server_speaks_telegram() -> None:
    async with BotApiServer(token=TOKEN) as server, httpx.AsyncClient() as client:
        server.api.send_text("hi")
        base = server.base_url
        form = await client.post(
            f"{base}{TOKEN}/sendMessage", data={"chat_id": "1001", "text": "a"}
        )
        assert form.json()["result"]["text"] == "a"
        body = {"chat_id": 1001, "text": "<b", "parse_mode": "HTML"}
        bad = await client.post(f"{base}{TOKEN}/sendMessage", json=body)
        assert bad.status_code == 400
        assert bad.json()["description"].startswith("Bad Request: can't parse entities")
        got = await client.get(f"{base}{TOKEN}/getMe")
        assert got.json() == {"ok": True, "result": server.api.bot_user}
        wrong = await client.post(f"{base}999:XYZ/getMe")
        assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
        nowhere = await client.post(f"http://127.0.0.1:{server.port}/elsewhere")
        assert nowhere.status_code == 404
        assert [r.method for r in server.requests] == [
            "sendMessage",
            "sendMessage",
            "getMe",
            "getMe",
        ]


async def test_http_server_exit_ends_a_pending_long_poll() -> None:
    async with httpx.AsyncClient() as client:
        async with BotApiServer(token=TOKEN) as server:
            url = f"{server.base_url}{TOKEN}/getUpdates"
            poll = asyncio.create_task(client.post(url, data={"timeout": "30"}))
            await asyncio.sleep(0.1)
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(poll, 2)
        except httpx.HTTPError:
            pass
        else:
            assert response.status_code == 502
        assert time.monotonic() - started < 2


# --- webhooks -------------------------------------------------------------------------------

HOOK = "https://bot.example/hook"
NOW = 1_700_000_000.0


@dataclass(frozen=True)
class Received:
    """One POST a webhook received."""

    secret: str | None
    content_type: str | None
    update: dict[str, Any]
    at: float


@dataclass
class Receiver:
    """A webhook on 127.0.0.1 that records what it is sent and answers with `status`."""

    url: str
    status: int = 200
    posts: list[Received] = field(default_factory=list)

    def update_ids(self) -> list[int]:
        """The update_id of each POST, in the order they came."""
        return [post.update["update_id"] for post in self.posts]


class _Hook(tornado.web.RequestHandler):
    """The Receiver's one route."""

    def initialize(self, receiver: Receiver) -> None:
        """Tornado's per-request set-up."""
        self.receiver = receiver

    def post(self) -> None:
        """Record the delivery and answer with the receiver's status."""
        headers = self.request.headers
        received = Received(
            headers.get(SECRET_HEADER),
            headers.get("Content-Type"),
            json.loads(self.request.body),
            time.monotonic(),
        )
        self.receiver.posts.append(received)
        self.set_status(self.receiver.status)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    """A Receiver listening on a free loopback port."""
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    receiver = Receiver(f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook")
    app = tornado.web.Application(
        [("/hook", _Hook, {"receiver": receiver})], log_function=lambda handler: None
    )
    http = tornado.httpserver.HTTPServer(app)
    http.add_sockets(sockets)
    try:
        yield receiver
    finally:
        http.stop()
        await http.close_all_connections()


def free_port() -> int:
    """A loopback port nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_set_webhook_checks_url_and_secret_like_telegram(api: FakeBotApi) -> None:
    for url in ("ftp://bot.example/hook", "bot.example/hook", "https:///hook", "http://x:0/"):
        reason = await bad_request(api, "setWebhook", {"url": url})
        assert reason == "Bad Request: invalid webhook URL specified", url
    for secret in ("a b", "sécret", "a+b/c=", "x:y"):
        reason = await bad_request(api, "setWebhook", {"url": HOOK, "secret_token": secret})
        assert reason == "Bad Request: secret token contains unallowed characters", secret
    too_long = {"url": HOOK, "secret_token": "x" * 257}
    assert await bad_request(api, "setWebhook", too_long) == (
        "Bad Request: secret token is too long"
    )
    assert api.webhook is None
    await api.call("setWebhook", {"url": HOOK, "secret_token": "A-z_09" * 42 + "abcd"})
    assert api.webhook == Webhook(HOOK, "A-z_09" * 42 + "abcd", 40)
    # Form fields as PTB sends them; Telegram clamps max_connections into 1..100.
    await api.call("setWebhook", {"url": "http://127.0.0.1:8080/hook", "max_connections": "500"})
    assert api.webhook == Webhook("http://127.0.0.1:8080/hook", None, 100)


async def test_webhook_info_conflict_and_removal(api: FakeBotApi) -> None:
    info = await api.call("getWebhookInfo", {})
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
    allowed = json.dumps(["message", "callback_query"])
    await api.call("setWebhook", {"url": HOOK, "allowed_updates": allowed})
    assert await api.call("getWebhookInfo", {}) == {
        "url": HOOK,
        "has_custom_certificate": False,
        "pending_update_count": 1,
        "max_connections": 40,
        "allowed_updates": ["message", "callback_query"],
    }
    with pytest.raises(BotApiError) as caught:
        await api.call("getUpdates", {})
    assert (caught.value.code, caught.value.description) == (409, WEBHOOK_ACTIVE)
    # An empty url removes the webhook, as deleteWebhook does; allowed_updates still stick.
    await api.call("setWebhook", {"url": ""})
    assert api.webhook is None
    [update] = await api.call("getUpdates", {})
    assert update["message"]["text"] == "/start"
    await api.call("setWebhook", {"url": HOOK, "drop_pending_updates": "true"})
    await api.call("deleteWebhook", {})
    assert await api.call("getWebhookInfo", {}) == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
        "allowed_updates": ["message", "callback_query"],
    }


async def test_set_webhook_ends_a_waiting_long_poll() -> None:
    api = FakeBotApi()
    poll = asyncio.create_task(api.call("getUpdates", {"timeout": 5}))
    await asyncio.sleep(0.01)
    assert not poll.done()
    await api.call("setWebhook", {"url": HOOK})
    with pytest.raises(BotApiError) as caught:
        await asyncio.wait_for(poll, 1)
    assert (caught.value.code, caught.value.description) == (409, POLL_ENDED_BY_WEBHOOK)


async def test_webhook_queue_waits_filters_and_confirms() -> None:
    api = FakeBotApi(clock=lambda: NOW)
    api.send_text("/start")
    taken = asyncio.create_task(api.next_webhook_update())
    done, _ = await asyncio.wait([taken], timeout=0.05)
    assert not done, "an update was handed out with no webhook set"
    await api.call("setWebhook", {"url": HOOK, "allowed_updates": '["edited_message"]'})
    done, _ = await asyncio.wait([taken], timeout=0.05)
    assert not done, "an update of a kind not allowed was handed out"
    assert api.pending_updates == 0
    api.edit_text(1001, 1, "/help")
    webhook, update = await asyncio.wait_for(taken, 1)
    assert webhook == Webhook(HOOK, None, 40)
    assert update["edited_message"]["text"] == "/help"
    api.webhook_failed("Wrong response from the webhook: 500 Internal Server Error")
    assert (await api.next_webhook_update())[1] == update
    api.webhook_delivered(update["update_id"])
    info = await api.call("getWebhookInfo", {})
    assert info["pending_update_count"] == 0
    assert (info["last_error_date"], info["last_error_message"]) == (
        int(NOW),
        "Wrong response from the webhook: 500 Internal Server Error",
    )


async def test_server_posts_updates_to_the_webhook_in_order_with_the_secret() -> None:
    async with (
        webhook_receiver() as receiver,
        BotApiServer(token=TOKEN) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        api = server.api
        assert await bot.set_webhook(receiver.url, secret_token="s3cr3t_-X")
        sent = [api.send_text("one"), api.send_text("two")]
        await api.wait_for(lambda: api.pending_updates == 0)
        assert [(post.secret, post.content_type) for post in receiver.posts] == [
            ("s3cr3t_-X", "application/json")
        ] * 2
        assert [post.update for post in receiver.posts] == [
            {"update_id": 1, "message": sent[0]},
            {"update_id": 2, "message": sent[1]},
        ]
        assert server.webhook_posts == [
            WebhookPost(1, receiver.url, 200, None),
            WebhookPost(2, receiver.url, 200, None),
        ]
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == (
            receiver.url,
            0,
            40,
        )
        assert info.last_error_message is None
        # A changed webhook holds from the next delivery on: here, no secret any more.
        assert await bot.set_webhook(receiver.url)
        api.send_text("three")
        await api.wait_for(lambda: api.pending_updates == 0)
        assert receiver.posts[-1].secret is None
        assert receiver.update_ids() == [1, 2, 3]


async def test_failed_deliveries_are_retried_in_order_and_reported() -> None:
    async with (
        webhook_receiver() as receiver,
        BotApiServer(FakeBotApi(clock=lambda: NOW), token=TOKEN) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        api = server.api
        receiver.status = 403
        await bot.set_webhook(receiver.url)
        api.send_text("one")
        api.send_text("two")
        await api.wait_for(lambda: len(server.webhook_posts) >= 3)
        refused = WebhookPost(
            1, receiver.url, 403, "Wrong response from the webhook: 403 Forbidden"
        )
        assert server.webhook_posts[:3] == [refused] * 3
        # One update at a time: the second waits for the first.
        assert set(receiver.update_ids()) == {1}
        times = [post.at for post in receiver.posts]
        assert min(b - a for a, b in itertools.pairwise(times)) >= server.webhook_backoff
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 2
        assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
        assert info.last_error_date == datetime.fromtimestamp(NOW, UTC)

        receiver.status = 200
        await api.wait_for(lambda: api.pending_updates == 0)
        assert receiver.update_ids()[-2:] == [1, 2]
        assert server.webhook_posts[-2:] == [
            WebhookPost(1, receiver.url, 200, None),
            WebhookPost(2, receiver.url, 200, None),
        ]
        # Like Telegram, the last error is still reported after deliveries succeed again.
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"


async def test_an_unreachable_webhook_is_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    async with BotApiServer(token=TOKEN) as server, Bot(TOKEN, base_url=server.base_url) as bot:
        await bot.set_webhook(url)
        server.api.send_text("hi")
        await server.api.wait_for(lambda: len(server.webhook_posts) >= 1)
        assert server.webhook_posts[0] == WebhookPost(1, url, None, "Connection refused")
        assert (await bot.get_webhook_info()).last_error_message == "Connection refused"


async def test_delete_webhook_stops_deliveries_and_polling_works_again() -> None:
    async with (
        webhook_receiver() as receiver,
        BotApiServer(token=TOKEN) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        api = server.api
        receiver.status = 500
        await bot.set_webhook(receiver.url)
        api.send_text("hi")
        await api.wait_for(lambda: len(server.webhook_posts) >= 1)
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
        attempts = len(server.webhook_posts)
        # Several backoffs pass with no further attempt.
        with pytest.raises(TimeoutError):
            await api.wait_for(
                lambda: len(server.webhook_posts) > attempts, timeout=3 * server.webhook_backoff
            )
        [update] = await bot.get_updates()
        assert update.message is not None
        assert update.message.text == "hi"
        info = await bot.get_webhook_info()
        assert (info.url, info.last_error_message) == ("", None)


async def test_ptb_application_receives_updates_by_webhook() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with BotApiServer(token=TOKEN) as server:
        api = server.api
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url=url,
                secret_token="s3cr3t",
            )
            try:
                api.send_text("hi")
                await api.wait_for(lambda: len(api.messages_in(1001)) == 1)
                assert api.messages_in(1001)[0].plain == "hi back"
                assert server.webhook_posts == [WebhookPost(1, url, 200, None)]
                # PTB's webhook turns away a request with the wrong secret.
                await app.bot.set_webhook(url, secret_token="wrong")
                api.send_text("again")
                await api.wait_for(lambda: len(server.webhook_posts) == 2)
                assert server.webhook_posts[1].status == 403
            finally:
                await app.updater.stop()
                await app.stop()
