"""Nutrient files (content/nutrients/*.toml): about, deficiency, intake and foods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.models import Food, Intake, IntakeRow, Nutrient
from bot.loader.reader import ITEM_MAX, PARAGRAPH_MAX, TITLE_MAX, Reader

PERCENT_DV_TOLERANCE = 2
MIN_FOODS = 10
UNITS = ("mg", "mcg", "g")
INTAKE_KINDS = ("RDA", "AI")


def nutrient(r: Reader, data: dict[str, Any]) -> Nutrient:
    nutrient_id = r.ident(data, "")
    expected = Path(r.file).stem
    if nutrient_id and nutrient_id != expected:
        r.problem("id", f"{nutrient_id!r} must match the file name {expected!r}")
    about = r.table(data, "about", "")
    deficiency = r.table(data, "deficiency", "")
    intake_data = r.table(data, "intake", "")
    foods_data = r.table(data, "foods", "")
    unit = r.text(intake_data, "unit", "intake.", 10)
    if unit and unit not in UNITS:
        r.problem("intake.unit", f"{unit!r} is not one of {', '.join(UNITS)}")
    daily_value = r.number(intake_data, "daily_value", "intake.")
    upper = intake_data.get("upper_limit")
    rows = []
    for index, row in enumerate(r.tables(intake_data, "rows", "intake.")):
        where = f"intake.rows[{index}]."
        kind = r.text(row, "kind", where, 10)
        if kind and kind not in INTAKE_KINDS:
            r.problem(f"{where}kind", f"{kind!r} is not RDA or AI")
        rows.append(
            IntakeRow(r.text(row, "group", where, TITLE_MAX), r.number(row, "amount", where), kind)
        )
    if not rows:
        r.problem("intake.rows", "needs at least one row")
    foods = []
    for index, item in enumerate(r.tables(foods_data, "items", "foods.")):
        foods.append(_food(r, item, f"foods.items[{index}].", unit, daily_value))
    if len(foods) < MIN_FOODS:
        r.problem("foods.items", f"has {len(foods)} foods, at least {MIN_FOODS} needed")
    return Nutrient(
        id=nutrient_id,
        name=r.text(data, "name", "", TITLE_MAX),
        aliases=r.aliases(data, ""),
        role=r.text(about, "role", "about.", PARAGRAPH_MAX),
        cramps=r.text(about, "cramps", "about.", PARAGRAPH_MAX),
        about_sources=r.sources(about, "about."),
        signs=r.texts(deficiency, "signs", "deficiency.", ITEM_MAX, (3, 8)),
        at_risk=r.texts(deficiency, "at_risk", "deficiency.", ITEM_MAX, (3, 8)),
        deficiency_sources=r.sources(deficiency, "deficiency."),
        intake=Intake(
            unit=unit,
            daily_value=daily_value,
            rows=tuple(rows),
            sources=r.sources(intake_data, "intake."),
            upper_limit=r.number(intake_data, "upper_limit", "intake.")
            if upper is not None
            else None,
            upper_limit_note=r.text(
                intake_data, "upper_limit_note", "intake.", ITEM_MAX, required=False
            )
            or None,
            note=r.text(intake_data, "note", "intake.", PARAGRAPH_MAX, required=False) or None,
        ),
        foods=tuple(foods),
        food_sources=r.sources(foods_data, "foods."),
        foods_heading=r.text(foods_data, "heading", "foods.", TITLE_MAX, required=False),
        foods_note=r.text(foods_data, "note", "foods.", ITEM_MAX, required=False),
    )


def _food(r: Reader, item: dict[str, Any], where: str, unit: str, daily_value: float) -> Food:
    amount = r.number(item, "amount", where)
    food_unit = r.text(item, "unit", where, 10)
    if unit and food_unit and food_unit != unit:
        r.problem(f"{where}unit", f"{food_unit!r} differs from intake.unit {unit!r}")
    percent = item.get("percent_dv")
    if isinstance(percent, bool) or not isinstance(percent, int) or percent < 0:
        r.problem(f"{where}percent_dv", "missing whole-number percent of the Daily Value")
        percent = 0
    elif daily_value > 0:
        expected = amount / daily_value * 100
        if abs(expected - percent) > PERCENT_DV_TOLERANCE:
            r.problem(
                f"{where}percent_dv",
                f"{percent}% disagrees with {amount:g} {unit} of a {daily_value:g} {unit} "
                f"Daily Value ({expected:.0f}%)",
            )
    return Food(
        name=r.text(item, "name", where, TITLE_MAX),
        serving=r.text(item, "serving", where, TITLE_MAX),
        amount=amount,
        unit=food_unit,
        percent_dv=percent,
    )
