"""Subtitle transcripts: WebVTT and SubRip cues, with the speaker in a ``<v Speaker>`` span or
a ``Speaker:`` line. A cue's time is shared among the speakers in it by their words, so two
speakers in one cue are not both given the whole cue; a blank line inside a SubRip cue is
part of the cue, as players show it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from attunement.errors import FormatError
from attunement.transcripts.turns import TOOL_LINE, Turn, check, fold, note, seconds, speaker_line

# hh:mm:ss.ttt, as the formats write it; Microsoft Teams writes fields without their zeros
# ("0:0:2.570"), so one digit is read for minutes and seconds too.
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")  # then optional cue settings
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
    lines: list[str],
    fmt: str,
    previous: str | None,
    where: str,
    number: int,
    pair: tuple[str, str] | None = None,
    notes: list[str] | None = None,
) -> list[tuple[str, str]]:
    """The ``(speaker, words)`` turns of one cue. A voice span names its speaker; otherwise
    each line that opens with ``Speaker:`` starts a turn, and words before any name belong
    to whoever spoke last (a subtitle names a speaker when the speaker changes). In a cue
    whose lines each open with a dash, the subtitle's mark of two people speaking, a dashed
    line with no name is the other of the session's two speakers (``pair``) from the one
    before it, starting with the one who did not speak last, and a note says so."""
    turns: list[tuple[str, str]] = []
    for voice, text in cue_text("\n".join(lines), fmt):
        if voice is not None:
            turns.append((voice, " ".join(text.split())))
            continue
        rows = [line for line in text.split("\n") if line.strip()]
        dialogue = (
            pair is not None and len(rows) >= 2 and all(_DIALOGUE_DASH.match(r) for r in rows)
        )
        for line in text.split("\n"):
            dashed = dialogue and _DIALOGUE_DASH.match(line) is not None
            line = _DIALOGUE_DASH.sub("", line)  # "- Client: Yes." in a two-speaker cue
            if not line.strip() or TOOL_LINE.match(line):
                continue
            said = speaker_line(line)
            last = turns[-1][0] if turns else previous
            if said is None and dashed and pair is not None and last is not None:
                said = (pair[1] if fold(last) == fold(pair[0]) else pair[0], line.strip())
                if notes is not None and not turns:
                    notes.append(
                        note(
                            where,
                            number,
                            "two people speak in this cue, each line marked with a dash and "
                            f"no name; the first was given to {said[0]}, who did not speak "
                            "last, and the next to the other: check them",
                        )
                    )
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


def _blocks(text: str, where: str, fmt: str, notes: list[str]) -> list[_Cue]:
    """Cue blocks, by the WebVTT parser's rules: a line holding ``-->`` starts a new cue even
    without a blank line before it, a blank line ends one, and a lone cue number just before
    a timing line is that cue's identifier, not text. SubRip is read as players read it: a
    blank line inside a cue does not end it, so words after one, up to the next numbered
    timing line, belong to the cue above them (with a note)."""
    lines = text.split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    example = "00:00:01.000 --> 00:00:04.000" if fmt == "vtt" else "00:00:01,000 --> 00:00:04,000"
    if fmt == "vtt":
        first = lines[0].lstrip("\ufeff") if lines else ""
        if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
            raise FormatError(
                "is not WebVTT, as its first line is not `WEBVTT`; add that line at the top, "
                "or export the file from its tool again",
                path=where,
                line=1,
            )
    else:
        lines[0] = lines[0].lstrip("\ufeff") if lines else ""
    cues: list[_Cue] = []
    cue: _Cue | None = None
    loose: list[tuple[int, str]] = []  # lines outside any cue, since the last blank line
    in_header = fmt == "vtt"

    def blank(line: str) -> bool:
        return line == "" if fmt == "vtt" else not line.strip()

    def outside() -> FormatError:
        return FormatError(
            f"has text outside any cue; start each cue with a timing line such as `{example}`, "
            "or remove the text",
            path=where,
            line=next((n for n, text in loose if not text.strip().isdigit()), loose[0][0]),
        )

    def end_loose() -> None:
        if not loose or in_header:
            loose.clear()
            return
        first_line = loose[0][1].strip()
        if fmt == "vtt" and first_line.split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            loose.clear()
            return
        raise outside()

    def carry_over() -> None:
        """SubRip: the words after a blank line inside a cue go back into that cue."""
        if loose and not cues:
            raise outside()
        if loose:
            cues[-1].lines.extend(text for _, text in loose)
            notes.append(
                note(
                    where,
                    loose[0][0],
                    f"a blank line inside the cue at line {cues[-1].line} is kept as part of "
                    "that cue, as players show it",
                )
            )
        loose.clear()

    for index, line in enumerate(
        lines[1:] if fmt == "vtt" else lines, start=2 if fmt == "vtt" else 1
    ):
        if "-->" in line:
            timing = CUE.match(line)
            if not timing:
                raise FormatError(
                    f"has `-->` without a time on each side; write the timing line as `{example}`",
                    path=where,
                    line=index,
                )
            g = timing.groups()
            start, end = seconds(*g[0:4]), seconds(*g[4:8])
            if end < start:
                raise FormatError(
                    "has a cue that ends before it starts; correct the times on this line",
                    path=where,
                    line=index,
                )
            if cue is not None and cue.lines and cue.lines[-1].strip().isdigit():
                cue.lines.pop()  # the next cue's number, written without a blank line before it
            if fmt == "srt":
                if loose and loose[-1][1].strip().isdigit():
                    loose.pop()  # this cue's number
                carry_over()
            elif cue is None and len(loose) == 1:
                loose.clear()  # this cue's identifier
            end_loose()
            in_header = False
            cue = _Cue(index, start, end, [])
            cues.append(cue)
        elif blank(line):
            cue = None
            if fmt == "vtt":
                end_loose()
            in_header = False
        elif cue is not None:
            cue.lines.append(line)
        else:
            loose.append((index, line))
    if fmt == "srt":
        if loose and loose[-1][1].strip().isdigit():
            loose.pop()  # a number with no cue after it
        carry_over()
    elif loose and not (len(loose) == 1 and loose[0][1].strip().isdigit()):
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


def _shares(start: float, end: float, runs: list[str]) -> list[tuple[float, float]]:
    """A cue's time shared among the speakers in it by their words ("Did you rest?" and "A
    little." in one 1-4 s cue: 1-2.8 and 2.8-4), so no second is counted twice."""
    if len(runs) < 2:
        return [(start, end)] * len(runs)
    weights = [max(1, len(words.split())) for words in runs]
    total, done, spans = sum(weights), 0, []
    for weight in weights:
        begin = round(start + (end - start) * done / total, 3)
        done += weight
        spans.append((begin, round(start + (end - start) * done / total, 3)))
    return spans


def _dashed(line: str) -> bool:
    """Whether a cue's line, its tags set aside, opens with a dialogue dash."""
    return _DIALOGUE_DASH.match(_plain_line(_ASS_OVERRIDE.sub("", line))) is not None


def _two_speakers(cues: list[_Cue], fmt: str, where: str) -> tuple[str, str] | None:
    """The session's two speakers, as each is first written, where the cues name exactly
    two (a dashed line with no name is then the other one's)."""
    speakers: dict[str, str] = {}
    previous: str | None = None
    for cue in cues:
        for speaker, _ in _cue_turns(cue.lines, fmt, previous, where, cue.line):
            speakers.setdefault(fold(speaker), speaker)
            previous = speaker
    if len(speakers) != 2:
        return None
    first, second = speakers.values()
    return first, second


def parse_cues(text: str, where: str, fmt: str, notes: list[str] | None = None) -> list[Turn]:
    notes = notes if notes is not None else []
    turns: list[Turn] = []
    previous: str | None = None
    cues = _blocks(text, where, fmt, notes)
    unrolled = _unrolled(cues) if fmt == "vtt" and _INLINE_TIME.search(text) else None
    rolling = unrolled is not None
    if unrolled is not None:
        cues = unrolled
    # the speakers are counted in a pass of their own only where a cue may need them
    dialogue = any(sum(_dashed(line) for line in c.lines) >= 2 for c in cues)
    pair = _two_speakers(cues, fmt, where) if dialogue else None
    for cue in cues:
        said = _cue_turns(cue.lines, fmt, previous, where, cue.line, pair, notes)
        spans = _shares(cue.start, cue.end, [words for _, words in said])
        runs = list(zip(said, spans, strict=True))
        if rolling and runs and turns and not _names_speaker(cue.lines[0]):
            # A rolling track's cues are what fits on screen, not turns: words with no
            # name go on the turn they continue.
            (_, words), (_, until) = runs[0]
            last = turns[-1]
            turns[-1] = Turn(
                0, last.speaker, f"{last.text} {words}", last.start, until, line=last.line
            )
            runs = runs[1:]
        for (speaker, words), (start, until) in runs:
            if turns and fold(turns[-1].speaker) == fold(speaker):
                last = turns[-1]
                # One person's words cut into cues to fit the screen (as Zoom, Teams and
                # Otter cut them) are one turn: "When you think about the ward," then
                # "what comes up?" is one question, not a reflection and a question.
                turns[-1] = Turn(
                    0, last.speaker, f"{last.text} {words}", last.start, until, line=last.line
                )
            else:
                turns.append(Turn(0, speaker, words, start, until, line=cue.line))
            previous = speaker
    return check(turns, where)


def _names_speaker(line: str) -> bool:
    return line.lstrip().startswith("<v") or speaker_line(_plain_line(line)) is not None
