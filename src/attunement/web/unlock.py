"""The web app's hold on the journal: open, or locked (encrypted and no key in memory).

An encrypted journal starts locked: the unlock page asks for the passphrase, and the key
then lives only in this process's memory. It locks again after ``idle_lock_s`` without a
request from the person (a background load or a request from another site does not
count: see ``security.counts_as_activity``), on POST /api/v1/lock (`attune lock`), and
when the server stops.

While the app has the journal open, `attune encrypt`, `decrypt`, `passphrase change` and
`restore` refuse to replace it (``storage.replacing``). Should another program replace or
remove the file anyway, the app notices on the next request (one ``stat``) or write: the
request is answered ``JournalReplaced`` (409, ``REPLACED``), never saved to a file that is
no longer the journal, and the app lets go of that file; the next request opens the one
there now, or, when it is encrypted, asks for its passphrase. The browser keeps the words
of a form meanwhile (static/app.js).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from attunement.core.journal import Journal
from attunement.errors import Locked
from attunement.storage import vault
from attunement.storage.replacing import JournalReplaced

UNLOCK = "/unlock"
# What the browser is told when the journal's file was replaced underneath the app: by
# the API (an autosave, whose page then keeps the words), and by a page a form led to.
REPLACED = (
    "The journal was changed by another program (an encrypt or a restore, say) while this "
    "app had it open, so nothing was saved; reload the page to open it again."
)
REPLACED_PAGE = (
    "The journal was changed by another program (an encrypt or a restore, say) while this "
    "app had it open, so nothing was saved; open the page again to go on."
)


def safe_next(target: str | None) -> str:
    """Where to go after unlocking: ``target`` if it is a path on this site, else "/".

    Only a plain path (with its query) is taken: never an absolute URL, a
    scheme-relative ``//host``, a backslash (which browsers read as a slash), a control
    character, or the unlock page itself."""
    from urllib.parse import urlsplit

    if not target or len(target) > 2000 or not target.startswith("/"):
        return "/"
    if (
        target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or c == "\x7f" for c in target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.rstrip("/") == UNLOCK:
        return "/"
    return target


def unlock_url(target: str | None) -> str:
    """The unlock page, carrying ``next`` when it leads somewhere other than Today."""
    from urllib.parse import urlencode

    target = safe_next(target)
    return UNLOCK if target == "/" else f"{UNLOCK}?{urlencode({'next': target})}"


class JournalHolder:
    def __init__(self, data_dir: Path, passphrase: str | None, idle_lock_s: float) -> None:
        self.data_dir = data_dir
        self.idle_lock_s = idle_lock_s
        self.encrypted = vault.is_encrypted(data_dir)
        self._lock = threading.Lock()
        self._journal: Journal | None = None
        self._closed = False  # the server stopped: nothing opens again
        self._last_seen = time.monotonic()
        self.on_unlock: list[Callable[[], None]] = []  # called after each unlock
        # Called before the journal closes (a lock, the server stopping): background work
        # that holds it stops first, so nothing keeps the file open after a lock.
        self.on_close: list[Callable[[], None]] = []
        if not self.encrypted or passphrase is not None:
            self._journal = Journal.open(data_dir, passphrase)

    @property
    def locked(self) -> bool:
        self._expire()
        return self.encrypted and self._journal is None

    def _expire(self) -> None:
        if (
            self.encrypted
            and self._journal is not None
            and time.monotonic() - self._last_seen > self.idle_lock_s
        ):
            self.lock()

    def get(self, *, activity: bool = True) -> Journal:
        """The open journal; ``activity``: the person's own request, which restarts the
        idle time (a background request does not)."""
        self._expire()
        journal = self._journal if self._journal is not None else self._open_again()
        if journal is None:
            raise Locked("The journal is locked; unlock it with its passphrase.")
        if self.let_go_if_replaced():
            raise JournalReplaced(journal.reader.where)
        if activity:
            self._last_seen = time.monotonic()
        return journal

    def current(self) -> Journal | None:
        """The open journal, or None when locked, without counting as use (for work in
        the background, which must not keep an encrypted journal from locking)."""
        if self.let_go_if_replaced():
            return None
        return self._journal

    def let_go_if_replaced(self) -> bool:
        """Whether the open journal's file was replaced or removed by another program;
        if so it is closed (it is no longer the journal), and the next request opens the
        file there now, or asks for its passphrase."""
        with self._lock:
            journal = self._journal
            if journal is None or not journal.reader.replaced():
                return False
            self._journal = None
            self.encrypted = vault.is_encrypted(self.data_dir)
        self._let_go(journal)
        return True

    def _open_again(self) -> Journal | None:
        """After the journal was let go (``let_go_if_replaced``) or changed while locked:
        the journal there now, when it needs no passphrase; else None (locked)."""
        with self._lock:
            journal, opened = self._journal, False
            if journal is None and not self._closed:
                self.encrypted = vault.is_encrypted(self.data_dir)
                if self.encrypted:
                    return None
                journal = self._journal = Journal.open(self.data_dir)
                self._last_seen, opened = time.monotonic(), True
        if opened:
            for started in self.on_unlock:  # the work an unlock starts, as after one
                started()
        return journal

    def unlock(self, passphrase: str) -> None:
        """Open the journal with its passphrase (a wrong one raises), then start the
        work waiting for it (``on_unlock``)."""
        with self._lock:
            if self._journal is None:
                self._journal = Journal.open(self.data_dir, passphrase)
                self.encrypted = vault.is_encrypted(self.data_dir)
            self._last_seen = time.monotonic()
        for started in self.on_unlock:
            started()
        with self._lock:  # the idle time counts from when the unlock is done
            self._last_seen = time.monotonic()

    def lock(self) -> None:
        """Close the journal and drop the key. Only an encrypted journal can lock."""
        if not self.encrypted:
            return
        with self._lock:
            journal, self._journal = self._journal, None
        self._let_go(journal)

    def close(self) -> None:
        with self._lock:
            journal, self._journal = self._journal, None
            self._closed = True
        self._let_go(journal)

    def _let_go(self, journal: Journal | None) -> None:
        """Close a journal no longer held: the background work stops first; a request
        still using it is refused (``Locked``) rather than opening the file again."""
        if journal is None:
            return
        for stopping in self.on_close:
            stopping()
        journal.close()
