"""Switching the data folder to a restored journal in one step, and finishing that switch
after a crash.

A restore first builds the new journal in ``restoring/`` inside the data folder (the same
file system, so every move below is an atomic rename) and checks it completely. Then the
switch is decided by one atomic act: ``restore.json`` appears, written and synced under
a temporary name first. It lists the files of the journal that is there now and of the
staged one. Before it appears, the old journal is the journal and a leftover
``restoring/`` is simply removed; once it is there, the restore happens: the old files
move into ``replaced-<time>/`` (never deleted), the staged ones into place, and the record
goes last. Every move can be repeated, so the next open finishes a switch that a crash
interrupted, and says so. A lock on the data folder, held for the whole restore, keeps
other processes from finishing or undoing a restore that is still running; the
conversions hold it too, and deciding which file is the journal (``vault.tidy``, and
creating a new one) takes it shared, so no process tidies away or creates a file while
the journal is being replaced. No program
may have the journal open while its files move (``storage.replacing``): the restore
holds SQLite's lock on them from its first check to the switch, and so does finishing an
interrupted switch.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from attunement.errors import Conflict
from attunement.storage import replacing

STAGING = "restoring"
RECORD = "restore.json"
JOURNAL_FILES = ("journal.sqlite3*", "journal.encrypted*.sqlite3*", "journal.keys.json")
LOCK_WAIT_S = 2.0  # how long the data folder's lock is waited for


def journal_files(data_dir: Path) -> list[Path]:
    """The files that make up the journal in ``data_dir`` (database, its WAL, the key
    header), whichever kind it is."""
    return sorted({p for pattern in JOURNAL_FILES for p in data_dir.glob(pattern)})


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def exclusive(data_dir: Path) -> AbstractContextManager[None]:
    """Hold the data folder's lock alone, as everything that replaces the journal does
    (a restore, and finishing one; encrypt, decrypt, passphrase change), or say that
    one is running."""
    return _folder_lock(data_dir, exclusive=True)


def shared(data_dir: Path) -> AbstractContextManager[None]:
    """Hold the data folder's lock with others, as deciding which file is the journal
    and tidying (``vault.tidy``) do: never while the journal is being replaced."""
    return _folder_lock(data_dir, exclusive=False)


@contextmanager
def _folder_lock(data_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """The data folder's lock (``flock`` on the folder itself: no lock file left behind;
    the kernel drops it when its process dies, so a crash never leaves it held). Shared
    holds last a moment, so both kinds wait up to ``LOCK_WAIT_S`` for the other before
    saying the journal is being replaced."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform
        yield
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise Conflict(
                        f"The journal in {data_dir} is being replaced (a restore, encrypt, "
                        "decrypt or passphrase change is running); wait for it to finish "
                        "and try again."
                    ) from exc
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def fresh_staging(data_dir: Path) -> Path:
    staging = data_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    return staging


def discard_staging(data_dir: Path) -> None:
    shutil.rmtree(data_dir / STAGING, ignore_errors=True)


def _aside_name(data_dir: Path) -> str:
    base = f"replaced-{datetime.now():%Y%m%d-%H%M%S}"
    name, n = base, 1
    while (data_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def commit(data_dir: Path, backup: str, entries: int) -> str | None:
    """Switch to the journal staged in ``restoring/`` (complete, checked and synced).
    Returns the folder the old journal was moved to, if there was one."""
    staging = data_dir / STAGING
    for file in staging.iterdir():
        fsync_path(file)
    fsync_path(staging)
    old = [p.name for p in journal_files(data_dir)]
    record: dict[str, Any] = {
        "backup": backup,
        "entries": entries,
        "staged": sorted(p.name for p in staging.iterdir()),
        "old": old,
        "aside": _aside_name(data_dir) if old else None,
    }
    part = data_dir / (RECORD + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(record))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(part, data_dir / RECORD)  # the commit point
    fsync_path(data_dir)
    _finish(data_dir, record)
    return record["aside"]


def _finish(data_dir: Path, record: dict[str, Any]) -> None:
    """Carry out a committed switch; safe to repeat from any point it stopped at."""
    staging = data_dir / STAGING
    staged = set(record["staged"])
    if record["aside"]:
        aside = data_dir / record["aside"]
        aside.mkdir(mode=0o700, exist_ok=True)
        for name in record["old"]:
            # A name the new journal shares is still the old file while its staged
            # counterpart has not moved in yet.
            if (data_dir / name).exists() and (name not in staged or (staging / name).exists()):
                os.replace(data_dir / name, aside / name)
        fsync_path(aside)
        fsync_path(data_dir)
    for name in record["staged"]:
        if (staging / name).exists():
            os.replace(staging / name, data_dir / name)
    fsync_path(data_dir)
    shutil.rmtree(staging, ignore_errors=True)
    (data_dir / RECORD).unlink()
    fsync_path(data_dir)


def recover(data_dir: Path) -> list[str]:
    """Finish a restore that was committed, or remove one that was not, after a crash.
    Returns what to tell the person (nothing when no restore was interrupted)."""
    record_path, staging = data_dir / RECORD, data_dir / STAGING
    if not record_path.exists() and not staging.exists():
        return []
    with exclusive(data_dir):
        return recover_locked(data_dir)


def recover_locked(data_dir: Path) -> list[str]:
    """``recover`` for a caller that already holds the restore lock."""
    from attunement.audit import record as audit

    record_path, staging = data_dir / RECORD, data_dir / STAGING
    (data_dir / (RECORD + ".part")).unlink(missing_ok=True)
    if record_path.exists():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        old = replacing.database_files(data_dir / name for name in record["old"])
        with replacing.files_alone(old, None):  # nobody may be left writing to them
            _finish(data_dir, record)
        audit(data_dir, "restore", entries=record["entries"], finished="after an interruption")
        kept = (
            f"; the journal that was here is kept in {data_dir / record['aside']}"
            if record["aside"]
            else ""
        )
        return [
            f"A restore of {record['backup']} was interrupted after its checks passed; it "
            f"is now finished: the journal holds the backup's {record['entries']} entries{kept}."
        ]
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)
        return [
            "A restore was interrupted before it switched journals; it was rolled back, and "
            "the journal here is as it was (the backup was not restored)."
        ]
    return []
