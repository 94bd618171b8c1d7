"""Importing jrnl journals: its plain-text file and its ``--format json`` export, read by
jrnl's own rules (jrnl/journals/Journal.py and Entry.py).

Plain text: an entry starts where a line begins with a bracketed date followed by a space,
``[2024-05-01 09:30] Title``; in a journal written by jrnl 1.x, whose first line opens
with a date without brackets (``2013-06-10 15:40 Title``), where a line begins with such
a date. Like jrnl, the date is read first in jrnl's default format,
then as any date ``dateutil`` understands (jrnl writes dates in the owner's own
``timeformat``, so ``[2019-07 14:23]`` and ``[14.07.2019 2:23 PM]`` are dates too); a
bracket of six characters or fewer (``[1]``, ``[x]``) is never a date. The owner's
timeformat is not in the file, so whether ``03/04/2024`` puts the day or the month first is
decided once for the whole file (``_DayOrder``), or given (``--dates``). A date jrnl would
read only as words (``[yesterday]``) or as a time of today (``[11 mars 2024 10:00]``) is
never one it wrote: that entry is refused and listed. A bracketed line that is not a date
stays text of the entry before, and the report says so. Times carry no zone, so they are
read in this machine's local zone, as jrnl does. Windows line endings are read as line
endings.

The title is the first line (or, for a one-line entry, its first sentence); a title ending
in ``*`` marks a starred entry. jrnl has no limit on titles: one longer than Attunement's
opens the body instead. Tags are jrnl's ``@tag`` (letters, digits and ``-+*#/``) and
Attunement's ``#tag``; a jrnl tag Attunement cannot keep as written is listed in the report.

Encrypted jrnl journals (v1 AES-CBC binary, v2 Fernet text starting ``gAAAAA``, v3
``JRNLv3``) are refused with one sentence: decrypt them with jrnl first.

Each entry's source key is a hash of its date, title and body, so importing the same
journal twice adds nothing. Imported again with ``--dates`` the other way round, an entry
whose date reads both ways is moved to its date read the new way, not added twice; imported
again with the order decided from the file, such an entry is skipped.

A journal file is read as its entries are stored, in blocks of about a megabyte, so
memory stays flat however long the journal is; a bad date found on the last page still
refuses the whole file, because the store keeps an import in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal, decode_utf8
from attunement.core.models import NewEntry
from attunement.core.tags import normalise_tag
from attunement.errors import AttuneError, FormatError, InvalidInput
from attunement.interop import Parsed, fit_title
from attunement.interop.jsonstream import cut_short, json_problem

DATE_BLOB = re.compile(r"^\[([^\]\n]+)\](?: |$)", re.MULTILINE)
# The same after a line break: a search for a pattern that opens with fixed characters
# jumps from one to the next, where "^" would be tried at every character.
DATE_BLOB_AFTER_BREAK = re.compile(r"\n\[([^\]\n]+)\](?: |$)", re.MULTILINE)
# jrnl 1.x wrote its dates without brackets, ``2013-06-10 15:40 Title`` (in the owner's
# timeformat: ``10.06.2013 15:40`` too); jrnl still reads such journals (LegacyJournal).
_LEGACY_DATE = (
    r"(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?"
    r"|\d{1,2}([./-])\d{1,2}\2\d{2,4},? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?)(?: |$)"
)
LEGACY_HEADER = re.compile("^" + _LEGACY_DATE, re.MULTILINE)
LEGACY_HEADER_AFTER_BREAK = re.compile("\n" + _LEGACY_DATE)
JRNL_DEFAULT_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?")
# jrnl's tag: an @ at the start or after white space. The @ comes first in the pattern so
# the scan jumps from @ to @ (the same matches, thirty times faster on long entries).
JRNL_TAG = re.compile(r"@(?<!\S@)([-+*#/\w]+)")
# jrnl's sentence end: a terminal, optional closing quote and brackets, then white space;
# CJK full stops need no space after them.
SENTENCE_END = re.compile(
    r"[.!?\u2026\u203c\u203d\u2047\u2048\u2049\u22ef\ufe52\ufe57]['\u2019\"\u201d]?[\])]*\s+"
    r"|[\uff01\uff0e\uff1f\uff61\u3002]"
)
# Where str.splitlines() ends a line.
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
FAKE_YEAR = 9999


class BadDate(ValueError):
    """A bracketed date written in numbers that is not a real day (``[2024-02-30 10:00]``).
    jrnl itself fails on these; the import names the line instead."""


class WordsDate(ValueError):
    """A bracketed date jrnl would read only as words relative to today, or as a time of
    today (``[yesterday]``, ``[11 mars 2024 10:00]``): never a date jrnl wrote, so the
    import will not guess it."""


class AgainstOrder(ValueError):
    """A numeric date that cannot be read in the day and month order of the file's other
    dates (``13/03/2024`` among dates that put the month first)."""


# A date of numbers with the day and month in either order: 03/04/2024, 04.03.24.
NUMERIC_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2\d{2,4}\b")


def _source_key(moment: datetime, title: str, body: str) -> str:
    digest = hashlib.sha256(f"{moment.isoformat()}\x00{title}\x00{body}".encode()).hexdigest()
    return "jrnl:" + digest[:40]


def read_date(
    blob: str, now: datetime | None = None, *, day_first: bool = False
) -> datetime | None:
    """The date jrnl reads from a bracketed ``blob`` at the start of a line, or None when
    jrnl would take the line as text. Naive; the caller attaches the local zone. A date
    of numbers whose day and month could be either way (``03/04/2024``) is read with the
    day first when ``day_first``; one that cannot be read that way raises AgainstOrder."""
    if JRNL_DEFAULT_DATE.fullmatch(blob):  # the common case, read as strptime would
        try:
            return datetime.fromisoformat(blob)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(blob, fmt)
        except ValueError:
            continue
    if len(blob) <= 6:  # jrnl: probably a Markdown footnote or a checkbox
        return None
    from dateutil.parser import ParserError
    from dateutil.parser import parse as dateparse

    now = now or datetime.now()
    year_present = True
    try:
        moment = dateparse(blob, default=datetime(FAKE_YEAR, 1, 1), dayfirst=day_first)
        if moment.year == FAKE_YEAR:
            moment = moment.replace(year=now.year)
            year_present = False
    except (ParserError, ValueError, OverflowError) as exc:
        if blob[:1].isdigit() and re.match(r"\d{1,4}[-./]\d{1,2}", blob):
            raise BadDate(blob) from exc  # a numeric date that is not a real day
        if _words_date(blob) is None:
            return None
        raise WordsDate(blob) from exc
    numeric = NUMERIC_DATE.match(blob)
    if numeric:  # dateutil swaps day and month where the asked order cannot be
        first, second = int(numeric.group(1)), int(numeric.group(3))
        if (moment.day, moment.month) != ((first, second) if day_first else (second, first)):
            raise AgainstOrder(blob)
    if not year_present and moment - now > timedelta(days=28):
        moment = moment.replace(year=moment.year - 1)  # jrnl prefers the past
    return moment


def _words_date(blob: str) -> datetime | None:
    import parsedatetime

    constants = parsedatetime.Constants(usePyICU=False)
    constants.DOWParseStyle = -1
    calendar = parsedatetime.Calendar(constants, version=parsedatetime.VERSION_CONTEXT_STYLE)
    parsed, context = calendar.parse(blob)
    if not context.hasDate and not context.hasTime:
        return None
    if context.hasDate and not context.hasTime:
        return datetime(*parsed[:3])
    return datetime(*parsed[:6])


def split_title(text: str) -> tuple[str, str]:
    """jrnl's split: the first line is the title; a one-line entry splits after its first
    sentence."""
    stripped = text.lstrip()
    if "\n" in stripped:
        first, _, rest = stripped.partition("\n")
        return first.strip(), rest.strip()
    sentence = SENTENCE_END.search(text)
    if not sentence:
        return text.strip(), ""
    return text[: sentence.end()].strip(), text[sentence.end() :].strip()


class _Tags:
    """jrnl tags that Attunement stores differently, gathered for one note."""

    def __init__(self) -> None:
        self.changed: dict[str, str] = {}

    def check(self, written: list[str], kept: tuple[str, ...]) -> None:
        for tag in written:
            clean = tag.lower().rstrip("-")
            if clean not in kept and clean not in self.changed:
                near = [k for k in kept if clean.startswith(k)]
                self.changed[clean] = near[0] if near else ""

    def notes(self) -> list[str]:
        if not self.changed:
            return []
        shown = [
            f"@{t} (kept as #{k})" if k else f"@{t} (not kept)" for t, k in self.changed.items()
        ]
        return [
            "jrnl tags Attunement cannot hold as written (letters, digits, '-', '_', '+' and "
            f"'#' only): {', '.join(shown[:10])}" + ("…" if len(shown) > 10 else "")
        ]


def _entry(
    parsed: Parsed,
    journal: Journal,
    moment: datetime,
    title: str,
    body: str,
    starred: bool,
    tags: list[str],
    label: str,
    seen_tags: _Tags,
    written: list[str] | None = None,
    other_moment: datetime | None = None,
    move_earlier: bool = False,
) -> NewEntry | None:
    """The entry to store, or None (and the reason noted in ``parsed``) if refused.
    ``other_moment``: its date with day and month the other way round, where an earlier
    import may have read it so."""
    key = _source_key(moment, title, body)
    earlier = _source_key(other_moment, title, body) if other_moment is not None else None
    if body.strip():
        title, text = fit_title(title, body)
    else:
        title, text = "", title
    try:
        new = journal.new_entry(text, title=title, tags=tags, starred=starred, created_at=moment)
    except AttuneError as exc:
        parsed.refused.append((label, exc.message))
        return None
    if written is None:  # jrnl's @tags, when the text has any
        written = []
        if "@" in title or "@" in text:
            both = f"{title}\n{text}"
            written = JRNL_TAG.findall(both, both.find("@"))
    seen_tags.check(written, new.tags)
    new.source = key
    new.earlier_source, new.move_earlier = earlier, move_earlier
    return new


def _add(parsed: Parsed, journal: Journal, *fields: Any) -> None:
    new = _entry(parsed, journal, *fields)
    if new is not None:
        parsed.entries.append(new)


def refuse_encrypted(data: bytes, where: str) -> None:
    """Refuse, in one sentence, a journal that jrnl has encrypted."""
    kind = None
    if data.startswith(b"JRNLv3"):
        kind = "jrnl v3 encryption"
    elif data.startswith(b"gAAAAA"):
        kind = "jrnl v2 encryption"
    elif len(data) >= 32 and len(data) % 16 == 0:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            kind = "jrnl v1 encryption"
    if kind:
        raise FormatError(
            f"this journal is encrypted ({kind}); decrypt it with jrnl first "
            "(jrnl --decrypt decrypted.txt) and import the decrypted file",
            path=where,
        )


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"There is no file {path}; check the path.", field="path") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{path} is a folder; give the path of a file.", field="path") from exc
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path} ({exc.strerror}).", field="path") from exc
    refuse_encrypted(data, str(path))
    return decode_utf8(data, str(path))


class _LocalDays:
    """Naive local times made aware exactly as ``datetime.astimezone()`` makes them, with
    each day's UTC offset looked up once: on a day whose offset is the same at its start,
    noon and end (every day but those the clocks change on), every time of the day has
    that offset; on the others each time is looked up by itself."""

    def __init__(self) -> None:
        self.zones: dict[date, Any] = {}

    def aware(self, moment: datetime) -> datetime:
        day = moment.date()
        zone = self.zones.get(day)
        if zone is None:
            zone = self.zones[day] = self._steady_zone(day)
        return moment.astimezone() if zone is False else moment.replace(tzinfo=zone)

    @staticmethod
    def _steady_zone(day: date) -> Any:
        try:
            start = datetime.combine(day, time())
            marks = [(start + timedelta(hours=h)).astimezone() for h in (0, 12, 24)]
        except (OverflowError, ValueError, OSError):
            return False
        offsets = {m.utcoffset() for m in marks}
        return marks[0].tzinfo if len(offsets) == 1 else False


class BadHeaderDate(ValueError):
    """An entry's header names a date that cannot be (2024-02-30): that entry is refused."""


_REFUSED = datetime.min  # the moment of an entry refused for its date (never a real one)


class _DayOrder:
    """Whether a file's numeric dates put the day first (``04.03.2024`` is 4 March), the
    same for every entry: given, or decided from the file the first time a date needs it.
    A date whose first number is over 12 shows the day comes first; one whose second
    number is, that the month does; the order most of them show wins. Where none shows
    it, dates with dots put the day first (as they are written where dots are used), and
    others the month (as jrnl reads them), and the report says so."""

    def __init__(self, day_first: bool | None, blobs: Callable[[], Iterable[str]]) -> None:
        self.day_first = day_first
        self.given = day_first is not None  # said by the person, not decided here
        self.blobs = blobs

    def decided(self, parsed: Parsed) -> bool:
        """The order, decided from the file the first time it is asked for."""
        if self.day_first is None:
            self.day_first = self._decide(parsed)
        return self.day_first

    def _decide(self, parsed: Parsed) -> bool:
        day = month = 0
        dots = 0
        for blob in self.blobs():
            numeric = NUMERIC_DATE.match(blob)
            if numeric is None:
                continue
            first, second = int(numeric.group(1)), int(numeric.group(3))
            day += first > 12 >= second
            month += second > 12 >= first
            dots += numeric.group(2) == "."
        if day or month:
            return day >= month
        example = "04.03.2024" if dots else "04/03/2024"
        order = "the day first (4 March)" if dots else "the month first (3 April)"
        other = "month-first" if dots else "day-first"
        parsed.notes.append(
            f"dates such as {example} could be read either way; they were read with "
            f"{order}. If your jrnl timeformat is the other way round, import it again "
            f"with the {other.split('-')[0]} first (`--dates {other}` at the command line)"
        )
        return bool(dots)


def _date_of(
    blob: str, line: int, parsed: Parsed, days: _LocalDays, order: _DayOrder
) -> datetime | None:
    """The moment a header line's bracketed ``blob`` names (local zone), or None when
    jrnl would read the line as text (noted when it looks like a date)."""
    day_first = order.decided(parsed) if NUMERIC_DATE.match(blob) else False
    try:
        moment = read_date(blob, day_first=day_first)
    except BadDate as exc:
        raise BadHeaderDate("its date is not a real date and time (YYYY-MM-DD HH:MM)") from exc
    except AgainstOrder as exc:
        first = "day" if day_first else "month"
        raise BadHeaderDate(
            f"its date cannot be read with the {first} first, as the file's other dates are"
        ) from exc
    except WordsDate as exc:
        raise BadHeaderDate(
            "its date is not one jrnl writes (words, or a time with no day); write it as "
            "YYYY-MM-DD HH:MM"
        ) from exc
    if moment is None:
        if any(c.isdigit() for c in blob) and len(blob) > 6:
            parsed.notes.append(
                f"line {line}: [{blob}] is not a date jrnl can read, so it "
                "stays text of the entry before, as in jrnl"
            )
        return None
    try:
        return days.aware(moment)
    except (OverflowError, ValueError, OSError) as exc:
        raise BadHeaderDate("its date is out of range") from exc


def is_legacy(first_block: str) -> bool:
    """Whether a journal is jrnl 1.x's: its first line with text opens with a date
    written without brackets (``2013-06-10 15:40 Title``)."""
    start = len(first_block) - len(first_block.lstrip())
    start = first_block.rfind("\n", 0, start) + 1
    return LEGACY_HEADER.match(first_block, start) is not None


def _read_the_other_way(blob: str, moment: datetime, days: _LocalDays) -> datetime | None:
    """The moment a header's numeric date names with its day and month swapped (03/04/2024
    read the other way round), or None where it cannot be (13/03/2024, 04/04/2024)."""
    numeric = NUMERIC_DATE.match(blob)
    if numeric is None:
        return None
    first, second = int(numeric.group(1)), int(numeric.group(3))
    if first == second or first > 12 or second > 12:
        return None
    naive = moment.replace(tzinfo=None)
    try:
        return days.aware(naive.replace(month=naive.day, day=naive.month))
    except (OverflowError, ValueError, OSError):
        return None


def _headers(block: str, legacy: bool = False) -> Iterator[tuple[int, int, str]]:
    """(start, end, date text) of each line of ``block`` that opens like a header: a
    bracketed date, or in a jrnl 1.x journal (``legacy``) a date without brackets, where a
    bracketed line is text, as jrnl 1.x reads it."""
    opening, after_break = (
        (LEGACY_HEADER, LEGACY_HEADER_AFTER_BREAK) if legacy else (DATE_BLOB, DATE_BLOB_AFTER_BREAK)
    )
    first = opening.match(block) if legacy or block.startswith("[") else None
    if first is not None:
        yield 0, first.end(), first.group(1)
    for match in after_break.finditer(block):
        yield match.start() + 1, match.end(), match.group(1)


def _first_text_line(text: str, first_line: int) -> int | None:
    """The number of the first line of ``text`` that is not blank (``text`` starts at
    line ``first_line``), or None."""
    for offset, line in enumerate(text.split("\n")):
        if line.strip():
            return first_line + offset
    return None


def _header_blobs(blocks: Iterable[str]) -> Iterator[str]:
    legacy: bool | None = None
    for block in blocks:
        if legacy is None and block.strip():
            legacy = is_legacy(block)
        for _, _, blob in _headers(block, bool(legacy)):
            yield blob


def _entries(
    blocks: Iterable[str], journal: Journal, where: str, parsed: Parsed, order: _DayOrder
) -> Iterator[NewEntry]:
    """Entries from the text, given in blocks of whole lines (the text is the blocks
    joined by ``"\n"``), one at a time: an entry is complete when the next header, or
    the end, is reached. Its raw text is exactly what follows its date up to the next
    header line, as jrnl reads it. Headers are found by one regular expression per block,
    so the lines between them are never looked at one by one."""
    tags = _Tags()
    days = _LocalDays()
    # line, blob, moment (_REFUSED: an entry refused for its date, whose text is left out)
    current: tuple[int, str, datetime] | None = None
    pieces: list[str] = []  # the current entry's raw text so far
    text_before: int | None = None  # the first line of text before any entry

    def finish() -> NewEntry | None:
        assert current is not None
        line, blob, moment = current
        if moment is _REFUSED:
            return None  # listed as refused when its header was read
        raw = "".join(pieces)
        # jrnl's star: its first line (as str.splitlines() ends lines) ends with "*".
        brk = LINE_BREAK.search(raw)
        starred = bool(raw) and (raw[: brk.start()] if brk else raw).strip().endswith("*")
        if starred:
            first = raw.splitlines()
            raw = first[0].strip("\n *") + "\n" + "\n".join(first[1:])
        title, body = split_title(raw)
        return _entry(
            parsed,
            journal,
            moment,
            title,
            body,
            starred,
            [],
            f"line {line} ({blob})",
            tags,
            other_moment=_read_the_other_way(blob, moment, days),
            move_earlier=order.given,
        )

    block_line = 1  # the number of the block's first line
    legacy: bool | None = None  # a jrnl 1.x journal, decided from its first text
    for number, block in enumerate(blocks):
        if number and current is not None:
            pieces.append("\n")  # the line break between this block and the one before
        if legacy is None and block.strip():
            legacy = is_legacy(block)
            if legacy:
                parsed.notes.append(
                    "read as a jrnl 1.x journal (dates without brackets); a line that opens "
                    "with a bracketed date is text of its entry, as jrnl 1.x reads it"
                )
        seg = 0  # where the text not yet given to an entry starts
        counted, line = 0, block_line  # line: the number of the line at ``counted``
        for start, end, blob in _headers(block, bool(legacy)):
            line += block.count("\n", counted, start)
            counted = start
            try:
                moment = _date_of(blob, line, parsed, days, order)
            except BadHeaderDate as exc:  # this entry is refused; the others go on
                parsed.refused.append((f"line {line} ([{blob}])", str(exc)))
                moment = _REFUSED
            if moment is None:
                continue  # text of the entry before
            if current is None:
                if text_before is None:
                    text_before = _first_text_line(block[seg:start], block_line)
            else:
                pieces.append(block[seg:start])
                if (new := finish()) is not None:
                    yield new
            if text_before is not None:
                raise FormatError(
                    "has text before the first entry; a jrnl journal starts with a "
                    "line like [2024-05-01 09:30] Title",
                    path=where,
                    line=text_before,
                )
            current = (line, blob, moment)
            pieces = []
            seg = end
        if current is not None:
            pieces.append(block[seg:])
        elif text_before is None:
            text_before = _first_text_line(block, block_line)
        block_line = line + block.count("\n", counted) + 1
    if current is None:
        raise FormatError(
            "does not look like a jrnl journal: no line starts with a date "
            "such as [2024-05-01 09:30]",
            path=where,
            line=1,
        )
    if (new := finish()) is not None:
        yield new
    parsed.notes.extend(tags.notes())


def parse_text(text: str, journal: Journal, where: str, *, day_first: bool | None = None) -> Parsed:
    """A whole journal given as text, parsed at once (a bad line raises here)."""
    parsed = Parsed()
    text = text.replace("\r\n", "\n")  # as jrnl writes it on Windows
    order = _DayOrder(day_first, lambda: _header_blobs([text]))
    parsed.entries = list(_entries([text], journal, where, parsed, order))
    return parsed


class _LineReader:
    """A UTF-8 journal file in blocks of whole lines, about ``BLOCK`` bytes each (the
    text is the blocks joined by ``"\n"``), counting the bytes read so far (for a
    progress bar)."""

    BLOCK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
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

    def __iter__(self) -> Iterator[str]:
        # Blocks end after a b"\n" (never inside a UTF-8 character), so each decodes
        # alone; the bytes after the last b"\n" are the final line (maybe empty).
        rest = b""
        first = True
        with self.path.open("rb") as self.handle:
            while data := self.handle.read(self.BLOCK):
                if first:
                    first = False
                    if data.startswith((b"JRNLv3", b"gAAAAA")):
                        refuse_encrypted(data, self.where)
                    data = data.removeprefix(b"\xef\xbb\xbf")
                data = rest + data
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                if cut:  # the line break the block ends on, a CRLF's "\r" with it
                    end = cut - 2 if data[cut - 2 : cut - 1] == b"\r" else cut - 1
                    yield self._decode(data[:end])
            yield self._decode(rest)
        self.handle = None

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8").replace("\r\n", "\n")  # jrnl on Windows
        except UnicodeDecodeError:
            whole = self.path.read_bytes()  # only on this error: name the line, or the cause
            refuse_encrypted(whole, self.where)
            decode_utf8(whole, self.where)
            raise


def parse_text_file(path: Path, journal: Journal, *, day_first: bool | None = None) -> Parsed:
    """A jrnl journal file, read as it is consumed (see the module's note), or jrnl's
    folder journal (a day's entries in ``YYYY/MM/DD.txt``), its days in order. Whether
    its numeric dates put the day first is ``day_first``, or decided from all of them
    (read once more, for their headers only) when the first such date is met."""
    if path.is_dir():
        return _parse_folder(path, journal, day_first)
    lines = _LineReader(path)
    parsed = Parsed(size=lines.size, position=lambda: lines.done)
    order = _DayOrder(day_first, lambda: _header_blobs(_LineReader(path)))
    parsed.stream = _entries(lines, journal, str(path), parsed, order)
    return parsed


FOLDER_DAYS = "[0-9][0-9][0-9][0-9]/[01][0-9]/[0-3][0-9].txt"  # jrnl's folder journal


def _parse_folder(folder: Path, journal: Journal, day_first: bool | None) -> Parsed:
    days = sorted(folder.glob(FOLDER_DAYS))
    if not days:
        raise InvalidInput(
            f"{folder} is a folder with no jrnl day files (YYYY/MM/DD.txt); give the path "
            "of the journal file, or of jrnl's folder journal.",
            field="path",
        )
    readers = [_LineReader(day) for day in days]
    done = [0]  # bytes of the days already read
    parsed = Parsed(size=sum(r.size for r in readers))

    def position() -> int:
        current = next((r for r in readers if r.handle is not None), None)
        return done[0] + (current.done if current is not None else 0)

    def all_blobs() -> Iterator[str]:
        for day in days:
            yield from _header_blobs(_LineReader(day))

    def stream() -> Iterator[NewEntry]:
        order = _DayOrder(day_first, all_blobs)
        for day, reader in zip(days, readers, strict=True):
            name = day.relative_to(folder).as_posix()
            refused = len(parsed.refused)
            yield from _entries(reader, journal, str(day), parsed, order)
            parsed.refused[refused:] = [
                (f"{name} {what}", why) for what, why in parsed.refused[refused:]
            ]
            done[0] += reader.size

    parsed.position = position
    parsed.stream = stream()
    return parsed


def _load_json(path: Path) -> Any:
    text = _read(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            json_problem(exc, cut_short=cut_short(exc)), path=str(path), line=exc.lineno
        ) from exc


JSON_DEFAULT_TIME = "09:00"  # jrnl's own default hour for an entry given only a day


def _json_moment(item: dict[str, Any]) -> tuple[datetime, bool]:
    """When a jrnl JSON entry was written, and whether its time was missing (then 09:00,
    as jrnl does). Seconds are allowed; a bad or missing date refuses the entry."""
    day, time = item.get("date"), item.get("time")
    defaulted = time is None or time == ""
    clock = JSON_DEFAULT_TIME if defaulted else time
    if isinstance(day, str) and isinstance(clock, str):
        for shape in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(f"{day} {clock}", shape).astimezone(), defaulted
            except (ValueError, OverflowError):
                continue
    raise AttuneError('its "date" must be YYYY-MM-DD and its "time" HH:MM')


def parse_json_file(path: Path, journal: Journal) -> Parsed:
    """A jrnl JSON export (``jrnl --export json``). An entry that cannot be read is refused
    and listed on its own; the others come in."""
    data = _load_json(path)
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FormatError('is not a jrnl JSON export: it has no "entries" list', path=where, line=1)
    parsed = Parsed()
    seen_tags = _Tags()
    untimed = 0
    for index, item in enumerate(data["entries"]):
        field = f"entries[{index}]"
        if not isinstance(item, dict):
            parsed.refused.append((field, "it is not an entry (a JSON object)"))
            continue
        title = item.get("title") or ""
        body = item.get("body") or ""
        label = f"{field} ({str(item.get('title') or '')[:40] or 'untitled'})"
        if not isinstance(title, str) or not isinstance(body, str):
            parsed.refused.append((label, "its title or body is not text"))
            continue
        try:
            moment, defaulted = _json_moment(item)
        except AttuneError as exc:
            parsed.refused.append((label, exc.message))
            continue
        untimed += defaulted
        tags = []
        written = []
        for tag in item.get("tags") or []:
            written.append(str(tag).lstrip("@#"))
            try:
                tags.append(normalise_tag(str(tag)))
            except AttuneError:
                pass  # listed in the report's note on tags
        _add(
            parsed,
            journal,
            moment,
            title.strip(),
            body.strip("\n").rstrip(),
            bool(item.get("starred")),
            tags,
            f"{field} ({moment:%Y-%m-%d %H:%M})",
            seen_tags,
            written,
        )
    if untimed:
        parsed.notes.append(
            f"{untimed} {'entry has' if untimed == 1 else 'entries have'} a day but no time: "
            f"kept at {JSON_DEFAULT_TIME}, as jrnl does"
        )
    parsed.notes.extend(seen_tags.notes())
    return parsed
