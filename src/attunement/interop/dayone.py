"""Importing a Day One JSON export: the ``Journal.json`` file, or the ``.zip`` that holds
one JSON file per journal (photos and other media are not imported, and the report says
how many were left behind).

Each entry's ``uuid`` becomes its source key, so importing the same export twice adds
nothing. Day One has no separate title: a first line written as a Markdown heading
becomes the title; otherwise the title stays empty and the whole text is the body.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attunement.core.journal import Journal, decode_utf8
from attunement.core.tags import normalise_tag
from attunement.errors import AttuneError, FormatError, InvalidInput
from attunement.interop import Parsed

MEDIA_KEYS = ("photos", "videos", "audios", "pdfAttachments")


def _when(item: dict[str, Any], where: str, field: str) -> datetime:
    raw = item.get("creationDate")
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise FormatError(
            f"{field}.creationDate {raw!r} is not an ISO date and time", path=where, field=field
        ) from exc
    if moment.tzinfo is None:
        moment = moment.astimezone()
    zone = item.get("timeZone")
    if isinstance(zone, str) and zone:
        try:
            moment = moment.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown zone name: keep the UTC moment, which is still exact
    return moment


def _split_title(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    if first.startswith("#") and first.lstrip("#").startswith(" ") and rest.strip():
        return first.lstrip("#").strip(), rest.lstrip("\n")
    return "", text


def parse_export(data: Any, journal: Journal, where: str, parsed: Parsed) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FormatError('is not a Day One export: it has no "entries" list', path=where, line=1)
    media = 0
    for index, item in enumerate(data["entries"]):
        field = f"entries[{index}]"
        if not isinstance(item, dict):
            raise FormatError(f"{field} is not an object", path=where, field=field)
        uuid = item.get("uuid")
        if not isinstance(uuid, str) or not uuid:
            raise FormatError(f'{field} has no "uuid"', path=where, field=field)
        text = item.get("text", "")
        if not isinstance(text, str):
            raise FormatError(f"{field}.text is not text", path=where, field=field)
        moment = _when(item, where, field)
        media += sum(len(item.get(k) or []) for k in MEDIA_KEYS)
        tags = []
        for tag in item.get("tags") or []:
            try:
                tags.append(normalise_tag(str(tag).replace(" ", "-")))
            except AttuneError:
                parsed.notes.append(f"{field}: the tag {tag!r} was not kept (not a usable tag)")
        title, body = _split_title(text)
        try:
            new = journal.new_entry(
                body, title=title, tags=tags, starred=bool(item.get("starred")), created_at=moment
            )
        except AttuneError as exc:
            parsed.refused.append((f"{field} ({uuid})", exc.message))
            continue
        modified = item.get("modifiedDate")
        if isinstance(modified, str):
            try:
                new.updated_at = datetime.fromisoformat(modified.replace("Z", "+00:00"))
            except ValueError:
                pass
        new.source = f"dayone:{uuid}"
        parsed.entries.append(new)
    if media:
        parsed.notes.append(
            f"{media} photo, video, audio or PDF attachment(s) were not "
            "imported; Attunement keeps text only."
        )


def _decode_json(raw: bytes, where: str) -> Any:
    text = decode_utf8(raw, where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"is not valid JSON: {exc.msg}", path=where, line=exc.lineno) from exc


def parse_file(path: Path, journal: Journal) -> Parsed:
    parsed = Parsed()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.lower().endswith(".json") and not n.startswith("__MACOSX")
            ]
            if not names:
                raise FormatError(
                    "is a zip without any Day One .json journal inside", path=str(path)
                )
            for name in names:
                where = f"{path}:{name}"
                parse_export(_decode_json(archive.read(name), where), journal, where, parsed)
        return parsed
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path} ({exc.strerror}).", field="path") from exc
    parse_export(_decode_json(raw, str(path)), journal, str(path), parsed)
    return parsed
