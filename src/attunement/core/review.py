"""Saving an entry after a look for identifying details: the step every way of writing
shares. Details found in the title or the text are named first; the writer then chooses
placeholders ("redact") or their own words ("keep"). The web app asks on the page, the CLI
asks at the terminal or takes --redact."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.errors import Conflict, InvalidInput, NotFound

CHOICES = ("redact", "keep")
_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_form_token() -> str:
    """A one-time key for a writing form: the entry it saves is kept under it, so the
    same form sent twice (Back, then Save again) makes no second entry."""
    return secrets.token_urlsafe(12)


def form_source(token: str | None) -> str | None:
    """The provenance key of an entry written in the form ``token`` names (None if no
    token was sent)."""
    if not token:
        return None
    if not _FORM_TOKEN.match(token):
        raise InvalidInput(
            "This form was not recognised; reload the page, then save again.",
            field="form_token",
        )
    return f"form:{token}"


@dataclass(frozen=True)
class Resent:
    """A form sent again after it was saved: the entry it made, and whether the words
    sent this time changed it (a new version, the earlier one in its history) or were the
    same (nothing was added)."""

    entry: Entry
    changed: bool


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
    in_title, in_body = find(title or "", people), find(body, people)
    # A name found in the text is hidden in the title too, and the other way round.
    if any(f.type in ("name", "place") for f in in_body):
        in_title = find(title or "", people, in_body)
    if any(f.type in ("name", "place") for f in in_title):
        in_body = find(body, people, in_title)
    return Review(in_title, in_body)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def same_words(journal: Journal, saved: Entry, body: str, title: str | None) -> bool:
    """Whether ``body`` and ``title`` are the words ``saved`` holds: as written, or with
    the identifying details replaced, as the writer may have chosen when saving (line
    ends aside: a form sends CRLF, a script LF)."""
    wanted = (_lines(saved.body), saved.title)
    if (_lines(body), title or "") == wanted:
        return True
    found = review(journal, body, title)
    if not found.found:
        return False
    redacted, redacted_title = found.apply(body, title)
    return (_lines(redacted), redacted_title or "") == wanted


def _checked(
    journal: Journal,
    body: str,
    title: str,
    choice: str | None,
    *,
    tags: Sequence[str],
    prompt_id: str | None = None,
) -> tuple[str, str] | Review:
    """The words to save (details replaced if the writer chose so), or the Review.

    What the save would refuse (an empty text, a title or a tag too long, a prompt no
    deck holds) is refused first, by the save's own checks (``Journal.new_entry``), so
    the writer is never asked about the details of words that cannot be saved as sent."""
    if choice is not None and choice not in CHOICES:
        raise InvalidInput("Choose to replace the details or to keep your words.", field="deid")
    journal.new_entry(body, title=title, prompt_id=prompt_id, tags=tags)
    found = review(journal, body, title)
    if found.found and choice is None:
        return found
    if choice == "redact":
        body, redacted = found.apply(body, title)
        title = redacted or ""
    return body, title


def save(
    journal: Journal,
    body: str,
    *,
    title: str = "",
    prompt_id: str | None = None,
    tags: Sequence[str] = (),
    draft_id: str | None = None,
    choice: str | None = None,
    form_token: str | None = None,
) -> Entry | Review | Resent:
    """Save an entry, or return the Review when details were found and no choice made.

    With a draft, the draft becomes the entry in one transaction. With ``form_token``
    (the writing form's one-time key), a form already saved makes no second entry: the
    words sent again are the entry's (Resent, nothing added) or its next version."""
    source = form_source(form_token)
    checked = _checked(journal, body, title, choice, tags=tags, prompt_id=prompt_id)
    if isinstance(checked, Review):
        return checked
    body, title = checked
    if source is not None and (earlier := journal.reader.entry_from(source)) is not None:
        return _resent(journal, earlier, body, title, prompt_id, tags, draft_id)
    try:
        if draft_id:
            journal.save_draft(body, draft_id=draft_id, title=title, tags=tags, prompt_id=prompt_id)
            return journal.publish_draft(draft_id, source=source)
        return journal.write(body, title=title, prompt_id=prompt_id, tags=list(tags), source=source)
    except (Conflict, NotFound):
        # Sent twice at once (a double click): the other request saved it, and took the
        # draft with it.
        if source is not None and (earlier := journal.reader.entry_from(source)) is not None:
            return _resent(journal, earlier, body, title, prompt_id, tags, None)
        raise


def _resent(
    journal: Journal,
    earlier: Entry,
    body: str,
    title: str,
    prompt_id: str | None,
    tags: Sequence[str],
    draft_id: str | None,
) -> Resent:
    """The form that made ``earlier`` sent again: its words become the entry's next
    version unless they are the same; if the entry was changed since it was made (the
    form made version 1), ChangedMeanwhile: nothing is overwritten. A draft the page
    kept after saving is dropped once its words are in the entry."""
    if _lines(body) == _lines(earlier.body) and title == earlier.title:
        body = earlier.body  # the same words, whatever line ends this browser sent
    entry, changed = journal.edit(
        earlier.id,
        body=body,
        title=title,
        tags=tags,
        prompt_id=prompt_id,
        clear_prompt=not prompt_id,
        base_revision=1,
    )
    if draft_id:
        try:
            journal.discard_draft(draft_id)
        except NotFound:
            pass
    return Resent(entry, changed)


def save_edit(
    journal: Journal,
    entry_id: str,
    body: str,
    *,
    title: str = "",
    tags: Sequence[str] = (),
    base_revision: int | None = None,
    choice: str | None = None,
) -> tuple[Entry, bool] | Review:
    """Save an edit as the entry's next version after the same look for identifying
    details as a new entry, or return the Review when details were found and no choice
    made. ``tags`` are the form's Tags field (inline #tags count too); with
    ``base_revision``, the version the edit began from, ChangedMeanwhile is raised if
    the entry was saved again since (nothing is overwritten)."""
    checked = _checked(journal, body, title, choice, tags=tags)
    if isinstance(checked, Review):
        return checked
    body, title = checked
    return journal.edit(entry_id, body=body, title=title, tags=tags, base_revision=base_revision)
