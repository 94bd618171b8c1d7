"""Small helpers for the words the app says to people."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 entry", "2 entries" (give ``many`` where adding an s is wrong)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
