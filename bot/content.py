"""Load content/ (TOML) into the core types, checking every field and reporting every problem."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from bot.core.models import (
    Cause,
    CauseGroup,
    Food,
    Intake,
    IntakeRow,
    Intent,
    Knowledge,
    Level,
    LevelAdvice,
    Nutrient,
    Point,
    RedFlags,
    Relief,
    Source,
    Stretch,
    Topic,
    WarningSign,
)
from bot.core.views import Action, Screen, parse_label

TITLE_MAX = 60
ITEM_MAX = 160
PARAGRAPH_MAX = 400
PERCENT_DV_TOLERANCE = 2
MIN_FOODS = 10
UNITS = ("mg", "mcg", "g")
INTAKE_KINDS = ("RDA", "AI")
TOPIC_KINDS = ("medicine", "condition", "remedy", "about")
# A screen's label: the screen's name, and after a colon the item it shows, if any.
_LABEL = re.compile(r"[a-z_]+(:[a-z0-9-]+)?")
CAUSE_GROUP_ORDER = (
    "nutrients",
    "dehydration",
    "overuse",
    "footwear",
    "inactivity",
    "nerves",
    "circulation",
    "arthritis",
    "conditions",
    "medications",
    "lifestyle",
)
_ID = re.compile(r"[a-z0-9-]{1,20}")
# Markup in content would be escaped into visible noise, so plain text is enforced.
_MARKUP = re.compile(r"<[a-zA-Z/!]|\*\*|__|`")


class ContentError(Exception):
    """content/ is invalid; `problems` lists every problem found, each naming file and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid content:\n  " + "\n  ".join(problems))
        self.problems = problems


def default_content_dir() -> Path:
    """The content folder: inside an installed wheel, or beside the package in a checkout."""
    package = Path(__file__).resolve().parent
    packaged = package / "content"
    return packaged if packaged.is_dir() else package.parent / "content"


class _Reader:
    """Reads fields from one parsed file, recording problems instead of stopping at the first."""

    def __init__(
        self,
        file: str,
        problems: list[str],
        source_refs: list[tuple[str, str]],
        labels: list[tuple[str, str]],
    ) -> None:
        self.file = file
        self.problems = problems
        self.source_refs = source_refs
        self.labels = labels  # (label, where), checked once everything is loaded

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def table(self, data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            self.problem(f"{where}{key}", "missing table")
            return {}
        return value

    def tables(self, data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(f"{where}{key}", "missing list of tables ([[...]])")
            return []
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        max_len: int,
        *,
        required: bool = True,
    ) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}{key}", "missing text")
            return ""
        self._check_text(value, f"{where}{key}", max_len)
        return value.strip()

    def texts(
        self, data: dict[str, Any], key: str, where: str, max_len: int, count: tuple[int, int]
    ) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(f"{where}{key}", "missing list of texts")
            return ()
        low, high = count
        if not low <= len(value) <= high:
            self.problem(f"{where}{key}", f"has {len(value)} items, expected {low} to {high}")
        for index, item in enumerate(value):
            self._check_text(item, f"{where}{key}[{index}]", max_len)
        return tuple(item.strip() for item in value)

    def number(self, data: dict[str, Any], key: str, where: str) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.problem(f"{where}{key}", "missing non-negative number")
            return 0.0
        return float(value)

    def ident(self, data: dict[str, Any], where: str) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not _ID.fullmatch(value):
            self.problem(f"{where}id", "missing id (a-z, 0-9 and '-', at most 20 characters)")
            return ""
        return value

    def phrases(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        """How people put it: lowercase, trimmed texts (any language), possibly none."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(f"{where}{key}", "must be a list of texts")
            return ()
        for phrase in value:
            if phrase != phrase.strip().lower():
                self.problem(f"{where}{key}", f"{phrase!r} must be lowercase and trimmed")
        return tuple(value)

    def aliases(self, data: dict[str, Any], where: str) -> tuple[str, ...]:
        return self.phrases(data, "aliases", where)

    def label(self, data: dict[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not _LABEL.fullmatch(value):
            self.problem(f"{where}{key}", "must be a label such as 'relief' or 'topic:statins'")
            return ""
        self.labels.append((value, f"{self.file}: {where}{key}"))
        return value

    def sources(self, data: dict[str, Any], where: str) -> tuple[str, ...]:
        value = data.get("sources")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(f"{where}sources", "every item needs a non-empty list of source ids")
            return ()
        for source_id in value:
            self.source_refs.append((source_id, f"{self.file}: {where}sources"))
        return tuple(value)

    def _check_text(self, value: str, where: str, max_len: int) -> None:
        if len(value) > max_len:
            self.problem(where, f"is {len(value)} characters, at most {max_len}")
        if _MARKUP.search(value):
            self.problem(where, "must be plain text (no HTML or Markdown)")


def load_knowledge(content_dir: Path | None = None) -> Knowledge:
    """Load and validate every content file; raise ContentError listing all problems."""
    root = content_dir or default_content_dir()
    problems: list[str] = []
    refs: list[tuple[str, str]] = []
    labels: list[tuple[str, str]] = []

    def read(relative: Path) -> tuple[_Reader, dict[str, Any]]:
        reader = _Reader(relative.as_posix(), problems, refs, labels)
        try:
            with (root / relative).open("rb") as handle:
                return reader, tomllib.load(handle)
        except FileNotFoundError:
            reader.problem("file", "not found")
        except tomllib.TOMLDecodeError as error:
            reader.problem("file", f"not valid TOML ({error})")
        return reader, {}

    sources: list[Source] = []
    parsed: dict[str, tuple[_Reader, dict[str, Any]]] = {}
    nutrient_files = sorted((root / "nutrients").glob("*.toml"))
    if not nutrient_files:
        problems.append(f"{root / 'nutrients'}: no nutrient files found")
    for path in [*nutrient_files, *(root / f"{n}.toml" for n in _TOPIC_FILES)]:
        relative = path.relative_to(root)
        reader, data = read(relative)
        parsed[relative.as_posix()] = (reader, data)
        sources.extend(_sources(reader, data))

    nutrients = tuple(
        _nutrient(*parsed[path.relative_to(root).as_posix()]) for path in nutrient_files
    )
    knowledge = Knowledge(
        nutrients=nutrients,
        cause_groups=_cause_groups(*parsed["causes.toml"]),
        red_flags=_red_flags(*parsed["redflags.toml"]),
        stretches=_stretches(*parsed["stretches.toml"]),
        relief=_relief(*parsed["relief.toml"]),
        hydration_tips=_points(*parsed["tips.toml"], "hydration", (2, 12)),
        sources=tuple(sources),
        topics=_topics(*parsed["topics.toml"]),
        intents=_intents(*parsed["intents.toml"]),
        common_words=parsed["intents.toml"][0].phrases(parsed["intents.toml"][1], "common", ""),
    )
    _check_references(knowledge, refs, problems)
    _check_labels(knowledge, labels, problems)
    if problems:
        raise ContentError(problems)
    return knowledge


_TOPIC_FILES = ("causes", "redflags", "stretches", "relief", "tips", "topics", "intents")


def _sources(r: _Reader, data: dict[str, Any]) -> list[Source]:
    found = []
    for index, item in enumerate(data.get("sources", [])):
        where = f"sources[{index}]."
        url = r.text(item, "url", where, 500)
        if url and not url.startswith(("https://", "http://")):
            r.problem(f"{where}url", "must be an http(s) URL")
        found.append(
            Source(
                id=r.ident(item, where),
                title=r.text(item, "title", where, 200),
                publisher=r.text(item, "publisher", where, 120),
                url=url,
                via=r.text(item, "via", where, 500, required=False) or None,
                note=r.text(item, "note", where, PARAGRAPH_MAX, required=False) or None,
            )
        )
    return found


def _nutrient(r: _Reader, data: dict[str, Any]) -> Nutrient:
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


def _food(r: _Reader, item: dict[str, Any], where: str, unit: str, daily_value: float) -> Food:
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


def _cause_groups(r: _Reader, data: dict[str, Any]) -> tuple[CauseGroup, ...]:
    groups = []
    for index, group in enumerate(r.tables(data, "groups", "")):
        where = f"groups[{index}]."
        causes = tuple(
            Cause(
                name=r.text(cause, "name", f"{where}causes[{n}].", TITLE_MAX),
                detail=r.text(cause, "detail", f"{where}causes[{n}].", PARAGRAPH_MAX),
                nutrient=cause.get("nutrient"),
                sources=r.sources(cause, f"{where}causes[{n}]."),
            )
            for n, cause in enumerate(r.tables(group, "causes", where))
        )
        if not 1 <= len(causes) <= 8:
            r.problem(f"{where}causes", f"has {len(causes)} causes, expected 1 to 8")
        groups.append(
            CauseGroup(
                id=r.ident(group, where),
                title=r.text(group, "title", where, TITLE_MAX),
                aliases=r.aliases(group, where),
                summary=r.text(group, "summary", where, PARAGRAPH_MAX),
                causes=causes,
                sources=r.sources(group, where),
            )
        )
    ids = tuple(group.id for group in groups)
    if ids != CAUSE_GROUP_ORDER:
        r.problem("groups", f"ids must be, in order: {', '.join(CAUSE_GROUP_ORDER)}")
    return tuple(groups)


def _points(
    r: _Reader, data: dict[str, Any], key: str, count: tuple[int, int]
) -> tuple[Point, ...]:
    points = tuple(
        Point(r.text(item, "text", f"{key}[{n}].", ITEM_MAX), r.sources(item, f"{key}[{n}]."))
        for n, item in enumerate(r.tables(data, key, ""))
    )
    low, high = count
    if not low <= len(points) <= high:
        r.problem(key, f"has {len(points)} items, expected {low} to {high}")
    return points


def _red_flags(r: _Reader, data: dict[str, Any]) -> RedFlags:
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


def _topics(r: _Reader, data: dict[str, Any]) -> tuple[Topic, ...]:
    topics = []
    for index, item in enumerate(r.tables(data, "topics", "")):
        where = f"topics[{index}]."
        kind = r.text(item, "kind", where, 20)
        if kind and kind not in TOPIC_KINDS:
            r.problem(f"{where}kind", f"{kind!r} is not one of {', '.join(TOPIC_KINDS)}")
        see = item.get("see", [])
        if not isinstance(see, list) or len(see) > 3:
            r.problem(f"{where}see", "must be a list of at most 3 labels")
            see = []
        topics.append(
            Topic(
                id=r.ident(item, where),
                kind=kind,
                title=r.text(item, "title", where, TITLE_MAX),
                aliases=r.aliases(item, where),
                summary=r.text(item, "summary", where, PARAGRAPH_MAX),
                points=r.texts(item, "points", where, ITEM_MAX, (0, 5))
                if "points" in item
                else (),
                see=tuple(r.label({"see": label}, "see", where) for label in see),
                sources=r.sources(item, where),
            )
        )
    return tuple(topics)


def _intents(r: _Reader, data: dict[str, Any]) -> tuple[Intent, ...]:
    return tuple(
        Intent(
            target=r.label(item, "target", f"intents[{n}]."),
            asked=r.phrases(item, "asked", f"intents[{n}]."),
        )
        for n, item in enumerate(r.tables(data, "intents", ""))
    )


def _stretches(r: _Reader, data: dict[str, Any]) -> tuple[Stretch, ...]:
    stretches = []
    for index, item in enumerate(r.tables(data, "stretches", "")):
        where = f"stretches[{index}]."
        stretches.append(
            Stretch(
                id=r.ident(item, where),
                name=r.text(item, "name", where, TITLE_MAX),
                aliases=r.aliases(item, where),
                targets=r.text(item, "targets", where, ITEM_MAX),
                steps=r.texts(item, "steps", where, ITEM_MAX, (2, 6)),
                dose=r.text(item, "dose", where, ITEM_MAX),
                sources=r.sources(item, where),
            )
        )
    if not stretches:
        r.problem("stretches", "needs at least one stretch")
    return tuple(stretches)


def _relief(r: _Reader, data: dict[str, Any]) -> Relief:
    return Relief(
        now=_points(r, data, "now", (2, 12)),
        after=_points(r, data, "after", (2, 12)),
        prevent=_points(r, data, "prevent", (2, 12)),
        asked=r.phrases(data, "asked", ""),
    )


def _check_references(k: Knowledge, refs: list[tuple[str, str]], problems: list[str]) -> None:
    """Cross-file rules: ids resolve and are unique, every source is used, aliases don't clash."""
    declared = Counter(source.id for source in k.sources)
    problems.extend(
        f"source id {sid!r} is declared {n} times" for sid, n in declared.items() if n > 1
    )
    problems.extend(
        f"{where}: unknown source id {sid!r}" for sid, where in refs if sid not in declared
    )
    used = {sid for sid, _ in refs}
    problems.extend(
        f"source {sid!r} is declared but never used" for sid in declared if sid not in used
    )

    nutrient_ids = {n.id for n in k.nutrients}
    for group in k.cause_groups:
        for cause in group.causes:
            if cause.nutrient is not None and cause.nutrient not in nutrient_ids:
                problems.append(
                    f"causes.toml: {group.id}: {cause.name!r} "
                    f"links unknown nutrient {cause.nutrient!r}"
                )
    for kind, named in (
        ("nutrient", [(n.id, (n.id, n.name.lower(), *n.aliases)) for n in k.nutrients]),
        ("cause group", [(g.id, (g.id, *g.aliases)) for g in k.cause_groups]),
        ("stretch", [(s.id, (s.id, s.name.lower(), *s.aliases)) for s in k.stretches]),
    ):
        owners: dict[str, str] = {}
        for owner, names in named:
            for name in set(names):
                if name in owners and owners[name] != owner:
                    problems.append(
                        f"{kind} name {name!r} is used by both {owners[name]} and {owner}"
                    )
                owners[name] = owner


def _check_labels(k: Knowledge, labels: list[tuple[str, str]], problems: list[str]) -> None:
    """Every label in content names a screen or action that exists."""
    items = {
        Screen.NUTRIENT: {n.id for n in k.nutrients},
        Screen.FOODS: {n.id for n in k.nutrients},
        Screen.CAUSE_GROUP: {g.id for g in k.cause_groups},
        Screen.STRETCH: {s.id for s in k.stretches},
        Screen.TOPIC: {t.id for t in k.topics},
        Screen.TRIAGE: {s.id for s in k.red_flags.signs},
    }
    for label, where in labels:
        target = parse_label(label)
        if isinstance(target, Action):
            continue
        if target is None or (
            target.arg not in items[target.screen] if target.screen in items else target.arg != ""
        ):
            problems.append(f"{where}: {label!r} names no screen or item")
