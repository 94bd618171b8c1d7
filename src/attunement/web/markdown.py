"""Markdown to HTML for the pages (CommonMark, raw HTML off), with the words the analysis
noticed marked inside the rendered text, so an entry is shown once, formatted and marked."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markupsafe import Markup

from attunement.core.entry_view import Mark  # kind: a CSS class suffix, the family


@lru_cache(maxsize=1)
def _renderer() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML off: any <script> typed into an entry shows as text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    plain_text = md.renderer.rules["text"]  # type: ignore[attr-defined]

    def text(_self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
        pattern, by_phrase = env.get("marks") or (None, {})
        if pattern is None:
            return str(plain_text(tokens, idx, options, env))
        content = tokens[idx].content
        out, cursor = [], 0
        for match in pattern.finditer(content):
            mark = by_phrase[match.group(0)]
            out.append(escape(content[cursor : match.start()], quote=False))
            out.append(
                f'<mark class="m-{escape(mark.kind)}" title="{escape(mark.name)}">'
                f"{escape(match.group(0), quote=False)}"
                f'<span class="visually-hidden"> ({escape(mark.name, quote=False)})</span></mark>'
            )
            cursor = match.end()
        out.append(escape(content[cursor:], quote=False))
        return "".join(out)

    md.add_render_rule("text", text)
    md.core.ruler.push("directions", _directions)
    return md


# Each block of words runs the way most of its letters do: an Arabic or Hebrew paragraph
# in an English entry reads right to left, its full stop at its end. Counted, not left to
# the browser's dir="auto" (the first letter decides), so an English paragraph that opens
# with "שלום" stays left to right.
_BLOCKS = frozenset({"paragraph_open", "heading_open", "list_item_open", "th_open", "td_open"})
_RIGHT_TO_LEFT = frozenset({"R", "AL"})


def direction(text: str) -> str:
    """Which way ``text`` runs: "rtl" when most of its letters are written right to left
    (Arabic, Hebrew, Persian, Urdu…), else "ltr"."""
    rtl = ltr = 0
    for char in text:
        if char.isalpha():
            kind = unicodedata.bidirectional(char)
            rtl += kind in _RIGHT_TO_LEFT
            ltr += kind == "L"
    return "rtl" if rtl > ltr else "ltr"


def _directions(state: Any) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type not in _BLOCKS:
            continue
        # The block's own words: its first run of text, before the block closes.
        for inner in tokens[i + 1 :]:
            if inner.level <= token.level:
                break
            if inner.type == "inline":
                if direction(inner.content) == "rtl":
                    token.attrSet("dir", "rtl")
                break


def render(text: str, marks: Sequence[Mark] = ()) -> Markup:
    """The text as HTML; every occurrence of a marked phrase inside ordinary text is
    wrapped in <mark> (a phrase split by formatting stays unmarked)."""
    env: dict[str, Any] = {}
    phrases = {m.phrase: m for m in marks if m.phrase.strip()}
    if phrases:
        ordered = sorted(phrases, key=len, reverse=True)
        env["marks"] = (re.compile("|".join(re.escape(p) for p in ordered)), phrases)
    return Markup(_renderer().render(text, env))  # noqa: S704 - html is off, text escaped
