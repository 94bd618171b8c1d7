"""Importing jrnl journals: its plain-text file and its ``--format json`` export.

Plain text: each entry starts on a line ``[YYYY-MM-DD HH:MM] Title``; a title ending in
``*`` marks a starred entry; the body is every line until the next entry. Times carry no
zone, so they are read in this machine's local zone, as jrnl itself does. Tags written
``@tag`` or ``#tag`` are picked up from the text like any Attunement entry's.
Each entry's source key is a hash of its date, title and body, so importing the same
journal twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal, read_text_file
from attunement.core.tags import normalise_tag
from attunement.errors import AttuneError, FormatError
from attunement.interop import Parsed

HEADER = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)\] ?(.*)$")


def _source_key(moment: datetime, title: str, body: str) -> str:
    digest = hashlib.sha256(f"{moment.isoformat()}\x00{title}\x00{body}".encode()).hexdigest()
    return "jrnl:" + digest[:40]


def _parse_time(text: str, where: str, line: int) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).astimezone()
        except ValueError:
            continue
    raise FormatError(
        f"the date [{text}] is not a real date and time (YYYY-MM-DD HH:MM)", path=where, line=line
    )


def _add(
    parsed: Parsed,
    journal: Journal,
    moment: datetime,
    title: str,
    body: str,
    starred: bool,
    tags: list[str],
    label: str,
) -> None:
    text = body if body.strip() else title
    try:
        new = journal.new_entry(
            text, title=title if body.strip() else "", tags=tags, starred=starred, created_at=moment
        )
    except AttuneError as exc:
        parsed.refused.append((label, exc.message))
        return
    new.source = _source_key(moment, title, body)
    parsed.entries.append(new)


def parse_text(text: str, journal: Journal, where: str) -> Parsed:
    parsed = Parsed()
    lines = text.splitlines()
    starts = [(n, m) for n, line in enumerate(lines) if (m := HEADER.match(line))]
    if not starts:
        raise FormatError(
            "does not look like a jrnl journal: no line starts with a date "
            "such as [2024-05-01 09:30]",
            path=where,
            line=1,
        )
    first = next((n for n, line in enumerate(lines) if line.strip()), 0)
    if first < starts[0][0]:
        raise FormatError(
            "has text before the first entry; a jrnl journal starts with a "
            "line like [2024-05-01 09:30] Title",
            path=where,
            line=first + 1,
        )
    for index, (number, match) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        moment = _parse_time(match.group(1), where, number + 1)
        title = match.group(2).rstrip()
        starred = title.endswith("*")
        if starred:
            title = title[:-1].rstrip()
        body = "\n".join(lines[number + 1 : end]).strip("\n").rstrip()
        _add(
            parsed,
            journal,
            moment,
            title,
            body,
            starred,
            [],
            f"line {number + 1} ({match.group(1)})",
        )
    return parsed


def parse_text_file(path: Path, journal: Journal) -> Parsed:
    return parse_text(read_text_file(path), journal, str(path))


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
