"""redflags.toml: the advice for each triage level and the warning signs that lead to it."""

from __future__ import annotations

from typing import Any

from bot.core.models import Level, LevelAdvice, RedFlags, WarningSign
from bot.loader.reader import ITEM_MAX, PARAGRAPH_MAX, TITLE_MAX, Reader


def red_flags(r: Reader, data: dict[str, Any]) -> RedFlags:
    levels_data = r.table(data, "levels", "")
    levels = []
    for level in Level:
        table = r.table(levels_data, level.value, "levels.")
        where = f"levels.{level.value}."
        levels.append(
            LevelAdvice(
                level=level,
                heading=r.text(table, "heading", where, TITLE_MAX),
                intro=r.text(table, "intro", where, PARAGRAPH_MAX),
                sources=r.sources(table, where),
            )
        )
    signs = []
    for index, item in enumerate(r.tables(data, "signs", "")):
        where = f"signs[{index}]."
        level_name = item.get("level")
        sign_level = next((lv for lv in Level if lv.value == level_name), None)
        if sign_level is None:
            r.problem(f"{where}level", f"must be one of {', '.join(lv.value for lv in Level)}")
        signs.append(
            WarningSign(
                id=r.ident(item, where),
                level=sign_level or Level.EMERGENCY,
                name=r.text(item, "name", where, TITLE_MAX),
                action=r.text(item, "action", where, ITEM_MAX),
                describe=r.phrases(item, "describe", where),
                sources=r.sources(item, where),
                detail=r.text(item, "detail", where, PARAGRAPH_MAX, required=False),
            )
        )
    for level in Level:
        if not any(sign.level is level for sign in signs):
            r.problem("signs", f"no sign at level {level.value!r}")
    return RedFlags(levels=tuple(levels), signs=tuple(signs))
