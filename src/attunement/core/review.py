"""Saving an entry after a look for identifying details: the step every way of writing
shares. Details found in the title or the text are named first; the writer then chooses
placeholders ("redact") or their own words ("keep"). The web app asks on the page, the CLI
asks at the terminal or takes --redact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.errors import InvalidInput

CHOICES = ("redact", "keep")


@dataclass(frozen=True)
class Review:
    """Identifying details found in an entry about to be saved (nothing is saved yet)."""

    title: list[Any]  # findings in the title
    body: list[Any]  # findings in the text

    @property
    def found(self) -> bool:
        return bool(self.title or self.body)

    @property
    def findings(self) -> list[Any]:
        return self.title + self.body

    def apply(self, body: str, title: str | None) -> tuple[str, str | None]:
        """The text and title with each detail replaced by its placeholder, the same
        placeholder for the same detail in both."""
        from attunement.analysis.deid import redact

        state: dict[str, Any] = {}
        return redact(body, self.body, state), redact(title, self.title, state) if title else title

    def segments(self, body: str) -> list[tuple[str, str | None]]:
        """The text cut into plain pieces and found details (with their kind), to show."""
        pieces: list[tuple[str, str | None]] = []
        cursor = 0
        for f in sorted(self.body, key=lambda f: f.start):
            pieces += [(body[cursor : f.start], None), (body[f.start : f.end], f.type)]
            cursor = f.end
        pieces.append((body[cursor:], None))
        return [p for p in pieces if p[0]]


def review(journal: Journal, body: str, title: str | None) -> Review:
    from attunement.analysis.deid import find

    people = journal.store.people()
    return Review(find(title or "", people), find(body, people))


def save(
    journal: Journal,
    body: str,
    *,
    title: str = "",
    prompt_id: str | None = None,
    tags: Sequence[str] = (),
    draft_id: str | None = None,
    choice: str | None = None,
) -> Entry | Review:
    """Save an entry, or return the Review when details were found and no choice made.

    With a draft, the draft becomes the entry in one transaction."""
    if choice is not None and choice not in CHOICES:
        raise InvalidInput("Choose to replace the details or to keep your words.", field="deid")
    found = review(journal, body, title)
    if found.found and choice is None:
        return found
    if choice == "redact":
        body, redacted = found.apply(body, title)
        title = redacted or ""
    if draft_id:
        journal.save_draft(body, draft_id=draft_id, title=title, tags=tags, prompt_id=prompt_id)
        return journal.publish_draft(draft_id)
    return journal.write(body, title=title, prompt_id=prompt_id, tags=list(tags))
