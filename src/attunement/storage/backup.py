"""Backups: one zip holding a consistent copy of the journal (SQLite's VACUUM INTO, taken
while the app may be writing), the key header when the journal is encrypted (the copy
stays encrypted), and a manifest of counts that a restore checks."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from attunement import __version__
from attunement.errors import Conflict, FormatError, InvalidInput, StorageError
from attunement.storage import replacing, swap, vault

FORMAT = "attunement-backup"
RESTORE = "attune restore"  # the command, as a refusal names it
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
        "practice_attempts": len(store.attempt_scores()),
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
    problems = journal.store.full_check()
    if problems:
        from attunement.storage import health

        raise health.damaged(Path(journal.store.where), problems, encrypted=encrypted)
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


def has_journal(data_dir: Path) -> bool:
    """Whether a journal (plain or encrypted) already lives in ``data_dir``."""
    return bool(swap.journal_files(data_dir))


def restore(
    path: Path, data_dir: Path, passphrase: str | None, *, replace: bool = False
) -> dict[str, Any]:
    """Restore into ``data_dir``, all or nothing. The backup is unpacked next to the
    journal and checked completely (passphrase, every page, every index, schema, counts)
    before one atomic step switches to it (see ``swap``). A journal already there is
    moved aside into ``replaced-<time>/`` (never deleted), and only when ``replace`` is
    given. A failed check, or a crash before the switch, leaves the journal as it was.
    While another program has the journal open (``attune serve``), nothing is done:
    ``replacing.InUse``; from the first check to the switch, nobody can open it."""
    manifest = read_manifest(path)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with swap.exclusive(data_dir):
        notices = swap.recover_locked(data_dir)
        vault.tidy_locked(data_dir)
        if has_journal(data_dir) and not replace:
            raise Conflict(
                f"There is already a journal in {data_dir}; restore into an empty "
                "folder, or confirm replacing it (it will be kept aside)."
            )
        old = replacing.database_files(swap.journal_files(data_dir))
        with replacing.files_alone(old, RESTORE):
            restored = _restore_alone(path, manifest, data_dir, passphrase, old)
    return {**restored, "notices": notices}


def _restore_alone(
    path: Path, manifest: dict[str, Any], data_dir: Path, passphrase: str | None, held: list[Path]
) -> dict[str, Any]:
    """The restore, while the restore lock and the lock on the journal's files are held."""
    staging = swap.fresh_staging(data_dir)
    try:
        _unpack(path, manifest, staging)
        _check_staged(path, manifest, staging, passphrase)
        if set(replacing.database_files(swap.journal_files(data_dir))) - set(held):
            raise replacing.InUse(RESTORE)  # a journal was made here meanwhile: in use
        aside = swap.commit(data_dir, str(path), manifest["counts"]["entries"])
    except BaseException:
        if not (data_dir / swap.RECORD).exists():
            swap.discard_staging(data_dir)
        raise
    return {**manifest, "replaced": str(data_dir / aside) if aside else None}


def _unpack(path: Path, manifest: dict[str, Any], staging: Path) -> None:
    try:
        _extract(path, manifest, staging)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise StorageError(
            f"The backup {path} is damaged (its copy of the journal fails the zip's "
            "checksum); nothing was restored."
        ) from exc
    except OSError as exc:
        raise StorageError(
            f"Cannot unpack the backup {path} ({exc.strerror or exc}); nothing was restored."
        ) from exc


def _extract(path: Path, manifest: dict[str, Any], staging: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        database = manifest["database"]
        target = staging / database
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with archive.open(database) as source, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out)
        if manifest["encrypted"]:
            fd = os.open(staging / vault.HEADER_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(archive.read(vault.HEADER_NAME))


def _check_staged(
    path: Path, manifest: dict[str, Any], staging: Path, passphrase: str | None
) -> None:
    """Open the unpacked copy as the journal it will become and check all of it."""
    from attunement.core.journal import Journal
    from attunement.storage import health

    nothing = "; nothing was restored"
    try:
        journal = Journal.open(staging, passphrase)
    except health.Damaged as exc:
        raise StorageError(
            f"The backup {path} is damaged ({health.summary(exc.problems)}){nothing}."
        ) from exc
    except InvalidInput as exc:
        if exc.field == "passphrase":
            raise InvalidInput(
                f"That passphrase does not open the backup {path}; check it and try "
                f"again{nothing}.",
                field="passphrase",
            ) from exc
        raise
    except StorageError as exc:
        raise StorageError(f"The backup {path} cannot be restored: {exc.message}") from exc
    with journal:
        problems = journal.store.integrity_problems()
        if problems:
            raise StorageError(
                f"The backup {path} is damaged (integrity check: "
                f"{health.summary(problems)}){nothing}."
            )
        found = counts(journal)
        journal.store.checkpoint()  # the staged file holds everything on its own
    if found != manifest["counts"]:
        raise StorageError(
            f"The backup {path} holds {found}, not the {manifest['counts']} "
            f"its manifest lists{nothing}."
        )
