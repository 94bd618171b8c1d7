"""Transcript use cases shared by the CLI, the web app and the API."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from attunement.core.dates import moment_text, now_local
from attunement.core.journal import Journal
from attunement.core.validation import clean_text, clean_title
from attunement.errors import InvalidInput, Locked
from attunement.transcripts.coding import (
    CodedTurn,
    Summary,
    code_turns,
    coding_version,
    from_kept,
    kept_form,
    summarise,
)
from attunement.transcripts.files import read_text
from attunement.transcripts.parse import (
    Parsed,
    Turn,
    caregiver_by_role,
    guess_caregiver,
    read_transcript,
    speaker_name,
)

# How each format is named in a title made for a de-identified transcript.
FORMAT_NAMES = {
    "text": "Text",
    "vtt": "WebVTT",
    "srt": "SubRip",
    "csv": "CSV",
    "annomi": "AnnoMI",
}


@dataclass(frozen=True)
class Session:
    title: str
    caregiver: str
    turns: list[Turn]
    coded: list[CodedTurn]
    summary: Summary
    notes: tuple[str, ...] = ()  # how the file was read, and whether the caregiver is sure
    caregiver_guessed: bool = False  # no role word named the caregiver, nor did the person

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "caregiver": self.caregiver,
            "caregiver_guessed": self.caregiver_guessed,
            "turns": [c.to_dict() for c in self.coded],
            "summary": self.summary.to_dict(),
            "notes": list(self.notes),
        }


def read_file(path: Path, fmt: str | None = None, *, where: str | None = None) -> Parsed:
    """A transcript file read, with notes on how; ``where`` names the file in messages
    (what the person called it, when the file on disk was named by the app)."""
    where = where or str(path)
    text, notes = read_text(path, where)
    parsed = read_transcript(text, where, fmt)
    return Parsed(parsed.turns, parsed.fmt, (*notes, *parsed.notes))


def read(path: Path, fmt: str | None = None) -> tuple[list[Turn], str]:
    parsed = read_file(path, fmt)
    return parsed.turns, parsed.fmt


def choose_caregiver(turns: list[Turn], caregiver: str | None) -> str:
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    if caregiver is None:
        return guess_caregiver(turns)
    for speaker in speakers:
        if speaker.lower() == caregiver.strip().lower():
            return speaker
    # "Sunita Rao" (or "sunita rao") for "Dr Sunita Rao"
    given = speaker_name(caregiver.title()).casefold()
    named = [s for s in speakers if speaker_name(s).casefold() == given]
    if len(named) == 1 and given:
        return named[0]
    raise InvalidInput(
        f"'{caregiver}' is not a speaker in this transcript; the speakers are "
        f"{', '.join(speakers)}.",
        field="caregiver",
    )


def guessed(turns: list[Turn], caregiver: str | None) -> bool:
    """Whether the caregiver is only guessed: not given, and named by no role word (it is
    then whoever asks the most questions, which a worried client can be)."""
    several = len({t.speaker for t in turns}) > 1
    return several and caregiver is None and caregiver_by_role(turns) is None


_SUPERVISING = frozenset({"supervisor"})
_SUPERVISED = frozenset({"trainee", "supervisee", "student"})


def supervision_note(turns: list[Turn], caregiver: str) -> str | None:
    """A note for a supervision conversation (a supervisor and a trainee speak), which the
    codes, made for a caregiver and a client, do not describe: said, not hidden."""
    words = {t.speaker: set(t.speaker.casefold().replace(":", " ").split()) for t in turns}
    if not any(w & _SUPERVISING for w in words.values()) or not any(
        w & _SUPERVISED for w in words.values()
    ):
        return None
    others = sorted({s for s in words if s != caregiver})
    return (
        "This reads as a supervision conversation (a supervisor and a trainee speak): the "
        f"codes are made for a caregiver and a client, so {', '.join(others)} is read as the "
        "client and the figures do not describe a session with a client."
    )


def guess_note(chosen: str) -> str:
    return (
        f"The caregiver is taken to be '{chosen}', who asks the most questions, as no "
        "speaker is named by a role such as Counsellor; if that is wrong, choose the "
        "caregiver (`--caregiver NAME` at the command line), or every code is read the wrong "
        "way round."
    )


@dataclass(frozen=True)
class Details:
    """What de-identification found in a transcript, and the turns with it replaced."""

    count: int
    turns: list[Turn]
    caregiver: str
    title: str = ""


def identifying_details(
    turns: list[Turn], people: list[str], caregiver: str, title: str = ""
) -> Details:
    """The identifying details in a transcript's title, speakers' names and turns, and
    them with each replaced by a placeholder that stays the same across turns and names
    ("Margaret Thompson:" and "How are you, margaret?" both become [Client A]); a role
    ("Counsellor", "Client") is left as it is. The speakers' names are looked for in every
    turn and the title as if on the writer's list, whatever their case, and the caregiver's
    own name becomes [Caregiver], never a client's placeholder. ``caregiver`` is the chosen
    speaker, as it reads once replaced."""
    from attunement.analysis.deid import also_seen, find, redact, reserve

    state: dict[str, Any] = {}
    count = 0
    names: dict[str, str] = {}
    speakers = {s: speaker_name(s) for s in dict.fromkeys(t.speaker for t in turns)}
    reserve(state, speakers.get(caregiver, ""), "[Caregiver]")
    for name in speakers.values():
        reserve(state, name)
    people = [*people, *(name for name in speakers.values() if name)]
    # A name found in one turn is looked for in all of them and the title ("Call me Funmi."
    # then "Funmi, that sounds frightening.").
    alone = {text: find(text, people) for text in dict.fromkeys((title, *(t.text for t in turns)))}
    seen = [f for found in alone.values() for f in found]
    for speaker in speakers:
        found = find(speaker, people)
        count += len(found)
        names[speaker] = one_placeholder(redact(speaker, found, state), label=True)
    replaced = []
    for turn in turns:
        found = also_seen(turn.text, alone[turn.text], seen)
        count += len(found)
        text = one_placeholder(redact(turn.text, found, state))
        replaced.append(replace(turn, speaker=names[turn.speaker], text=text))
    found = also_seen(title, alone[title], seen)
    count += len(found)
    titled = one_placeholder(redact(title, found, state))
    return Details(count, replaced, names.get(caregiver, caregiver), titled)


# A person's placeholder said again straight after itself; in a speaker's label also after
# a comma, as Teams writes "Surname, First".
_REPEATED = re.compile(r"(\[(?:Caregiver|Client \w+)\])(?:\s+\1)+")
_REPEATED_IN_LABEL = re.compile(r"(\[(?:Caregiver|Client \w+)\])(?:,?\s+\1)+")


def one_placeholder(text: str, *, label: bool = False) -> str:
    """One placeholder for one person: each part of a name replaced on its own ("Nguyễn
    Thị Lan", "Okafor, Chidi") reads "[Caregiver]", not "[Caregiver] [Caregiver]"."""
    return (_REPEATED_IN_LABEL if label else _REPEATED).sub(r"\1", text)


def analyse(
    title: str,
    turns: list[Turn],
    caregiver: str,
    progress: Callable[[int], None] | None = None,
    *,
    notes: tuple[str, ...] = (),
    caregiver_guessed: bool = False,
    coded: list[CodedTurn] | None = None,  # codes kept from before: not coded again
) -> Session:
    if coded is None:
        coded = code_turns(turns, caregiver, progress)
    if caregiver_guessed:
        notes = (*notes, guess_note(caregiver))
    if (supervision := supervision_note(turns, caregiver)) is not None:
        notes = (*notes, supervision)
    return Session(
        title=title,
        caregiver=caregiver,
        turns=turns,
        coded=coded,
        summary=summarise(coded),
        notes=notes,
        caregiver_guessed=caregiver_guessed,
    )


def analyse_file(
    path: Path, fmt: str | None = None, caregiver: str | None = None, progress=None
) -> Session:
    """A transcript file coded without keeping it, titled by its name."""
    parsed = read_file(path, fmt)
    return analyse(
        path.stem,
        parsed.turns,
        choose_caregiver(parsed.turns, caregiver),
        progress,
        notes=parsed.notes,
        caregiver_guessed=guessed(parsed.turns, caregiver),
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
    return data["title"], _turns_of(data["turns"]), data["caregiver"]


def _turns_of(stored: list[dict[str, Any]]) -> list[Turn]:
    return [
        Turn(i, t["speaker"], t["text"], t.get("start"), t.get("end")) for i, t in enumerate(stored)
    ]


@dataclass(frozen=True)
class Imported:
    id: str
    caregiver: str
    format: str
    turns: list[Turn]
    details: int = 0  # identifying details found in the file's title, names and turns
    redacted: bool = False  # whether they were replaced before it was kept
    title: str = ""  # as kept
    notes: tuple[str, ...] = ()  # how the file was read, and what was made of its title

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
            "title": self.title,
            "notes": list(self.notes),
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
    are counted either way). Its title is the one given, else the file's own name
    (``name``: what the person called it, when the file on disk was named by the app);
    see :func:`keep` for the title of a de-identified one."""
    parsed = read_file(path, fmt, where=name)
    chosen = choose_caregiver(parsed.turns, caregiver)
    notes = parsed.notes
    if guessed(parsed.turns, caregiver):
        notes = (*notes, guess_note(chosen))
    return keep(
        journal,
        parsed.turns,
        fmt=parsed.fmt,
        caregiver=chosen,
        title=title,
        name=Path(name).stem if name else path.stem,
        entry_id=entry_id,
        redact=redact,
        notes=notes,
    )


def keep(
    journal: Journal,
    turns: list[Turn],
    *,
    fmt: str,
    caregiver: str,
    title: str | None,
    name: str = "",
    entry_id: str | None = None,
    redact: bool = False,
    notes: tuple[str, ...] = (),
) -> Imported:
    """Keep a transcript read and with its caregiver chosen, its identifying details
    counted, and replaced by placeholders when ``redact`` is set. It is titled ``title``,
    else by the file's ``name``; de-identified, a given title has its details replaced
    like the turns, and one not given is made from the format and the time of import, as
    a file's name is often the client's ("Tomasz Wiśniewski session 3.vtt")."""
    # A file's own name ("Tomasz_Wisniewski_session_3") is read with its underscores as
    # spaces, so that the words in it are found as words.
    looked_at = title or name.replace("_", " ")
    details = identifying_details(turns, journal.store.people(), caregiver, looked_at)
    if redact:
        turns, caregiver = details.turns, details.caregiver
        if title:
            title = details.title
        else:
            title = f"{FORMAT_NAMES.get(fmt, fmt)} transcript, imported {moment_text(now_local())}"
            notes = (
                *notes,
                f"Titled '{title}' rather than by the file's name, which may name the client; "
                "give a title (`--title` at the command line) to choose another.",
            )
    else:
        title = title or name
    new_id = store(journal, turns, title=title, fmt=fmt, caregiver=caregiver, entry_id=entry_id)
    return Imported(new_id, caregiver, fmt, turns, details.count, redact, title, notes)


@dataclass(frozen=True)
class Stored:
    id: str
    entry_id: str | None
    session: Session

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.session.turns))


class _Coded:
    """The sessions coded for one open journal, most recently opened last, each with the
    stored title, caregiver and turns it was coded from; and a gate per transcript, so
    that a second view asked for while the first is coding waits for it rather than
    coding it again beside it."""

    def __init__(self) -> None:
        self.sessions: OrderedDict[str, tuple[tuple[Any, ...], Session]] = OrderedDict()
        self.gates: dict[str, threading.Lock] = {}
        self.coding: dict[str, _Job] = {}  # long sessions coded in the background


@dataclass(frozen=True)
class Coding:
    """A long session being coded in the background for its page: how far it is, or
    what stopped it."""

    done: int
    total: int
    problem: str | None = None


class _Job:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.problem: str | None = None
        self.running = True

    def step(self, turns: int) -> None:
        self.done += turns

    def state(self) -> Coding:
        return Coding(min(self.done, self.total), self.total, self.problem)


# Coding is what a transcript's page, report and API answer cost (some 4 ms a turn: 16 to
# 25 s for 5,000 turns, where drawing a page of them takes milliseconds), so a session is
# coded once and its codes stored in the journal, keyed by the analysis version and the
# words coded (``_coded_session``); the session made from them is kept while its journal
# is open, as long as its stored words are the same.
# Kept with the journal object: when it closes (a lock, the server stopping, the file
# replaced) and is let go, the decoded words go with it; deleting a transcript drops its own.
KEPT_SESSIONS = 8
_coded: WeakKeyDictionary[Journal, _Coded] = WeakKeyDictionary()
_coded_lock = threading.Lock()


def _kept_for(journal: Journal) -> _Coded:
    with _coded_lock:
        kept = _coded.get(journal)
        if kept is None:
            kept = _coded[journal] = _Coded()
        return kept


def open_coded(journal: Journal, transcript_id: str) -> Stored:
    """A stored transcript with every turn coded: coded the first time it is opened, and
    kept for the views after while the journal is open (see ``KEPT_SESSIONS``)."""
    return _open(journal, journal.store.get_transcript(transcript_id))


# A session of more turns than this, with no codes kept, is coded in the background when
# its page is asked for (the page says how far it is and looks again by itself); a shorter
# one is coded while the page waits (some 4 ms a turn: 2.4 s at most on a slow machine).
CODE_NOW = 600


def open_for_page(journal: Journal, transcript_id: str) -> Stored | Coding:
    """A stored transcript coded, as ``open_coded``; or, for a long one not coded yet, how
    far its coding in the background has come (started by the first ask)."""
    data = journal.store.get_transcript(transcript_id)
    kept = _kept_for(journal)
    key = data["id"]
    with _coded_lock:
        job = kept.coding.get(key)
        if job is not None and (job.running or job.problem):
            if not job.running:  # said once; the next ask tries again
                del kept.coding[key]
            return job.state()
        found = kept.sessions.get(key)
        coded = found is not None and found[0] == _source_of(data)
    if coded or len(data["turns"]) <= CODE_NOW:
        return _open(journal, data)
    codes = _kept_codes(journal, data, _code_key(data))
    if codes is not None:  # read once: handed on, not read again
        return _open(journal, data, codes=codes)
    with _coded_lock:
        job = kept.coding.get(key)
        if job is None:
            job = kept.coding[key] = _Job(len(data["turns"]))
            threading.Thread(
                target=_code_in_background,
                args=(journal, data, kept, job),
                name="attune-transcript-coding",
                daemon=True,
            ).start()
        return job.state()


def _code_in_background(journal: Journal, data: dict[str, Any], kept: _Coded, job: _Job) -> None:
    try:
        _open(journal, data, job.step)
    except Exception as exc:  # said on the page; its next ask tries again
        job.problem = (
            getattr(exc, "message", None)
            or "Coding this session stopped unexpectedly; open it again to try again."
        )
    else:
        with _coded_lock:
            if kept.coding.pop(data["id"], None) is None:  # deleted meanwhile: not kept
                kept.sessions.pop(data["id"], None)
    finally:
        job.running = False


def _source_of(data: dict[str, Any]) -> tuple[Any, ...]:
    return (data["title"], data["caregiver"], data["turns"])


def _open(
    journal: Journal,
    data: dict[str, Any],
    progress: Callable[[int], None] | None = None,
    *,
    codes: list[Any] | None = None,  # its kept codes, when the caller read them already
) -> Stored:
    stored = _source_of(data)
    kept = _kept_for(journal)
    key = data["id"]
    with _coded_lock:
        gate = kept.gates.setdefault(key, threading.Lock())
    with gate:
        with _coded_lock:
            found = kept.sessions.get(key)
            if found is not None and found[0] == stored:
                kept.sessions.move_to_end(key)
                return Stored(key, data["entry_id"], found[1])
        session = _coded_session(journal, data, progress, codes)
        with _coded_lock:
            kept.sessions[key] = (stored, session)
            while len(kept.sessions) > KEPT_SESSIONS:
                kept.sessions.popitem(last=False)
    return Stored(key, data["entry_id"], session)


def _code_key(data: dict[str, Any]) -> tuple[str, str]:
    """The analysis version and the digest of the words coded that kept codes are under."""
    source = hashlib.sha256(
        json.dumps([data["caregiver"], data["turns"]], sort_keys=True).encode()
    ).hexdigest()
    return coding_version(), source


def _kept_codes(journal: Journal, data: dict[str, Any], key: tuple[str, str]) -> list[Any] | None:
    kept = journal.store.transcript_codes(data["id"], *key)
    return kept if kept is not None and len(kept) == len(data["turns"]) else None


def _coded_session(
    journal: Journal,
    data: dict[str, Any],
    progress: Callable[[int], None] | None = None,
    codes: list[Any] | None = None,
) -> Session:
    """A stored transcript as a coded session, from the codes the journal keeps for it when
    they are of this analysis and these words (``codes``, when read already); else coded
    now, and the codes kept."""
    turns = _turns_of(data["turns"])
    if codes is None:
        key = _code_key(data)  # the words' digest: worked out once
        codes = _kept_codes(journal, data, key)
        if codes is None:
            session = analyse(data["title"], turns, data["caregiver"], progress)
            try:
                journal.store.keep_transcript_codes(data["id"], *key, kept_form(session.coded))
            except Locked:  # another writer for now: coded again the next time
                pass
            return session
    return analyse(data["title"], turns, data["caregiver"], coded=from_kept(turns, codes))


def _forget(journal: Journal, transcript_id: str) -> None:
    """A deleted transcript's coded session, no longer kept."""
    with _coded_lock:
        kept = _coded.get(journal)
        if kept is not None:
            kept.sessions.pop(transcript_id, None)
            kept.gates.pop(transcript_id, None)
            kept.coding.pop(transcript_id, None)


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
    _forget(journal, gone["id"])
    return Deleted(gone["id"], gone["title"], gone["turns"], gone["entry_id"])
