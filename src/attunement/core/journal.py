"""The journal's use cases. The CLI, the web app and the JSON API all call these.

A ``Journal`` wraps one ``Store`` (one person's data) and the framework. Methods take plain
values, check them, and return the dataclasses of ``attunement.core.models``; every
expected failure is an ``AttuneError`` with one sentence for the person.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attunement.core.dates import now_local
from attunement.core.meta import clean_meta
from attunement.core.models import (
    ALL_ENTRIES,
    MOMENTS,
    SCALES,
    CheckIn,
    CheckInFigures,
    Draft,
    Entry,
    EntryFilter,
    NewEntry,
    Revision,
    SearchHits,
)
from attunement.core.tags import collect_tags, inline_tags, normalise_tag
from attunement.core.validation import clean_body, clean_scale, clean_text, clean_title
from attunement.errors import Conflict, FormatError, InvalidInput
from attunement.paths import DATABASE_NAME, ensure_data_dir
from attunement.storage.reader import Reader
from attunement.storage.search import NAME_PLACEHOLDER

if TYPE_CHECKING:
    import random

    from attunement.framework import Deck, DeckSet, Prompt
    from attunement.storage.bulk import ImportResult
    from attunement.storage.store import Store

# attunement.framework.DEFAULT_DECK, named here so that reading entries needs no framework
# (tests/test_startup.py checks they agree).
DEFAULT_DECK = "art-of-attunement"

MAX_NOTE_CHARS = 5000
_NAMELIKE = re.compile(r"[^\W\d_]")  # a letter: the search may be for a name
STREAK_WINDOW_DAYS = 40  # the streak reads this many days back first (then 16 times more)


class NeedsPassphrase(InvalidInput):
    """The journal is encrypted and no passphrase was given."""

    code = "locked"


@dataclass(frozen=True)
class Today:
    date: date
    prompt: Prompt
    prompt_answered_today: bool
    streak: int
    wrote_today: bool
    last_checkin: CheckIn | None
    last_entry: Entry | None
    # The team server's deadlines that matter now, as the last sync brought them home
    # (storage/shared.py); empty when there is no team server.
    deadlines: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "deadlines": [d.to_dict() for d in self.deadlines],
            "prompt": self.prompt.to_dict(),
            "prompt_answered_today": self.prompt_answered_today,
            "streak": self.streak,
            "wrote_today": self.wrote_today,
            "last_checkin": self.last_checkin.to_dict() if self.last_checkin else None,
            "last_entry": _entry_summary(self.last_entry) if self.last_entry else None,
        }


def _entry_summary(entry: Entry) -> dict[str, Any]:
    data = entry.to_dict()
    data.pop("body")
    data["label"] = label_of(entry)
    return data


def label_of(entry: Entry | Draft | Revision, width: int = 60) -> str:
    """What to call an entry in a list: its title, else the start of its first line."""
    if entry.title:
        return entry.title
    first = next((line.strip() for line in entry.body.splitlines() if line.strip()), "")
    first = first.lstrip("#").strip()
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


def start_of_day(day: date, tzinfo: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tzinfo)


class Journal:
    """One person's journal. It opens for reading with the database driver alone
    (``reader``); the first write turns that into a ``Store`` (``store``), which imports
    SQLAlchemy, so commands that only read start fast."""

    def __init__(self, store: Reader, data_dir: Path | None = None) -> None:
        self._store = store
        self.data_dir = data_dir
        self._decks: DeckSet | None = None
        self._upgrade = threading.Lock()
        self.notices: list[str] = []  # what opening it finished or undid, to tell the person

    @property
    def reader(self) -> Reader:
        """What reads go through: the store if one is open, else the plain reader."""
        return self._store

    @property
    def store(self) -> Store:
        """The journal's store, for writing (and everything else)."""
        with self._upgrade:
            self._store = store = self._store.for_writing()
        return store

    @classmethod
    def open(cls, data_dir: Path, passphrase: str | None = None) -> Journal:
        """Open the journal in ``data_dir``; an encrypted one needs its passphrase, and
        every page of it must pass its HMAC (damage is reported, never read as words)."""
        from attunement.storage import health, vault

        notices = cls.prepare(data_dir)
        if not vault.is_encrypted(data_dir):
            journal = cls(Reader.open_sqlite(data_dir / DATABASE_NAME), data_dir)
        else:
            header = vault.read_header(data_dir)
            key = vault.derive_key(cls.require_passphrase(passphrase), header)
            path = data_dir / header.file
            vault.verify(path, key)
            health.require_intact_pages(path, key)
            journal = cls(Reader.open_sqlite(path, key=key), data_dir)
        journal.notices = notices
        return journal

    @staticmethod
    def prepare(data_dir: Path) -> list[str]:
        """Make the data folder ready to open: create it, and finish or undo what a crash
        interrupted (a conversion, a restore). Returns what a person should be told."""
        from attunement.storage import swap, vault

        ensure_data_dir(data_dir)
        notices = swap.recover(data_dir)
        vault.tidy(data_dir)
        return notices

    @staticmethod
    def require_passphrase(passphrase: str | None) -> str:
        if passphrase is None:
            raise NeedsPassphrase(
                "This journal is encrypted; give its passphrase (at the "
                "prompt, with --passphrase-file, or in ATTUNE_PASSPHRASE).",
                field="passphrase",
            )
        return passphrase

    @classmethod
    def create_encrypted(cls, data_dir: Path, passphrase: str) -> Journal:
        """A new journal that is encrypted from its first byte."""
        from attunement.storage import vault

        cls.prepare(data_dir)
        if vault.is_encrypted(data_dir) or (data_dir / DATABASE_NAME).exists():
            raise Conflict(
                f"There is already a journal in {data_dir}; use `attune encrypt` to encrypt it."
            )
        header, key = vault.keyed_header(vault.check_passphrase(passphrase))
        store = Reader.open_sqlite(data_dir / vault.ENCRYPTED_NAME, key=key)
        vault.write_header(data_dir, header)  # the journal exists from here on
        return cls(store, data_dir)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decks and prompts ----------------------------------------------------------

    @property
    def decks(self) -> DeckSet:
        if self._decks is None:
            from attunement.framework import DeckSet

            self._decks = DeckSet.from_sources(self.reader.list_decks())
        return self._decks

    def add_deck(self, path: Path, *, replace: bool = False) -> Deck:
        from attunement.framework import concepts, format_of, parse_deck

        fmt = format_of(path.name)
        text = read_text_file(path)
        deck = parse_deck(text, fmt, where=str(path), known_skills=concepts().subskill_ids)
        self.decks.check_new_deck(deck, replacing=replace)
        self.store.add_deck(deck.id, fmt, text, replace=replace)
        self._decks = None
        return deck

    def install_decks(self, decks: Iterable[tuple[str, str, str]]) -> None:
        """Add stored decks (id, format, source) carried by a backup, unless present."""
        decks = list(decks)
        if not decks:
            return
        present = {d.id for d in self.decks.decks}
        for deck_id, fmt, text in decks:
            if deck_id not in present:
                self.store.add_deck(deck_id, fmt, text)
                present.add(deck_id)
        self._decks = None

    def remove_deck(self, deck_id: str) -> None:
        self.store.remove_deck(deck_id)
        self._decks = None

    def check_prompt(self, prompt_id: str | None) -> str | None:
        if prompt_id is None or not prompt_id.strip():
            return None
        return self.decks.prompt(prompt_id).id

    def today(self, *, deck_id: str = DEFAULT_DECK, now: datetime | None = None) -> Today:
        now = now or now_local()
        today_start = start_of_day(now.date(), now.tzinfo)
        prompt = self._rotate(self.decks.deck(deck_id), before=today_start)
        answered = self.reader.prompt_history().get(prompt.id)
        streak, wrote_today = self.streak(now=now)
        checkins = self.reader.list_checkins(limit=1)
        latest = self.reader.list_entries(limit=1)
        return Today(
            date=now.date(),
            prompt=prompt,
            prompt_answered_today=bool(answered and answered.last >= today_start),
            streak=streak,
            wrote_today=wrote_today,
            last_checkin=checkins[0] if checkins else None,
            last_entry=latest[0] if latest else None,
            deadlines=tuple(self._told_deadlines()),
        )

    def _told_deadlines(self) -> list[Any]:
        from attunement.storage import shared

        last = shared.latest_sync(self.reader)
        return list(last.deadlines or []) if last else []

    def _rotate(self, deck: Deck, *, before: datetime | None) -> Prompt:
        """The first prompt never answered; else the one answered longest ago. Counting
        only entries before today keeps today's prompt steady after you answer it."""
        history = self.reader.prompt_history(before=before)
        for prompt in deck.prompts:
            if prompt.id not in history:
                return prompt
        return min(deck.prompts, key=lambda p: history[p.id].last)

    def next_prompt(self, *, deck_id: str = DEFAULT_DECK) -> Prompt:
        return self._rotate(self.decks.deck(deck_id), before=None)

    def random_prompt(
        self,
        *,
        deck_id: str = DEFAULT_DECK,
        rng: random.Random | None = None,
    ) -> Prompt:
        import random

        return (rng or random.Random()).choice(self.decks.deck(deck_id).prompts)

    def streak(self, *, now: datetime | None = None) -> tuple[int, bool]:
        """Consecutive days with writing, ending today (or yesterday, if today's entry is
        still to come), counted in the zone each entry was written in. The days are read
        from the last few weeks first, and further back only while the streak reaches the
        edge of what was read."""
        today = (now or now_local()).date()
        return self.reader.kept(f"streak {today}", lambda: self._streak(today))

    def _streak(self, today: date) -> tuple[int, bool]:
        window = STREAK_WINDOW_DAYS
        while True:
            since = datetime.combine(today - timedelta(days=window), time(), tzinfo=UTC)
            found, everything = self.reader.local_days_since(since)
            days = [d for d in map(date.fromisoformat, found) if d <= today]
            if not days or days[0] < today - timedelta(days=1):
                return 0, False
            streak, first = 1, days[0]
            for day in days[1:]:
                if day != first - timedelta(days=1):
                    break
                streak, first = streak + 1, day
            # Every entry written on a day after `since`'s date minus a day is in `found`
            # (zones are at most 14 hours from UTC): a streak that reaches back that far
            # may go on in what was not read.
            if everything or first > today - timedelta(days=window - 1):
                return streak, days[0] == today
            window *= 16

    # -- entries --------------------------------------------------------------------

    def new_entry(
        self,
        body: str,
        *,
        title: str | None = None,
        prompt_id: str | None = None,
        tags: Sequence[str] = (),
        starred: bool = False,
        created_at: datetime | None = None,
        meta: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> NewEntry:
        """Check what someone wrote and turn it into a NewEntry (nothing is saved yet).
        ``meta`` is where and in what weather it was recorded (``core.meta``), kept
        apart from the text; ``source`` is a key that makes saving it twice add nothing
        (an import's, or the form it was written in)."""
        body = clean_body(body)
        title = clean_title(title)
        return NewEntry(
            title=title,
            body=body,
            prompt_id=self.check_prompt(prompt_id),
            tags=tuple(sorted(collect_tags(tags, title, body))),
            starred=starred,
            created_at=created_at,
            meta=clean_meta(meta),
            source=source,
        )

    def write(self, body: str, **fields: Any) -> Entry:
        return self.store.add_entry(self.new_entry(body, **fields))

    def get(self, entry_id: str) -> Entry:
        return self.reader.get_entry(entry_id)

    def edit(
        self,
        entry_id: str,
        *,
        body: str | None = None,
        title: str | None = None,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        prompt_id: str | None = None,
        clear_prompt: bool = False,
        starred: bool | None = None,
        tags: Sequence[str] | None = None,
        base_revision: int | None = None,
    ) -> tuple[Entry, bool]:
        """Change an entry; the previous version is kept in its history. Inline tags
        follow the text; tags given explicitly stay until removed. ``tags`` (a form's Tags
        field) are the explicit tags from now on, whatever the text says. With
        ``base_revision``, the version the change was made from: if the entry was saved
        again since, ChangedMeanwhile is raised and nothing is overwritten."""
        old = self.reader.get_entry(entry_id)
        new_body = clean_body(body) if body is not None else old.body
        new_title = clean_title(title) if title is not None else old.title
        if tags is not None:
            explicit = {normalise_tag(t) for t in tags}
        else:
            explicit = set(old.tags) - set(inline_tags(old.title + "\n" + old.body))
        explicit |= {normalise_tag(t) for t in add_tags}
        explicit -= {normalise_tag(t) for t in remove_tags}
        kept = sorted(
            set(collect_tags(explicit, new_title, new_body))
            - ({normalise_tag(t) for t in remove_tags})
        )
        if clear_prompt:
            new_prompt = None
        elif prompt_id is not None:
            new_prompt = self.check_prompt(prompt_id)
        else:
            new_prompt = old.prompt_id
        return self.store.update_entry(
            old.id,
            title=new_title,
            body=new_body,
            tags=kept,
            prompt_id=new_prompt,
            starred=old.starred if starred is None else starred,
            base_revision=base_revision,
        )

    def history(self, entry_id: str) -> tuple[Entry, list[Revision]]:
        return self.reader.get_entry(entry_id), self.reader.revisions(entry_id)

    def delete(self, entry_id: str) -> Entry:
        return self.store.set_trashed(entry_id, True)

    def restore(self, entry_id: str) -> Entry:
        return self.store.set_trashed(entry_id, False)

    def trash(self) -> list[Entry]:
        return self.reader.list_entries(EntryFilter(in_trash=True))

    def purge_trash(self) -> int:
        return self.store.purge_trash()

    def list_entries(
        self,
        flt: EntryFilter = ALL_ENTRIES,
        *,
        limit: int | None = None,
        offset: int = 0,
        before: str | None = None,
    ) -> list[Entry]:
        if limit is not None and limit < 1:
            raise InvalidInput("The number of entries to show must be at least 1.", field="limit")
        return self.reader.list_entries(
            self.check_filter(flt), limit=limit, offset=offset, before=before
        )

    def search(
        self, query: str, flt: EntryFilter = ALL_ENTRIES, *, limit: int = 20, offset: int = 0
    ) -> SearchHits:
        """The entries matching ``query`` (see ``storage.search``), best first. When words
        found nothing, the hits carry a name placeholder the journal holds, if any: the
        name looked for may have been replaced by one on saving."""
        if limit < 1:
            raise InvalidInput("The number of results must be at least 1.", field="limit")
        hits = self.reader.search(query, self.check_filter(flt), limit=limit, offset=offset)
        if not hits and offset == 0 and _NAMELIKE.search(query):
            if not NAME_PLACEHOLDER.search(query):
                hits.placeholder = self.reader.placeholder_example()
        return hits

    def check_filter(self, flt: EntryFilter) -> EntryFilter:
        if flt.since and flt.until and flt.since > flt.until:
            raise InvalidInput("The start date is after the end date; swap them.", field="since")
        return EntryFilter(
            since=flt.since,
            until=flt.until,
            tags=tuple(normalise_tag(t) for t in flt.tags),
            prompt_id=self._answered_prompt(flt.prompt_id),
            starred=flt.starred,
            in_trash=flt.in_trash,
        )

    def _answered_prompt(self, prompt_id: str | None) -> str | None:
        """A prompt to filter by: one of the decks' prompts, or one that entries answered
        before its deck was removed (its answers stay findable); else the sentence naming
        the prompts there are."""
        if prompt_id is not None and self.decks.find_prompt(prompt_id) is None:
            answered = prompt_id.strip().lower()
            if answered in self.reader.prompt_history():
                return answered
        return self.check_prompt(prompt_id)

    # -- drafts ---------------------------------------------------------------------

    def save_draft(
        self,
        body: str,
        *,
        draft_id: str | None = None,
        title: str = "",
        tags: Sequence[str] = (),
        prompt_id: str | None = None,
        entry_id: str | None = None,
        form_token: str | None = None,
    ) -> Draft:
        """Keep unfinished writing. Drafts may be empty or incomplete; nothing is lost.
        ``form_token`` is the one-time key of the form being written in: once that form
        was saved as an entry, the same words are not kept again as a draft (Conflict),
        so a page left or gone back to after saving leaves no copy of it among the
        drafts."""
        from attunement.core.review import form_source, same_words

        body = clean_text(body, field="body", what="draft")
        title = clean_title(title)
        source = form_source(form_token)
        saved = self.reader.entry_from(source) if source else None
        if saved is not None and same_words(self, saved, body, title):
            raise Conflict(
                f"This was saved already, as the entry “{label_of(saved)}”, so it is not "
                "kept as a draft too. Saving the form again changes that entry; it makes "
                "no copy.",
                field="form_token",
            )
        if entry_id is not None:
            entry_id = self.reader.get_entry(entry_id).id
        return self.store.save_draft(
            draft_id,
            title=title,
            body=body,
            tags=[normalise_tag(t) for t in tags],
            prompt_id=self.check_prompt(prompt_id),
            entry_id=entry_id,
        )

    def drafts(self, limit: int | None = None) -> list[Draft]:
        """Unfinished drafts, the most recently changed first (at most ``limit``)."""
        return self.store.list_drafts(limit)

    def draft(self, draft_id: str) -> Draft:
        return self.store.get_draft(draft_id)

    def discard_draft(self, draft_id: str) -> None:
        self.store.delete_draft(draft_id)

    def publish_draft(self, draft_id: str, *, source: str | None = None, **overrides: Any) -> Entry:
        """Save a draft as an entry (or as the new version of the entry it edits) and
        drop the draft, so the words exist in exactly one place afterwards. ``source``
        is the key of the form it was written in (see ``new_entry``)."""
        draft = self.store.get_draft(draft_id)
        body = overrides.get("body", draft.body)
        title = overrides.get("title", draft.title)
        if draft.entry_id is not None:
            entry, _ = self.edit(draft.entry_id, body=body, title=title)
            self.store.delete_draft(draft.id)
            return entry
        new = self.new_entry(
            body,
            title=title,
            prompt_id=draft.prompt_id,
            tags=overrides.get("tags", draft.tags),
            source=source,
        )
        return self.store.commit_draft(draft.id, new)

    def recover_editor_files(self, temp_dir: Path) -> list[Draft]:
        """Editor files left behind by a crashed or killed ``attune write`` become drafts.
        Files of a process that is still running are left alone."""
        recovered = []
        for path in sorted(temp_dir.glob("edit-*.md")):
            pid = path.stem.split("-")[1] if path.stem.count("-") >= 2 else ""
            if pid.isdigit() and _process_alive(int(pid)):
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if text.strip():
                recovered.append(self.save_draft(text, title="Recovered from the editor"))
            path.unlink(missing_ok=True)
        return recovered

    def add_person(self, name: str) -> str:
        """Someone in the writer's care whose name de-identification always catches."""
        name = clean_text(name, field="name", what="name", max_chars=200, one_line=True).strip()
        if not name:
            raise InvalidInput("Give a name of 1 to 200 characters.", field="name")
        self.store.add_person(name)
        return name

    # -- check-ins ------------------------------------------------------------------

    def checkin(
        self,
        *,
        body: Iterable[str] = (),
        note: str = "",
        moment: str = "other",
        at: datetime | None = None,
        **scales: int | None,
    ) -> CheckIn:
        unknown = set(scales) - set(SCALES)
        if unknown:
            raise InvalidInput(
                f"Unknown check-in scale '{sorted(unknown)[0]}'; the scales are "
                f"{', '.join(SCALES)}.",
                field=sorted(unknown)[0],
            )
        values = {name: clean_scale(name, scales.get(name)) for name in SCALES}
        from attunement.framework import concepts

        regions = tuple(dict.fromkeys(concepts().body_region(r.strip().lower()).id for r in body))
        if moment not in MOMENTS:
            raise InvalidInput(
                f"The moment must be one of {', '.join(MOMENTS)}, not '{moment}'.", field="moment"
            )
        note = clean_text(note or "", field="note", what="note").strip()
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidInput(
                f"The note is longer than {MAX_NOTE_CHARS} characters; shorten it "
                "or write a journal entry instead.",
                field="note",
            )
        if all(v is None for v in values.values()) and not regions and not note:
            raise InvalidInput(
                "The check-in is empty; give at least one scale, a body region or a note.",
                field="ease",
            )
        checkin = CheckIn(
            id="", at=at or now_local(), body=regions, note=note, moment=moment, **values
        )
        return self.reader.get_checkin(self.store.add_checkins([checkin]).added[0])

    def checkins(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[CheckIn]:
        return self.reader.list_checkins(since=since, until=until, limit=limit)

    def checkin_figures(self, since: datetime, until: datetime) -> CheckInFigures:
        return self.reader.checkin_figures(since, until)

    # -- import ---------------------------------------------------------------------

    def add_many(
        self, entries: Iterable[NewEntry], *, progress: Callable[[int], None] | None = None
    ) -> ImportResult:
        """Add entries (an import) in one transaction: all of them, durably, or none."""
        return self.reader.add_entries(entries, progress=progress)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_text_file(path: Path) -> str:
    """Read a UTF-8 file, naming the file and line of any problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"There is no file {path}; check the path.", field="path") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{path} is a folder; give the path of a file.", field="path") from exc
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path} ({exc.strerror}).", field="path") from exc
    return decode_utf8(data, str(path))


def decode_utf8(data: bytes, where: str) -> str:
    """A file's text: UTF-8 (its byte-order mark dropped), or UTF-16 with a byte-order mark
    as some Windows tools save it; anything else is refused naming the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                "is not valid UTF-16 text; save it as UTF-8 and try again", path=where, line=1
            ) from exc
    if (nul := data.find(b"\x00")) >= 0:  # no text file holds one: a binary file
        raise FormatError(
            "is not valid UTF-8 text: it holds a NUL byte, as binary files do; give a UTF-8 "
            "text file",
            path=where,
            line=data[:nul].count(b"\n") + 1,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            "is not valid UTF-8 text; save it as UTF-8 and try again", path=where, line=line
        ) from exc
