"""What a saving form's result page shows after post/redirect/get: the result is kept in
the server's memory under a random token, and the page it redirects to reads it back, so
reloading that page shows the result again and never repeats the change."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any

KEEP = 50  # results kept; older ones are forgotten


def put(state: Any, result: Any) -> str:
    kept: OrderedDict[str, Any] = _kept(state)
    token = secrets.token_urlsafe(12)
    kept[token] = result
    while len(kept) > KEEP:
        kept.popitem(last=False)
    return token


def get(state: Any, token: str) -> Any | None:
    return _kept(state).get(token) if token else None


def _kept(state: Any) -> OrderedDict[str, Any]:
    if not hasattr(state, "flash"):
        state.flash = OrderedDict()
    return state.flash
