"""The Today and Write pages as services: what each shows, and saving from the form (the
look for identifying details first, in ``core.review``), so a route only renders."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attunement.core.journal import Journal, Today
from attunement.core.models import Draft, Entry
from attunement.errors import AttuneError

if typing.TYPE_CHECKING:
    from attunement.core.review import Review
    from attunement.framework import Deck, Prompt


@dataclass(frozen=True)
class TodayPage:
    today: Today  # today's prompt, streak, last check-in and entry
    drafts: list[Draft]  # the three most recent unfinished drafts


def today_page(journal: Journal) -> TodayPage:
    return TodayPage(journal.today(), journal.drafts(limit=3))


@dataclass(frozen=True)
class WritePage:
    decks: Sequence[Deck]
    chosen: Prompt | None  # the prompt being answered
    draft: Draft | None  # the draft being continued
    drafts: list[Draft]  # the other drafts to go back to
    form: dict[str, str] | None = None  # what was sent, to show again
    review: Review | None = None  # details found; nothing saved until the writer chooses
    error: AttuneError | None = None  # why nothing was saved
    saved: Entry | None = None

    @property
    def status(self) -> int:
        return self.error.http_status if self.error else 200


def write_page(journal: Journal, *, prompt: str = "", draft: str = "") -> WritePage:
    """The empty form, or a draft to go on with (its prompt unless another is asked)."""
    current = journal.draft(draft) if draft else None
    prompt_id = prompt or (current.prompt_id if current else None)
    return WritePage(
        decks=journal.decks.decks,
        chosen=journal.decks.prompt(prompt_id) if prompt_id else None,
        draft=current,
        drafts=[d for d in journal.drafts() if not current or d.id != current.id],
    )


def save_written(
    journal: Journal,
    body: str,
    *,
    title: str = "",
    prompt_id: str = "",
    tags: str = "",
    draft_id: str = "",
    choice: str = "",
) -> WritePage:
    """Save what the form sent (tags apart by commas or spaces): the page has ``saved``,
    or the found details to choose about, or the sentence saying what was wrong (the form
    shown again as sent)."""
    from attunement.core import review

    page = WritePage(
        decks=journal.decks.decks,
        chosen=journal.decks.find_prompt(prompt_id),
        draft=journal.draft(draft_id) if draft_id else None,
        drafts=[],
        form={"body": body, "title": title, "tags": tags},
    )
    try:
        saved = review.save(
            journal,
            body,
            title=title,
            prompt_id=prompt_id or None,
            tags=[t for t in tags.replace(",", " ").split() if t],
            draft_id=draft_id or None,
            choice=choice or None,
        )
    except AttuneError as exc:
        return _with(page, error=exc)
    if isinstance(saved, review.Review):
        return _with(page, review=saved)
    return _with(page, saved=saved)


def _with(page: WritePage, **changes: Any) -> WritePage:
    from dataclasses import replace

    return replace(page, **changes)
