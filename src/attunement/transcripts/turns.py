"""What every transcript reader shares: a turn, who can be a speaker (roles, names and
the words that are never one), times, and the checks every transcript read passes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from attunement.errors import FormatError

FORMATS = ("text", "vtt", "srt", "csv", "annomi")
MAX_TURNS = 20_000
CAREGIVER_NAMES = {
    "therapist",
    "counsellor",
    "counselor",
    "nurse",
    "chaplain",
    "doctor",
    "clinician",
    "caregiver",
    "carer",
    "interviewer",
    "practitioner",
    "t",
    "th",
    "c",
    "helper",
    "supervisor",
    "trainee",
    "me",
}
CLIENT_NAMES = {"client", "patient", "resident", "service user", "cl", "p", "pt"}
# Words in a speaker's label that are not their name: roles, titles and the transcribing
# tool's own ("Speaker 1", "Counsellor Ruth Evans", "Sister Bríd O'Connell").
NOT_NAME = (
    CAREGIVER_NAMES
    | CLIENT_NAMES
    | {
        "speaker", "unknown", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor",
        "sister", "brother", "father", "mother", "revd", "rev", "reverend", "pastor",
        "imam", "rabbi", "student", "social", "worker", "volunteer", "midwife", "paramedic",
        "guest", "host", "and", "the", "of",
    }
)  # fmt: skip
# Words of a label that make it a role, wherever they stand in it ("Family therapist",
# "Support worker", "Therapist (Ruth)"); the one- and two-letter abbreviations ("T:",
# "C:") count only when a file uses them on several lines.
_ROLE_WORDS = frozenset(w for w in NOT_NAME if len(w) > 2) - {"and", "the"}
# Lower-case parts of a name ("Dafydd ap Gruffydd", "Ludwig van Beethoven").
_PARTICLES = frozenset(
    "ap ab ferch verch van von de da di del della der den la le du dos das do bin bint "
    "ibn al el y ní nic mac ó".split()
)
# Words that open a line of someone's words as a heading of their own ("Note: I never
# told her", "PS: …", "Update: …"), or as a word said ("Honestly: …"): never a speaker
# unless the file names no one else.
ASIDES = frozenset(
    "note notes nb n.b ps p.s pps p.p.s update updated edit edited example examples e.g eg "
    "i.e ie quote warning important reminder summary context aside addendum correction fyi "
    "btw tip todo action actions reason result source translation comment comments "
    "observation feedback homework plan goal goals agenda outcome background date time "
    "location title subject topic duration keywords honestly basically anyway also then so "
    "well okay ok yes no hmm like listen look oh right sure actually seriously fine really "
    "wait first second third finally later afterwards meanwhile today tomorrow yesterday "
    "tonight morning evening afternoon please thanks".split()
)


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int = 0

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Parsed:
    """A transcript read: its turns, the format it was read as, and what a person should
    know about how it was read (one sentence each, naming the file and line)."""

    turns: list[Turn]
    fmt: str
    notes: tuple[str, ...] = ()


def note(where: str, line: int | None, message: str) -> str:
    """A note in the shape of an error message: "FILE, line N: what happened"."""
    return f"{where}, line {line}: {message}" if line else f"{where}: {message}"


def fold(label: str) -> str:
    """A speaker's label as compared: "COUNSELLOR", "Counsellor " and "counsellor" agree."""
    return " ".join(label.casefold().split())


def seconds(h: str | None, m: str, s: str, ms: str | None) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int((ms or "0").ljust(3, "0")) / 1000


def _bare_words(label: str) -> list[str]:
    return [w.strip("()[],.;'\u2019\"") for w in label.split()]


def is_role(label: str) -> bool:
    """Whether a label is a role, alone or beside a name: "Client", "Counsellor Ruth Evans",
    "Family therapist", "Support worker", "Service user" (its first or last word a role;
    "The client said" is not one)."""
    words = [w.casefold() for w in _bare_words(label) if w]
    return fold(label) in CAREGIVER_NAMES | CLIENT_NAMES or bool(
        words and (words[0] in _ROLE_WORDS or words[-1] in _ROLE_WORDS)
    )


def name_like(label: str) -> bool:
    """Whether a label reads as a person's name or a transcribing tool's "Speaker 2": up to
    five words, each capitalised, a number, a role or a name's particle ("ap", "van");
    "She said" and "Then" are not."""
    words = [w for w in _bare_words(label) if w]
    if not words or len(words) > 5 or not any(c.isalpha() for c in label):
        return False
    return all(
        w[0].isupper() or w.isdigit() or w.casefold() in _PARTICLES | _ROLE_WORDS for w in words
    )


_NO_BREAK = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})


def check(turns: list[Turn], where: str) -> list[Turn]:
    """The turns numbered, with one spelling per speaker and no-break spaces (pasted from
    a word processor) as plain spaces, or the file refused when it holds none or too many."""
    if not turns:
        raise FormatError(
            "has no turns; each turn should look like `Speaker: words`", path=where, line=1
        )
    if len(turns) > MAX_TURNS:
        raise FormatError(
            f"has more than {MAX_TURNS:,} turns; split the session into files of fewer turns",
            path=where,
        )
    # One speaker however the file capitalises them ("Counsellor:", "COUNSELLOR:"): the
    # first spelling met is kept.
    spelling: dict[str, str] = {}
    keys = [fold(t.speaker) for t in turns]
    for key, t in zip(keys, turns, strict=True):
        spelling.setdefault(key, t.speaker)
    return [
        Turn(i, spelling[key], t.text.translate(_NO_BREAK), t.start, t.end, t.line)
        for i, (key, t) in enumerate(zip(keys, turns, strict=True))
    ]


def ends_from_starts(turns: list[Turn]) -> list[Turn]:
    """Where a file gives only when each turn starts (Otter, Teams and Zoom text, a CSV
    with a start column, AnnoMI), a turn ends when the next begins; the last turn's end
    stays unknown."""
    out = list(turns)
    for i, turn in enumerate(out[:-1]):
        after = out[i + 1].start
        if turn.end is None and turn.start is not None and after is not None:
            if after >= turn.start:
                out[i] = Turn(turn.index, turn.speaker, turn.text, turn.start, after, turn.line)
    return out


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")  # Bríd, O'Connell, Min-jun


def speaker_name(speaker: str) -> str:
    """The person's name in a speaker's label, or "" when it holds none: roles, titles, a
    department in brackets and numbers left out ("Counsellor Ruth Evans" is "Ruth Evans";
    "Kowalczyk, Agnieszka", as Teams writes names, is "Kowalczyk Agnieszka"; "Speaker 1"
    and "Client" are "")."""
    label = re.sub(r"\([^)]*\)", " ", speaker)
    words = [w.strip(".'\u2019") for w in re.split(r"[\s,;/]+", label)]
    return " ".join(
        w
        for w in words
        if w[:1].isupper() and w.casefold() not in NOT_NAME and _NAME_WORD.fullmatch(w)
    )


# `Speaker: words`: a name of up to 40 characters, then a colon followed by white space (or
# nothing), so the colon of a time (`at 10:30`, `<00:17.500>`) or a link (`https://`) is
# never taken for a speaker.
SPEAKER = re.compile(r"^\s*([^:<>\n]{1,40}?)\s*:(?:\s+(.*))?$")


def speaker_line(line: str) -> tuple[str, str] | None:
    """``(speaker, words)`` when a line opens with ``Speaker:``, else None."""
    match = SPEAKER.match(line)
    if not match or not any(c.isalpha() for c in match.group(1)):
        return None
    return match.group(1).strip(), (match.group(2) or "").strip()


# Lines the transcribing tool adds, that no one said: Otter's footer, Teams' notices, and
# Google Meet's time marks every few minutes (`00:05:12` alone on a line) and its footer
# ("Transcription ended after 00:12:40", "Meeting ended after 01:00:09 👋", "This editable
# transcript was computer generated and might contain errors. …").
TOOL_LINE = re.compile(
    r"^\s*(?:transcribed by https?://(?:www\.)?otter\.ai\S*"
    r"|.{1,80}? (?:started|stopped) transcription"
    r"|\d{1,2}:\d{2}:\d{2}"
    r"|(?:transcription|meeting) ended after \d{1,2}:\d{2}:\d{2}\W*"
    r"|this editable transcript was computer generated and might contain errors\..*)\s*$",
    re.IGNORECASE,
)
