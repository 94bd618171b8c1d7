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
    from attunement.core.review import Resent, Review
    from attunement.errors import ChangedMeanwhile
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
    resent: Resent | None = None  # the form had been saved already: no second entry
    form_token: str = ""  # the form's one-time key (core.review.new_form_token)
    gone_prompt: str = ""  # a prompt asked for that no deck holds now (its deck removed)

    @property
    def status(self) -> int:
        return self.error.http_status if self.error else 200

    @property
    def outcome(self) -> str:
        """What the entry page says after saving: "1" for a new entry; for a form sent
        again, "again" (nothing added) or "again-changed" (a new version)."""
        if self.resent is not None:
            return "again-changed" if self.resent.changed else "again"
        return "1"


def write_page(journal: Journal, *, prompt: str = "", draft: str = "") -> WritePage:
    """The empty form, or a draft to go on with (its prompt unless another is asked)."""
    from attunement.core.review import new_form_token

    current = journal.draft(draft) if draft else None
    chosen: Prompt | None
    if prompt:  # a link to a prompt whose deck was removed opens the form without it
        chosen = journal.decks.find_prompt(prompt)
    else:  # the draft's own prompt, unless its deck was removed since
        chosen = journal.decks.find_prompt(current.prompt_id) if current else None
    return WritePage(
        decks=journal.decks.decks,
        chosen=chosen,
        draft=current,
        drafts=[d for d in journal.drafts() if not current or d.id != current.id],
        form_token=new_form_token(),
        gone_prompt=prompt if prompt and chosen is None else "",
    )


def discard_draft(journal: Journal, draft_id: str) -> str:
    """Throw a draft away for good (drafts never go to the trash) and say which one, in
    the sentence the page shows afterwards; one gone already (discarded in another tab,
    or saved as an entry) is said so, not refused."""
    from attunement.core.journal import label_of
    from attunement.errors import NotFound

    try:
        draft = journal.draft(draft_id)
        journal.discard_draft(draft.id)
    except NotFound:
        return "That draft is gone already: it was discarded, or saved as an entry."
    label = label_of(draft)
    which = f"the draft “{label}”" if label else "an empty draft"
    return f"Discarded {which}. It is gone for good; drafts do not go to the trash."


def save_written(
    journal: Journal,
    body: str,
    *,
    title: str = "",
    prompt_id: str = "",
    tags: str = "",
    draft_id: str = "",
    choice: str = "",
    form_token: str = "",
) -> WritePage:
    """Save what the form sent (tags apart by commas or spaces): the page has ``saved``
    (and ``resent`` when this form had been saved before: no second entry is made), or
    the found details to choose about, or the sentence saying what was wrong (the form
    shown again as sent, with the same one-time key)."""
    from attunement.core import review
    from attunement.errors import ChangedMeanwhile, NotFound

    try:
        draft = journal.draft(draft_id) if draft_id else None
    except NotFound:  # saved already (Back, then Save again) or thrown away elsewhere
        draft = None
    page = WritePage(
        decks=journal.decks.decks,
        chosen=journal.decks.find_prompt(prompt_id),
        draft=draft,
        drafts=[],
        form={"body": body, "title": title, "tags": tags},
        form_token=form_token or review.new_form_token(),
    )
    try:
        saved = review.save(
            journal,
            body,
            title=title,
            prompt_id=prompt_id or None,
            tags=split_tags(tags),
            draft_id=draft_id or None,
            choice=choice or None,
            form_token=form_token or None,
        )
    except ChangedMeanwhile as exc:
        return _with(page, error=_changed_since_saved(exc))
    except AttuneError as exc:
        return _with(page, error=exc)
    if isinstance(saved, review.Review):
        return _with(page, review=saved)
    if isinstance(saved, review.Resent):
        return _with(page, saved=saved.entry, resent=saved)
    return _with(page, saved=saved)


def split_tags(tags: str) -> list[str]:
    """A Tags field's tags, apart by spaces or commas."""
    return [t for t in tags.replace(",", " ").split() if t]


def _changed_since_saved(exc: ChangedMeanwhile) -> AttuneError:
    from attunement.core.journal import label_of
    from attunement.errors import ChangedMeanwhile

    earlier = typing.cast(Entry, exc.current)
    return ChangedMeanwhile(
        f"This form was saved already, as “{label_of(earlier)}”, and that entry has "
        "been edited since, so nothing was overwritten and no copy was made. Your words "
        "are still below: copy what you need, then open the entry and edit it.",
        current=earlier,
    )


@dataclass(frozen=True)
class EditPage:
    """The Edit page: the entry, the form as sent, and what happened on saving."""

    entry: Entry  # as it is now
    form: dict[str, str]  # title, body, tags and the version the form was made from
    review: Review | None = None  # details found; nothing saved until the writer chooses
    error: AttuneError | None = None  # why nothing was saved
    conflict: Entry | None = None  # saved elsewhere after the form was opened: theirs
    saved: Entry | None = None
    changed: bool = False  # whether saving made a new version

    @property
    def status(self) -> int:
        return self.error.http_status if self.error else 200


def _form_of(entry: Entry) -> dict[str, str]:
    return {
        "title": entry.title,
        "body": entry.body,
        "tags": " ".join(entry.tags),
        "revision": str(entry.revision),
    }


def edit_page(journal: Journal, entry_id: str) -> EditPage:
    """The Edit form for ``entry_id``: its words, all its tags in the Tags field (so a
    tag stays until the person removes it there), and the version it shows."""
    entry = journal.get(entry_id)
    return EditPage(entry=entry, form=_form_of(entry))


def save_edited(
    journal: Journal,
    entry_id: str,
    body: str,
    *,
    title: str = "",
    tags: str = "",
    revision: str = "",
    choice: str = "",
) -> EditPage:
    """Save the Edit form as the entry's next version, after the same look for
    identifying details as Write. ``revision`` is the version the form was opened on:
    if the entry was saved again since (another tab or window), nothing is overwritten
    and the page shows both texts. NotFound when there is no such entry."""
    from attunement.core import review
    from attunement.errors import ChangedMeanwhile

    entry = journal.get(entry_id)
    sent = {"title": title, "body": body, "tags": tags, "revision": revision}
    page = EditPage(entry=entry, form=sent)
    try:
        saved = review.save_edit(
            journal,
            entry.id,
            body,
            title=title,
            tags=split_tags(tags),
            base_revision=int(revision) if revision.isdigit() else None,
            choice=choice or None,
        )
    except ChangedMeanwhile as exc:
        current = typing.cast(Entry, exc.current)
        return _with(
            page,
            entry=current,
            conflict=current,
            error=exc,
            form={**sent, "revision": str(current.revision)},  # saving again is deliberate
        )
    except AttuneError as exc:
        return _with(page, error=exc)
    if isinstance(saved, review.Review):
        return _with(page, review=saved)
    return _with(page, saved=saved[0], changed=saved[1])


Page = typing.TypeVar("Page", WritePage, EditPage)


def _with(page: Page, **changes: Any) -> Page:
    from dataclasses import replace

    return replace(page, **changes)
