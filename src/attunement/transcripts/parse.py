"""Reading transcripts in the formats people have: plain ``Speaker: words`` lines,
WebVTT and SRT subtitles (with ``Speaker:`` or ``<v Speaker>`` inside the cues), CSV
(``speaker,text[,start,end]``) and AnnoMI's CSV layout. Consecutive lines by the same
speaker stay separate turns only when the file says so (a new ``Speaker:`` prefix or cue).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import dataclass

from attunement.errors import FormatError, InvalidInput

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
_NOT_NAME = (
    CAREGIVER_NAMES
    | CLIENT_NAMES
    | {
        "speaker", "unknown", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor",
        "sister", "brother", "father", "mother", "revd", "rev", "reverend", "pastor",
        "imam", "rabbi", "student", "social", "worker", "volunteer", "midwife", "paramedic",
        "guest", "host", "and", "the", "of",
    }
)  # fmt: skip

# `Speaker: words`: a name of up to 40 characters, then a colon followed by white space (or
# nothing), so the colon of a time (`at 10:30`, `<00:17.500>`) or a link (`https://`) is
# never taken for a speaker.
_SPEAKER = re.compile(r"^\s*([^:<>\n]{1,40}?)\s*:(?:\s+(.*))?$")
# Otter's text export: `Speaker Name  0:05` on its own line, the words on the lines below.
_OTTER = re.compile(r"^(\S.{0,39}?)\s{2,}(?:(\d+):)?(\d{1,2}):(\d{2})\s*$")
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")  # then optional cue settings
# A cue-text tag in WebVTT: anything from `<` to `>` (or to the end of the cue).
_VTT_TAG = re.compile(r"<([^>]*)(?:>|$)")
# SubRip has HTML-like tags only (<i>, <b>, <u>, <font ...>); `x < 5` there is text.
_SRT_TAG = re.compile(r"<(/?[a-zA-Z][^>]*|\d[\d:.,]*)>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")  # {\an8} and friends, written by Aegisub
# Aegisub's line breaks and space: \N a hard break, \n a soft one, \h a hard space.
_ASS_BREAKS = {"\\N": "\n", "\\n": " ", "\\h": " "}
_SPACES = re.compile(r"[ \t\f]+")
# A subtitle's dash before each speaker's line when two speak in one cue.
_DIALOGUE_DASH = re.compile(r"^\s*[-\u2013\u2014]\s+")
# Lines the transcribing tool adds, that no one said: Otter's footer, Teams' notices, and
# Google Meet's time marks every few minutes (`00:05:12` alone on a line) and its footer
# ("Transcription ended after 00:12:40", "Meeting ended after 01:00:09 👋", "This editable
# transcript was computer generated and might contain errors. …").
_TOOL_LINE = re.compile(
    r"^\s*(?:transcribed by https?://(?:www\.)?otter\.ai\S*"
    r"|.{1,80}? (?:started|stopped) transcription"
    r"|\d{1,2}:\d{2}:\d{2}"
    r"|(?:transcription|meeting) ended after \d{1,2}:\d{2}:\d{2}\W*"
    r"|this editable transcript was computer generated and might contain errors\..*)\s*$",
    re.IGNORECASE,
)
# The lines a Teams transcript saved as text opens with (the meeting's title, date and
# length), before its first `Name   0:00:03` line; at most this many are passed over.
_PREAMBLE_LINES = 5
# Google Meet's transcript (a Google Doc, saved as text) opens with its date and a title
# line `Weekly check-in - Transcript`; older ones follow it with an `Attendees` heading,
# the list of names and a `Transcript` heading.
_MEET_TITLE = re.compile(r"^\S.{0,200} - Transcript\s*$")
# Rev's transcript: `Speaker 1 (00:04):` on its own line, the words on the lines below.
_REV = re.compile(r"^\s*\S.{0,39}?\s*\((?:\d+:)?\d{1,2}:\d{2}\):\s*$")


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


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def _check(turns: list[Turn], where: str) -> list[Turn]:
    if not turns:
        raise FormatError(
            "has no turns; each turn should look like `Speaker: words`", path=where, line=1
        )
    if len(turns) > MAX_TURNS:
        raise FormatError(f"has more than {MAX_TURNS:,} turns; split the session", path=where)
    # One speaker however the file capitalises them ("Counsellor:", "COUNSELLOR:"): the
    # first spelling met is kept.
    spelling: dict[str, str] = {}
    keys = [" ".join(t.speaker.casefold().split()) for t in turns]
    for key, t in zip(keys, turns, strict=True):
        spelling.setdefault(key, t.speaker)
    return [
        Turn(i, spelling[key], t.text, t.start, t.end, t.line)
        for i, (key, t) in enumerate(zip(keys, turns, strict=True))
    ]


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
        if w[:1].isupper() and w.casefold() not in _NOT_NAME and _NAME_WORD.fullmatch(w)
    )


def speaker_line(line: str) -> tuple[str, str] | None:
    """``(speaker, words)`` when a line opens with ``Speaker:``, else None."""
    match = _SPEAKER.match(line)
    if not match or not any(c.isalpha() for c in match.group(1)):
        return None
    return match.group(1).strip(), (match.group(2) or "").strip()


def _preamble(lines: list[str]) -> int:
    """How many lines open the text before its turns when they come within the first few
    lines and none of them names a speaker: a Teams transcript saved as text (title, date,
    length) up to its first `Name   0:00:03` line, or a Google Meet transcript (date,
    `Title - Transcript`, any attendees) up to its first turn; else 0."""
    seen = 0
    for number, raw in enumerate(lines):
        if not raw.strip():
            continue
        if _OTTER.match(raw):
            return number
        if _MEET_TITLE.match(raw):
            return number + 1 + _attendees(lines[number + 1 :])
        if speaker_line(raw) is not None or seen >= _PREAMBLE_LINES:
            return 0
        seen += 1
    return 0


def _attendees(lines: list[str]) -> int:
    """How many lines an older Google Meet transcript's `Attendees` block takes after its
    title: the heading, the names, then the `Transcript` heading; 0 when there is none."""
    filled = [(number, raw.strip()) for number, raw in enumerate(lines) if raw.strip()][:4]
    if not filled or filled[0][1] != "Attendees":
        return 0
    return next((number + 1 for number, text in filled[1:] if text == "Transcript"), 0)


def parse_text(text: str, where: str) -> list[Turn]:
    turns: list[Turn] = []
    lines = text.splitlines()
    skip = _preamble(lines)
    for number, raw in enumerate(lines, start=1):
        if number <= skip or not raw.strip() or _TOOL_LINE.match(raw):
            continue
        said = speaker_line(raw)
        otter = _OTTER.match(raw)
        if otter and any(c.isalpha() for c in otter.group(1)):
            start = _seconds(otter.group(2), otter.group(3), otter.group(4), "0")
            turns.append(Turn(0, otter.group(1).strip(), "", start, line=number))
        elif said and said[1]:
            turns.append(Turn(0, said[0], said[1], line=number))
        elif turns and not said:
            last = turns[-1]  # a continuation line of the same turn
            joined = f"{last.text} {raw.strip()}".strip()
            turns[-1] = Turn(0, last.speaker, joined, last.start, line=last.line)
        elif _REV.match(raw):
            raise FormatError(
                "looks like a Rev transcript (`Speaker 1 (00:04):` above the words), which "
                "Attunement does not read; put each turn on one line as `Speaker 1: words` "
                "and import it again",
                path=where,
                line=number,
            )
        else:
            raise FormatError(
                "does not start with `Speaker:` (each turn should look like "
                "`Client: I have not slept`)",
                path=where,
                line=number,
            )
    for turn in turns:
        if not turn.text:
            raise FormatError(f"has no words under `{turn.speaker}`", path=where, line=turn.line)
    return _check(turns, where)


def cue_text(text: str, fmt: str) -> list[tuple[str | None, str]]:
    """A cue's text as ``(voice, words)`` runs, following the WebVTT cue text rules: tags
    (c, i, b, u, ruby, rt, v, lang, timestamps, and any unknown one) are dropped, ruby
    readings (rt) are left out, a ``<v Speaker>`` span names who speaks until ``</v>`` or
    the end of the cue, and character references (``&amp;``, ``&#233;``) are decoded.
    SubRip's HTML-like tags (<i>, <b>, <u>, <font>) and Aegisub's ``{\\an8}`` go too."""
    runs: list[tuple[str | None, str]] = []
    voice: str | None = None
    words: list[str] = []
    in_rt = 0
    tag_re = _VTT_TAG if fmt == "vtt" else _SRT_TAG
    if fmt == "srt":
        text = _ASS_OVERRIDE.sub("", text)
        for code, replacement in _ASS_BREAKS.items():
            text = text.replace(code, replacement)

    def flush() -> None:
        joined = html.unescape("".join(words))
        if joined.strip():
            runs.append((voice, joined))
        words.clear()

    pos = 0
    for match in tag_re.finditer(text):
        if not in_rt:
            words.append(text[pos : match.start()])
        pos = match.end()
        tag = match.group(1).strip()
        closing = tag.startswith("/")
        name = re.split(r"[\s.]", tag.lstrip("/"), maxsplit=1)[0].lower()
        if name == "rt":
            in_rt = max(0, in_rt - 1) if closing else in_rt + 1
        elif name == "v":
            flush()
            if closing:
                voice = None
            else:
                parts = tag.split(None, 1)
                annotation = (
                    _SPACES.sub(" ", html.unescape(parts[1])).strip() if len(parts) > 1 else ""
                )
                voice = annotation or None
    if not in_rt:
        words.append(text[pos:])
    flush()
    return runs


def _cue_turns(
    lines: list[str], fmt: str, previous: str | None, where: str, number: int
) -> list[tuple[str, str]]:
    """The ``(speaker, words)`` turns of one cue. A voice span names its speaker; otherwise
    each line that opens with ``Speaker:`` starts a turn, and words before any name belong
    to whoever spoke last (a subtitle names a speaker when the speaker changes)."""
    turns: list[tuple[str, str]] = []
    for voice, text in cue_text("\n".join(lines), fmt):
        if voice is not None:
            turns.append((voice, " ".join(text.split())))
            continue
        for line in text.split("\n"):
            line = _DIALOGUE_DASH.sub("", line)  # "- Client: Yes." in a two-speaker cue
            if not line.strip() or _TOOL_LINE.match(line):
                continue
            said = speaker_line(line)
            if said is not None:
                turns.append(said)
            elif turns:
                turns[-1] = (turns[-1][0], f"{turns[-1][1]} {line.strip()}".strip())
            elif previous is not None:
                turns.append((previous, line.strip()))
            else:
                raise FormatError(
                    "has a cue without a speaker; write `Speaker: words` or "
                    "`<v Speaker>words` in the first cue",
                    path=where,
                    line=number,
                )
    return [(who, " ".join(words.split())) for who, words in turns if words.strip()]


@dataclass
class _Cue:
    line: int
    start: float
    end: float
    lines: list[str]


def _blocks(text: str, where: str, fmt: str) -> list[_Cue]:
    """Cue blocks, by the WebVTT parser's rules (SubRip is read the same way): a line holding
    ``-->`` starts a new cue even without a blank line before it, a blank line ends one, and
    a lone cue number just before a timing line is that cue's identifier, not text."""
    lines = text.split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if fmt == "vtt":
        first = lines[0].lstrip("\ufeff") if lines else ""
        if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
            raise FormatError("is not WebVTT: the first line must be `WEBVTT`", path=where, line=1)
    else:
        lines[0] = lines[0].lstrip("\ufeff") if lines else ""
    cues: list[_Cue] = []
    cue: _Cue | None = None
    loose: list[tuple[int, str]] = []  # lines outside any cue, since the last blank line
    in_header = fmt == "vtt"

    def blank(line: str) -> bool:
        return line == "" if fmt == "vtt" else not line.strip()

    def end_loose() -> None:
        if not loose or in_header:
            loose.clear()
            return
        first_line = loose[0][1].strip()
        if fmt == "vtt" and first_line.split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            loose.clear()
            return
        raise FormatError(
            "has text outside any cue; each cue starts with a timing line such as "
            + (
                "`00:00:01.000 --> 00:00:04.000`"
                if fmt == "vtt"
                else "`00:00:01,000 --> 00:00:04,000`"
            ),
            path=where,
            line=next((n for n, text in loose if not text.strip().isdigit()), loose[0][0]),
        )

    for index, line in enumerate(
        lines[1:] if fmt == "vtt" else lines, start=2 if fmt == "vtt" else 1
    ):
        if "-->" in line:
            timing = _CUE.match(line)
            if not timing:
                raise FormatError(
                    "has `-->` but not two times such as 00:00:01.000 --> 00:00:04.000",
                    path=where,
                    line=index,
                )
            g = timing.groups()
            start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
            if end < start:
                raise FormatError("has a cue that ends before it starts", path=where, line=index)
            if cue is not None and cue.lines and cue.lines[-1].strip().isdigit():
                cue.lines.pop()  # the next cue's number, written without a blank line before it
            if cue is None and len(loose) == 1:
                loose.clear()  # this cue's identifier
            end_loose()
            in_header = False
            cue = _Cue(index, start, end, [])
            cues.append(cue)
        elif blank(line):
            cue = None
            end_loose()
            in_header = False
        elif cue is not None:
            cue.lines.append(line)
        else:
            loose.append((index, line))
    if loose and not (len(loose) == 1 and loose[0][1].strip().isdigit()):
        end_loose()
    return cues


# A karaoke timestamp inside a cue (`<00:01.200>`): only rolling tracks carry them.
_INLINE_TIME = re.compile(r"<(?:\d+:)?\d{2}:\d{2}\.\d{3}>")


def _plain_line(line: str) -> str:
    return " ".join(html.unescape(_VTT_TAG.sub("", line)).split())


def _unrolled(cues: list[_Cue]) -> list[_Cue] | None:
    """A rolling track (YouTube's automatic captions) shows each line twice: built up
    word by word with inline timestamps, then carried as the top line while the next one
    builds below, with ~10 ms hold cues between that repeat what is on screen. Keep each
    line once: drop a cue's leading lines that repeat, whole and exactly, the lines the
    previous cue ended with, and a cue with nothing new. Only whole lines repeated by the
    very next cue go, so words a person really said twice stay; and a track where fewer
    than a third of the cues roll over is not a rolling one (None: read it as it is)."""
    kept: list[_Cue] = []
    shown: list[str] = []
    rolled = 0
    for cue in cues:
        lines = [line for line in cue.lines if _plain_line(line)]
        plain = [_plain_line(line) for line in lines]
        carried = 0
        for size in range(min(len(plain), len(shown)), 0, -1):
            if plain[:size] == shown[-size:]:
                carried = size
                break
        rolled += carried > 0
        if plain:
            shown = plain
        if carried < len(lines):
            kept.append(_Cue(cue.line, cue.start, cue.end, lines[carried:]))
    return kept if rolled and rolled * 3 >= len(cues) - 1 else None


def parse_cues(text: str, where: str, fmt: str) -> list[Turn]:
    turns: list[Turn] = []
    previous: str | None = None
    cues = _blocks(text, where, fmt)
    unrolled = _unrolled(cues) if fmt == "vtt" and _INLINE_TIME.search(text) else None
    rolling = unrolled is not None
    if unrolled is not None:
        cues = unrolled
    for cue in cues:
        said = _cue_turns(cue.lines, fmt, previous, where, cue.line)
        if rolling and said and turns and not _names_speaker(cue.lines[0]):
            # A rolling track's cues are what fits on screen, not turns: words with no
            # name go on the turn they continue.
            last = turns[-1]
            turns[-1] = Turn(
                0, last.speaker, f"{last.text} {said[0][1]}", last.start, cue.end, line=last.line
            )
            said = said[1:]
        for speaker, words in said:
            if turns and turns[-1].speaker.casefold() == speaker.casefold():
                last = turns[-1]
                # One person's words cut into cues to fit the screen (as Zoom, Teams and
                # Otter cut them) are one turn: "When you think about the ward," then
                # "what comes up?" is one question, not a reflection and a question.
                turns[-1] = Turn(
                    0, last.speaker, f"{last.text} {words}", last.start, cue.end, line=last.line
                )
            else:
                turns.append(Turn(0, speaker, words, cue.start, cue.end, line=cue.line))
            previous = speaker
    return _check(turns, where)


def _names_speaker(line: str) -> bool:
    return line.lstrip().startswith("<v") or speaker_line(_plain_line(line)) is not None


def parse_csv(text: str, where: str, fmt: str) -> list[Turn]:
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FormatError(f"is not valid CSV ({exc})", path=where, line=reader.line_num) from exc
    if not rows:
        raise FormatError("is empty", path=where, line=1)
    header = [h.strip().lower() for h in rows[0]]
    if fmt == "annomi":
        need = {"interlocutor", "utterance_text"}
        if not need <= set(header):
            raise FormatError(
                "is not in AnnoMI's layout: it needs the columns interlocutor and utterance_text",
                path=where,
                line=1,
            )
        if "transcript_id" in header:
            _one_session(rows, header.index("transcript_id"), where)
        speaker_col, text_col = header.index("interlocutor"), header.index("utterance_text")
        start_col = header.index("timestamp") if "timestamp" in header else None
        end_col = None
    else:
        if "speaker" in header and "text" in header:
            speaker_col, text_col = header.index("speaker"), header.index("text")
            start_col = header.index("start") if "start" in header else None
            end_col = header.index("end") if "end" in header else None
        else:
            raise FormatError(
                "needs a header row `speaker,text` (optionally `,start,end`)", path=where, line=1
            )
    turns = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(speaker_col, text_col):
            raise FormatError("has too few columns", path=where, line=number)
        speaker, words = _one_line(row[speaker_col]), _one_line(row[text_col])
        if not speaker or not words:
            raise FormatError("has an empty speaker or text", path=where, line=number)
        start = _time_cell(row, start_col, where, number)
        end = _time_cell(row, end_col, where, number)
        turns.append(Turn(0, speaker, words, start, end, line=number))
    return _check(turns, where)


def _one_line(cell: str) -> str:
    """A cell's text on one line: a quoted cell that spans lines (as Excel saves a cell
    with a line break in it) has its lines joined with a space, as in the other formats."""
    return " ".join(line.strip() for line in cell.splitlines() if line.strip())


def _one_session(rows: list[list[str]], col: int, where: str) -> None:
    """Refuse an AnnoMI file that holds several sessions (its `transcript_id` column has
    more than one value), naming the line where the second begins: a transcript is one
    session, and sessions run together would make every figure wrong."""
    ids = [
        (number, row[col].strip() if len(row) > col else "")
        for number, row in enumerate(rows[1:], start=2)
    ]
    sessions = list(dict.fromkeys(value for _, value in ids if value))
    if len(sessions) < 2:
        return
    second = next(number for number, value in ids if value == sessions[1])
    shown = ", ".join(sessions[:3]) + (", …" if len(sessions) > 3 else "")
    raise FormatError(
        f"starts another session: the file holds {len(sessions)} sessions (transcript_id "
        f"{shown}) and a transcript is one session, so save each session's rows under the "
        "header row in a file of its own and import each file",
        path=where,
        line=second,
    )


def _time_cell(row: list[str], col: int | None, where: str, number: int) -> float | None:
    if col is None or col >= len(row) or not row[col].strip():
        return None
    value = row[col].strip()
    try:
        if ":" in value:
            parts = [float(p) for p in value.split(":")]
            seconds = 0.0
            for part in parts:
                seconds = seconds * 60 + part
            return seconds
        return float(value)
    except ValueError as exc:
        raise FormatError(
            f"has a time `{value}` that is neither seconds nor hh:mm:ss", path=where, line=number
        ) from exc


def detect(text: str, filename: str) -> str:
    lowered = filename.lower()
    head = text.lstrip("\ufeff")[:2000]
    second = head.split("\n", 3)[1] if "\n" in head else ""
    if head.startswith("WEBVTT"):
        return "vtt"
    if lowered.endswith(".vtt") and not _CUE.search(second):
        return "vtt"  # read as WebVTT, so that its missing header is named
    if lowered.endswith(".srt") or _CUE.search(second):
        return "srt"  # also a SubRip file saved as .vtt: numbered cues, times on line two
    first = head.split("\n", 1)[0].lower()
    if "interlocutor" in first and "utterance_text" in first:
        return "annomi"
    if lowered.endswith(".csv") or first.replace(" ", "").startswith("speaker,text"):
        return "csv"
    return "text"


def parse(text: str, where: str, fmt: str | None = None) -> tuple[list[Turn], str]:
    fmt = fmt or detect(text, where)
    if fmt not in FORMATS:
        raise InvalidInput(
            f"Unknown transcript format '{fmt}'; use one of {', '.join(FORMATS)}.", field="format"
        )
    if fmt == "text":
        return parse_text(text, where), fmt
    if fmt in ("vtt", "srt"):
        return parse_cues(text, where, fmt), fmt
    return parse_csv(text, where, fmt), fmt


def guess_caregiver(turns: list[Turn]) -> str:
    """The caregiver's speaker name: a role word (therapist, nurse, chaplain…) if there is
    one, else whoever asks the most questions."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    for speaker in speakers:
        if speaker.strip().lower() in CAREGIVER_NAMES:
            return speaker
    for speaker in speakers:  # a role before a name: "Counsellor Jane Smith", "Nurse Ada"
        first = speaker.split()[0].lower().rstrip(".:") if speaker.split() else ""
        if len(first) > 2 and first in CAREGIVER_NAMES:
            return speaker
    others = [s for s in speakers if s.strip().lower() not in CLIENT_NAMES]
    pool = others or speakers
    questions = Counter(t.speaker for t in turns if "?" in t.text)
    return max(pool, key=lambda s: (questions[s], -speakers.index(s)))
