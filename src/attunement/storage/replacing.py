"""Replacing the journal file only while nothing else has it open, and noticing when it
was replaced anyway.

``encrypt``, ``decrypt``, ``passphrase change`` and ``restore`` put a new file in the
journal's place. A program that still had the old file open (``attune serve`` left
running, another command, the sqlite3 shell) would go on reading and writing a file that
is no longer the journal, or no longer exists, and every word it saved would be lost at
its next start. So each of them first makes sure it is alone with the journal, refuses in
one sentence when it is not (``InUse``: nothing is changed), and stays alone until the
new file has taken over.

Why SQLite's own lock and not a lock file: a connection to a journal in WAL mode (every
Attunement connection) holds a shared lock on the database file from its first read
until it closes (SQLite keeps it so that the last one to close can tidy the log away).
The exclusive lock on the same bytes is therefore granted only when no other connection
has the journal open, whichever program it belongs to, and while it is held nobody can
begin to read it: a program that opens the journal meanwhile waits, and after its busy
timeout is told the journal is locked. A lock file would be honoured by Attunement alone,
and would be one more file to leave behind after a crash; the kernel drops these locks
when their process dies.

It is held in one of two ways, because POSIX locks belong to a process (closing any
descriptor of a file drops them all), so a lock taken by hand must never share a process
with a SQLite connection to the same file:

- ``alone_with``: the conversions read the journal themselves, so the connection that
  copies it takes the lock (``locking_mode = EXCLUSIVE``, then ``journal_mode =
  DELETE``, which SQLite grants only to the one connection to a database, folding the
  write-ahead log into the file) and keeps it until the new file has taken over and the
  old one is gone. In rollback mode the old file leaves no log behind at its path for
  the file that takes its place to read.
- ``files_alone``: a restore replaces a journal it never opens (its passphrase may be
  forgotten, its file damaged), so it takes the same lock with ``fcntl`` on the bytes
  SQLite locks (the lock-byte page of the file format), on each database file of the
  journal, until the old files are moved aside. ``refuse_if_open`` asks the same question
  and lets go at once, so a command can refuse before it asks for a passphrase.

Where ``fcntl`` is missing (Windows), ``files_alone`` cannot ask; there, the system itself
refuses to move or delete a file another program has open.

The SQLite lock guards the file; the data folder's lock (``swap.exclusive``, held by these
commands from start to end) guards the choice of file: an Attunement process opening the
journal decides, under the same lock shared, which file is the journal and tidies away
what an interrupted conversion left, so it never takes a conversion's new file for a
leftover, nor creates a new journal where another one has just taken over.

Defence in depth: a ``Reader`` remembers which file (device and inode) it opened, and
before every write transaction and every new connection compares it with the file now at
the journal's path (``identity``, one ``stat``). A journal replaced or removed anyway (by
another program, an older Attunement, a file-syncing tool) is reported as
``JournalReplaced``, and the write is refused, never made to a deleted file. Closing it
then folds its write-ahead log into the file it belongs to: SQLite leaves the log of a
file moved or deleted from under it at the path, where the next open would read it into
the new file.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from attunement.errors import Conflict

# SQLite's unix locks, part of its file format: a shared lock is a read lock on some of
# these 510 bytes after the pending and reserved bytes at 1 GiB; an exclusive lock is a
# write lock on all of them.
PENDING_BYTE = 0x40000000
SHARED_FIRST = PENDING_BYTE + 2
SHARED_SIZE = 510


class InUse(Conflict):
    """Another program has the journal open, so it is not replaced."""

    code = "journal_in_use"

    def __init__(self, command: str | None) -> None:
        again = f"run `{command}` again" if command else "try again"
        super().__init__(
            "`attune serve` (or another Attunement or program) has this journal open; "
            f"stop it, then {again} (nothing was changed)."
        )


class JournalReplaced(Conflict):
    """The journal file this program opened was replaced or removed by another one."""

    code = "journal_replaced"

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The journal at {where} was replaced or removed by another program while it "
            "was open here, so nothing was saved; open it again (reload the page, or run "
            "the command again) and repeat what you did."
        )


def identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` now (device and inode), or None when there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@contextmanager
def alone_with(conn: Any, command: str) -> Iterator[Any]:
    """``conn`` (a new DB-API connection to the journal, SQLite's or SQLCipher's, that
    has read nothing yet) made the journal's only connection, and kept so until the end
    of the block; ``InUse`` when another has it open. The journal goes back to WAL mode
    if the block fails, and the connection is closed either way."""
    swapped = False
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA busy_timeout = 0")  # another connection: do not wait for it
        conn.execute("PRAGMA main.locking_mode = EXCLUSIVE")  # no lock is let go again
        try:
            mode = conn.execute("PRAGMA main.journal_mode = DELETE").fetchone()[0]
            # A journal already in rollback mode took no lock above: take it now.
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except Exception as exc:
            if _is_busy(exc):
                raise InUse(command) from exc
            raise
        if str(mode).lower() != "delete":
            raise InUse(command)
        yield conn
        swapped = True
    finally:
        try:
            if not swapped:
                conn.execute("PRAGMA main.journal_mode = WAL")
        except Exception:  # every connection asks for WAL again when it opens
            pass
        finally:
            conn.close()


def _lock_alone(fd: int) -> bool:
    import fcntl

    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, SHARED_SIZE, SHARED_FIRST)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


@contextmanager
def files_alone(paths: Iterable[Path], command: str | None) -> Iterator[None]:
    """Hold SQLite's exclusive lock on each database file in ``paths`` (those that
    exist) for the block; ``InUse`` when another program has one open. Only for a
    process with no SQLite connection of its own to these files (see the module's note)."""
    try:
        import fcntl  # noqa: F401 - only whether there is one
    except ImportError:  # no POSIX locks here: the system refuses to move open files
        yield
        return
    with ExitStack() as held:
        for path in paths:
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            held.callback(os.close, fd)  # closing it lets the lock go
            if not _lock_alone(fd):
                raise InUse(command)
        yield


def database_files(files: Iterable[Path]) -> list[Path]:
    """The database files among a journal's files (not their logs or the key header)."""
    return [p for p in files if p.name.endswith(".sqlite3")]


def refuse_if_open(files: Iterable[Path], command: str) -> None:
    """``InUse`` now, before anything is asked or done, when another program has the
    journal open; the real hold is taken again when the journal is replaced."""
    with files_alone(database_files(files), command):
        pass
