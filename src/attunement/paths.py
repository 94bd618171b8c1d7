"""Where the journal lives on disk.

Precedence: an explicit path (``--data-dir``), else ``ATTUNE_HOME``, else the platform's
user data folder. The folder is created on first use with owner-only permissions.
"""

from __future__ import annotations

import os
from pathlib import Path

from attunement.errors import StorageError

ENV_HOME = "ATTUNE_HOME"
DATABASE_NAME = "journal.sqlite3"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
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
