"""Plain-text transcripts: one turn per `Speaker: words` line, and the layouts tools write
as text. A speaker's label may be in Markdown bold (`**Client:**`), written without a
space (`Client:Yes`, for a speaker the file names elsewhere) or, in a file with no colons,
before a dash (`Client – Yes`); a time may stand before it (`[00:00:03] Client: …`) or
after it (Descript's `Client: [00:00:06] …`). Otter, Teams and Zoom put the speaker and a
time on a line above the words (`Speaker 1  0:03`, `[Ruth Evans] 10:02:15`), and open
with a title, a date and headings that are no one's words.

A `Word:` opening a line starts a turn only when it names a speaker of the file: a role,
a label used on several lines, or a name used once ("Sam: Long."); a one-off "Note:",
"PS:" or "Update:" inside a turn stays that speaker's words, with a note saying so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from attunement.errors import FormatError
from attunement.transcripts.turns import (
    ASIDES,
    TOOL_LINE,
    Turn,
    check,
    ends_from_starts,
    fold,
    is_role,
    name_like,
    note,
    seconds,
    speaker_line,
)

_CLOCK = r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
# A time before the speaker: `[00:00:03] Counsellor:`, `(00:00:15) …`, `00:00:20 - …`.
_STAMP_BEFORE = re.compile(rf"^\s*[\[(]?{_CLOCK}[\])]?\s+(?:[-\u2013\u2014]\s+)?")
# Descript's time after the speaker: `Counsellor: [00:00:06] Thanks for coming in`.
_STAMP_AFTER = re.compile(rf"^[\[(]{_CLOCK}[\])]\s*")
# Otter's and Teams' text export: `Speaker Name  0:05` on its own line, the words below.
_OTTER = re.compile(r"^(\S.{0,39}?)\s{2,}(?:(\d+):)?(\d{1,2}):(\d{2})\s*$")
# Zoom's saved live transcript: `[Ruth Evans] 10:02:15` (a time of day), the words below.
_ZOOM_LIVE = re.compile(r"^\s*\[([^\]\n]{1,60})\]\s+(\d{1,2}):(\d{2}):(\d{2})\s*$")
# Markdown bold labels: `**Client:** words`, `**Client**: words`, `__Client:__ words`.
_BOLD = re.compile(r"^\s*(\*\*|__)([^:*_<>\n]{1,40}?)\s*(?::\s*\1|\1\s*:)\s*(.*)$")
# A label with no space after its colon (`Client:Yes, okay.`), followed by a letter or a
# quote, so `Time:10:30` and `https://…` are never labels.
_TIGHT = re.compile(r"^\s*([^:<>\n\s][^:<>\n]{0,39}?)\s*:(?=[^\W\d_]|[\"\u201c\u2018'(])(.*)$")
# `Counsellor – Shall we start?`: a name, a dash with a space on each side, the words.
_DASH = re.compile(r"^\s*([^\s:<>\-\u2013\u2014][^:<>\n]{0,39}?)\s+[-\u2013\u2014]\s+(\S.*)$")
# Rev's transcript: `Speaker 1 (00:04):` on its own line, the words on the lines below.
_REV = re.compile(r"^\s*\S.{0,39}?\s*\((?:\d+:)?\d{1,2}:\d{2}\):\s*$")
# Zoom's chat file (`10:02:15 From  Ruth Evans  to  Everyone:`), saved beside a recording.
_ZOOM_CHAT = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}\s+From\s+.{1,80}?\s+to\s+.{1,80}?:\s*$", re.I)
# Whisper's text output: `[00:00.000 --> 00:03.000]  words`, times and no speakers.
_WHISPER = re.compile(
    r"^\s*\[(?:\d+:)?\d{1,2}:\d{2}\.\d{3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}\.\d{3}\]"
)
# YouTube's SubViewer captions (.sbv): `0:00:00.599,0:00:04.160` above each caption.
_SBV = re.compile(r"^\s*\d+:\d{2}:\d{2}\.\d{3},\d+:\d{2}:\d{2}\.\d{3}\s*$")
# The lines a Teams transcript saved as text opens with (the meeting's title, date and
# length), before its first `Name   0:00:03` line; at most this many are passed over.
_PREAMBLE_LINES = 5
# Otter's text export may add headed blocks after its title and date, each ending at a
# blank line: `SUMMARY KEYWORDS` over the keywords, `SPEAKERS` over the names.
_OTTER_HEADINGS = {"SUMMARY KEYWORDS", "KEYWORDS", "SPEAKERS", "SUMMARY"}
# Google Meet's transcript (a Google Doc, saved as text) opens with its date and a title
# line `Weekly check-in - Transcript`; older ones follow it with an `Attendees` heading,
# the list of names and a `Transcript` heading.
_MEET_TITLE = re.compile(r"^\S.{0,200} - Transcript\s*$")
_TITLE_CHARS = 120  # the longest line read as a title above the first turn
_MOST_NOTES = 5  # of one kind, so that a long file's notes stay readable


@dataclass(frozen=True)
class _Line:
    number: int
    raw: str
    kind: str  # "header", "label", "dash", "words", or a layout not read: "rev", "chat"…
    label: str = ""
    words: str = ""
    start: float | None = None
    tight: bool = False  # `Client:Yes`: no space after the colon
    clock: bool = False  # the start is a time of day (Zoom), not the time into the session


def _preamble(lines: list[str]) -> int:
    """How many lines open the text before its turns when they come within the first few
    lines and none of them names a speaker: a Teams or Otter transcript saved as text
    (title, date, length, Otter's `SUMMARY KEYWORDS` and `SPEAKERS` blocks) up to its first
    `Name   0:00:03` line, or a Google Meet transcript (date, `Title - Transcript`, any
    attendees) up to its first turn; else 0."""
    seen = 0
    in_block = False
    for number, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            in_block = False
            continue
        if _OTTER.match(raw) or _ZOOM_LIVE.match(raw):
            return number
        if _MEET_TITLE.match(raw):
            return number + 1 + _attendees(lines[number + 1 :])
        if text in _OTTER_HEADINGS:
            in_block = True
            continue
        if in_block:
            continue
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


def _label(rest: str) -> tuple[str, str, str, bool] | None:
    """``(kind, label, words, tight)`` when a line (past any time) opens with a label."""
    if bold := _BOLD.match(rest):
        return "label", bold.group(2), bold.group(3), False
    dash = _DASH.match(rest)
    dashed = dash is not None and any(c.isalpha() for c in dash.group(1))
    said = speaker_line(rest)
    if said and not (dash and dashed and len(dash.group(1)) < len(said[0])):
        return "label", said[0], said[1], False
    tight = _TIGHT.match(rest)
    if tight and any(c.isalpha() for c in tight.group(1)) and not dashed:
        return "label", tight.group(1), tight.group(2), True
    if dash and dashed:
        return "dash", dash.group(1), dash.group(2), False
    return None


def _classify(number: int, raw: str) -> _Line:
    if _REV.match(raw):
        return _Line(number, raw, "rev")
    if _ZOOM_CHAT.match(raw):
        return _Line(number, raw, "chat")
    if _WHISPER.match(raw):
        return _Line(number, raw, "whisper")
    if _SBV.match(raw):
        return _Line(number, raw, "sbv")
    otter = _OTTER.match(raw)
    if otter and any(c.isalpha() for c in otter.group(1)):
        at = seconds(otter.group(2), otter.group(3), otter.group(4), None)
        return _Line(number, raw, "header", otter.group(1).strip(), start=at)
    if zoom := _ZOOM_LIVE.match(raw):
        at = seconds(zoom.group(2), zoom.group(3), zoom.group(4), None)
        return _Line(number, raw, "header", zoom.group(1).strip(), start=at, clock=True)
    stamp = _STAMP_BEFORE.match(raw)
    found = _label(raw[stamp.end() :] if stamp else raw)
    if found is None:
        return _Line(number, raw, "words")
    kind, label, words, tight = found
    start: float | None = seconds(*stamp.groups()) if stamp else None
    if start is None and (after := _STAMP_AFTER.match(words)):
        start, words = seconds(*after.groups()), words[after.end() :]
    return _Line(number, raw, kind, label.strip(), words.strip(), start, tight)


def _turn_starts(lines: list[_Line]) -> set[int]:
    """The lines that start a turn: every speaker-and-time line above its words, and each
    labelled line whose label is a speaker of the file. Labels before a dash count only in
    a file where no colon names anyone."""
    headers = {fold(line.label) for line in lines if line.kind == "header"}

    def takes(line: _Line, counts: Counter[str]) -> bool:
        key = fold(line.label)
        if key in headers or is_role(line.label):
            return True
        if key in ASIDES:
            return False
        if counts[key] >= 2:
            return line.kind == "label" or name_like(line.label)
        return not line.tight and name_like(line.label)

    labelled = [line for line in lines if line.kind == "label"]
    counts = Counter(fold(line.label) for line in labelled)
    starts = {line.number for line in labelled if takes(line, counts)}
    if not starts and not headers:
        dashed = [line for line in lines if line.kind == "dash"]
        counts = Counter(fold(line.label) for line in dashed)
        starts = {line.number for line in dashed if takes(line, counts)}
    return starts | {line.number for line in lines if line.kind == "header"}


def _refuse_opening(line: _Line, where: str) -> FormatError:
    """Why a file's first line of words, before any speaker, cannot be read."""
    if line.kind == "rev":
        message = (
            "looks like a Rev transcript (`Speaker 1 (00:04):` above the words), which "
            "Attunement does not read; put each turn on one line as `Speaker 1: words` and "
            "import it again"
        )
    elif line.kind == "chat":
        message = (
            "looks like Zoom's chat file (`10:02:15 From … to Everyone:`), not the session's "
            "transcript; download the recording's audio transcript (.vtt) from Zoom instead"
        )
    elif line.kind == "whisper":
        message = (
            "looks like Whisper's output (`[00:00.000 --> 00:03.000] words`), which has times "
            "but no speakers; put each turn on its own line as `Speaker: words` and import it "
            "again"
        )
    elif line.kind == "sbv":
        message = (
            "looks like YouTube's .sbv captions, which Attunement does not read; download the "
            "captions as .vtt or .srt instead, with each speaker named (`Client: words`)"
        )
    else:
        message = (
            "does not start with a speaker's name and a colon (each turn should look like "
            "`Client: I have not slept`); start each turn's line with its speaker"
        )
    return FormatError(message, path=where, line=line.number)


def parse_text(text: str, where: str, notes: list[str] | None = None) -> list[Turn]:
    notes = notes if notes is not None else []
    raw_lines = text.splitlines()
    skip = _preamble(raw_lines)
    lines = [
        _classify(number, raw)
        for number, raw in enumerate(raw_lines, start=1)
        if number > skip and raw.strip() and not TOOL_LINE.match(raw)
    ]
    starts = _turn_starts(lines)
    turns: list[Turn] = []
    opening: list[_Line] = []  # lines of words before the first turn
    asides: list[str] = []
    last_header = False  # whether the last turn began with a speaker-and-time line
    for line in lines:
        if line.number in starts:
            if (
                line.kind == "header"
                and last_header
                and fold(turns[-1].speaker) == fold(line.label)
            ):
                continue  # the tool cut one person's words into paragraphs: one turn
            turns.append(Turn(0, line.label, line.words, line.start, line=line.number))
            last_header = line.kind == "header"
        elif not turns:
            opening.append(line)
        else:
            last = turns[-1]
            if line.kind == "label" and line.words and fold(line.label) in ASIDES:
                asides.append(
                    note(
                        where,
                        line.number,
                        f"`{line.label}:` is read as {last.speaker}'s words, not as a new "
                        "speaker, as no one else in the file is called that",
                    )
                )
            joined = f"{last.text} {line.raw.strip()}".strip()
            turns[-1] = Turn(0, last.speaker, joined, last.start, line=last.line)
    if opening:
        if turns and len(opening) == 1 and _title_like(opening[0], turns):
            notes.append(
                note(
                    where,
                    opening[0].number,
                    f"`{opening[0].raw.strip()}` is read as the transcript's title, not as "
                    "anyone's words",
                )
            )
        else:
            raise _refuse_opening(opening[0], where)
    for turn in turns:
        if not turn.text:
            raise FormatError(
                f"has no words under `{turn.speaker}`; put the words on the lines below "
                "the name, or remove the name",
                path=where,
                line=turn.line,
            )
    if any(line.clock for line in lines):
        turns = _from_the_first(turns)
    turns = check(ends_from_starts(turns), where)
    notes.extend(_few(asides))
    notes.extend(_mixed_turns(turns, lines, starts, where))
    return turns


def _title_like(line: _Line, turns: list[Turn]) -> bool:
    """A line above the first turn that reads as a title ("Session with client, 5 March"):
    short, not a sentence, and followed by at least two speakers' turns."""
    text = line.raw.strip()
    return (
        line.kind == "words"
        and len(text) <= _TITLE_CHARS
        and not text.endswith((".", "!", "?", "\u2026", ",", ";"))
        and len({fold(t.speaker) for t in turns}) >= 2
    )


def _from_the_first(turns: list[Turn]) -> list[Turn]:
    """Times of day (Zoom's `10:02:15`) as seconds from the first turn (past midnight too)."""
    first = next((t.start for t in turns if t.start is not None), None)
    if first is None:
        return turns
    return [
        Turn(
            0,
            t.speaker,
            t.text,
            None if t.start is None else (t.start - first) % 86400,
            t.end,
            t.line,
        )
        for t in turns
    ]


def _few(notes: list[str]) -> list[str]:
    if len(notes) <= _MOST_NOTES:
        return notes
    return [*notes[:_MOST_NOTES], f"… and {len(notes) - _MOST_NOTES} more like these"]


def _mixed_turns(turns: list[Turn], lines: list[_Line], starts: set[int], where: str) -> list[str]:
    """Notes where a turn seems to hold another speaker's words: a speaker's label inside
    another's turn ("Shall we start? Client: Yes"), or, when the whole file is read as one
    speaker's, a label that was not taken for a speaker."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    found: list[str] = []
    if len(speakers) == 1:
        left = next(
            (
                line
                for line in lines
                if line.kind in ("label", "dash") and line.number not in starts
            ),
            None,
        )
        inline = _INLINE_LABEL.search(" ".join(t.text for t in turns))
        label = left.label if left is not None else inline.group(2) if inline else None
        if label is not None:
            at = left.number if left is not None else turns[0].line
            found.append(
                note(
                    where,
                    at,
                    f"every word is read as {speakers[0]}'s, though `{label}:` is written "
                    f"here; if {label} speaks, start each of their turns on a new line as "
                    f"`{label}: words`",
                )
            )
        return found
    for turn in turns:
        for other in speakers:
            if fold(other) == fold(turn.speaker):
                continue
            pattern = rf"(?:^|[.!?\u2026][\"\u201d\u2019)]?\s+)(?:\*\*|__)?{re.escape(other)}\s*:"
            if re.search(pattern, turn.text, re.IGNORECASE):
                found.append(
                    note(
                        where,
                        turn.line,
                        f"{turn.speaker}'s turn holds `{other}:` inside it; if {other} "
                        f"speaks there, start a new line at `{other}:`",
                    )
                )
                break
    return _few(found)


# A label inside a line of words: `… start? **Client:** Yes`, `… start? Client: Yes`.
_INLINE_LABEL = re.compile(
    r"(?:^|[.!?\u2026][\"\u201d\u2019)]?\s+)(\*\*|__)?([A-Z][\w'\u2019 -]{0,30}?)\s*:(?:\*\*|__)?\s"
)
