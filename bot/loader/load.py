"""load_knowledge: read every file in content/, build Knowledge, raise all problems at once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.core.models import Knowledge, Source
from bot.loader import sections
from bot.loader.checks import check_labels, check_references
from bot.loader.nutrients import nutrient
from bot.loader.reader import PARAGRAPH_MAX, ContentError, Reader
from bot.loader.redflags import red_flags

_TOPIC_FILES = ("causes", "redflags", "stretches", "relief", "tips", "topics", "intents")


def default_content_dir() -> Path:
    """The content folder: inside an installed wheel, or beside the package in a checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "content"
    return packaged if packaged.is_dir() else package.parent / "content"


def load_knowledge(content_dir: Path | None = None) -> Knowledge:
    """Load and validate every content file; raise ContentError listing all problems."""
    root = content_dir or default_content_dir()
    problems: list[str] = []
    refs: list[tuple[str, str]] = []
    labels: list[tuple[str, str]] = []

    def read(relative: Path) -> tuple[Reader, dict[str, Any]]:
        reader = Reader(relative.as_posix(), problems, refs, labels)
        try:
            with (root / relative).open("rb") as handle:
                return reader, tomllib.load(handle)
        except FileNotFoundError:
            reader.problem("file", "not found")
        except tomllib.TOMLDecodeError as error:
            reader.problem("file", f"not valid TOML ({error})")
        return reader, {}

    sources: list[Source] = []
    parsed: dict[str, tuple[Reader, dict[str, Any]]] = {}
    nutrient_files = sorted((root / "nutrients").glob("*.toml"))
    if not nutrient_files:
        problems.append(f"{root / 'nutrients'}: no nutrient files found")
    for path in [*nutrient_files, *(root / f"{n}.toml" for n in _TOPIC_FILES)]:
        relative = path.relative_to(root)
        reader, data = read(relative)
        parsed[relative.as_posix()] = (reader, data)
        sources.extend(_sources(reader, data))

    nutrients = tuple(
        nutrient(*parsed[path.relative_to(root).as_posix()]) for path in nutrient_files
    )
    knowledge = Knowledge(
        nutrients=nutrients,
        cause_groups=sections.cause_groups(*parsed["causes.toml"]),
        red_flags=red_flags(*parsed["redflags.toml"]),
        stretches=sections.stretches(*parsed["stretches.toml"]),
        relief=sections.relief(*parsed["relief.toml"]),
        hydration_tips=sections.points(*parsed["tips.toml"], "hydration", (2, 12)),
        sources=tuple(sources),
        topics=sections.topics(*parsed["topics.toml"]),
        intents=sections.intents(*parsed["intents.toml"]),
        common_words=parsed["intents.toml"][0].phrases(parsed["intents.toml"][1], "common", ""),
    )
    check_references(knowledge, refs, problems)
    check_labels(knowledge, labels, problems)
    if problems:
        raise ContentError(problems)
    return knowledge


def _sources(r: Reader, data: dict[str, Any]) -> list[Source]:
    """The [[sources]] a file declares; any file may declare them."""
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
