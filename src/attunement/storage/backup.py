"""Backups: one zip holding a consistent copy of the journal (SQLite's VACUUM INTO, taken
while the app may be writing), the key header when the journal is encrypted (the copy
stays encrypted), and a manifest of counts that a restore checks."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from attunement import __version__
from attunement.errors import Conflict, FormatError, InvalidInput, StorageError
from attunement.storage import vault

FORMAT = "attunement-backup"
VERSION = 1
MANIFEST = "manifest.json"


def counts(journal: Any) -> dict[str, int]:
    from attunement.core.models import EntryFilter

    store = journal.store
    return {
        "entries": store.count_entries() + store.count_entries(EntryFilter(in_trash=True)),
        "checkins": len(store.list_checkins()),
        "drafts": len(store.list_drafts()),
        "transcripts": len(store.list_transcripts()),
        "practice_attempts": len(store.attempts()),
    }


def create(journal: Any, out: Path) -> dict[str, Any]:
    from attunement.paths import new_file, private_temp_dir

    data_dir: Path = journal.data_dir
    encrypted = vault.is_encrypted(data_dir)
    name = vault.read_header(data_dir).file if encrypted else vault.PLAIN_NAME
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "app_version": __version__,
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "encrypted": encrypted,
        "database": name,
    }
    with tempfile.TemporaryDirectory(dir=private_temp_dir(data_dir)) as tmp:
        copy = Path(tmp) / name
        journal.store.backup_to(copy)
        # Count what the copy holds, not the live journal, which may have moved on.
        with journal.store.open_copy(copy) as copied:
            manifest["counts"] = counts(SimpleNamespace(store=copied))
        with new_file(out) as part:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
                archive.write(copy, name)
                if encrypted:
                    archive.write(vault.header_path(data_dir), vault.HEADER_NAME)
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            names = set(archive.namelist())
    except FileNotFoundError as exc:
        raise InvalidInput(f"There is no file {path}; check the path.", field="path") from exc
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise FormatError(
            "is not an Attunement backup (no readable manifest)", path=str(path)
        ) from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise FormatError("is not an Attunement backup this version can restore", path=str(path))
    database = str(manifest.get("database", ""))
    if (
        Path(database).name != database
        or database not in names
        or (manifest.get("encrypted") and vault.HEADER_NAME not in names)
    ):
        raise FormatError("is incomplete: the journal or its key header is missing", path=str(path))
    return manifest


JOURNAL_FILES = ("journal.sqlite3*", "journal.encrypted*.sqlite3*", vault.HEADER_NAME)


def _journal_files(data_dir: Path) -> list[Path]:
    return sorted({p for pattern in JOURNAL_FILES for p in data_dir.glob(pattern)})


def has_journal(data_dir: Path) -> bool:
    """Whether a journal (plain or encrypted) already lives in ``data_dir``."""
    return bool(_journal_files(data_dir))


def restore(
    path: Path, data_dir: Path, passphrase: str | None, *, replace: bool = False
) -> dict[str, Any]:
    """Restore into ``data_dir``. A journal already there is moved aside into
    ``replaced-<time>/`` (never deleted), and only when ``replace`` is given."""
    from attunement.core.journal import Journal

    manifest = read_manifest(path)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = _journal_files(data_dir)
    aside = None
    if existing:
        if not replace:
            raise Conflict(
                f"There is already a journal in {data_dir}; restore into an empty "
                "folder, or confirm replacing it (it will be kept aside)."
            )
        aside = data_dir / f"replaced-{datetime.now():%Y%m%d-%H%M%S}"
        aside.mkdir(mode=0o700)
        for file in existing:
            file.replace(aside / file.name)
    try:
        with zipfile.ZipFile(path) as archive:
            database = manifest["database"]
            with archive.open(database) as source, open(data_dir / database, "wb") as target:
                shutil.copyfileobj(source, target)
            os.chmod(data_dir / database, 0o600)
            if manifest["encrypted"]:
                (data_dir / vault.HEADER_NAME).write_bytes(archive.read(vault.HEADER_NAME))
                os.chmod(data_dir / vault.HEADER_NAME, 0o600)
        with Journal.open(data_dir, passphrase) as journal:
            if journal.store.integrity_check() != "ok":
                raise StorageError(
                    f"The backup {path} is damaged (integrity check failed); nothing was restored."
                )
            found = counts(journal)
        if found != manifest["counts"]:
            raise StorageError(
                f"The backup {path} holds {found}, not the {manifest['counts']} "
                "its manifest lists; nothing was restored."
            )
    except BaseException:
        for file in _journal_files(data_dir):
            file.unlink()
        if aside is not None:
            for file in aside.iterdir():
                file.replace(data_dir / file.name)
            aside.rmdir()
        raise
    return {**manifest, "replaced": str(aside) if aside else None}
