"""Moving a journal in and out: Attunement's JSON and Markdown exports, and importers for
Attunement JSON, jrnl (plain text and JSON) and Day One (JSON or its .zip export).

Importers only parse: each returns a ``Parsed`` bundle without touching the journal, and
``--dry-run`` is the same code path minus the final write. A parser may hand over its
entries as a ``stream`` that reads the file as the store takes them (a long jrnl file);
the store adds an import in one transaction, so a malformed file is still refused whole,
naming the file and line, with nothing stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import MAX_TITLE_CHARS, CheckIn, Draft, NewEntry
from attunement.errors import FormatError, InvalidInput


@dataclass
class Parsed:
    entries: list[NewEntry] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    decks: list[tuple[str, str, str]] = field(default_factory=list)
    # Attunement's own export only: transcripts and practice responses, as the store
    # keeps them (Store.add_transcripts, Store.add_attempts).
    transcripts: list[dict[str, Any]] = field(default_factory=list)
    practice: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[str] = field(default_factory=list)
    # Entries read as they are consumed, instead of ``entries``; ``refused`` and ``notes``
    # fill in as it is read. ``size`` and ``position`` (bytes) let a progress bar follow.
    stream: Iterator[NewEntry] | None = None
    size: int | None = None
    position: Callable[[], int] | None = None

    def all_entries(self) -> Iterable[NewEntry]:
        return self.stream if self.stream is not None else self.entries

    def progress(self, stored: int) -> tuple[int, int]:
        """(done, total) for a progress bar after ``stored`` entries: bytes read of a
        streamed file, else entries."""
        if self.position is not None and self.size is not None:
            return self.position(), self.size
        return stored, len(self.entries)


def fit_title(title: str, body: str) -> tuple[str, str]:
    """A title Attunement can hold. Other journals have no limit on titles (jrnl's own test
    journal has titles of 608 and 1,102 characters): one that is too long, or that spans
    lines, moves whole to the start of the body, so no word is lost."""
    title = title.strip()
    if len(title) <= MAX_TITLE_CHARS and "\n" not in title and "\r" not in title:
        return title, body
    return "", f"{title}\n\n{body}" if body.strip() else title


@dataclass
class ImportReport:
    source: str
    fmt: str
    dry_run: bool
    added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    redated: int = 0  # entries an earlier import dated the other way round, moved
    refused: list[tuple[str, str]] = field(default_factory=list)
    checkins_added: int = 0
    checkins_skipped: int = 0
    transcripts_added: int = 0
    transcripts_skipped: int = 0
    practice_added: int = 0
    practice_skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.fmt,
            "dry_run": self.dry_run,
            "added": self.added,
            "redated": self.redated,
            "skipped": [{"item": w, "reason": r} for w, r in self.skipped],
            "refused": [{"item": w, "reason": r} for w, r in self.refused],
            "checkins_added": self.checkins_added,
            "checkins_skipped": self.checkins_skipped,
            "transcripts_added": self.transcripts_added,
            "transcripts_skipped": self.transcripts_skipped,
            "practice_added": self.practice_added,
            "practice_skipped": self.practice_skipped,
            "notes": self.notes,
        }


IMPORT_FORMATS = ("attune-json", "jrnl", "jrnl-json", "dayone")


def _parser(fmt: str, day_first: bool | None = None) -> Callable[[Path, Journal], Parsed]:
    """The reader of one import format; only its module is loaded (an import is timed
    against other journals' own, start-up included)."""
    if fmt == "attune-json":
        from attunement.interop import attune_json

        return attune_json.parse_file
    if fmt == "dayone":
        from attunement.interop import dayone

        return dayone.parse_file
    from attunement.interop import jrnl

    return (
        jrnl.parse_json_file
        if fmt == "jrnl-json"
        else partial(jrnl.parse_text_file, day_first=day_first)
    )


def import_file(
    journal: Journal,
    path: Path,
    fmt: str,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    day_first: bool | None = None,
) -> ImportReport:
    """Import a file; ``progress(done, total)`` is called as entries are stored.
    ``day_first`` says whether a jrnl journal's numeric dates put the day first (None:
    decided from the file)."""
    if fmt not in IMPORT_FORMATS:
        raise InvalidInput(
            f"Unknown import format '{fmt}'; use one of {', '.join(IMPORT_FORMATS)}.",
            field="from",
        )
    with _named_format(path, fmt):
        parsed = _parser(fmt, day_first)(path, journal)
    _refuse_if_another_format(path, fmt, parsed)
    report = ImportReport(source=str(path), fmt=fmt, dry_run=dry_run)
    if dry_run:
        with _named_format(path, fmt):
            _preview(journal, parsed, report)
        report.refused, report.notes = list(parsed.refused), list(parsed.notes)
        _note_redated(report, report.redated)
        return report
    journal.install_decks(parsed.decks)
    stored = 0

    def advance(count: int) -> None:
        nonlocal stored
        stored += count
        if progress is not None:
            progress(*parsed.progress(stored))

    with _named_format(path, fmt):  # a streamed file is read as it is stored
        result = journal.add_many(parsed.all_entries(), progress=advance)
    report.refused, report.notes = list(parsed.refused), list(parsed.notes)
    from attunement.audit import record

    record(journal.data_dir, "import", format=fmt, added=len(result.added))
    report.added = len(result.added)
    report.skipped = result.skipped
    _note_redated(report, len(result.redated))
    if parsed.checkins:
        checkins = journal.store.add_checkins(parsed.checkins)
        report.checkins_added = len(checkins.added)
        report.checkins_skipped = len(checkins.skipped)
    if parsed.drafts:
        journal.store.add_drafts(parsed.drafts)
    if parsed.transcripts:  # after the entries, so their links find them
        transcripts = journal.store.add_transcripts(parsed.transcripts)
        report.transcripts_added = len(transcripts.added)
        report.transcripts_skipped = len(transcripts.skipped)
    if parsed.practice:  # after the check-ins, likewise
        practice = journal.store.add_attempts(parsed.practice)
        report.practice_added = len(practice.added)
        report.practice_skipped = len(practice.skipped)
    return report


_FORMAT_NAMES = {  # each with its article, as a hint says it
    "attune-json": "an Attunement JSON export",
    "jrnl": "a jrnl journal",
    "jrnl-json": "a jrnl JSON export",
    "dayone": "a Day One export",
}
# jrnl's JSON export opens with its "tags" count, and its entries have a "date" and a
# "time"; an entry jrnl took from Day One keeps its "uuid", so that alone does not make
# a file Day One's, whose entries have a "creationDate".
_JRNL_JSON = re.compile(rb'^\{\s*"tags"\s*:')


def looks_like(path: Path) -> str | None:
    """The import format a file's first bytes suggest, or None: a zip is Day One's export;
    JSON is ours, jrnl's (opening on "tags", or entries with a "date" and a "time") or
    Day One's (entries with a "creationDate" or a "uuid"); a first line opening on a
    bracketed date is jrnl's journal."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        return "dayone"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        if b'"attunement-journal"' in text:
            return "attune-json"
        if b'"creationDate"' in text:
            return "dayone"
        if _JRNL_JSON.match(text) or (b'"date"' in text and b'"time"' in text):
            return "jrnl-json"
        if b'"uuid"' in text:
            return "dayone"
        if b'"entries"' in text:
            return "jrnl-json"
        return None
    return "jrnl" if re.match(rb"\[\d{4}-\d{2}-\d{2}", text) else None


@contextmanager
def _named_format(path: Path, fmt: str) -> Iterator[None]:
    """A file refused as malformed that looks like another format says which to use."""
    try:
        yield
    except FormatError as exc:
        guess = looks_like(path)
        if guess is None or guess == fmt:
            raise
        raise FormatError(
            f"{_AGAIN.sub('', exc.message)}; {_another_kind(guess)}", field="from"
        ) from exc


# The advice for a damaged export, which is wrong for a whole file of another kind (a
# file cut short may be both).
_AGAIN = re.compile(r"(?<!cut short); export it again(?: as JSON)?$")


def _another_kind(fmt: str) -> str:
    """What to do instead: the command line's option in brackets, which a page says as
    its own control (``web.words.for_browser``)."""
    return (
        f"it looks like {_FORMAT_NAMES[fmt]}: import it as that kind of file "
        f"(`--from {fmt}` at the command line)"
    )


def _refuse_if_another_format(path: Path, fmt: str, parsed: Parsed) -> None:
    """A file none of whose entries could be read, that looks like another format, is
    refused whole naming that format (a jrnl export given as Day One's would otherwise
    have each entry refused for lacking Day One's date)."""
    if parsed.stream is not None or parsed.entries or not parsed.refused:
        return
    guess = looks_like(path)
    if guess is None or guess == fmt:
        return
    raise FormatError(
        f"{_AGAIN.sub('', parsed.refused[0][1])}; {_another_kind(guess)}",
        path=str(path),
        field="from",
    )


def _note_redated(report: ImportReport, count: int) -> None:
    report.redated = count
    if count:
        verb = "would be moved" if report.dry_run else "were moved"
        report.notes.append(
            f"{count} {'entry' if count == 1 else 'entries'} imported before with day and "
            f"month the other way round {verb} to the dates read now (nothing added twice)"
        )


def _preview(journal: Journal, parsed: Parsed, report: ImportReport) -> None:
    """What an import would do, computed without writing anything."""
    entries = list(parsed.all_entries())
    ids, sources, checkin_ids = journal.store.known(
        [n.id for n in entries if n.id],
        [k for n in entries for k in (n.source, n.earlier_source) if k],
        [c.id for c in parsed.checkins],
    )
    redated = 0
    for new in entries:
        label = new.id or new.source or new.title[:40]
        if new.id and new.id in ids:
            report.skipped.append((label, "an entry with this id is already here"))
        elif new.source and new.source in sources:
            report.skipped.append((label, "already imported"))
        elif new.earlier_source and new.earlier_source in sources and not new.move_earlier:
            report.skipped.append(
                (label, "already imported, with day and month the other way round")
            )
        elif new.source and new.earlier_source and new.earlier_source in sources:
            redated += 1
            sources.discard(new.earlier_source)
            sources.add(new.source)
        else:
            report.added += 1
            ids.update([new.id] if new.id else [])
            sources.update([new.source] if new.source else [])
    report.redated = redated
    for checkin in parsed.checkins:
        if checkin.id in checkin_ids:
            report.checkins_skipped += 1
        else:
            report.checkins_added += 1
    if parsed.transcripts or parsed.practice:
        transcript_ids, attempt_ids = journal.store.known_transcripts_and_practice(
            [t["id"] for t in parsed.transcripts], [a["id"] for a in parsed.practice]
        )
        report.transcripts_added, report.transcripts_skipped = _new_and_known(
            parsed.transcripts, transcript_ids
        )
        report.practice_added, report.practice_skipped = _new_and_known(
            parsed.practice, attempt_ids
        )


def _new_and_known(items: list[dict[str, Any]], known: set[str]) -> tuple[int, int]:
    """How many of ``items`` an import would add and how many it would skip as already
    here (``known``), an id given twice in the file counted once."""
    added = skipped = 0
    for item in items:
        if item["id"] in known:
            skipped += 1
        else:
            added += 1
            known.add(item["id"])
    return added, skipped


EXPORTS = {
    "json": ("application/json", "attunement-export.json"),
    "markdown": ("application/zip", "attunement-markdown.zip"),
}


def export_bytes(journal: Journal, fmt: str) -> tuple[bytes, str, str]:
    """The whole journal as one file to hand over: (content, media type, file name). The
    JSON file is the complete backup; the Markdown zip holds one file per entry. The
    export is noted in the audit log (what kind and how many entries, never a word)."""
    import io
    import tempfile

    from attunement.audit import record
    from attunement.interop import attune_json, markdown
    from attunement.paths import private_temp_dir

    if fmt not in EXPORTS:
        raise InvalidInput(f"Export as {' or '.join(EXPORTS)}, not {fmt!r}.", field="format")
    media, name = EXPORTS[fmt]
    if fmt == "markdown":
        parent = private_temp_dir(journal.data_dir) if journal.data_dir else None
        with tempfile.TemporaryDirectory(dir=parent) as tmp:
            target = Path(tmp) / name
            count = markdown.write(journal, target)
            data = target.read_bytes()
    else:
        buffer = io.StringIO()
        count = attune_json.write(journal, buffer)
        data = buffer.getvalue().encode("utf-8")
    record(journal.data_dir, "export", format=fmt, entries=count)
    return data, media, name
