"""Running a command over a JSON-lines file: one JSON line out per line in, with a bad line
answered by an error object naming it, while the rest go on; the command then ends with
one sentence saying how many lines failed, and a non-zero exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click

WINDOW = 256  # lines prepared at a time: bounded memory for a file of any length


def _error(
    path: Path, number: int, code: str, message: str, field: str | None, item_id: Any = None
) -> dict[str, Any]:
    return {
        "id": item_id,
        "line": number,
        "error": {"code": code, "message": f"{path}, line {number}: {message}", "field": field},
    }


def _parse(path: Path, number: int, raw: bytes) -> tuple[Any, dict[str, Any] | None]:
    """A line's JSON value, or the error object that answers it."""
    try:
        return json.loads(raw.decode("utf-8")), None
    except UnicodeDecodeError:
        return None, _error(path, number, "bad_format", "not valid UTF-8.", None)
    except json.JSONDecodeError as exc:
        detail = exc.msg[0].lower() + exc.msg[1:]
        return None, _error(
            path, number, "bad_format", f"not valid JSON ({detail}); write one object a line.", None
        )


def run_batch(
    path: Path,
    handle: Callable[[Any], dict[str, Any]],
    label: str,
    prepare: Callable[[list[Any]], AbstractContextManager[None]] | None = None,
) -> None:
    """Apply ``handle`` to each line's JSON value and print its result, with a progress
    bar on stderr. ``handle`` raises AttuneError for an item it cannot use. ``prepare``,
    given the values of the next ``WINDOW`` lines, may start work for them ahead of
    ``handle`` (the encoder's passes, run side by side)."""
    from attunement.errors import InvalidInput

    try:
        lines = path.read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines()  # Notepad's BOM
    except OSError as exc:
        raise InvalidInput(
            f"Cannot read {path} ({exc.strerror}); check the path.", field="batch"
        ) from exc
    failed = 0
    shown = sys.stderr.isatty()  # on a pipe or in a file, no bar and no label line
    with click.progressbar(
        length=len(lines), label=label, file=sys.stderr, hidden=not shown
    ) as bar:
        for start in range(0, len(lines), WINDOW):
            chunk = lines[start : start + WINDOW]
            window = [
                (number, *_parse(path, number, raw))
                for number, raw in enumerate(chunk, start=start + 1)
                if raw.strip()
            ]
            bar.update(len(chunk) - len(window))  # blank lines: nothing to answer
            values = [item for _, item, error in window if error is None]
            with prepare(values) if prepare else nullcontext():
                for number, item, error in window:
                    out = error or _answer(path, number, item, handle)
                    failed += "error" in out
                    click.echo(json.dumps(out, ensure_ascii=False))
                    bar.update(1)
    if failed:
        answered = sum(1 for raw in lines if raw.strip())
        raise InvalidInput(
            f"{failed} of {answered} lines of {path} could not be read; the error on each "
            "says why (the other lines were answered).",
            field="batch",
        )


def _answer(
    path: Path, number: int, item: Any, handle: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    from attunement.errors import AttuneError

    try:
        return handle(item)
    except AttuneError as exc:
        item_id = item.get("id") if isinstance(item, dict) else None
        return _error(path, number, exc.code, exc.message, exc.field, item_id)
