"""Discord's errors and the limits it checks on messages, commands and choices (400 50035)."""

from __future__ import annotations

import re
from typing import Any

from tests.discord_api.world import JSON


class ApiError(Exception):
    """A Discord error reply: status, JSON error code and message."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        """Discord's error body."""
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def invalid(field: str, problem: str) -> ApiError:
    """Discord's 'Invalid Form Body' for one field."""
    errors = {field: {"_errors": [{"code": "BASE_TYPE_INVALID", "message": problem}]}}
    return ApiError(400, 50035, "Invalid Form Body", errors)


def _length(value: Any, field: str, most: int, least: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise invalid(field, "Must be a string.")
    if not least <= len(value) <= most:
        raise invalid(field, f"Must be between {least} and {most} in length.")


def check_embeds(embeds: Any) -> None:
    """At most 10 embeds; Discord's per-field limits and 6000 characters in all."""
    if not isinstance(embeds, list) or len(embeds) > 10:
        raise invalid("embeds", "Must be a list of at most 10 embeds.")
    total = 0
    for n, embed in enumerate(embeds):
        at = f"embeds.{n}"
        texts = [
            (embed.get("title"), f"{at}.title", 256),
            (embed.get("description"), f"{at}.description", 4096),
            ((embed.get("footer") or {}).get("text"), f"{at}.footer.text", 2048),
            ((embed.get("author") or {}).get("name"), f"{at}.author.name", 256),
        ]
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid(f"{at}.fields", "Must be 25 or fewer in length.")
        for i, item in enumerate(fields):
            texts.append((item.get("name"), f"{at}.fields.{i}.name", 256))
            texts.append((item.get("value"), f"{at}.fields.{i}.value", 1024))
        for text, field, most in texts:
            _length(text, field, most)
            total += len(text or "")
    if total > 6000:
        raise invalid("embeds", "Embed size exceeds maximum size of 6000")


def _walk(components: list[JSON]) -> list[JSON]:
    found: list[JSON] = []
    for component in components:
        found.append(component)
        found.extend(_walk(component.get("components") or []))
        if isinstance(component.get("accessory"), dict):
            found.append(component["accessory"])
    return found


def all_components(components: list[JSON]) -> list[JSON]:
    """Every component, nested ones included."""
    return _walk(components)


def check_components(components: Any) -> None:
    """At most 5 action rows of at most 5 buttons; custom ids and labels within limits."""
    if not isinstance(components, list):
        raise invalid("components", "Must be a list.")
    rows = [c for c in components if c.get("type") == 1]
    if len(rows) > 5:
        raise invalid("components", "Must be 5 or fewer in length.")
    for n, row in enumerate(rows):
        if len(row.get("components") or []) > 5:
            raise invalid(f"components.{n}.components", "Must be 5 or fewer in length.")
    custom_ids: list[str] = []
    for component in _walk(components):
        if "custom_id" in component:
            _length(component["custom_id"], "custom_id", 100, 1)
            custom_ids.append(component["custom_id"])
        _length(component.get("label"), "label", 80)
    if len(custom_ids) != len(set(custom_ids)):
        raise invalid("components", "Component custom id cannot be duplicated")


def check_message(payload: JSON, *, allow_empty: bool = False) -> None:
    """Content, embeds and components within limits; a new message may not be empty."""
    _length(payload.get("content"), "content", 2000)
    if payload.get("embeds") is not None:
        check_embeds(payload["embeds"])
    if payload.get("components") is not None:
        check_components(payload["components"])
    if not allow_empty and not any(
        payload.get(key) for key in ("content", "embeds", "components", "attachments", "poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")


_NAME = re.compile(r"[-_'\w]{1,32}")


def _check_options(options: list[JSON], at: str) -> None:
    if len(options) > 25:
        raise invalid(at, "Must be 25 or fewer in length.")
    names = [option.get("name") for option in options]
    if len(names) != len(set(names)):
        raise invalid(at, "Application command option names must be unique")
    seen_optional = False
    for n, option in enumerate(options):
        where = f"{at}.{n}"
        name = option.get("name", "")
        if not _NAME.fullmatch(name) or name != name.lower():
            raise invalid(f"{where}.name", "Command name is invalid")
        _length(option.get("description"), f"{where}.description", 100, 1)
        if option.get("type") in (1, 2):
            _check_options(option.get("options") or [], f"{where}.options")
            continue
        if option.get("required"):
            if seen_optional:
                raise invalid(where, "Required options must be placed before non-required options")
        else:
            seen_optional = True
        if len(option.get("choices") or []) > 25:
            raise invalid(f"{where}.choices", "Must be 25 or fewer in length.")
        if option.get("choices") and option.get("autocomplete"):
            raise invalid(where, "Autocomplete cannot be set with choices")


def check_commands(commands: Any) -> None:
    """A bulk overwrite: at most 100 commands, unique names, Discord's naming rules."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise invalid("_", "Must be a list of 100 or fewer commands.")
    keys = [(c.get("type", 1), c.get("name")) for c in commands]
    if len(keys) != len(set(keys)):
        raise invalid("_", "Application command names must be unique")
    for n, command in enumerate(commands):
        name = command.get("name", "")
        if command.get("type", 1) == 1:
            if not _NAME.fullmatch(name) or name != name.lower():
                raise invalid(f"{n}.name", "Command name is invalid")
            _length(command.get("description"), f"{n}.description", 100, 1)
        else:
            _length(name, f"{n}.name", 32, 1)
        _check_options(command.get("options") or [], f"{n}.options")


def check_choices(choices: Any) -> None:
    """An autocomplete answer: at most 25 choices, names of 1-100 characters."""
    if not isinstance(choices, list) or len(choices) > 25:
        raise invalid("data.choices", "Must be 25 or fewer in length.")
    for n, choice in enumerate(choices):
        _length(choice.get("name"), f"data.choices.{n}.name", 100, 1)
        if isinstance(choice.get("value"), str):
            _length(choice["value"], f"data.choices.{n}.value", 100)
