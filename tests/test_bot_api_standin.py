"""The Bot API stand-ins behave like Telegram: validation, updates, and PTB end to end."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.offline.bot_api import (
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    BotApiError,
    FakeBotApi,
    HtmlParseError,
    parse_html,
)
from bot.offline.request import InMemoryRequest
from tests.bot_api_server import BotApiServer

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
