"""The collector's setting while bots run, and Python's own after."""

from __future__ import annotations

import gc

from bot.collection import YOUNG_THRESHOLD, collecting_for_bursts


def test_young_objects_are_collected_less_often_while_a_bot_runs() -> None:
    before = gc.get_threshold()
    with collecting_for_bursts():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before


def test_the_setting_stays_until_the_last_of_two_bots_stops() -> None:
    before = gc.get_threshold()
    first, second = collecting_for_bursts(), collecting_for_bursts()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_a_bot_that_fails_still_gives_the_setting_back() -> None:
    before = gc.get_threshold()
    try:
        with collecting_for_bursts():
            raise RuntimeError("the bot failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
