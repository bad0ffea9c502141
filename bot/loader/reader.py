"""Reader: reads one parsed file's fields, recording each problem (file and field) to go on."""

from __future__ import annotations

import re
from typing import Any

TITLE_MAX = 60
ITEM_MAX = 160
PARAGRAPH_MAX = 400
# A screen's label: the screen's name, and after a colon the item it shows, if any.
_LABEL = re.compile(r"[a-z_]+(:[a-z0-9-]+)?")
_ID = re.compile(r"[a-z0-9-]{1,20}")
# Markup in content would be escaped into visible noise, so plain text is enforced.
_MARKUP = re.compile(r"<[a-zA-Z/!]|\*\*|__|`")


class ContentError(Exception):
    """content/ is invalid; `problems` lists every problem found, each naming file and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid content:\n  " + "\n  ".join(problems))
        self.problems = problems


class Reader:
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
