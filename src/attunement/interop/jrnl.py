"""Importing jrnl journals: its plain-text file and its ``--format json`` export.

Plain text: each entry starts on a line ``[YYYY-MM-DD HH:MM] Title``; a title ending in
``*`` marks a starred entry; the body is every line until the next entry. Times carry no
zone, so they are read in this machine's local zone, as jrnl itself does. Tags written
``@tag`` or ``#tag`` are picked up from the text like any Attunement entry's.
Each entry's source key is a hash of its date, title and body, so importing the same
journal twice adds nothing.

A plain-text journal file is read line by line as its entries are stored (memory stays
flat however long the journal); a bad line found late is still refused whole, because
the store keeps the whole import in one transaction and rolls it back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal, read_text_file
from attunement.core.models import NewEntry
from attunement.core.tags import normalise_tag
from attunement.errors import AttuneError, FormatError, InvalidInput
from attunement.interop import Parsed

HEADER = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)\] ?(.*)$")


def _source_key(moment: datetime, title: str, body: str) -> str:
    digest = hashlib.sha256(f"{moment.isoformat()}\x00{title}\x00{body}".encode()).hexdigest()
    return "jrnl:" + digest[:40]


def _parse_time(text: str, where: str, line: int) -> datetime:
    # HEADER admits only YYYY-MM-DD HH:MM[:SS], which fromisoformat reads exactly as
    # strptime would (and several times faster: this runs once per entry).
    try:
        return datetime.fromisoformat(text).astimezone()
    except ValueError:
        pass
    raise FormatError(
        f"the date [{text}] is not a real date and time (YYYY-MM-DD HH:MM)", path=where, line=line
    )


def _entry(
    parsed: Parsed,
    journal: Journal,
    moment: datetime,
    title: str,
    body: str,
    starred: bool,
    tags: list[str],
    label: str,
) -> NewEntry | None:
    """The entry to store, or None (and the reason noted in ``parsed``) if it is refused."""
    text = body if body.strip() else title
    try:
        new = journal.new_entry(
            text, title=title if body.strip() else "", tags=tags, starred=starred, created_at=moment
        )
    except AttuneError as exc:
        parsed.refused.append((label, exc.message))
        return None
    new.source = _source_key(moment, title, body)
    return new


def _add(parsed: Parsed, journal: Journal, *fields: Any) -> None:
    new = _entry(parsed, journal, *fields)
    if new is not None:
        parsed.entries.append(new)


def _entries(
    blocks: Iterable[list[str]], journal: Journal, where: str, parsed: Parsed
) -> Iterator[NewEntry]:
    """Entries from the file's lines (given in blocks), one at a time: an entry is
    complete when the next header (or the end) is reached."""
    current: tuple[int, re.Match[str], list[str]] | None = None
    text_before: int | None = None  # the first line of text before any entry

    def finish(number: int, match: re.Match[str], body_lines: list[str]) -> NewEntry | None:
        moment = _parse_time(match.group(1), where, number)
        title = match.group(2).rstrip()
        starred = title.endswith("*")
        if starred:
            title = title[:-1].rstrip()
        body = "\n".join(body_lines).strip("\n").rstrip()
        label = f"line {number} ({match.group(1)})"
        return _entry(parsed, journal, moment, title, body, starred, [], label)

    number = 0
    for block in blocks:
        for line in block:
            number += 1
            match = HEADER.match(line) if line.startswith("[") else None
            if match is None:
                if current is not None:
                    current[2].append(line)
                elif text_before is None and line.strip():
                    text_before = number
                continue
            if text_before is not None:
                raise FormatError(
                    "has text before the first entry; a jrnl journal starts with a "
                    "line like [2024-05-01 09:30] Title",
                    path=where,
                    line=text_before,
                )
            if current is not None and (new := finish(*current)) is not None:
                yield new
            current = (number, match, [])
    if current is None:
        raise FormatError(
            "does not look like a jrnl journal: no line starts with a date "
            "such as [2024-05-01 09:30]",
            path=where,
            line=1,
        )
    if (new := finish(*current)) is not None:
        yield new


def parse_text(text: str, journal: Journal, where: str) -> Parsed:
    """A whole journal given as text: parsed at once, so a bad line raises here."""
    parsed = Parsed()
    parsed.entries = list(_entries([text.splitlines()], journal, where, parsed))
    return parsed


class _LineReader:
    """The lines of a UTF-8 file, in blocks of about ``BLOCK`` characters, split as
    ``str.splitlines`` splits the whole text; it counts the bytes read so far (for a
    progress bar)."""

    BLOCK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None
        try:
            self.size = path.stat().st_size
            path.open("rb").close()
        except FileNotFoundError as exc:
            raise InvalidInput(f"There is no file {path}; check the path.", field="path") from exc
        except IsADirectoryError as exc:
            raise InvalidInput(
                f"{path} is a folder; give the path of a file.", field="path"
            ) from exc
        except OSError as exc:
            raise InvalidInput(f"Cannot read {path} ({exc.strerror}).", field="path") from exc

    @property
    def done(self) -> int:
        return self.size if self.handle is None else int(self.handle.tell())

    def __iter__(self) -> Iterator[list[str]]:
        # Blocks end after a b"\n" (never inside a UTF-8 character or a \r\n), so each
        # block decodes alone and splitlines breaks it where it would break the whole text.
        rest = b""
        with self.path.open("rb") as self.handle:
            while True:
                data = self.handle.read(self.BLOCK)
                if not rest and self.handle.tell() == len(data):
                    data = data.removeprefix(b"\xef\xbb\xbf")  # the file's first block
                if not data:
                    break
                data = rest + data
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                if cut:
                    yield self._decode(data[:cut]).splitlines()
            if rest:
                yield self._decode(rest).splitlines()
        self.handle = None

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                "is not valid UTF-8 text; save it as UTF-8 and try again",
                path=str(self.path),
                line=self._bad_line(),
            ) from exc

    def _bad_line(self) -> int:
        data = self.path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return data[: exc.start].count(b"\n") + 1
        return 1


def parse_text_file(path: Path, journal: Journal) -> Parsed:
    """A jrnl journal file, read as it is consumed (see the module's note)."""
    lines = _LineReader(path)
    parsed = Parsed(size=lines.size, position=lambda: lines.done)
    parsed.stream = _entries(lines, journal, str(path), parsed)
    return parsed


def _load_json(path: Path) -> Any:
    text = read_text_file(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"is not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc


def parse_json_file(path: Path, journal: Journal) -> Parsed:
    data = _load_json(path)
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FormatError('is not a jrnl JSON export: it has no "entries" list', path=where, line=1)
    parsed = Parsed()
    for index, item in enumerate(data["entries"]):
        field = f"entries[{index}]"
        if not isinstance(item, dict):
            raise FormatError(f"{field} is not an object", path=where, field=field)
        try:
            moment = datetime.strptime(
                f"{item['date']} {item['time']}", "%Y-%m-%d %H:%M"
            ).astimezone()
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(
                f'{field} needs "date" (YYYY-MM-DD) and "time" (HH:MM)', path=where, field=field
            ) from exc
        title = item.get("title") or ""
        body = item.get("body") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            raise FormatError(
                f"{field} has a title or body that is not text", path=where, field=field
            )
        tags = []
        for tag in item.get("tags") or []:
            try:
                tags.append(normalise_tag(str(tag)))
            except AttuneError:
                parsed.notes.append(f"{field}: the tag {tag!r} was not kept (not a usable tag)")
        _add(
            parsed,
            journal,
            moment,
            title.strip(),
            body.strip("\n").rstrip(),
            bool(item.get("starred")),
            tags,
            f"{field} ({item['date']} {item['time']})",
        )
    return parsed
