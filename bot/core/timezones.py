"""Time zones as people type them: IANA names, city names, or offsets like UTC+2."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from bot.core.reminder_input import InputError

_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
_UTC_NAMES = frozenset({"utc", "gmt", "z", "zulu", "utc+0", "gmt+0", "utc0"})
# The IANA Etc zones run from UTC-12 to UTC+14.
MAX_OFFSET_WEST = 12
MAX_OFFSET_EAST = 14
EXAMPLES = "a city like Europe/Berlin or New York, or an offset like UTC+2"


@cache
def _zones() -> dict[str, str]:
    """Lowercased IANA names and city names -> canonical IANA name."""
    zones = sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    names: dict[str, str] = {}
    for zone in zones:
        names[zone.lower()] = zone
    for zone in zones:
        # 'America/Argentina/Buenos_Aires' -> 'buenos aires'; the first zone to claim a city wins.
        names.setdefault(zone.rsplit("/", 1)[1].replace("_", " ").lower(), zone)
    return names


def resolve_timezone(text: str) -> str:
    """The IANA zone for what the user typed; InputError with suggestions otherwise."""
    typed = " ".join(text.strip().split())
    key = typed.lower().replace("_", " ")
    if not key:
        raise InputError(f"Which time zone? Send {EXAMPLES}.")
    if key.replace(" ", "") in _UTC_NAMES:
        return "UTC"
    names = _zones()
    for candidate in (key, key.replace(" ", "_")):
        if candidate in names:
            return names[candidate]
    offset = _OFFSET.fullmatch(key.replace(" ", ""))
    if offset is not None:
        return _offset_zone(offset.group(1), int(offset.group(2)), int(offset.group(3) or 0))
    close = [
        match
        for match, _score, _ in process.extract(
            key[:40], list(names), scorer=fuzz.ratio, limit=3, score_cutoff=75
        )
    ]
    shown = typed if len(typed) <= 30 else typed[:29] + "…"
    if close:
        options = ", ".join(dict.fromkeys(names[c] for c in close))
        raise InputError(f"I don't know the time zone “{shown}”. Did you mean {options}?")
    raise InputError(f"I don't know the time zone “{shown}”. Try {EXAMPLES}.")


def _offset_zone(sign: str, hours: int, minutes: int) -> str:
    if minutes:
        raise InputError(
            "For a half-hour offset, send your city instead (like Asia/Kolkata or Adelaide)."
        )
    if hours > (MAX_OFFSET_EAST if sign == "+" else MAX_OFFSET_WEST):
        raise InputError(f"UTC offsets run from -{MAX_OFFSET_WEST} to +{MAX_OFFSET_EAST}.")
    if hours == 0:
        return "UTC"
    # POSIX-style Etc zones flip the sign: UTC+2 is Etc/GMT-2.
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def describe_timezone(zone: str) -> str:
    """A zone name for people: 'Etc/GMT-2' -> 'UTC+2'."""
    if zone.startswith("Etc/GMT"):
        offset = zone.removeprefix("Etc/GMT")
        return "UTC" + ({"-": "+", "+": "-"}[offset[0]] + offset[1:] if offset else "")
    return zone


def zones_like(text: str, limit: int) -> list[str]:
    """IANA zones whose name or city starts with, or contains, what was typed (for
    choices offered while typing); the first zones in the list for nothing typed."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    names = _zones()
    starts = [zone for name, zone in names.items() if name.startswith(key)]
    within = [zone for name, zone in names.items() if key in name]
    return list(dict.fromkeys([*starts, *within]))[:limit]
