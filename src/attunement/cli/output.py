"""Printing for people and for machines. Styles are dropped when output is not a terminal."""

from __future__ import annotations

import json
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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


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


def tags_text(tags: Sequence[str]) -> str:
    return " ".join(click.style(f"#{t}", fg="cyan") for t in tags)


def read_stdin(label: str = "standard input") -> str:
    from attunement.core.journal import decode_utf8

    return decode_utf8(sys.stdin.buffer.read(), label)


def ok(message: str) -> None:
    click.echo(message)


def hint(message: str) -> None:
    click.echo(click.style(message, dim=True), err=True)
