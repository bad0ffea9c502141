"""Topic screens, and what to say to a question or a name the bot does not know."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.documents import Button, Document, block, bold, bullets, grid
from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import Answer, gone, menu_rows, nav
from bot.core.screens.titles import title
from bot.core.views import Screen, View, parse_label

SUGGESTIONS = 6
ECHO_LIMIT = 40
CANT_ANSWER = "I can't answer that one. Here's what I can help with:"


def topic(kb: KnowledgeBase, view: View) -> Answer:
    found = next((t for t in kb.knowledge.topics if t.id == view.arg), None)
    if found is None:
        return gone("topic")
    head = block(bold(found.title), found.summary)
    detail = [block(bold(found.title), bullets(found.points))] if found.points else []
    buttons = []
    red_flags = True  # the nav's red flags button, unless a see label shows them already
    for label in found.see:
        target = parse_label(label)
        if not isinstance(target, View):
            continue  # an action: the commands do those
        target = View(target.screen, target.arg, compact=view.compact)
        named = title(kb, target)
        if named is not None:
            buttons.append(Button(named, target))
            red_flags = red_flags and target.screen is not Screen.RED_FLAGS
    rows = nav(*buttons, red_flags=red_flags)
    return Answer([head], rows, detail, found.sources, fold=True)


def unknown(kb: KnowledgeBase, suggestions: Sequence[View]) -> Document:
    """'I can't answer that one' with a button per suggested screen (the closest first)
    and the menu; with no usable suggestion, the main topics."""
    buttons = []
    for view in dict.fromkeys(suggestions):
        named = title(kb, view)
        if named is not None:
            buttons.append(Button(named, view))
    if not buttons:
        return Document("Can't answer", (block(CANT_ANSWER),), tuple(menu_rows()))
    rows = (*grid(buttons[:SUGGESTIONS], per_row=1), (Button("☰ Menu", View(Screen.MENU)),))
    return Document("Can't answer", (block(CANT_ANSWER),), rows)


def echo(user_text: str) -> str:
    """What the user typed, shortened and on one line: fit to quote back."""
    flat = " ".join(user_text.split())
    return flat[: ECHO_LIMIT - 1] + "…" if len(flat) > ECHO_LIMIT else flat


def not_found(
    kind: str, query: str, options: Sequence[tuple[str, View]], *, close: bool
) -> Document:
    """'Did you mean …?' with a button per close match, or else every option to pick from."""
    question = "Did you mean:" if close else "Pick one:"
    text = f"I don't know the {kind} “{echo(query)}”. {question}"
    buttons = [Button(label, view) for label, view in options]
    return Document(f"Not found: {kind}", (block(text),), tuple(grid(buttons)))
