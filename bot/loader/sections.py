"""The other topic files: causes, relief and tips, stretches, topics and intents."""

from __future__ import annotations

from typing import Any

from bot.core.models import Cause, CauseGroup, Intent, Point, Relief, Stretch, Topic
from bot.loader.reader import ITEM_MAX, PARAGRAPH_MAX, TITLE_MAX, Reader

TOPIC_KINDS = ("medicine", "condition", "remedy", "about")
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


def cause_groups(r: Reader, data: dict[str, Any]) -> tuple[CauseGroup, ...]:
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


def points(r: Reader, data: dict[str, Any], key: str, count: tuple[int, int]) -> tuple[Point, ...]:
    found = tuple(
        Point(r.text(item, "text", f"{key}[{n}].", ITEM_MAX), r.sources(item, f"{key}[{n}]."))
        for n, item in enumerate(r.tables(data, key, ""))
    )
    low, high = count
    if not low <= len(found) <= high:
        r.problem(key, f"has {len(found)} items, expected {low} to {high}")
    return found


def topics(r: Reader, data: dict[str, Any]) -> tuple[Topic, ...]:
    found = []
    for index, item in enumerate(r.tables(data, "topics", "")):
        where = f"topics[{index}]."
        kind = r.text(item, "kind", where, 20)
        if kind and kind not in TOPIC_KINDS:
            r.problem(f"{where}kind", f"{kind!r} is not one of {', '.join(TOPIC_KINDS)}")
        see = item.get("see", [])
        if not isinstance(see, list) or len(see) > 3:
            r.problem(f"{where}see", "must be a list of at most 3 labels")
            see = []
        found.append(
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
    return tuple(found)


def intents(r: Reader, data: dict[str, Any]) -> tuple[Intent, ...]:
    return tuple(
        Intent(
            target=r.label(item, "target", f"intents[{n}]."),
            asked=r.phrases(item, "asked", f"intents[{n}]."),
        )
        for n, item in enumerate(r.tables(data, "intents", ""))
    )


def stretches(r: Reader, data: dict[str, Any]) -> tuple[Stretch, ...]:
    found = []
    for index, item in enumerate(r.tables(data, "stretches", "")):
        where = f"stretches[{index}]."
        found.append(
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
    if not found:
        r.problem("stretches", "needs at least one stretch")
    return tuple(found)


def relief(r: Reader, data: dict[str, Any]) -> Relief:
    return Relief(
        now=points(r, data, "now", (2, 12)),
        after=points(r, data, "after", (2, 12)),
        prevent=points(r, data, "prevent", (2, 12)),
        asked=r.phrases(data, "asked", ""),
    )
