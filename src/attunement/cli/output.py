"""Printing for people and for machines. Styles are dropped when output is not a terminal."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

JSON_MODE = "attune.json"

# Every number a person can type is bounded, so a huge one is refused in one sentence by
# click instead of overflowing SQLite's 64-bit integers.
MAX_SHOWN = 100_000
COUNT = click.IntRange(1, MAX_SHOWN)


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[JSON_MODE] = True  # meta is shared by the whole command chain
    return value


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    callback=_remember_json,
    is_eager=True,
    help="Print JSON (shapes in docs/json.md).",
)


# A terminal obeys control sequences in what it prints: colours, but also a new window
# title, a write to the clipboard (OSC 52) or a link that shows other words than where it
# leads (OSC 8). Text from outside the journal (what a team server sends: comments,
# quotes, names, titles, its error messages) must never carry one. Each sequence goes
# whole, in its 7-bit (ESC ...) or 8-bit C1 form: OSC and the other string sequences up
# to their terminator (BEL or ST) or the end of the line, CSI with its parameters, and a
# two-character escape; then any control character left over, except newline and tab.
_SEQUENCE = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC: title, clipboard, link
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # DCS SOS PM APC
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI: colours, cursor, erase
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # ESC c, ESC 7, ESC ( B ...
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but newline and tab, DEL, C1


def printable(text: Any) -> str:
    """Text from outside the journal as it is safe to print: every terminal control
    sequence and control character taken out (newlines and tabs kept)."""
    if text is None:
        return ""
    return _CONTROL.sub("", _SEQUENCE.sub("", str(text)))


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON with DEL and the C1 controls written as escapes too (the standard escapes
    only the C0 ones), so printing it to a terminal obeys nothing in it."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m[0]):04x}", text)


def emit_json(data: Any) -> None:
    click.echo(json_text(data))


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def highlight(text: str, spans: Sequence[Sequence[int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(click.style(text[start:end], bold=True, fg="yellow"))
        last = end
    out.append(text[last:])
    return "".join(out)


def wrapped(text: str, indent: str = "  ") -> str:
    """A paragraph for a terminal: lines of at most 78 characters, each indented."""
    import textwrap

    return textwrap.fill(text, width=78, initial_indent=indent, subsequent_indent=indent)


def empathy_lines(empathy: Any, response: str) -> list[str]:
    """A reply's empathy dimensions in the words a caregiver reads, each with its level and
    the words of ``response`` that earned it."""
    from attunement.practice.dimensions import EMPATHY_NAMES, LEVEL_WORDS

    lines = []
    for name, label in EMPATHY_NAMES.items():
        level = getattr(empathy, name)
        words = ", ".join(f"“{response[s:e]}”" for s, e in level.spans)
        lines.append(f"  {label}: {LEVEL_WORDS[level.level]}" + (f" ({words})" if words else ""))
    return lines


class Terms:
    """Plain words with the technical term they stand for in brackets, the first time only
    in one command's output ("Noticing your body (also called somatic awareness)", then
    "Noticing your body"): where a page keeps the term in a tooltip (``attunement.wording``)."""

    def __init__(self) -> None:
        self.said: set[str] = set()

    def __call__(self, words: str, term: str = "") -> str:
        from attunement.wording import short_term

        bracketed = short_term(term) if term else ""
        if not bracketed or bracketed in self.said:
            return words
        self.said.add(bracketed)
        return f"{words} ({bracketed})"

    def named(self, item_id: str) -> str:
        """A framework id's name, with its term the first time."""
        from attunement.wording import name_of, term_of

        return self(name_of(item_id), term_of(item_id))


def tags_text(tags: Sequence[str]) -> str:
    return " ".join(click.style(f"#{t}", fg="cyan") for t in tags)


def read_stdin(label: str = "standard input") -> str:
    from attunement.core.journal import decode_utf8

    return decode_utf8(sys.stdin.buffer.read(), label)


def ok(message: str) -> None:
    click.echo(message)


def hint(message: str) -> None:
    click.echo(click.style(message, dim=True), err=True)
