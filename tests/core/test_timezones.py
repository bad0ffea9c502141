"""Time zones as people type them: IANA names, cities, offsets; and how they are shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminder_input import InputError
from bot.core.timezones import describe_timezone, resolve_timezone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("  Europe/Berlin  ", "Europe/Berlin"),
        ("america/new_york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("new   york", "America/New_York"),
        ("kolkata", "Asia/Kolkata"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_names_and_cities(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["utc", "UTC", "gmt", "Z", "zulu", "UTC+0", "utc-0", "UTC 0"])
def test_utc_spellings(typed: str) -> None:
    assert resolve_timezone(typed) == "UTC"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("UTC+2", "Etc/GMT-2"),
        ("utc-5", "Etc/GMT+5"),
        ("GMT+10", "Etc/GMT-10"),
        ("UTC +3", "Etc/GMT-3"),
        ("+2", "Etc/GMT-2"),
        ("-7", "Etc/GMT+7"),
        ("utc+02:00", "Etc/GMT-2"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
    ],
)
def test_offsets_become_etc_zones_with_the_sign_flipped(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("hours", range(-12, 15))
def test_every_offset_on_earth_is_a_real_zone(hours: int) -> None:
    zone = resolve_timezone(f"UTC{hours:+d}")
    offset = datetime(2026, 6, 1, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
    assert offset == timedelta(hours=hours)


@pytest.mark.parametrize("typed", ["UTC-13", "UTC-14"])
def test_offsets_west_of_utc_minus_12_are_refused(typed: str) -> None:
    with pytest.raises(InputError, match=r"UTC offsets run from"):
        resolve_timezone(typed)


@pytest.mark.parametrize("typed", ["UTC+5:30", "utc+0530", "UTC-3:30", "UTC+5:45"])
def test_half_hour_offsets_ask_for_a_city(typed: str) -> None:
    with pytest.raises(InputError, match=r"send your city instead"):
        resolve_timezone(typed)


@pytest.mark.parametrize("typed", ["UTC+15", "UTC-13", "UTC-15", "UTC+99"])
def test_offsets_outside_the_etc_zones_are_refused(typed: str) -> None:
    with pytest.raises(InputError, match=r"UTC offsets run from -12 to \+14"):
        resolve_timezone(typed)


@pytest.mark.parametrize("typed", ["", "   "])
def test_nothing_typed_asks_which_zone(typed: str) -> None:
    with pytest.raises(InputError, match=r"^Which time zone\?"):
        resolve_timezone(typed)


def test_unknown_zone_is_refused_with_examples() -> None:
    with pytest.raises(InputError) as caught:
        resolve_timezone("Mars/Base")
    assert str(caught.value) == (
        "I don't know the time zone “Mars/Base”. "
        "Try a city like Europe/Berlin or New York, or an offset like UTC+2."
    )


def test_misspelling_suggests_the_zone() -> None:
    with pytest.raises(InputError) as caught:
        resolve_timezone("berln")
    assert str(caught.value) == "I don't know the time zone “berln”. Did you mean Europe/Berlin?"


def test_misspelled_iana_name_suggests_it_first() -> None:
    with pytest.raises(InputError, match=r"Did you mean Europe/Berlin, "):
        resolve_timezone("Europe/Berln")


def test_long_junk_is_quoted_short() -> None:
    with pytest.raises(InputError) as caught:
        resolve_timezone("x" * 5000)
    assert f"“{'x' * 29}…”" in str(caught.value)
    assert len(str(caught.value)) < 150


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Etc/GMT-2", "UTC+2"),
        ("Etc/GMT+5", "UTC-5"),
        ("Etc/GMT-14", "UTC+14"),
        ("Etc/GMT", "UTC"),
        ("UTC", "UTC"),
        ("Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_describe_timezone(zone: str, shown: str) -> None:
    assert describe_timezone(zone) == shown


@pytest.mark.parametrize("typed", ["UTC+2", "utc-5", "UTC+14", "UTC-12"])
def test_offsets_round_trip_through_their_description(typed: str) -> None:
    assert describe_timezone(resolve_timezone(typed)) == typed.upper()
