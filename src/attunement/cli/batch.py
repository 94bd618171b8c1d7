"""Running a command over a JSON-lines file: one JSON line out per line in, with a bad line
answered by an error object naming it, while the rest go on."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def _error(
    path: Path, number: int, code: str, message: str, field: str | None, item_id: Any = None
) -> dict[str, Any]:
    return {
        "id": item_id,
        "line": number,
        "error": {"code": code, "message": f"{path}, line {number}: {message}", "field": field},
    }


def run_batch(path: Path, handle: Callable[[Any], dict[str, Any]], label: str) -> None:
    """Apply ``handle`` to each line's JSON value and print its result, with a progress
    bar on stderr. ``handle`` raises AttuneError for an item it cannot use."""
    from attunement.errors import AttuneError, InvalidInput

    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InvalidInput(
            f"Cannot read {path} ({exc.strerror}); check the path.", field="batch"
        ) from exc
    with click.progressbar(lines, label=label, file=sys.stderr) as bar:
        for number, raw in enumerate(bar, start=1):
            if not raw.strip():
                continue
            item_id = None
            try:
                item = json.loads(raw.decode("utf-8"))
                item_id = item.get("id") if isinstance(item, dict) else None
                out = handle(item)
            except UnicodeDecodeError:
                out = _error(path, number, "bad_format", "not valid UTF-8.", None)
            except json.JSONDecodeError as exc:
                out = _error(path, number, "bad_format", f"not valid JSON ({exc.msg}).", None)
            except AttuneError as exc:
                out = _error(path, number, exc.code, exc.message, exc.field, item_id)
            click.echo(json.dumps(out, ensure_ascii=False))
