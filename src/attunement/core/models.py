"""The journal's records. Plain dataclasses: storage fills them, services return them,
the CLI and the web API turn them into text or JSON with ``to_dict``.

Timestamps are aware datetimes in the zone they were written in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCALES = ("ease", "presence", "curiosity", "urge_to_fix", "fatigue")
MOMENTS = ("before", "after", "other")
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_TITLE_CHARS = 500


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    body: str
    prompt_id: str | None
    tags: tuple[str, ...]
    starred: bool
    created_at: datetime
    updated_at: datetime
    revision: int = 1
    deleted_at: datetime | None = None
    # Where and in what weather it was recorded (``core.meta``): never part of the text.
    meta: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "prompt_id": self.prompt_id,
            "tags": list(self.tags),
            "starred": self.starred,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "revision": self.revision,
            "deleted_at": iso(self.deleted_at),
            "meta": dict(self.meta),
        }


@dataclass(frozen=True)
class Revision:
    """An earlier version of an entry, kept when the entry was edited."""

    entry_id: str
    revision: int
    title: str
    body: str
    prompt_id: str | None
    tags: tuple[str, ...]
    starred: bool
    saved_at: datetime  # when this version was written
    replaced_at: datetime  # when the edit that superseded it was made

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "revision": self.revision,
            "title": self.title,
            "body": self.body,
            "prompt_id": self.prompt_id,
            "tags": list(self.tags),
            "starred": self.starred,
            "saved_at": iso(self.saved_at),
            "replaced_at": iso(self.replaced_at),
        }


@dataclass(frozen=True)
class Draft:
    """Unsaved writing, kept apart from entries so a crash mid-writing loses nothing."""

    id: str
    entry_id: str | None  # set when the draft is an edit of an existing entry
    prompt_id: str | None
    title: str
    body: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "prompt_id": self.prompt_id,
            "title": self.title,
            "body": self.body,
            "tags": list(self.tags),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


@dataclass(frozen=True)
class CheckInFigures:
    """What a period's check-ins add up to, summed by the database rather than read one
    by one (a packet may span years: thousands of check-ins)."""

    count: int
    values: dict[str, list[int]]  # each scale's answers, oldest first (unanswered left out)
    areas: list[tuple[str, int]]  # body area id, times marked: most first, then most recent


@dataclass(frozen=True)
class CheckIn:
    id: str
    at: datetime
    ease: int | None = None
    presence: int | None = None
    curiosity: int | None = None
    urge_to_fix: int | None = None
    fatigue: int | None = None
    body: tuple[str, ...] = ()
    note: str = ""
    moment: str = "other"

    def scales(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in SCALES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso(self.at),
            **self.scales(),
            "body": list(self.body),
            "note": self.note,
            "moment": self.moment,
        }


@dataclass(frozen=True)
class EntryFilter:
    """What to show: every field narrows the set; ``None`` means no limit."""

    since: datetime | None = None
    until: datetime | None = None
    tags: tuple[str, ...] = ()
    prompt_id: str | None = None
    starred: bool | None = None
    in_trash: bool = False

    @classmethod
    def from_words(
        cls,
        since: str | None = None,
        until: str | None = None,
        tags: Sequence[str] = (),
        prompt_id: str | None = None,
        starred: bool | None = None,
    ) -> EntryFilter:
        """A filter from what people type: "2026-11-01", "last week", "#ward". The
        journal checks it (dates in order, tags normalised) when it is used."""
        from attunement.core.dates import parse_when

        return cls(
            since=parse_when(since) if since else None,
            until=parse_when(until, end_of_day=True) if until else None,
            tags=tuple(tags),
            prompt_id=prompt_id,
            starred=starred,
        )


ALL_ENTRIES = EntryFilter()


@dataclass(frozen=True)
class SearchHit:
    entry: Entry
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # character spans of matched words in snippet
    rank: float

    def to_dict(self) -> dict[str, Any]:
        data = self.entry.to_dict()
        data.pop("body")
        return {
            "entry": data,
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
            "rank": self.rank,
        }


class SearchHits(list[SearchHit]):
    """Search hits in the order shown. ``ranked_within`` is 0 when every match was ranked
    together; otherwise the matches were too many, and were ranked that many at a time,
    the most recently added first (the best of the latest come first). ``placeholder``:
    when words found nothing, a name placeholder the journal holds ("[Client A]"), else
    ""."""

    def __init__(
        self, hits: Iterable[SearchHit] = (), *, ranked_within: int = 0, placeholder: str = ""
    ) -> None:
        super().__init__(hits)
        self.ranked_within = ranked_within
        self.placeholder = placeholder

    @property
    def placeholder_hint(self) -> str:
        """What a person is told when nothing was found and the journal holds name
        placeholders: the name they looked for may be one; "" otherwise."""
        if not self.placeholder:
            return ""
        return (
            "If you searched for a name: names in your entries may be stored as placeholders "
            f"such as {self.placeholder}, put in their place when identifying details were "
            "replaced on saving. Search for the placeholder instead."
        )

    @property
    def ranking_note(self) -> str:
        """What a person is told when the matches were ranked in windows; "" otherwise."""
        if not self.ranked_within:
            return ""
        n = f"{self.ranked_within:,}"
        return (
            f"These words are in more than {n} entries: the best matches of the latest {n} "
            f"come first, then those of the {n} before them. Add a rarer word to rank "
            "every match together."
        )


@dataclass
class NewEntry:
    """What a caller supplies to write an entry; ids and times are the store's business
    unless an import carries its own."""

    title: str
    body: str
    prompt_id: str | None = None
    tags: tuple[str, ...] = ()
    starred: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str | None = None
    source: str | None = None  # provenance key that makes imports idempotent
    # the key it came in under when an earlier import read its day and month the other
    # way round (jrnl's 03/04/2024): that entry is moved to this one's date when
    # ``move_earlier`` (the order was given this time), else this one is skipped
    earlier_source: str | None = None
    move_earlier: bool = False
    deleted_at: datetime | None = None
    revisions: list[Revision] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # checked by core.meta.clean_meta
