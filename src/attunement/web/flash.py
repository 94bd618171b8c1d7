"""What a page says after a saving form redirects to it (post/redirect/get), kept in the
server's memory under a random key: the address carries only the key, never the words or
the data they need, so a link cannot make a page say something that did not happen.

``put`` keeps a result for one page and returns its key. ``take`` is the one-time read
that every success notice uses: it gives the result once, to the page it was kept for,
and forgets it, so a reload or Back shows the page without the notice. ``get`` is the
older read that leaves the result for a reload (the team-server and transcript pages).
A key that was never given, was given for another page, was read already, is older than
``KEEP_S`` or was pushed out by ``KEEP`` newer ones gives None: the page shows no notice
and no error. Keys are 128 random bits; the store belongs to one app (its ``state``)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

KEEP = 50  # results kept; older ones are forgotten
KEEP_S = 30 * 60  # and none is kept longer than this
_LOCK = threading.Lock()  # the form routes run on worker threads


@dataclass(frozen=True)
class _Kept:
    result: Any
    page: str  # the page that may show it ("" for ``get``'s callers)
    at: float  # time.monotonic() when kept


def put(state: Any, result: Any, page: str = "") -> str:
    """Keep ``result`` for ``page`` and return the key its redirect carries."""
    token = secrets.token_urlsafe(16)
    with _LOCK:
        kept = _kept(state)
        kept[token] = _Kept(result, page, time.monotonic())
        while len(kept) > KEEP:
            kept.popitem(last=False)
    return token


def take(state: Any, token: str, page: str) -> Any | None:
    """The result kept under ``token`` for ``page``, once; None for any other key."""
    with _LOCK:
        found = _find(state, token, page)
        if found is None:
            return None
        del _kept(state)[token]
        return found.result


def get(state: Any, token: str, page: str = "") -> Any | None:
    """The result kept under ``token`` for ``page``, left there for a reload."""
    with _LOCK:
        found = _find(state, token, page)
        return None if found is None else found.result


def _find(state: Any, token: str, page: str) -> _Kept | None:
    if not token:
        return None
    kept = _kept(state)
    found = kept.get(token)
    if found is None:
        return None
    if time.monotonic() - found.at > KEEP_S:
        del kept[token]
        return None
    return found if found.page == page else None


def _kept(state: Any) -> OrderedDict[str, _Kept]:
    if not hasattr(state, "flash"):
        state.flash = OrderedDict()
    kept: OrderedDict[str, _Kept] = state.flash
    return kept
