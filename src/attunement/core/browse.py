"""A page of the journal: the entries matching a filter, newest first, or the search hits
for some words, best first; and whether there is more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import EntryFilter

PAGE_SIZE = 20


@dataclass(frozen=True)
class Browse:
    hits: list[Any] = field(default_factory=list)  # search hits, when there are words
    entries: list[Any] = field(default_factory=list)  # entries otherwise
    total: int = 0  # entries matching the filter (not counted for a search)
    more: bool = False
    ranking_note: str = ""  # how the hits were ranked, when not all together


def browse(
    journal: Journal,
    *,
    words: str = "",
    since: str = "",
    until: str = "",
    tag: str = "",
    prompt: str = "",
    page: int = 1,
    before: str = "",
    size: int = PAGE_SIZE,
) -> Browse:
    """Search pages by number (hits are ranked); listing pages go on from the last entry
    seen (``before``), so a new entry never shifts what the next page shows."""
    flt = EntryFilter.from_words(
        since or None, until or None, (tag,) if tag else (), prompt or None
    )
    if words.strip():
        hits = journal.search(words, flt, limit=size + 1, offset=(page - 1) * size)
        return Browse(hits=hits[:size], more=len(hits) > size, ranking_note=hits.ranking_note)
    entries = journal.list_entries(flt, limit=size + 1, before=before or None)
    total = journal.store.count_entries(journal.check_filter(flt))
    return Browse(entries=entries[:size], total=total, more=len(entries) > size)
