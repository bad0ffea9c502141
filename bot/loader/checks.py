"""Cross-file checks once all is loaded: source ids, nutrient links, name clashes, labels."""

from __future__ import annotations

from collections import Counter

from bot.core.models import Knowledge
from bot.core.views import Action, Screen, parse_label


def check_references(k: Knowledge, refs: list[tuple[str, str]], problems: list[str]) -> None:
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


def check_labels(k: Knowledge, labels: list[tuple[str, str]], problems: list[str]) -> None:
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
