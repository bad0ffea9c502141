"""Free-text understanding on the labelled question set: safety, accuracy, speed, memory.

Every technique in bench.techniques answers every question in
tests/understanding/questions.toml, each in a fresh process so that the memory it adds is
its own: resident memory is read after the knowledge is loaded and again after the
technique is built. Scores are from one answer per question (the targets are the test's:
tests/understanding/labels.py); latency is each question answered REPEAT more times once
warm, every call timed on its own. Only the shipped technique is held to the targets.

- safety recall: warning questions answered with a sign at least as urgent as labelled
- over-triage: harmless questions answered with a sign
- accuracy: harmless questions answered with their label (or an accepted one)
- can't answer: all questions answered with nothing ("I can't answer that")
- sign (for information): warning questions answered with exactly the sign labelled

Run: .venv/bin/python -m bench.understanding [--technique NAME] [--misses] [--repeat 20]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import verdict
from bot.core.knowledge import KnowledgeBase
from bot.loader import load_knowledge
from tests.understanding.labels import (
    TARGET_OVER_TRIAGE,
    TARGET_SAFETY_RECALL,
    TARGET_TOPIC_ACCURACY,
    Miss,
    Question,
    QuestionSetError,
    Scores,
    format_misses,
    load_questions,
    score,
    unknown_ids,
)

REPEAT = 20
TARGET_P99_MS = 5.0
TARGET_RSS_MB = 50.0


@dataclass(frozen=True, slots=True)
class Row:
    """One technique's results, as the probe process reports them: its scores on the set,
    and what it costs."""

    technique: str
    scores: Scores
    p50_ms: float
    p99_ms: float
    rss_mb: float
    build_ms: float


def rss_bytes() -> int:
    """This process's resident memory now (/proc/self/statm), or its peak where there is
    no /proc (ru_maxrss: KiB on Linux, bytes on macOS)."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def percentile(ordered: list[int], share: float) -> int:
    """The nearest-rank percentile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def probe(name: str, repeat: int) -> Row:
    """Build technique `name` and measure it on the question set, in this process."""
    questions = load_questions()
    kb = KnowledgeBase(load_knowledge())
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter_ns()
    # Imported only now, so that the engine's own imports count as what it adds.
    from bench.techniques import TECHNIQUES

    answer = TECHNIQUES[name](kb)
    build_ms = (time.perf_counter_ns() - started) / 1e6
    gc.collect()
    added = rss_bytes() - before
    scores = score(questions, answer)  # also the warm-up: every question answered once
    timings: list[int] = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter_ns()
            answer(question.text)
            timings.append(time.perf_counter_ns() - started)
    timings.sort()
    return Row(
        technique=name,
        scores=scores,
        p50_ms=percentile(timings, 0.50) / 1e6,
        p99_ms=percentile(timings, 0.99) / 1e6,
        rss_mb=added / 2**20,
        build_ms=build_ms,
    )


def measured(name: str, repeat: int) -> Row | str:
    """Technique `name` measured in a fresh process, or why that failed."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.understanding", "--probe", name, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    data = json.loads(done.stdout)
    scores = data["scores"]
    misses = tuple(Miss(**miss) for miss in scores["misses"])
    return Row(**{**data, "scores": Scores(**{**scores, "misses": misses})})


def describe_set(questions: tuple[Question, ...], kb: KnowledgeBase) -> str:
    """What the set holds, in a line, and any labels the content no longer has."""
    levels = Counter(q.level.value for q in questions if q.level is not None)
    languages = Counter(q.lang for q in questions if q.lang != "en")
    others = sum(not q.warning for q in questions)
    line = (
        f"{len(questions)} questions: {sum(levels.values())} warnings "
        f"({', '.join(f'{n} {level}' for level, n in levels.most_common())}), {others} others "
        f"({sum(q.trap for q in questions)} alarming but harmless); "
        f"{sum(languages.values())} not in English "
        f"({', '.join(f'{n} {lang}' for lang, n in languages.most_common())})"
    )
    problems = unknown_ids(questions, kb)
    if problems:
        line += f"\nnote: {len(problems)} labels name what content/ lacks (see the test)"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--technique", help="measure only this one (default: all)")
    parser.add_argument("--misses", action="store_true", help="list every question missed")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed answers per question")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(asdict(probe(args.probe, args.repeat))))
        return 0
    try:
        questions = load_questions()
    except QuestionSetError as error:
        print(f"the question set is not valid:\n{error}", file=sys.stderr)
        return 2
    from bench.techniques import SHIPPED, TECHNIQUES

    if args.technique is not None and args.technique not in TECHNIQUES:
        print(f"no technique {args.technique!r}; there are: {', '.join(TECHNIQUES)}")
        return 2
    print(describe_set(questions, KnowledgeBase(load_knowledge())))
    print(f"latency: each question answered {args.repeat} times once warm\n")
    names = [args.technique] if args.technique else list(TECHNIQUES)
    rows: dict[str, Row | str] = {name: measured(name, args.repeat) for name in names}
    width = max(len("technique"), *(len(name) for name in names)) + 2
    header = f"{'technique':<{width}}{'questions':>10}{'recall':>9}{'sign':>7}{'over-triage':>13}"
    print(f"{header}{'accuracy':>10}{'cant-answer':>13}{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>9}")
    for name, row in rows.items():
        if isinstance(row, str):
            print(f"{name:<{width}}failed: {row}")
            continue
        got = row.scores
        line = f"{name:<{width}}{got.questions:>10}{got.safety_recall:>9.1%}{got.sign_match:>7.0%}"
        line += f"{got.over_triage:>13.1%}{got.topic_accuracy:>10.1%}{got.cant_answer:>13.1%}"
        print(f"{line}{row.p50_ms:>9.3f}{row.p99_ms:>9.3f}{row.rss_mb:>9.1f}")
    if args.misses:
        for name, row in rows.items():
            if not isinstance(row, str):
                print(f"\n{name}: {len(row.scores.misses)} missed (expected <- got: text)")
                print(format_misses(row.scores.misses))
    shipped = rows.get(SHIPPED)
    if shipped is None:
        return 0
    if isinstance(shipped, str):
        return verdict({"the shipped technique runs": False})
    return verdict(
        {
            f"{SHIPPED}: safety recall {TARGET_SAFETY_RECALL:.0%}": (
                shipped.scores.safety_recall >= TARGET_SAFETY_RECALL
            ),
            f"{SHIPPED}: over-triage <= {TARGET_OVER_TRIAGE:.0%}": (
                shipped.scores.over_triage <= TARGET_OVER_TRIAGE
            ),
            f"{SHIPPED}: accuracy >= {TARGET_TOPIC_ACCURACY:.0%}": (
                shipped.scores.topic_accuracy >= TARGET_TOPIC_ACCURACY
            ),
            f"{SHIPPED}: p99 <= {TARGET_P99_MS} ms": shipped.p99_ms <= TARGET_P99_MS,
            f"{SHIPPED}: RSS added <= {TARGET_RSS_MB:.0f} MB": shipped.rss_mb <= TARGET_RSS_MB,
        }
    )


if __name__ == "__main__":
    sys.exit(main())
