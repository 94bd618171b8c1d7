"""Importing a Day One JSON export: the ``Journal.json`` file, or the ``.zip`` that holds
one JSON file per journal beside its photos and other media.

Each entry's ``uuid`` becomes its source key, so importing the same export twice adds
nothing. Day One has no separate title: a first line written as a Markdown heading
becomes the title; otherwise the title stays empty and the whole text is the body.

Day One writes its text as Markdown with backslash escapes (``\\.``, ``\\-``, ``\\!``) and
``![](dayone-moment://…)`` links to its media. Like Day One's own plain-text export, the
escapes are undone (outside code blocks). Attunement keeps text only, so media links are
taken out and the report says how many photos, videos, recordings and PDFs were left
behind. An entry's place and weather are kept as its metadata (``core.meta``), never in
its text: a place identifies, and the text is what is searched, analysed and shared.

A zip is read member by member and each JSON file record by record, so memory holds one
entry at a time; sizes are bounded before and while reading, so a zip bomb is refused in
one sentence instead of filling memory.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attunement.core.journal import Journal
from attunement.core.meta import clean_meta
from attunement.core.tags import normalise_tag
from attunement.errors import AttuneError, FormatError, InvalidInput
from attunement.interop import Parsed, fit_title, jsonstream

MEDIA_KEYS = {
    "photos": "photo",
    "videos": "video",
    "audios": "audio recording",
    "pdfAttachments": "PDF",
}
# A Day One export of tens of thousands of entries is a few hundred MB of JSON at most;
# one entry is at most 10 MB of text.
MAX_JSON_BYTES = 512 * 1024 * 1024
MAX_ENTRY_CHARS = 32 * 1024 * 1024
MISSING = 'is not a Day One export: it has no "entries" list'

_MEDIA_LINK = re.compile(r"!\[[^\]\n]*\]\(dayone-moment:[^)\s]*\)[ \t]*")
_ENTRY_LINK = re.compile(r"\[([^\]\n]*)\]\(dayone2?:[^)\s]*\)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def unescape_markdown(text: str) -> str:
    """Undo Day One's Markdown backslash escapes, leaving fenced code blocks as written."""
    out = []
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            line = _ESCAPE.sub(r"\1", line)
        out.append(line)
    return "\n".join(out)


def clean_text(text: str) -> tuple[str, int]:
    """Day One's text without media links or escapes; returns it with the number of media
    links taken out."""
    text, links = _MEDIA_LINK.subn("", text)
    text = _ENTRY_LINK.sub(r"\1", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return unescape_markdown(text).strip("\n"), links


def _when(item: dict[str, Any], field: str) -> datetime:
    """When the entry was written, as Day One gives it (UTC, or this computer's zone when
    it has none); an entry without a usable ``creationDate`` is refused on its own."""
    raw = item.get("creationDate")
    if raw is None or raw == "":
        raise InvalidInput(f"{field} has no creationDate (when it was written)", field=field)
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            f"{field}.creationDate {raw!r} is not an ISO date and time", field=field
        ) from exc
    return moment if moment.tzinfo is not None else moment.astimezone()


def _in_zone(moment: datetime, zone: Any) -> datetime | None:
    """``moment`` in the entry's ``timeZone`` ("Europe/London", or "GMT+0100" as some
    exports write it); the moment as it is when there is no zone, None for a zone name
    this computer does not know."""
    if not isinstance(zone, str) or not zone.strip():
        return moment
    offset = _GMT_OFFSET.fullmatch(zone.strip())
    try:
        if offset:
            sign = -1 if offset.group(1) == "-" else 1
            hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
            return moment.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
        return moment.astimezone(ZoneInfo(zone.strip()))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_name(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"


_GMT_OFFSET = re.compile(r"(?:GMT|UTC)([+-])(\d{1,2}):?(\d{2})?")


def _rich_text(rich: Any) -> str:
    """The words of Day One's ``richText`` (a JSON string of ``contents``, each with its
    ``text``), for an entry exported without ``text``; "" when there are none."""
    import json

    try:
        data = json.loads(rich) if isinstance(rich, str) else rich
    except ValueError:
        return ""
    contents = data.get("contents") if isinstance(data, dict) else None
    if not isinstance(contents, list):
        return ""
    return "".join(
        c["text"] for c in contents if isinstance(c, dict) and isinstance(c.get("text"), str)
    )


def _split_title(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    if first.startswith("#") and first.lstrip("#").startswith(" ") and rest.strip():
        return fit_title(first.lstrip("#").strip(), rest.lstrip("\n"))
    return "", text


LOCATION_KEYS = {
    "placeName": "place",
    "localityName": "locality",
    "administrativeArea": "region",
    "country": "country",
    "latitude": "latitude",
    "longitude": "longitude",
}
WEATHER_KEYS = {
    "conditionsDescription": "conditions",
    "temperatureCelsius": "temperature_c",
    "relativeHumidity": "relative_humidity",
    "windSpeedKPH": "wind_speed_kph",
    "pressureMB": "pressure_mb",
}


def entry_meta(item: dict[str, Any]) -> dict[str, Any]:
    """Day One's ``location`` and ``weather`` of an entry as Attunement's metadata; what
    is missing or unusable is left out (never the entry)."""
    location = item.get("location")
    found: dict[str, Any] = {}
    if isinstance(location, dict):
        place = {ours: location.get(theirs) for theirs, ours in LOCATION_KEYS.items()}
        region = location.get("region")  # older exports: only the circle's centre
        center = region.get("center") if isinstance(region, dict) else None
        if isinstance(center, dict) and place["latitude"] is None and place["longitude"] is None:
            place["latitude"] = center.get("latitude")
            place["longitude"] = center.get("longitude")
        found["location"] = place
    weather = item.get("weather")
    if isinstance(weather, dict):
        found["weather"] = {ours: weather.get(theirs) for theirs, ours in WEATHER_KEYS.items()}
    meta = clean_meta(found, strict=False)
    return {**meta, "source": "dayone"} if meta else {}


class _Tally:
    def __init__(self) -> None:
        self.media: dict[str, int] = {}
        self.links = 0
        self.empty: list[str] = []

    def notes(self) -> list[str]:
        notes = []
        if self.media or self.links:
            counts = [
                f"{n} {word}{'s' if n != 1 else ''}"
                for key, word in MEDIA_KEYS.items()
                if (n := self.media.get(key, 0))
            ]
            what = ", ".join(counts) if counts else f"{self.links} media file(s)"
            notes.append(
                f"{what} left out: Attunement keeps text only, so the media stay in Day One "
                f"and their {self.links} link(s) were taken out of the text."
            )
        if self.empty:
            notes.append(
                f"{len(self.empty)} entr{'y' if len(self.empty) == 1 else 'ies'} with no "
                f"text (only media, or nothing) left out: {', '.join(self.empty[:5])}"
                + ("…" if len(self.empty) > 5 else "")
            )
        return notes


def parse_entry(
    item: Any, index: int, journal: Journal, where: str, parsed: Parsed, tally: _Tally
) -> None:
    field = f"entries[{index}]"
    if not isinstance(item, dict):
        raise FormatError(f"{field} is not an object", path=where, field=field)
    uuid = item.get("uuid")
    if not isinstance(uuid, str) or not uuid:
        raise FormatError(f'{field} has no "uuid"', path=where, field=field)
    text = item.get("text")
    if text is None:
        text = _rich_text(item.get("richText"))
    if not isinstance(text, str):
        raise FormatError(f"{field}.text is not text", path=where, field=field)
    label = f"{field} ({uuid})"
    try:
        written = _when(item, field)
    except AttuneError as exc:  # that entry is refused and listed; the others come in
        parsed.refused.append((label, exc.message))
        return
    for key in MEDIA_KEYS:
        found = item.get(key)
        if isinstance(found, list) and found:
            tally.media[key] = tally.media.get(key, 0) + len(found)
    text, links = clean_text(text)
    tally.links += links
    if not text.strip():
        tally.empty.append(label)
        return
    moment = _in_zone(written, item.get("timeZone"))
    if moment is None:
        moment = written
        parsed.notes.append(
            f"{label}: its time zone {item['timeZone']!r} is not one this computer knows, "
            f"so its time is kept in {_offset_name(written)}"
        )
    tags = []
    for tag in _tag_list(item.get("tags"), field, parsed):
        try:
            tags.append(normalise_tag(re.sub(r"[\s/]+", "-", str(tag).strip())))
        except AttuneError:
            parsed.notes.append(f"{field}: the tag {tag!r} was not kept (not a usable tag)")
    title, body = _split_title(text)
    try:
        new = journal.new_entry(
            body,
            title=title,
            tags=tags,
            starred=bool(item.get("starred")),
            created_at=moment,
            meta=entry_meta(item),
        )
    except AttuneError as exc:
        parsed.refused.append((f"{field} ({uuid})", exc.message))
        return
    modified = item.get("modifiedDate")
    if isinstance(modified, str):
        try:
            changed = datetime.fromisoformat(modified.replace("Z", "+00:00"))
            # in the zone the entry was written in, as its own time is shown
            new.updated_at = changed.astimezone(moment.tzinfo) if moment.tzinfo else changed
        except ValueError:
            pass
    new.source = f"dayone:{uuid}"
    parsed.entries.append(new)


def _tag_list(tags: Any, field: str, parsed: Parsed) -> list[Any]:
    """An entry's tags: Day One writes a list; a single text is one tag (never one tag
    per letter), and anything else is noted and left out."""
    if tags is None or isinstance(tags, list):
        return tags or []
    if isinstance(tags, str):
        return [tags]
    parsed.notes.append(f"{field}: its tags {tags!r} were not kept (not a list of tags)")
    return []


def _too_big(where: str, size: int) -> FormatError:
    return FormatError(
        f"would unpack to {size / (1 << 20):,.0f} MB of JSON, more than any journal export "
        f"({MAX_JSON_BYTES >> 20} MB at most); it looks like a zip bomb or a damaged file, so "
        "nothing was imported",
        path=where,
    )


def _parse_zip(path: Path, journal: Journal, parsed: Parsed, tally: _Tally) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".json")
                and not info.filename.startswith("__MACOSX")
                and not info.is_dir()
            ]
            if not members:
                raise FormatError(
                    "is a zip without any Day One .json journal inside", path=str(path)
                )
            declared = sum(info.file_size for info in members)
            if declared > MAX_JSON_BYTES:
                raise _too_big(str(path), declared)
            budget = MAX_JSON_BYTES
            for info in members:
                where = f"{path}:{info.filename}"
                with archive.open(info) as member:
                    counted = _Counted(member)
                    _read_each(counted, journal, where, parsed, tally, budget)
                    budget -= counted.count
    except zipfile.BadZipFile as exc:
        raise FormatError(
            f"is a damaged zip ({exc}); export it from Day One again", path=str(path)
        ) from exc
    except (NotImplementedError, RuntimeError) as exc:  # encrypted or unusual compression
        raise FormatError(
            f"is a zip this import cannot open ({exc}); export it from Day One again "
            "as an ordinary zip",
            path=str(path),
        ) from exc


class _Counted:
    """A byte stream that counts what is actually read from it, whatever a header says."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


def _read_each(
    stream: Any, journal: Journal, where: str, parsed: Parsed, tally: _Tally, budget: int
) -> None:
    entries = jsonstream.records(
        stream,
        where,
        "entries",
        max_bytes=budget,
        max_record_chars=MAX_ENTRY_CHARS,
        missing=MISSING,
    )
    for index, (_line, item) in enumerate(entries):
        parse_entry(item, index, journal, where, parsed, tally)


def parse_file(path: Path, journal: Journal) -> Parsed:
    parsed = Parsed()
    tally = _Tally()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the path of a file.", field="path")
    if zipfile.is_zipfile(path):
        _parse_zip(path, journal, parsed, tally)
    else:
        try:
            with path.open("rb") as stream:
                _read_each(stream, journal, str(path), parsed, tally, MAX_JSON_BYTES)
        except FileNotFoundError as exc:
            raise InvalidInput(f"There is no file {path}; check the path.", field="path") from exc
        except OSError as exc:
            raise InvalidInput(f"Cannot read {path} ({exc.strerror}).", field="path") from exc
    parsed.notes.extend(tally.notes())
    return parsed
