"""Telegram's HTML parse mode as tdlib reads it: the text shown and its entities, or the
error Telegram gives; lengths in the UTF-16 units Telegram counts."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from tests.telegram_api.protocol import JSON

_TRIMMED = " \t\r\n"
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# tdlib's is_space(); the NUL doubles as its end-of-string sentinel.
_HTML_SPACE = frozenset(" \t\r\n\v\f\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """The HTML is not something Telegram would accept; the text is Telegram's reason."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    out_index: int
    expandable: bool


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an HTML entity at text[pos] == '&' stands for and the index after it."""

    def at(i: int) -> str:
        return text[i] if i < len(text) else "\0"

    end = pos + 1
    if at(end) == "#":
        end += 1
        code = 0
        if at(end) == "x":
            end += 1
            while at(end) in string.hexdigits:
                code = code * 16 + int(at(end), 16)
                end += 1
        else:
            while at(end) in string.digits:
                code = code * 10 + int(at(end))
                end += 1
        # tdlib's limits: no NUL, nothing past Unicode, at most 9 characters.
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    return char, end


_MARKUP_START = re.compile(r"[<&]")


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Plain text and entities of Telegram-flavoured HTML, following tdlib's parse_html.

    With strict=True a '&' that starts no entity is an error; Telegram itself keeps it as
    text, but in generated HTML it almost always means a value went in unescaped.
    """

    def at(i: int) -> str:
        return text[i] if i < len(text) else "\0"

    def byte_offset(i: int) -> int:
        return len(text[:i].encode("utf-8", "surrogatepass"))

    def skip_spaces(i: int) -> int:
        while at(i) != "\0" and at(i) in _HTML_SPACE:
            i += 1
        return i

    out: list[str] = []
    entities: list[JSON] = []
    stack: list[_OpenTag] = []
    offset = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                offset += utf16_length(char)
                continue
            if strict:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)} '
                    "(FakeBotApi strict_html; Telegram would show it as text)"
                )
        if char != "<":
            # Copy the whole run of plain text up to the next tag or entity in one step.
            end = _MARKUP_START.search(text, i + 1)
            run = text[i : end.start() if end else len(text)]
            out.append(run)
            offset += utf16_length(run)
            i += len(run)
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _HTML_SPACE and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                i = skip_spaces(i)
                if at(i) == ">":
                    break
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                name_begin = i
                while at(i) not in _HTML_SPACE and at(i) not in "=>":
                    i += 1
                name = text[name_begin:i]
                if not name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                i = skip_spaces(i)
                if at(i) != "=":
                    if tag == "blockquote" and name.lower() == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i = skip_spaces(i + 1)
                if at(i) == "\0":
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _HTML_SPACE and at(i) != ">":
                        where = byte_offset(token_begin)
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {where}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) != quote and i < len(text):
                        if at(i) == "&":
                            decoded = _decode_entity(text, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append(_OpenTag(tag, argument, offset, len(out), expandable))
            i += 1
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while at(i) not in _HTML_SPACE and at(i) != ">":
            i += 1
        end_tag = text[begin + 2 : i].lower()
        i = skip_spaces(i)
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        top = stack.pop()
        if end_tag and end_tag != top.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{end_tag}>"'
            )
        if offset > top.offset:
            _close_entity(top, offset - top.offset, "".join(out[top.out_index :]), entities)
        i += 1

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


def _close_entity(tag: _OpenTag, length: int, inner: str, entities: list[JSON]) -> None:
    """Append the entity a closed tag makes, merging <pre><code class=...> as Telegram does."""
    entity: JSON = {"type": "", "offset": tag.offset, "length": length}
    last = entities[-1] if entities else None
    same_range = last is not None and (last["offset"], last["length"]) == (tag.offset, length)
    if tag.name in _SIMPLE_ENTITIES:
        entity["type"] = _SIMPLE_ENTITIES[tag.name]
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
    elif tag.name == "a":
        url = tag.argument or inner
        if not url:
            return
        entity.update(type="text_link", url=url)
    elif tag.name == "pre":
        if last is not None and same_range and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return
        entity["type"] = "pre"
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            entity["language"] = tag.argument
    else:
        entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
    entities.append(entity)


def trim(plain: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing blanks as Telegram does, keeping entities aligned."""
    left = plain.lstrip(_TRIMMED)
    cut = utf16_length(plain) - utf16_length(left)
    text = left.rstrip(_TRIMMED)
    total = utf16_length(text)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - cut, 0)
        end = min(entity["offset"] + entity["length"] - cut, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, kept
