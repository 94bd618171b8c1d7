"""Where the journal lives on disk.

Precedence: an explicit path (``--data-dir``), else ``ATTUNE_HOME``, else the platform's
user data folder. The folder is created on first use with owner-only permissions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attunement.errors import Conflict, InvalidInput, StorageError

ENV_HOME = "ATTUNE_HOME"
DATABASE_NAME = "journal.sqlite3"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def default_data_dir() -> Path:
    """The platform's user data folder: where the journal lives when nothing says else."""
    import platformdirs

    return Path(platformdirs.user_data_dir("attunement", appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data folder (mode 0700) or explain in one sentence why it cannot be."""
    try:
        if path.exists() and not path.is_dir():
            raise StorageError(
                f"The data folder {path} is a file, not a folder; "
                "choose another place with --data-dir or ATTUNE_HOME."
            )
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except StorageError:
        raise
    except OSError as exc:
        raise StorageError(
            f"Cannot create the data folder {path} ({exc.strerror or exc}); "
            "choose a writable place with --data-dir or ATTUNE_HOME."
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise StorageError(
            f"The data folder {path} is read-only; make it writable or choose another "
            "with --data-dir or ATTUNE_HOME (nothing was changed)."
        )
    return path


def private_temp_dir(data_dir: Path) -> Path:
    """A temp folder inside the data folder, so editor files never land in a shared /tmp."""
    tmp = data_dir / "tmp"
    tmp.mkdir(mode=0o700, exist_ok=True)
    return tmp


@contextmanager
def new_file(path: Path) -> Iterator[Path]:
    """Write a new file safely. The caller writes to the yielded ``.part`` file; on success
    it is synced and renamed to ``path``, so a crash never leaves half a file under the
    real name, and on failure it is removed. An existing file, a missing folder and a
    read-only or full disk each get one clear sentence."""
    if path.exists():
        raise Conflict(f"{path} already exists; choose a new file name.")
    if not path.parent.is_dir():
        raise InvalidInput(
            f"The folder {path.parent} does not exist; create it or choose another place.",
            field="out",
        )
    part = path.with_name(path.name + ".part")
    try:
        yield part
        with open(part, "rb+") as handle:
            os.fsync(handle.fileno())
        part.replace(path)
    except OSError as exc:
        raise StorageError(
            f"Cannot write {path} ({exc.strerror or exc}); choose another "
            "place (nothing was written)."
        ) from exc
    finally:
        part.unlink(missing_ok=True)
