"""A local audit log: when exports, imports, backups, restores and encryption changes
happened. Time and action only, never content: one JSON line per event in
``audit.log`` inside the data folder, readable only by its owner."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

LOG_NAME = "audit.log"
ACTIONS = ("export", "import", "backup", "restore", "encrypt", "decrypt", "passphrase-change")


def record(data_dir: Path | None, action: str, **details: str | int | bool | None) -> None:
    if data_dir is None:
        return
    assert action in ACTIONS, action
    line = json.dumps(
        {
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "action": action,
            **details,
        },
        ensure_ascii=False,
    )
    path = data_dir / LOG_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def read(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / LOG_NAME
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line torn by a crash is skipped, not fatal
    return events
