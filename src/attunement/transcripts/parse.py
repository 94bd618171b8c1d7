"""Reading transcripts in the formats people have: plain ``Speaker: words`` lines,
WebVTT and SRT subtitles (with ``Speaker:`` or ``<v Speaker>`` inside the cues), CSV
(``speaker,text[,start,end]``) and AnnoMI's CSV layout. Consecutive lines by the same
speaker stay separate turns only when the file says so (a new ``Speaker:`` prefix or cue).
"""

from __future__ import annotations

import csv
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

_SPEAKER = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*(.*)$")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>(.*?)(?:</v>)?$")
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")


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
    return [Turn(i, t.speaker, t.text, t.start, t.end, t.line) for i, t in enumerate(turns)]


def parse_text(text: str, where: str) -> list[Turn]:
    turns: list[Turn] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _SPEAKER.match(raw)
        if match and match.group(2).strip():
            turns.append(Turn(0, match.group(1).strip(), match.group(2).strip(), line=number))
        elif turns and not match:
            last = turns[-1]  # a continuation line of the same turn
            turns[-1] = Turn(0, last.speaker, f"{last.text} {raw.strip()}", line=last.line)
        else:
            raise FormatError(
                "does not start with `Speaker:` (each turn should look like "
                "`Client: I have not slept`)",
                path=where,
                line=number,
            )
    return _check(turns, where)


def _cue_text(
    lines: list[str], default_speaker: str | None, where: str, number: int
) -> tuple[str, str]:
    joined = " ".join(line.strip() for line in lines if line.strip())
    voice = _VOICE.match(joined)
    if voice:
        return voice.group(1).strip(), _TAGS.sub("", voice.group(2)).strip()
    joined = _TAGS.sub("", joined).strip()
    match = _SPEAKER.match(joined)
    if match and match.group(2).strip():
        return match.group(1).strip(), match.group(2).strip()
    if default_speaker is not None:
        return default_speaker, joined
    raise FormatError(
        "has a cue without a speaker; write `Speaker: words` or `<v Speaker>words` in each cue",
        path=where,
        line=number,
    )


def parse_cues(text: str, where: str, fmt: str) -> list[Turn]:
    lines = text.splitlines()
    if fmt == "vtt":
        if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            raise FormatError("is not WebVTT: the first line must be `WEBVTT`", path=where, line=1)
    turns: list[Turn] = []
    i = 0
    while i < len(lines):
        cue = _CUE.match(lines[i])
        if not cue:
            if fmt == "srt" and lines[i].strip() and not lines[i].strip().isdigit():
                raise FormatError(
                    "is not a subtitle cue: expected a number or `00:00:01,000 --> 00:00:04,000`",
                    path=where,
                    line=i + 1,
                )
            i += 1
            continue
        number = i + 1
        g = cue.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        if end < start:
            raise FormatError("has a cue that ends before it starts", path=where, line=number)
        body = []
        i += 1
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        if body:
            speaker, words = _cue_text(body, None, where, number)
            if words:
                turns.append(Turn(0, speaker, words, start, end, line=number))
    return _check(turns, where)


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
        speaker, words = row[speaker_col].strip(), row[text_col].strip()
        if not speaker or not words:
            raise FormatError("has an empty speaker or text", path=where, line=number)
        start = _time_cell(row, start_col, where, number)
        end = _time_cell(row, end_col, where, number)
        turns.append(Turn(0, speaker, words, start, end, line=number))
    return _check(turns, where)


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
    if lowered.endswith(".vtt") or head.startswith("WEBVTT"):
        return "vtt"
    if lowered.endswith(".srt") or _CUE.search(head.split("\n", 3)[1] if "\n" in head else ""):
        return "srt"
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
    others = [s for s in speakers if s.strip().lower() not in CLIENT_NAMES]
    pool = others or speakers
    questions = Counter(t.speaker for t in turns if "?" in t.text)
    return max(pool, key=lambda s: (questions[s], -speakers.index(s)))
