"""Is the journal intact? Damage found, told apart from a wrong passphrase, and what to do.

Two checks exist. SQLCipher's ``cipher_integrity_check`` verifies the HMAC of every page
of an encrypted journal (about 36 ms for 10,000 entries, against about 200 ms for the
passphrase's key derivation), so every open of an encrypted journal runs it. SQLite's
``integrity_check`` reads every b-tree and index (about 40 ms for 10,000 entries, ten
times a plain journal's open), so it runs before every backup, after every restore and
in ``attune check``, not on every open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from attunement.errors import StorageError

SHOWN_PROBLEMS = 3
SHOWN_BACKUPS = 3


def known_backups(data_dir: Path) -> list[dict[str, str]]:
    """The newest backups this data folder made that are still where they were written
    (the audit log keeps each backup's file), newest first."""
    from attunement.audit import read

    found: list[dict[str, str]] = []
    for event in reversed(read(data_dir)):
        file = event.get("file")
        if event.get("action") != "backup" or not isinstance(file, str):
            continue
        if Path(file).is_file() and all(b["file"] != file for b in found):
            found.append({"file": file, "at": str(event.get("at", ""))})
        if len(found) == SHOWN_BACKUPS:
            break
    return found


def what_to_do(data_dir: Path) -> str:
    backups = known_backups(data_dir)
    if not backups:
        return (
            "Restore your newest backup with `attune restore FILE --yes` (the damaged "
            "journal is kept aside); with no backup, copy the data folder somewhere safe "
            "before trying anything else."
        )
    listed = "; ".join(f"{b['file']} ({_day(b['at'])})" for b in backups)
    return (
        f"Restore your newest backup with `attune restore {backups[0]['file']} --yes` (the "
        f"damaged journal is kept aside). Backups made here, newest first: {listed}."
    )


def _day(at: str) -> str:
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


class Damaged(StorageError):
    """The journal's file is damaged (not a wrong passphrase)."""

    code = "damaged"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


def damaged(path: Path, problems: list[str], *, encrypted: bool = True) -> Damaged:
    """The one error for a damaged journal: what was found and what to do."""
    right = " The passphrase is right, and" if encrypted else ""
    return Damaged(
        f"The journal at {path} is damaged ({summary(problems)}).{right} nothing was "
        f"changed. {what_to_do(path.parent)}",
        problems,
    )


def require_intact_pages(path: Path, key: bytes) -> None:
    """Raise the damage error unless every page of an encrypted journal passes its HMAC.
    A page read while another process checkpoints can look torn, so a failure counts only
    when a second look a moment later sees it too."""
    from attunement.storage.vault import cipher_problems

    problems = cipher_problems(path, key)
    if problems:
        time.sleep(0.2)
        again = set(cipher_problems(path, key))
        problems = [p for p in problems if p in again]
    if problems:
        raise damaged(path, problems)


@dataclass
class Report:
    path: str
    encrypted: bool
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    entries: int | None = None
    backups: list[dict[str, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "encrypted": self.encrypted,
            "intact": self.intact,
            "problems": self.problems,
            "pages": self.pages,
            "entries": self.entries,
            "backups": self.backups,
        }


def check(data_dir: Path, passphrase: str | None) -> Report:
    """The full check of the journal in ``data_dir``: every page's HMAC when encrypted,
    every b-tree and index, and whether the entries can all be read. A wrong passphrase
    is an InvalidInput as on every open; damage is reported, never raised."""
    from attunement.core.journal import Journal
    from attunement.storage import vault
    from attunement.storage.store import Store

    Journal.prepare(data_dir)
    encrypted = vault.is_encrypted(data_dir)
    key = None
    if encrypted:
        header = vault.read_header(data_dir)
        path = data_dir / header.file
        key = vault.derive_key(Journal.require_passphrase(passphrase), header)
    else:
        path = data_dir / vault.PLAIN_NAME
    report = Report(path=str(path), encrypted=encrypted, backups=known_backups(data_dir))
    if not path.exists():
        report.problems.append("there is no journal file")
        return report
    report.pages = path.stat().st_size // vault.PAGE_SIZE
    try:
        if key is not None:
            vault.verify(path, key)
        with Store.open_sqlite(path, key=key) as store:
            report.problems = store.full_check()
            report.entries = sum(1 for _ in store.iter_entries(include_trash=True))
    except Damaged as exc:
        report.problems = exc.problems
    except StorageError as exc:
        report.problems = report.problems or [exc.message]
    return report
