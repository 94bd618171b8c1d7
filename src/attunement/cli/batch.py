"""Running a command over a JSON-lines file: one JSON line out per line in, with a bad line
answered by an error object naming it, while the rest go on."""

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


def _values(lines: list[bytes]) -> list[Any]:
    """The JSON values of the lines that parse (for ``prepare``; errors come later)."""
    values = []
    for raw in lines:
        try:
            values.append(json.loads(raw.decode("utf-8")))
        except ValueError:  # bad JSON or UTF-8: answered in order by run_batch
            continue
    return values


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
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InvalidInput(
            f"Cannot read {path} ({exc.strerror}); check the path.", field="batch"
        ) from exc
    with click.progressbar(length=len(lines), label=label, file=sys.stderr) as bar:
        for start in range(0, len(lines), WINDOW):
            window = lines[start : start + WINDOW]
            with prepare(_values(window)) if prepare else nullcontext():
                for number, raw in enumerate(window, start=start + 1):
                    bar.update(1)
                    if raw.strip():
                        out = _answer(path, number, raw, handle)
                        click.echo(json.dumps(out, ensure_ascii=False))


def _answer(
    path: Path, number: int, raw: bytes, handle: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    from attunement.errors import AttuneError

    item_id = None
    try:
        item = json.loads(raw.decode("utf-8"))
        item_id = item.get("id") if isinstance(item, dict) else None
        return handle(item)
    except UnicodeDecodeError:
        return _error(path, number, "bad_format", "not valid UTF-8.", None)
    except json.JSONDecodeError as exc:
        return _error(path, number, "bad_format", f"not valid JSON ({exc.msg}).", None)
    except AttuneError as exc:
        return _error(path, number, exc.code, exc.message, exc.field, item_id)
