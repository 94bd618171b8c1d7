"""Encryption at rest: SQLCipher, keyed by argon2id.

An encrypted journal is the SQLCipher file ``journal.encrypted.sqlite3`` plus the header
``journal.keys.json``: format version, the key-derivation parameters and a random salt,
never the key. The passphrase goes through argon2id (above OWASP ASVS 5.0's minimums) to a
32-byte key that SQLCipher uses directly as its raw key. Everything lives in that one file:
entries, history, drafts, check-ins, the search index, transcripts, practice.

The header's atomic appearance or disappearance is the one commit point of ``encrypt`` and
``decrypt``: before it, the old file is the journal; after it, the new one is, and the
next open tidies whatever a crash left behind. A wrong passphrase is found through an
immutable, read-only open, so not a byte of the journal changes. Each conversion reads
the old file through a connection that has it to itself (``storage.replacing``) from
before the copy until the old file is gone, and refuses, changing nothing, while another
program (``attune serve``) has the journal open.
"""

from __future__ import annotations

import base64
import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attunement.audit import record
from attunement.errors import InvalidInput, StorageError
from attunement.storage.replacing import alone_with, refuse_if_open

HEADER_NAME = "journal.keys.json"
ENCRYPTED_NAME = "journal.encrypted.sqlite3"
PLAIN_NAME = "journal.sqlite3"
FORMAT = "attunement-vault"
VERSION = 1
# argon2id: 64 MiB, 3 passes, 4 lanes. OWASP's minimum is 19 MiB with 2 passes.
DEFAULT_KDF = {"name": "argon2id", "memory_kib": 65536, "time_cost": 3, "parallelism": 4}
MIN_PASSPHRASE = 8
PAGE_SIZE = 4096  # SQLCipher 4's page size; every encrypted journal is whole pages
# The commands that convert, as a refusal names them (``replacing.InUse``).
ENCRYPT, DECRYPT, PASSPHRASE_CHANGE = "attune encrypt", "attune decrypt", "attune passphrase change"
# What each conversion needs of the journal (encrypted or not), and the sentence that
# refuses it otherwise.
_NEEDS = {
    ENCRYPT: (False, "This journal is already encrypted."),
    DECRYPT: (True, "This journal is not encrypted."),
    PASSPHRASE_CHANGE: (True, "This journal is not encrypted; use `attune encrypt`."),
}


@dataclass(frozen=True)
class Header:
    kdf: dict[str, Any]
    salt: bytes
    file: str = ENCRYPTED_NAME  # the encrypted journal this header opens

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "kdf": self.kdf,
            "salt": base64.b64encode(self.salt).decode(),
            "file": self.file,
        }
        return json.dumps(data, indent=1)


def create_journal_file(path: Path) -> None:
    """Create the empty file of a new journal, owner-only from the first byte (SQLite gives
    its -wal and -shm files the same mode). Refused (``JournalReplaced``) when the data
    folder's journal is another file by now: a conversion finished after the caller
    chose this one, and a file made now would take words no one would see again."""
    from attunement.storage import swap
    from attunement.storage.replacing import JournalReplaced

    folder = path.parent
    with swap.shared(folder) if folder.is_dir() else nullcontext():
        if not _may_be_the_journal(folder, path.name):
            raise JournalReplaced(str(path))
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process made it first


def _may_be_the_journal(folder: Path, name: str) -> bool:
    """Whether a new file ``name`` would be the journal of ``folder``: the plain one while
    no header names an encrypted one; an encrypted one that the header names, or that
    `attune init --encrypt` is about to name (no header yet, and no plain journal)."""
    if name == PLAIN_NAME:
        return not is_encrypted(folder)
    if name.startswith("journal.encrypted") and name.endswith(".sqlite3"):
        if is_encrypted(folder):
            return read_header(folder).file == name
        return not (folder / PLAIN_NAME).exists()
    return True  # not a data folder's journal (a copy, a test's file)


def header_path(data_dir: Path) -> Path:
    return data_dir / HEADER_NAME


def _require_state(data_dir: Path, command: str) -> None:
    """Refuse ``command`` when the journal is not in the state it converts from."""
    encrypted, refusal = _NEEDS[command]
    if is_encrypted(data_dir) != encrypted:
        raise InvalidInput(refusal)


def check_ready(data_dir: Path, command: str) -> None:
    """Before any passphrase is asked: refuse as ``command`` itself would, later, when the
    journal is not in the state it converts from or another program has it open."""
    from attunement.storage import swap

    _require_state(data_dir, command)
    refuse_if_open(swap.journal_files(data_dir), command)


def is_encrypted(data_dir: Path) -> bool:
    return header_path(data_dir).exists()


def read_header(data_dir: Path) -> Header:
    path = header_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("not a vault header")
        if data.get("version") != VERSION:
            raise StorageError(
                f"{path} is a vault header of version {data.get('version')}; "
                "upgrade Attunement to open this journal."
            )
        name = str(data.get("file", ENCRYPTED_NAME))
        if Path(name).name != name or not name.startswith("journal.encrypted"):
            raise ValueError("the header names an unexpected file")
        return Header(kdf=dict(data["kdf"]), salt=base64.b64decode(data["salt"]), file=name)
    except StorageError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StorageError(
            f"The key header {path} is damaged; restore it from a backup "
            "(without it the journal cannot be opened)."
        ) from exc


def new_header(file: str = ENCRYPTED_NAME) -> Header:
    import secrets  # loads OpenSSL: only when a key is made, never to open a journal

    return Header(kdf=dict(DEFAULT_KDF), salt=secrets.token_bytes(16), file=file)


def keyed_header(passphrase: str, file: str = ENCRYPTED_NAME) -> tuple[Header, bytes]:
    """A new header for ``passphrase`` and the key it derives."""
    header = new_header(file)
    return header, derive_key(passphrase, header)


def encrypted_path(data_dir: Path) -> Path:
    return data_dir / read_header(data_dir).file


def derive_key(passphrase: str, header: Header) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    kdf = header.kdf
    if kdf.get("name") != "argon2id":
        raise StorageError(f"Unknown key derivation '{kdf.get('name')}'; upgrade Attunement.")
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        header.salt,
        time_cost=int(kdf["time_cost"]),
        memory_cost=int(kdf["memory_kib"]),
        parallelism=int(kdf["parallelism"]),
        hash_len=32,
        type=Type.ID,
    )


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(
            f"A passphrase needs at least {MIN_PASSPHRASE} characters; a few "
            "unrelated words make a strong one.",
            field="passphrase",
        )
    return passphrase


def _key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path, key: bytes, *, uri_suffix: str = "") -> Any:
    """A SQLCipher connection with the key applied before anything else is read."""
    from sqlcipher3 import dbapi2

    target = f"{path.resolve().as_uri()}{uri_suffix}" if uri_suffix else str(path)
    conn = dbapi2.connect(target, uri=bool(uri_suffix), timeout=30.0, check_same_thread=False)
    conn.execute(_key_pragma(key))
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def roll_back_interrupted(path: Path, key: bytes) -> None:
    """Put back the pages a transaction interrupted in rollback-journal mode had changed
    (``storage.bulk.written_once``), before anything reads the file as it is on disk."""
    from sqlcipher3 import dbapi2

    hot = path.with_name(path.name + "-journal")
    if not hot.exists() or hot.stat().st_size == 0:
        return
    conn = connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        pass  # a wrong key: SQLite has rolled the journal back before reading a page
    finally:
        conn.close()


WRONG_PASSPHRASE = (
    "That passphrase does not open this journal; check it and try again (nothing was changed)."
)


def verify(path: Path, key: bytes) -> None:
    """Raise InvalidInput for a wrong passphrase, and a StorageError that says so for a
    damaged journal, touching nothing on disk.

    The header keeps no verifier of the key, so the journal's pages answer: under a wrong
    key the HMAC of every page fails, while damage fails only some of them, leaves a size
    that is not whole pages, or reads as malformed once page 1 has opened. (Damage to
    every page, or to the 16-byte salt at the start of the file, still reads as a wrong
    passphrase; `attune check` and the backups are the way out of both.)

    A rollback journal left beside it by a first import that was interrupted is rolled
    back first, as any connection would: the pages it holds go back into the file as they
    were, byte for byte, whatever the key (the pages are copied, never decrypted)."""
    from sqlcipher3 import dbapi2

    from attunement.storage import health

    roll_back_interrupted(path, key)
    try:
        conn = connect(path, key, uri_suffix="?mode=ro&immutable=1")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except dbapi2.DatabaseError as exc:
        problems = _damage_under(path, key, str(exc))
        if problems:
            raise health.damaged(path, problems) from exc
        raise InvalidInput(WRONG_PASSPHRASE, field="passphrase") from exc


def _damage_under(path: Path, key: bytes, error: str) -> list[str]:
    """What is damaged in a journal that would not open under ``key``; empty when
    nothing shows damage rather than a wrong key (every page fails its HMAC)."""
    if "malformed" in error:  # page 1 passed its HMAC, so the key is right
        return [error]
    size = path.stat().st_size if path.exists() else 0
    failures = cipher_problems(path, key)
    hmac_failures = [f for f in failures if f.startswith("HMAC verification failed")]
    if len(hmac_failures) >= size // PAGE_SIZE:
        return []  # not one page opens under this key: it is the wrong one
    if size % PAGE_SIZE:
        failures.insert(
            0, f"the file is {size} bytes, not a whole number of {PAGE_SIZE}-byte pages"
        )
    return list(dict.fromkeys(failures))


def cipher_problems(path: Path, key: bytes) -> list[str]:
    """Every page whose HMAC fails (SQLCipher's cipher_integrity_check), read-only."""
    from sqlcipher3 import dbapi2

    try:
        conn = connect(path, key, uri_suffix="?mode=ro&immutable=1")
        try:
            return [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        finally:
            conn.close()
    except dbapi2.DatabaseError as exc:
        return [str(exc)]


def health_check(path: Path, key: bytes) -> None:
    """Refuse to convert a damaged journal: the copy would fail half-way or carry the
    damage on under a new key."""
    from attunement.storage.health import require_intact_pages

    require_intact_pages(path, key)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def tidy(data_dir: Path) -> None:
    """Finish or undo a conversion a crash interrupted: the header decides which file is
    the journal, and the other one goes. Never while a conversion or a restore is running
    (their files would be the ones to go): it holds the data folder's lock, shared."""
    from attunement.storage import swap

    if not data_dir.is_dir():
        return
    with swap.shared(data_dir):
        tidy_locked(data_dir)


def tidy_locked(data_dir: Path) -> None:
    """``tidy`` for a caller that holds the data folder's lock."""
    for leftover in data_dir.glob("*.converting"):
        leftover.unlink(missing_ok=True)
    current = read_header(data_dir).file if is_encrypted(data_dir) else None
    if current is not None and (data_dir / current).exists():
        _remove_db(data_dir / PLAIN_NAME)
    for path in data_dir.glob("journal.encrypted*.sqlite3"):
        if path.name != current:
            _remove_db(path)


def _export(source: Any, target: Path, key: bytes | None) -> None:
    """Copy every table, index, trigger and the search index into a new file, encrypted
    with ``key`` or plain when ``key`` is None (SQLCipher's sqlcipher_export)."""
    # KEY '' attaches a plain database; KEY "x'...'" a raw-keyed encrypted one.
    key_sql = '"x' + "'" + key.hex() + "'" + '"' if key is not None else "''"
    source.execute(f"ATTACH DATABASE ? AS converted KEY {key_sql}", (str(target),))
    source.execute("SELECT sqlcipher_export('converted')")
    version = source.execute("PRAGMA user_version").fetchone()[0]
    source.execute(f"PRAGMA converted.user_version = {int(version)}")
    source.execute("DETACH DATABASE converted")


def write_header(data_dir: Path, header: Header) -> None:
    """Replace the key header atomically: this is the commit point of every conversion."""
    temp = data_dir / (HEADER_NAME + ".converting")
    temp.write_text(header.to_json(), encoding="utf-8")
    _sync_into_place(temp, header_path(data_dir))


def _sync_into_place(temp: Path, final: Path) -> None:
    os.chmod(temp, 0o600)
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    temp.replace(final)


def _convert(source: Any, final: Path, key: bytes | None) -> None:
    """Write the whole journal behind ``source`` to ``final`` (encrypted with ``key``, or
    plain), complete and synced before it takes that name."""
    temp = final.with_name(final.name + ".converting")
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _export(source, temp, key)
    _sync_into_place(temp, final)


def _commit(data_dir: Path, header: Header | None, action: str) -> None:
    """The one moment a conversion happens: the key header appears, changes (``header``)
    or disappears (None). Before it the old file is the journal, after it the new one;
    the folder is synced, the other file tidied away, and the action recorded."""
    if header is None:
        header_path(data_dir).unlink()
    else:
        write_header(data_dir, header)
    _fsync_dir(data_dir)
    tidy_locked(data_dir)
    record(data_dir, action)


def change_passphrase(data_dir: Path, old: str, new: str) -> None:
    """Re-encrypt under a new passphrase. The new file is complete and synced before the
    header switches to it, so a crash at any moment leaves a journal that opens with
    exactly one of the two passphrases, and nothing lost."""
    from attunement.storage import swap

    check_passphrase(new)
    with swap.exclusive(data_dir):
        _change_passphrase(data_dir, old, new)


def _change_passphrase(data_dir: Path, old: str, new: str) -> None:
    import secrets

    tidy_locked(data_dir)
    _require_state(data_dir, PASSPHRASE_CHANGE)
    current = read_header(data_dir)
    old_key = derive_key(old, current)
    verify(data_dir / current.file, old_key)
    health_check(data_dir / current.file, old_key)
    header, new_key = keyed_header(new, f"journal.encrypted-{secrets.token_hex(4)}.sqlite3")
    with alone_with(connect(data_dir / current.file, old_key), PASSPHRASE_CHANGE) as source:
        _convert(source, data_dir / header.file, new_key)
        _commit(data_dir, header, "passphrase-change")


def encrypt(data_dir: Path, passphrase: str) -> None:
    from attunement.storage import swap

    check_passphrase(passphrase)
    with swap.exclusive(data_dir):
        _encrypt(data_dir, passphrase)


def _encrypt(data_dir: Path, passphrase: str) -> None:
    from sqlcipher3 import dbapi2

    tidy_locked(data_dir)
    _require_state(data_dir, ENCRYPT)
    header, key = keyed_header(passphrase)
    plain = dbapi2.connect(str(data_dir / PLAIN_NAME), isolation_level=None)
    with alone_with(plain, ENCRYPT) as source:
        _convert(source, data_dir / header.file, key)
        _commit(data_dir, header, "encrypt")


def decrypt(data_dir: Path, passphrase: str) -> None:
    from attunement.storage import swap

    with swap.exclusive(data_dir):
        _decrypt(data_dir, passphrase)


def _decrypt(data_dir: Path, passphrase: str) -> None:
    tidy_locked(data_dir)
    _require_state(data_dir, DECRYPT)
    header = read_header(data_dir)
    encrypted = data_dir / header.file
    key = derive_key(passphrase, header)
    verify(encrypted, key)
    health_check(encrypted, key)
    with alone_with(connect(encrypted, key), DECRYPT) as source:
        _convert(source, data_dir / PLAIN_NAME, None)
        _commit(data_dir, None, "decrypt")
