"""One entry as a person reads it: the entry, what to call it, the prompt it answers,
where it was recorded, its earlier versions, the transcripts linked to it, what came home
from the team server, and (for the entry page) the stored reading with each noticed
phrase and what it means. The entry page and `attune show` both ask ``entry_view``, so
they agree on every part they share."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

from attunement.core.dates import day_text
from attunement.core.journal import Journal, label_of
from attunement.core.meta import recorded_line
from attunement.core.models import Entry

if typing.TYPE_CHECKING:
    from attunement.analysis.markers import MarkerDef
    from attunement.analysis.report import TextAnalysis
    from attunement.framework import Prompt


@dataclass(frozen=True)
class Mark:
    """Words the reading noticed, to be marked where they stand in the text."""

    phrase: str  # the exact words, as written
    kind: str  # the marker's family (sub-skill, ease, power-centred, self)
    name: str  # what was noticed


@dataclass(frozen=True)
class EntryView:
    entry: Entry
    title: str  # the title, else the entry's first words
    prompt: Prompt | None  # None when unlinked, or when its deck was removed
    recorded: str  # where and how it was recorded, or ""
    earlier: int  # how many earlier versions are kept (0 for a first version)
    transcripts: list[dict[str, Any]]  # linked transcripts: id and title
    shared: list[dict[str, Any]]  # what was shared of it and what came home
    reading: TextAnalysis | None = None  # only when asked for (it may run the models)
    explanations: dict[str, MarkerDef] = field(default_factory=dict)  # marker id -> meaning
    marks: list[Mark] = field(default_factory=list)  # the counted markers' phrases

    @property
    def heading(self) -> str:
        """Above the text itself: the title, else the day (the first words follow)."""
        return self.entry.title or f"Entry of {day_text(self.entry.created_at)}"

    @property
    def prompt_removed(self) -> bool:
        """Whether it answered a prompt whose deck was removed since: the entry keeps the
        prompt's id, so adding the deck again shows the prompt again."""
        return self.prompt is None and bool(self.entry.prompt_id)

    @property
    def families(self) -> list[str]:
        """The kinds of mark in the text, for the legend."""
        return sorted({m.kind for m in self.marks})

    def to_dict(self) -> dict[str, Any]:
        """The entry's own fields, then what the view adds (``attune show ID --json``)."""
        return {
            **self.entry.to_dict(),
            "label": self.title,
            "prompt": (
                {"id": self.prompt.id, "title": self.prompt.title, "text": self.prompt.text}
                if self.prompt
                else None
            ),
            "recorded": self.recorded or None,
            "versions": self.entry.revision,
            "transcripts": self.transcripts,
            "shared": self.shared,
        }


def shared_about(journal: Journal, kind: str, item: str) -> list[dict[str, Any]]:
    """What this journal shared of one item and what came home (the server modules load
    only for an item that was shared)."""
    from attunement.storage import shared

    if not shared.items(journal.reader, kind=kind, item=item):
        return []
    from attunement.server import syncing

    return syncing.about(journal, kind, item)


def entry_view(journal: Journal, entry_id: str, *, read: bool = False) -> EntryView:
    """The entry ``entry_id`` (NotFound when there is none) with everything shown beside
    it; ``read`` adds the stored reading (made once now if this version has none)."""
    entry = journal.get(entry_id)
    view = EntryView(
        entry=entry,
        title=label_of(entry) or f"Entry of {day_text(entry.created_at)}",  # in lists
        prompt=journal.decks.find_prompt(entry.prompt_id) if entry.prompt_id else None,
        recorded=recorded_line(entry.meta),
        earlier=journal.reader.revision_count(entry.id) if entry.revision > 1 else 0,
        transcripts=journal.reader.transcripts_of(entry.id),
        shared=shared_about(journal, "entry", entry.id),
    )
    if not read:
        return view
    from dataclasses import replace

    from attunement.analysis.markers import marker_info
    from attunement.core.readings import reading

    analysis = reading(journal, entry)  # stored with the entry version, or made once now
    explanations = {f.id: marker_info(f.id) for f in analysis.markers}
    marks = [
        Mark(entry.body[start:end], explanations[f.id].family, f.name)
        for f in analysis.markers
        if f.counts
        for start, end in f.spans
    ]
    return replace(view, reading=analysis, explanations=explanations, marks=marks)
