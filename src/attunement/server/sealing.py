"""Sealing the few secrets the server must be able to read back: each member's TOTP
secret and the identity provider's client secret.

They are encrypted (Fernet: AES-128-CBC with an HMAC-SHA256, from ``cryptography``) with
a key kept in a file apart from the database (``ServerConfig.key_path``), so a database
dump or backup alone reveals neither. The file is made on first use, readable by the
server's account only; several workers starting together agree on one key (it is
written to a temporary name and linked into place, which fails if another got there
first). Losing the file makes the sealed secrets unreadable: members then set up their
second factor again (an admin turns the old one off) and the admin enters the client
secret again.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from attunement.errors import StorageError
from attunement.server.config import ServerConfig


def _read_or_make(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key())
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(part, path)
    except FileExistsError:
        pass  # another worker made it first: use theirs
    finally:
        part.unlink(missing_ok=True)
    return path.read_bytes().strip()


@lru_cache(maxsize=8)
def _fernet(path: str) -> Fernet:
    try:
        return Fernet(_read_or_make(Path(path)))
    except (ValueError, OSError) as exc:
        raise StorageError(
            f"The server's key file {path} cannot be read or is damaged ({exc}); restore it "
            "from where you keep it, or name another with ATTUNE_SERVER_KEY_FILE."
        ) from None


def seal(config: ServerConfig, secret: str) -> str:
    return _fernet(str(config.key_path)).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(config: ServerConfig, sealed: str) -> str:
    try:
        return _fernet(str(config.key_path)).decrypt(sealed.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise StorageError(
            f"A secret in the database was sealed with another key than {config.key_path}; "
            "restore the server's key file, or have an admin reset the second factor."
        ) from None
