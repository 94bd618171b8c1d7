"""Transcript use cases shared by the CLI, the web app and the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal, read_text_file
from attunement.core.validation import clean_text, clean_title
from attunement.errors import InvalidInput
from attunement.transcripts.coding import CodedTurn, Summary, code_turns, summarise
from attunement.transcripts.parse import Turn, guess_caregiver, parse, speaker_name


@dataclass(frozen=True)
class Session:
    title: str
    caregiver: str
    turns: list[Turn]
    coded: list[CodedTurn]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "caregiver": self.caregiver,
            "turns": [c.to_dict() for c in self.coded],
            "summary": self.summary.to_dict(),
        }


def read(path: Path, fmt: str | None = None) -> tuple[list[Turn], str]:
    return parse(read_text_file(path), str(path), fmt)


def choose_caregiver(turns: list[Turn], caregiver: str | None) -> str:
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    if caregiver is None:
        return guess_caregiver(turns)
    for speaker in speakers:
        if speaker.lower() == caregiver.strip().lower():
            return speaker
    raise InvalidInput(
        f"'{caregiver}' is not a speaker in this transcript; the speakers are "
        f"{', '.join(speakers)}.",
        field="caregiver",
    )


@dataclass(frozen=True)
class Details:
    """What de-identification found in a transcript, and the turns with it replaced."""

    count: int
    turns: list[Turn]
    caregiver: str


def identifying_details(turns: list[Turn], people: list[str], caregiver: str) -> Details:
    """The identifying details in a transcript's speakers' names and turns, and the turns
    with each replaced by a placeholder that stays the same across turns and names
    ("Margaret Thompson:" and "How are you, margaret?" both become [Client A]); a role
    ("Counsellor", "Client") is left as it is. The speakers' names are looked for in every
    turn as if on the writer's list, whatever their case, and the caregiver's own name
    becomes [Caregiver], never a client's placeholder. ``caregiver`` is the chosen
    speaker, as it reads once replaced."""
    from attunement.analysis.deid import find, redact, reserve

    state: dict[str, Any] = {}
    count = 0
    names: dict[str, str] = {}
    speakers = {s: speaker_name(s) for s in dict.fromkeys(t.speaker for t in turns)}
    reserve(state, speakers.get(caregiver, ""), "[Caregiver]")
    for name in speakers.values():
        reserve(state, name)
    people = [*people, *(name for name in speakers.values() if name)]
    for speaker in speakers:
        found = find(speaker, people)
        count += len(found)
        names[speaker] = one_placeholder(redact(speaker, found, state), label=True)
    replaced = []
    for turn in turns:
        found = find(turn.text, people)
        count += len(found)
        text = one_placeholder(redact(turn.text, found, state))
        replaced.append(replace(turn, speaker=names[turn.speaker], text=text))
    return Details(count, replaced, names.get(caregiver, caregiver))


# A person's placeholder said again straight after itself; in a speaker's label also after
# a comma, as Teams writes "Surname, First".
_REPEATED = re.compile(r"(\[(?:Caregiver|Client \w+)\])(?:\s+\1)+")
_REPEATED_IN_LABEL = re.compile(r"(\[(?:Caregiver|Client \w+)\])(?:,?\s+\1)+")


def one_placeholder(text: str, *, label: bool = False) -> str:
    """One placeholder for one person: each part of a name replaced on its own ("Nguyễn
    Thị Lan", "Okafor, Chidi") reads "[Caregiver]", not "[Caregiver] [Caregiver]"."""
    return (_REPEATED_IN_LABEL if label else _REPEATED).sub(r"\1", text)


def analyse(
    title: str, turns: list[Turn], caregiver: str, progress: Callable[[int], None] | None = None
) -> Session:
    coded = code_turns(turns, caregiver, progress)
    return Session(
        title=title, caregiver=caregiver, turns=turns, coded=coded, summary=summarise(coded)
    )


def store(
    journal: Journal,
    turns: list[Turn],
    *,
    title: str,
    fmt: str,
    caregiver: str,
    entry_id: str | None = None,
) -> str:
    for t in turns:
        clean_text(t.speaker, field="file", what=f"speaker of turn {t.index + 1}", one_line=True)
        clean_text(t.text, field="file", what=f"text of turn {t.index + 1}")
    return journal.store.add_transcript(
        title=clean_title(title),
        fmt=fmt,
        caregiver=caregiver,
        entry_id=entry_id,
        turns=[
            {"speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end} for t in turns
        ],
    )


def load(journal: Journal, transcript_id: str) -> tuple[str, list[Turn], str]:
    data = journal.store.get_transcript(transcript_id)
    turns = [
        Turn(i, t["speaker"], t["text"], t.get("start"), t.get("end"))
        for i, t in enumerate(data["turns"])
    ]
    return data["title"], turns, data["caregiver"]


@dataclass(frozen=True)
class Imported:
    id: str
    caregiver: str
    format: str
    turns: list[Turn]
    details: int = 0  # identifying details found in the file's names and turns
    redacted: bool = False  # whether they were replaced before it was kept

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.turns))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caregiver": self.caregiver,
            "format": self.format,
            "turns": len(self.turns),
            "speakers": self.speakers,
            "identifying_details": self.details,
            "redacted": self.redacted,
        }


def import_file(
    journal: Journal,
    path: Path,
    *,
    name: str | None = None,
    fmt: str | None = None,
    caregiver: str | None = None,
    title: str | None = None,
    entry_id: str | None = None,
    redact: bool = False,
) -> Imported:
    """Read a transcript file, choose the caregiver (named, or guessed), and keep it,
    with its identifying details replaced by placeholders when ``redact`` is set (they
    are counted either way). Its title is the file's own name (``name``: what the person
    called it, when the file on disk was named by the app) unless one is given."""
    turns, found = read(path, fmt)
    chosen = choose_caregiver(turns, caregiver)
    default = Path(name).stem if name else path.stem
    return keep(
        journal,
        turns,
        fmt=found,
        caregiver=chosen,
        title=title or default,
        entry_id=entry_id,
        redact=redact,
    )


def keep(
    journal: Journal,
    turns: list[Turn],
    *,
    fmt: str,
    caregiver: str,
    title: str,
    entry_id: str | None = None,
    redact: bool = False,
) -> Imported:
    """Keep a transcript read and with its caregiver chosen, its identifying details
    counted, and replaced by placeholders when ``redact`` is set."""
    details = identifying_details(turns, journal.store.people(), caregiver)
    if redact:
        turns, caregiver = details.turns, details.caregiver
    new_id = store(journal, turns, title=title, fmt=fmt, caregiver=caregiver, entry_id=entry_id)
    return Imported(new_id, caregiver, fmt, turns, details.count, redact)


@dataclass(frozen=True)
class Stored:
    id: str
    entry_id: str | None
    session: Session

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.session.turns))


def open_coded(journal: Journal, transcript_id: str) -> Stored:
    """A stored transcript with every turn coded."""
    title, turns, caregiver = load(journal, transcript_id)
    entry_id = journal.store.get_transcript(transcript_id)["entry_id"]
    return Stored(transcript_id, entry_id, analyse(title, turns, caregiver))


@dataclass(frozen=True)
class Deleted:
    """A transcript deleted for good, as it was: its id, title and number of turns, and
    the entry it was linked to (which stays, no longer linked)."""

    id: str
    title: str
    turns: int
    entry_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "turns": self.turns, "entry_id": self.entry_id}


def delete(journal: Journal, transcript_id: str) -> Deleted:
    """Delete a stored transcript for good: the session, its turns and their codes. An
    entry written about it stays, without the link. The CLI, the page and the API all
    delete through here; an unknown id is NotFound."""
    gone = journal.store.delete_transcript(transcript_id)
    return Deleted(gone["id"], gone["title"], gone["turns"], gone["entry_id"])
