"""A page of the journal: the entries matching a filter, newest first, or the search hits
for some words, best first; and whether there is more. With it, what the journal page
shows beside the results (tags, prompts), and the entries with their count that the API
and ``attune list`` show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import Entry, EntryFilter
from attunement.errors import AttuneError

PAGE_SIZE = 20


@dataclass(frozen=True)
class Browse:
    hits: list[Any] = field(default_factory=list)  # search hits, when there are words
    entries: list[Any] = field(default_factory=list)  # entries otherwise
    total: int = 0  # entries matching the filter (not counted for a search)
    more: bool = False
    ranking_note: str = ""  # how the hits were ranked, when not all together
    placeholder: str = ""  # nothing found: a name placeholder the journal holds ("[Client A]")
    placeholder_hint: str = ""  # and the sentence saying the name may be stored as one


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
        return Browse(
            hits=hits[:size],
            more=len(hits) > size,
            ranking_note=hits.ranking_note,
            placeholder=hits.placeholder,
            placeholder_hint=hits.placeholder_hint,
        )
    entries = journal.list_entries(flt, limit=size + 1, before=before or None)
    total = journal.store.count_entries(journal.check_filter(flt))
    return Browse(entries=entries[:size], total=total, more=len(entries) > size)


@dataclass(frozen=True)
class JournalPage:
    found: Browse
    error: str | None  # the sentence saying what was wrong with the filter, if anything
    tags: list[Any]  # the most used tags, with their counts
    prompts: Sequence[Any]  # every prompt, to filter by
    # prompts answered before their deck was removed: (id, how often and when answered)
    removed_prompts: list[tuple[str, Any]] = field(default_factory=list)


def journal_page(journal: Journal, **asked: Any) -> JournalPage:
    """``browse(journal, **asked)`` with what the page shows beside it; a filter that
    cannot be used is said in one sentence, with nothing found."""
    error = None
    try:
        found = browse(journal, **asked)
    except AttuneError as exc:
        found, error = Browse(), exc.message
    removed = [
        (prompt_id, use)
        for prompt_id, use in sorted(journal.store.prompt_history().items())
        if journal.decks.find_prompt(prompt_id) is None
    ]
    return JournalPage(
        found, error, journal.store.tag_counts()[:30], journal.decks.prompts, removed
    )


@dataclass(frozen=True)
class EntryList:
    entries: list[Entry]
    total: int  # every entry matching the filter

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries], "total": self.total}


def entry_list(
    journal: Journal, flt: EntryFilter, *, limit: int | None, offset: int = 0
) -> EntryList:
    """Entries matching ``flt``, newest first (all of them when ``limit`` is None)."""
    entries = journal.list_entries(flt, limit=limit, offset=offset)
    return EntryList(entries, journal.reader.count_entries(journal.check_filter(flt)))
