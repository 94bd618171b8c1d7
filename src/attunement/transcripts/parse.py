"""Reading transcripts in the formats people have: plain ``Speaker: words`` text and the
layouts transcribing tools write as text (text.py), WebVTT and SubRip subtitles (cues.py),
CSV and AnnoMI's CSV layout (table.py). Consecutive lines by the same speaker stay separate
turns only when the file says so (a new ``Speaker:`` prefix or cue). What a person should
know about how a file was read comes back as notes beside its turns.
"""

from __future__ import annotations

import re
from collections import Counter

from attunement.errors import InvalidInput
from attunement.transcripts.cues import CUE, cue_text, parse_cues
from attunement.transcripts.table import looks_like_table, parse_csv
from attunement.transcripts.text import parse_text
from attunement.transcripts.turns import (
    CAREGIVER_NAMES,
    CLIENT_NAMES,
    FORMATS,
    MAX_TURNS,
    Parsed,
    Turn,
    speaker_line,
    speaker_name,
)

__all__ = [
    "CAREGIVER_NAMES",
    "CLIENT_NAMES",
    "FORMATS",
    "MAX_TURNS",
    "Parsed",
    "Turn",
    "caregiver_by_role",
    "cue_text",
    "detect",
    "guess_caregiver",
    "parse",
    "parse_csv",
    "parse_cues",
    "parse_text",
    "read_transcript",
    "speaker_line",
    "speaker_name",
]


def detect(text: str, filename: str) -> str:
    lowered = filename.lower()
    head = text.lstrip("\ufeff")[:2000]
    second = head.split("\n", 3)[1] if "\n" in head else ""
    if head.startswith("WEBVTT"):
        return "vtt"
    if lowered.endswith(".vtt") and not CUE.search(second):
        return "vtt"  # read as WebVTT, so that its missing header is named
    if lowered.endswith(".srt") or CUE.search(second):
        return "srt"  # also a SubRip file saved as .vtt: numbered cues, times on line two
    first = head.splitlines()[0] if head.strip() else ""
    if "interlocutor" in first.lower() and "utterance_text" in first.lower():
        return "annomi"
    if lowered.endswith((".csv", ".tsv")) or looks_like_table(first):
        return "csv"
    return "text"


def read_transcript(text: str, where: str, fmt: str | None = None) -> Parsed:
    """A transcript's turns, the format they were read as, and notes on how it was read;
    a malformed file is refused whole (FormatError), naming the file and line."""
    fmt = fmt or detect(text, where)
    if fmt not in FORMATS:
        raise InvalidInput(
            f"Unknown transcript format '{fmt}'; use one of {', '.join(FORMATS)}.", field="format"
        )
    notes: list[str] = []
    if fmt == "text":
        turns = parse_text(text, where, notes)
    elif fmt in ("vtt", "srt"):
        turns = parse_cues(text, where, fmt, notes)
    else:
        turns = parse_csv(text, where, fmt, notes)
    return Parsed(turns, fmt, tuple(notes))


def parse(text: str, where: str, fmt: str | None = None) -> tuple[list[Turn], str]:
    parsed = read_transcript(text, where, fmt)
    return parsed.turns, parsed.fmt


def caregiver_by_role(turns: list[Turn]) -> str | None:
    """The speaker a role word names as the caregiver (therapist, nurse, chaplain…), alone,
    before a name ("Counsellor Jane Smith") or in brackets after one, as Teams shows job
    titles ("Kowalczyk, Agnieszka (Social Worker)"); else the one speaker with a doctor's
    title ("Dr Sunita Rao"); or None when no speaker is so named."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    for speaker in speakers:
        if speaker.strip().lower() in CAREGIVER_NAMES:
            return speaker
    for speaker in speakers:  # a role before a name: "Counsellor Jane Smith", "Nurse Ada"
        first = speaker.split()[0].lower().rstrip(".:") if speaker.split() else ""
        if len(first) > 2 and first in CAREGIVER_NAMES:
            return speaker
    for speaker in speakers:  # a role in brackets after a name: "Ruth Evans (Counsellor)"
        bracketed = _BRACKETED_ROLE.search(speaker)
        if bracketed and set(bracketed.group(1).lower().split()) & _CARING_ROLES:
            return speaker
    doctors = [s for s in speakers if _DOCTOR.match(s)]
    return doctors[0] if len(doctors) == 1 else None


_BRACKETED_ROLE = re.compile(r"\(([^()]+)\)\s*$")
# The words of a job title that make its holder the one giving care ("Social Worker",
# "Clinical Psychologist", "Key Worker"); "External" or "Guest" in brackets do not.
_CARING_ROLES = frozenset(CAREGIVER_NAMES - {"t", "th", "c", "me"}) | {
    "psychologist", "psychotherapist", "psychiatrist", "worker", "midwife", "paramedic",
    "physiotherapist", "counselling", "chaplaincy", "pastor", "imam", "rabbi", "priest",
}  # fmt: skip
_DOCTOR = re.compile(r"^\s*(?:dr\.?|doctor)\s+\S", re.IGNORECASE)


def guess_caregiver(turns: list[Turn]) -> str:
    """The caregiver's speaker name: a role word (therapist, nurse, chaplain…) if there is
    one, else whoever asks the most questions."""
    named = caregiver_by_role(turns)
    if named is not None:
        return named
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    others = [s for s in speakers if s.strip().lower() not in CLIENT_NAMES]
    pool = others or speakers
    questions = Counter(t.speaker for t in turns if "?" in t.text)
    return max(pool, key=lambda s: (questions[s], -speakers.index(s)))
