"""Settings: defaults, webhook mode, and one clear line naming each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAExampleExampleExampleExample_1234"


def test_defaults_are_long_polling_without_http() -> None:
    settings = load_settings({"BOT_TOKEN": TOKEN})
    assert settings.webhook_url is None
    assert settings.webhook_endpoint is None
    assert settings.port is None  # no health port unless asked for
    assert settings.listen_address == "0.0.0.0"
    assert settings.log_format == "kv"
    assert settings.admin_ids == frozenset()
    assert settings.database_path == Path("data/cramp-coach.sqlite3")


def test_webhook_mode_listens_on_8080_with_an_unguessable_stable_path() -> None:
    env = {"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.com/"}
    settings = load_settings(env)
    assert settings.port == 8080
    assert settings.webhook_url == "https://bot.example.com"
    path = settings.webhook_path
    assert path.startswith("/telegram/")
    assert len(path) == len("/telegram/") + 32
    assert TOKEN.split(":")[1] not in path
    assert settings.webhook_endpoint == "https://bot.example.com" + path
    again = load_settings(env)
    assert again.webhook_path == path  # the same across restarts, for a proxy's rules
    other = load_settings({**env, "BOT_TOKEN": "987654321:BBSecretSecretSecretSecretSecret_99"})
    assert other.webhook_path != path
    # No secret given: a fresh, long one each start (setWebhook hands it to Telegram).
    assert len(settings.webhook_secret) >= 32
    assert again.webhook_secret != settings.webhook_secret


def test_explicit_settings_are_taken() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "WEBHOOK_URL": "https://bot.example.com",
            "WEBHOOK_SECRET": "a-long-enough_secret",
            "LISTEN_ADDRESS": "127.0.0.1",
            "PORT": "9000",
            "LOG_FORMAT": "JSON",
            "ADMIN_IDS": "12345678, 87654321 5",
        }
    )
    assert settings.webhook_secret == "a-long-enough_secret"
    assert settings.listen_address == "127.0.0.1"
    assert settings.port == 9000
    assert settings.log_format == "json"
    assert settings.admin_ids == {12345678, 87654321, 5}


@pytest.mark.parametrize("address", ["::", "::1", "10.1.2.3", "localhost", "bot", "my_bot.lan"])
def test_ip_addresses_and_host_names_are_listen_addresses(address: str) -> None:
    assert load_settings({"LISTEN_ADDRESS": address}).listen_address == address


def test_plain_http_webhook_only_with_a_self_hosted_bot_api() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        load_settings({"WEBHOOK_URL": "http://bot.example.com"})
    settings = load_settings(
        {"WEBHOOK_URL": "http://bot:8080", "BOT_API_URL": "http://telegram-bot-api:8081"}
    )
    assert settings.webhook_url == "http://bot:8080"


def test_the_send_rate_is_telegrams_free_limit_unless_broadcasts_are_paid_for() -> None:
    assert load_settings({"BOT_TOKEN": TOKEN}).send_rate == 30
    assert not load_settings({"BOT_TOKEN": TOKEN}).paid_broadcast
    assert load_settings({"BOT_TOKEN": TOKEN, "SEND_RATE": "20"}).send_rate == 20
    paid = load_settings({"BOT_TOKEN": TOKEN, "PAID_BROADCAST": "on", "SEND_RATE": "1000"})
    assert paid.paid_broadcast
    assert paid.send_rate == 1000
    # Paying is asked for, the higher rate too: each message beyond the free 30 costs Stars.
    assert load_settings({"BOT_TOKEN": TOKEN, "PAID_BROADCAST": "1"}).send_rate == 30
    with pytest.raises(ConfigError, match="up to 1000 with PAID_BROADCAST"):
        load_settings({"BOT_TOKEN": TOKEN, "SEND_RATE": "300"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_URL", "bot.example.com"),
        ("WEBHOOK_URL", "https://bot.example.com/?x=1"),
        ("WEBHOOK_SECRET", "short"),
        ("WEBHOOK_SECRET", "has spaces in it, sixteen+"),
        ("PORT", "0"),
        ("PORT", "70000"),
        ("PORT", "http"),
        ("PORT", "²"),
        ("ADMIN_IDS", "12²"),
        ("BOT_API_URL", "http://127.0.0.1:8081/#x"),
        ("BOT_API_URL", "https://user:pw@api.example.com"),
        ("LISTEN_ADDRESS", "not an address"),
        ("LISTEN_ADDRESS", "999.1.1.1"),
        ("LISTEN_ADDRESS", "10.0.0.256"),
        ("LISTEN_ADDRESS", "127.1"),
        ("LISTEN_ADDRESS", "[::1]"),
        ("LISTEN_ADDRESS", "bot..example.com"),
        ("LISTEN_ADDRESS", "-bot"),
        ("LISTEN_ADDRESS", "a" * 64),
        ("LOG_FORMAT", "xml"),
        ("ADMIN_IDS", "alice"),
        ("ADMIN_IDS", "-5"),
        ("LOG_LEVEL", "LOUD"),
        ("SEND_RATE", "0"),
        ("SEND_RATE", "31"),  # above the free limit without paid broadcasts
        ("SEND_RATE", "fast"),
        ("PAID_BROADCAST", "maybe"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"BOT_TOKEN": TOKEN, name: value})
    message = str(caught.value)
    assert message.startswith(name)
    assert "\n" not in message
    if name == "WEBHOOK_SECRET":
        assert value not in message  # a secret is never echoed
