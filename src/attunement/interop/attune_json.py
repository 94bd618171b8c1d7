"""Attunement's own JSON format: the complete, versioned backup of a journal.

    {"format": "attunement-journal", "version": 3, "exported_at", "app_version",
     "entries": [{...entry, "meta", "revisions": [...]}], "checkins": [...],
     "drafts": [...], "decks": [{"id", "format", "source"}],
     "transcripts": [{"id", "title", "format", "caregiver", "turns": [...], "entry_id",
     "created_at"}], "practice": [{"id", "vignette_id", "response", "scores", "feedback",
     "checkin_id", "created_at"}], "shared": [{share, "feedback": [...]}]}

Entries keep their ids, times (with the zone they were written in), trash state, full
revision history and metadata (where and in what weather they were recorded); transcripts
and practice responses keep their ids, times and links; so export → import reproduces the
journal exactly, and importing it twice adds nothing. Version 2 added ``meta``; version 3
added ``transcripts`` and ``practice``; files of versions 1 and 2 (without them) still
import. The shape is documented in docs/json.md; ``version`` rises whenever it changes,
and every version ever written stays importable (golden files in tests/data).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from attunement import __version__
from attunement.core import ids
from attunement.core.dates import now_local
from attunement.core.journal import Journal, read_text_file
from attunement.core.meta import clean_meta
from attunement.core.models import CheckIn, Draft, NewEntry, Revision
from attunement.core.tags import normalise_tag
from attunement.core.validation import clean_text, clean_title
from attunement.errors import AttuneError, FormatError, InvalidInput
from attunement.interop import Parsed
from attunement.interop.jsonstream import cut_short, json_problem
from attunement.practice.vignettes import vignette
from attunement.storage.shared import items as shared_items

FORMAT_NAME = "attunement-journal"
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)  # every version ever written
MAX_SOURCE_CHARS = 200  # the width of the entries.source column


def write(journal: Journal, out: IO[str]) -> int:
    """Stream the whole journal as JSON; returns the number of entries written."""
    count = 0
    head = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now_local().isoformat(),
        "app_version": __version__,
    }
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "entries": [')
    sources = journal.store.import_sources()
    for entry in journal.store.iter_entries(include_trash=True):
        data = entry.to_dict()
        if entry.id in sources:
            data["source"] = sources[entry.id]
        data["revisions"] = (
            [r.to_dict() for r in journal.store.revisions(entry.id)] if entry.revision > 1 else []
        )
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(data, ensure_ascii=False))
        count += 1
    out.write("\n ],\n")
    rest = {
        "checkins": [c.to_dict() for c in journal.store.list_checkins(oldest_first=True)],
        "drafts": [d.to_dict() for d in journal.drafts()],
        "decks": [{"id": i, "format": f, "source": t} for i, f, t in journal.store.list_decks()],
        "transcripts": [
            {**kept, "created_at": kept["created_at"].isoformat()}
            for kept in journal.store.all_transcripts()
        ],
        "practice": [
            {**kept, "created_at": kept["created_at"].isoformat()}
            for kept in journal.store.attempts()
        ],
        # What was shared on a team server and what came home (comments, sign-offs):
        # kept for the record; an import leaves it out (it belongs to that server).
        "shared": [item.to_dict() for item in shared_items(journal.reader)],
    }
    out.write(json.dumps(rest, ensure_ascii=False, indent=1)[1:])
    out.write("\n")
    return count


def _time(value: Any, field: str, where: str | None = None) -> datetime:
    """An ISO date and time with its zone; ``where`` names the file (None: the message
    names only the field, for an entry refused on its own)."""
    if value is None or value == "":
        raise FormatError(f"{field} is missing", path=where, field=field)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise FormatError(
            f"{field} {value!r} is not an ISO date and time", path=where, field=field
        ) from exc
    if moment.tzinfo is None:
        raise FormatError(f"{field} {value!r} has no time zone", path=where, field=field)
    return moment


def _source(value: Any, field: str, where: str | None) -> str | None:
    """The import key an entry came in under (absent for entries written here)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_SOURCE_CHARS:
        raise FormatError(
            f"{field} must be text of 1 to {MAX_SOURCE_CHARS} characters", path=where, field=field
        )
    return value


def _iter(data: dict[str, Any], key: str, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise FormatError(f'"{key}" must be a list', path=where, field=key)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise FormatError(
                f"{key}[{index}] is not an object", path=where, field=f"{key}[{index}]"
            )
        yield f"{key}[{index}]", item


def parse(data: Any, journal: Journal, where: str) -> Parsed:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise FormatError(
            f'is not an Attunement JSON export (no "format": "{FORMAT_NAME}")', path=where, line=1
        )
    version = data.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise FormatError(
            f"has format version {version!r}; this Attunement reads versions up to "
            f"{FORMAT_VERSION}, so upgrade Attunement to import it",
            path=where,
            field="version",
        )
    parsed = Parsed()
    for field, item in _iter(data, "decks", where):
        if not all(isinstance(item.get(k), str) for k in ("id", "format", "source")):
            raise FormatError(
                f'{field} needs "id", "format" and "source" as text', path=where, field=field
            )
        parsed.decks.append((item["id"], item["format"], item["source"]))
    for field, item in _iter(data, "entries", where):
        label = f"{field} ({item['id']})" if item.get("id") else field
        try:
            new = _entry(item, field)
        except AttuneError as exc:  # that entry is refused and listed; the others come in
            parsed.refused.append((label, exc.message))
            continue
        if not new.body.strip():
            parsed.refused.append((label, "the entry is empty"))
            continue
        parsed.entries.append(new)
    for field, item in _iter(data, "checkins", where):
        try:
            parsed.checkins.append(
                CheckIn(
                    id=str(item["id"]),
                    at=_time(item["at"], f"{field}.at", where),
                    ease=item.get("ease"),
                    presence=item.get("presence"),
                    curiosity=item.get("curiosity"),
                    urge_to_fix=item.get("urge_to_fix"),
                    fatigue=item.get("fatigue"),
                    body=tuple(item.get("body", [])),
                    note=str(item.get("note", "")),
                    moment=str(item.get("moment", "other")),
                )
            )
        except KeyError as exc:
            raise FormatError(f"{field} is missing {exc}", path=where, field=field) from exc
    for field, item in _iter(data, "drafts", where):
        try:
            parsed.drafts.append(
                Draft(
                    id=str(item["id"]),
                    entry_id=item.get("entry_id"),
                    prompt_id=item.get("prompt_id"),
                    title=str(item.get("title", "")),
                    body=str(item.get("body", "")),
                    tags=tuple(normalise_tag(t) for t in item.get("tags", [])),
                    created_at=_time(item["created_at"], f"{field}.created_at", where),
                    updated_at=_time(item["updated_at"], f"{field}.updated_at", where),
                )
            )
        except (KeyError, TypeError) as exc:
            raise FormatError(
                f"{field} is missing or has a bad field ({exc})", path=where, field=field
            ) from exc
    for field, item in _iter(data, "transcripts", where):
        parsed.transcripts.append(_transcript(item, field, where))
    for field, item in _iter(data, "practice", where):
        attempt = _attempt(item, field, where)
        try:
            vignette(attempt["vignette_id"])
        except AttuneError:  # a statement this Attunement does not have: say so, go on
            parsed.notes.append(
                f"{field} ({attempt['id']}) answers the practice statement "
                f"'{attempt['vignette_id']}', which this Attunement does not have; it was "
                "left out."
            )
            continue
        parsed.practice.append(attempt)
    return parsed


def _text(item: dict[str, Any], key: str, field: str, where: str, **rules: Any) -> str:
    """A text field of a transcript or practice response, held to the rules every stored
    text is held to; a bad one refuses the file, naming the field."""
    try:
        return clean_text(item.get(key), field=f"{field}.{key}", what=key, **rules)
    except InvalidInput as exc:
        raise FormatError(f"{field}.{key}: {exc.message}", path=where, field=exc.field) from exc


def _id(item: dict[str, Any], field: str, where: str) -> str:
    value = item.get("id")
    if not isinstance(value, str) or not ids.looks_like_id(value):
        raise FormatError(f"{field}.id {value!r} is not an Attunement id", path=where, field=field)
    return value


def _link(item: dict[str, Any], key: str, field: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not (isinstance(value, str) and ids.looks_like_id(value)):
        raise FormatError(
            f"{field}.{key} {value!r} is not an Attunement id or null", path=where, field=field
        )
    return value


def _seconds(value: Any, field: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FormatError(
            f"{field} {value!r} is not a number of seconds or null", path=where, field=field
        )
    return value


def _transcript(item: dict[str, Any], field: str, where: str) -> dict[str, Any]:
    """One transcript of the file, as the store keeps it; anything wrong in it refuses the
    file, naming the field (it was written by Attunement: it is damaged)."""
    turns = item.get("turns")
    if not isinstance(turns, list) or not turns:
        raise FormatError(f"{field}.turns must be a list of turns", path=where, field=field)
    kept_turns = []
    for index, turn in enumerate(turns):
        at = f"{field}.turns[{index}]"
        if not isinstance(turn, dict):
            raise FormatError(f"{at} is not an object", path=where, field=at)
        kept_turns.append(
            {
                "speaker": _text(turn, "speaker", at, where, one_line=True),
                "text": _text(turn, "text", at, where),
                "start": _seconds(turn.get("start"), f"{at}.start", where),
                "end": _seconds(turn.get("end"), f"{at}.end", where),
            }
        )
    try:
        title = clean_title(item.get("title"), field=f"{field}.title")
    except InvalidInput as exc:
        raise FormatError(f"{field}.title: {exc.message}", path=where, field=exc.field) from exc
    return {
        "id": _id(item, field, where),
        "title": title,
        "format": _text(item, "format", field, where, max_chars=16, one_line=True),
        "caregiver": _text(item, "caregiver", field, where, max_chars=64, one_line=True),
        "turns": kept_turns,
        "entry_id": _link(item, "entry_id", field, where),
        "created_at": _time(item.get("created_at"), f"{field}.created_at", where),
    }


def _attempt(item: dict[str, Any], field: str, where: str) -> dict[str, Any]:
    """One practice response of the file, as the store keeps it; anything wrong in it
    refuses the file, naming the field."""
    scores, feedback = item.get("scores"), item.get("feedback")
    if not isinstance(scores, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in scores.items()
    ):
        raise FormatError(
            f"{field}.scores must map each dimension to a number", path=where, field=field
        )
    if not isinstance(feedback, dict):
        raise FormatError(f"{field}.feedback must be an object", path=where, field=field)
    return {
        "id": _id(item, field, where),
        "vignette_id": _text(item, "vignette_id", field, where, max_chars=32, one_line=True),
        "response": _text(item, "response", field, where),
        "scores": scores,
        "feedback": feedback,
        "checkin_id": _link(item, "checkin_id", field, where),
        "created_at": _time(item.get("created_at"), f"{field}.created_at", where),
    }


def _entry(item: dict[str, Any], field: str) -> NewEntry:
    """One entry of the file; anything missing or unusable in it (its dates, its metadata,
    a field of the wrong kind) refuses it, naming the field."""
    try:
        revisions = [
            Revision(
                entry_id=str(item.get("id")),
                revision=int(r["revision"]),
                title=str(r.get("title", "")),
                body=str(r["body"]),
                prompt_id=r.get("prompt_id"),
                tags=tuple(normalise_tag(t) for t in r.get("tags", [])),
                starred=bool(r.get("starred")),
                saved_at=_time(r.get("saved_at"), f"{field}.revisions.saved_at"),
                replaced_at=_time(r.get("replaced_at"), f"{field}.revisions.replaced_at"),
            )
            for r in item.get("revisions", [])
        ]
        return NewEntry(
            id=str(item["id"]),
            title=str(item.get("title", "")),
            body=str(item["body"]),
            prompt_id=item.get("prompt_id"),
            tags=tuple(sorted({normalise_tag(t) for t in item.get("tags", [])})),
            starred=bool(item.get("starred")),
            created_at=_time(item.get("created_at"), f"{field}.created_at"),
            updated_at=_time(item.get("updated_at"), f"{field}.updated_at"),
            deleted_at=(
                _time(item["deleted_at"], f"{field}.deleted_at") if item.get("deleted_at") else None
            ),
            revisions=revisions,
            source=_source(item.get("source"), f"{field}.source", None),
            meta=clean_meta(item.get("meta"), f"{field}.meta"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{field} is missing or has a bad field ({exc})", field=field) from exc


def parse_file(path: Path, journal: Journal) -> Parsed:
    text = read_text_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            json_problem(exc, cut_short=cut_short(exc)), path=str(path), line=exc.lineno
        ) from exc
    return parse(data, journal, str(path))
