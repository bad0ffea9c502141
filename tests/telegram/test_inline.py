"""Inline mode: '@Bot magnesium' offers cards; an empty query offers the main topics."""

from __future__ import annotations

from typing import Any

from tests.telegram.harness import BOT_NAME, Harness


async def ask_inline(bot: Harness, query: str) -> list[dict[str, Any]]:
    query_id = bot.api.inline_query(query)
    await bot.api.wait_for(lambda: query_id in bot.api.inline_answers)
    results: list[dict[str, Any]] = bot.api.inline_answers[query_id]["results"]
    return results


async def test_nutrient_query_offers_foods_summary_and_red_flags(bot: Harness) -> None:
    results = await ask_inline(bot, "magnesium")
    titles = [r["title"] for r in results]
    assert titles == ["Foods rich in Magnesium", "Magnesium", "🚩 When to see a doctor"]
    foods = results[0]["input_message_content"]["message_text"]
    assert "Pumpkin" in foods
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/{BOT_NAME}?start=f-magnesium"


async def test_empty_query_offers_main_topics(bot: Harness) -> None:
    titles = [r["title"] for r in await ask_inline(bot, "")]
    assert "Why toes cramp" in titles
    assert "🚩 When to see a doctor" in titles


async def test_misspelled_and_food_queries(bot: Harness) -> None:
    titles = [r["title"] for r in await ask_inline(bot, "potasium")]
    assert "Foods rich in Potassium" in titles
    titles = [r["title"] for r in await ask_inline(bot, "banana")]
    assert titles[0] == "What banana gives you"


async def test_junk_query_still_offers_topics(bot: Harness) -> None:
    titles = [r["title"] for r in await ask_inline(bot, "<b>zzz</b> & 🦶" * 20)]
    assert "Why toes cramp" in titles
