"""Transcripts as tables: CSV with a header naming the speaker and text columns (and the
start and end, when timed), separated by commas, semicolons (as Excel saves CSV where the
decimal mark is a comma) or tabs; and AnnoMI's CSV layout, one session per file."""

from __future__ import annotations

import csv
import io
import re

from attunement.errors import FormatError
from attunement.transcripts.turns import Turn, check, ends_from_starts, note

DELIMITERS = (",", ";", "\t")
_NAMES = {"\t": "tabs", ";": "semicolons", ",": "commas"}
# The spellings of each column that tools and spreadsheets write, as compared: lower case,
# `_` and `-` as spaces, a unit in brackets left out ("Start Time", "start_time", "Start (s)").
_COLUMNS = {
    "speaker": {"speaker", "speaker name", "speaker label", "name", "participant"},
    "text": {"text", "transcript", "transcription", "utterance", "words", "content", "sentence"},
    "start": {"start", "start time", "starttime", "begin", "begin time", "from", "timestamp",
              "time", "start timestamp", "in"},
    "end": {"end", "end time", "endtime", "stop", "stop time", "finish", "to", "end timestamp",
            "out"},
}  # fmt: skip
_TIMELIKE = re.compile(
    r"\b(?:time|times|timecode|timestamp|start\w*|end\w*|begin\w*|duration|offset|in|out)\b"
)
_DECIMAL_COMMA = re.compile(r"^[\d:]+,\d+$")  # "3,5" or "00:00:03,500"


def _column(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name.lstrip("\ufeff").casefold())
    return " ".join(re.sub(r"[_-]", " ", name).split())


def _header(line: str, fmt: str) -> tuple[str, list[str]] | None:
    """The delimiter and the column names of a header line that names the columns the
    format needs, trying commas, semicolons and tabs in turn; None when none does."""
    for delimiter in DELIMITERS:
        try:
            names = [_column(c) for c in next(csv.reader([line], delimiter=delimiter), [])]
        except csv.Error:
            return None
        if fmt == "annomi" and {"interlocutor", "utterance text"} <= set(names):
            return delimiter, names
        has = {key for key, spellings in _COLUMNS.items() if spellings & set(names)}
        if fmt != "annomi" and {"speaker", "text"} <= has:
            return delimiter, names
    return None


def looks_like_table(first_line: str) -> bool:
    """Whether a file's first line is the header row of a transcript table."""
    return _header(first_line, "csv") is not None


def _index(names: list[str], key: str) -> int | None:
    return next((i for i, name in enumerate(names) if name in _COLUMNS[key]), None)


def parse_csv(text: str, where: str, fmt: str, notes: list[str] | None = None) -> list[Turn]:
    notes = notes if notes is not None else []
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FormatError("is empty; choose the file that holds the transcript", path=where, line=1)
    found = _header(text.splitlines()[0], fmt)
    if found is None:
        raise FormatError(
            "is not in AnnoMI's layout, as its header row lacks the columns interlocutor and "
            "utterance_text; import it with its own format instead"
            if fmt == "annomi"
            else "needs a header row naming its columns, such as `speaker,text` or "
            "`speaker,text,start,end`; add one as the first line",
            path=where,
            line=1,
        )
    delimiter, names = found
    rows = _rows(text, delimiter, where)
    speaker_col: int | None
    text_col: int | None
    start_col: int | None
    end_col: int | None
    if fmt == "annomi":
        if "transcript id" in names:
            _one_session(rows, names.index("transcript id"), where)
        speaker_col, text_col = names.index("interlocutor"), names.index("utterance text")
        start_col = names.index("timestamp") if "timestamp" in names else None
        end_col = None
    else:
        speaker_col, text_col = _index(names, "speaker"), _index(names, "text")
        start_col, end_col = _index(names, "start"), _index(names, "end")
        _unread_times(rows[0][1], names, {start_col, end_col}, where, notes)
    assert speaker_col is not None and text_col is not None  # the header names both
    turns = []
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(speaker_col, text_col):
            raise FormatError(
                f"has too few columns for the header row (the cells must be separated by "
                f"{_NAMES[delimiter]}, as it is); give each row its speaker and its words",
                path=where,
                line=number,
            )
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names) :]):
            raise FormatError(
                f"has {len(row)} cells where the header row has {len(names)} (a time or words "
                f"with {_NAMES[delimiter]} in them must be in double quotes); quote those "
                "cells, or export the file again",
                path=where,
                line=number,
            )
        speaker, words = _one_line(row[speaker_col]), _one_line(row[text_col])
        if not speaker or not words:
            raise FormatError(
                "has an empty speaker or text; fill it in or remove the row",
                path=where,
                line=number,
            )
        start = _time_cell(row, start_col, where, number)
        end = _time_cell(row, end_col, where, number)
        if start is not None and end is not None and end < start:
            raise FormatError(
                f"ends ({row[end_col or 0].strip()}) before it starts "
                f"({row[start_col or 0].strip()}); correct the times or leave them empty",
                path=where,
                line=number,
            )
        turns.append(Turn(0, speaker, words, start, end, line=number))
    return check(ends_from_starts(turns), where)


def _rows(text: str, delimiter: str, where: str) -> list[tuple[int, list[str]]]:
    """Each row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num - sum(c.count("\n") for c in row), row))
    except csv.Error as exc:
        raise FormatError(
            f"could not be read as CSV ({exc}); save it again from the spreadsheet as CSV",
            path=where,
            line=reader.line_num,
        ) from exc
    return rows


def _unread_times(
    row: list[str], names: list[str], used: set[int | None], where: str, notes: list[str]
) -> None:
    """A note when the header has columns that look like times but are not read as them."""
    unread = [
        row[i].strip()
        for i, name in enumerate(names)
        if i not in used and i < len(row) and _TIMELIKE.search(name)
    ]
    if unread:
        shown = ", ".join(f"`{name}`" for name in unread)
        notes.append(
            note(
                where,
                1,
                f"the column{'s' if len(unread) > 1 else ''} {shown} "
                f"{'are' if len(unread) > 1 else 'is'} not read as times; name the columns "
                "`start` and `end` (seconds or hh:mm:ss) to time the turns",
            )
        )


def _one_line(cell: str) -> str:
    """A cell's text on one line: a quoted cell that spans lines (as Excel saves a cell
    with a line break in it) has its lines joined with a space, as in the other formats."""
    return " ".join(line.strip() for line in cell.splitlines() if line.strip())


def _one_session(rows: list[tuple[int, list[str]]], col: int, where: str) -> None:
    """Refuse an AnnoMI file that holds several sessions (its `transcript_id` column has
    more than one value), naming the line where the second begins: a transcript is one
    session, and sessions run together would make every figure wrong."""
    ids = [(number, row[col].strip() if len(row) > col else "") for number, row in rows[1:]]
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
    """A time in seconds (`12.5`, or `12,5` as Excel writes it where the decimal mark is a
    comma) or as `hh:mm:ss` (`00:00:03.500`, `00:00:03,500`); None for an empty cell."""
    if col is None or col >= len(row) or not row[col].strip():
        return None
    value = row[col].strip()
    if _DECIMAL_COMMA.match(value):
        value = value.replace(",", ".")
    try:
        if ":" in value:
            total = 0.0
            for part in value.split(":"):
                total = total * 60 + float(part)
            return total
        return float(value)
    except ValueError as exc:
        raise FormatError(
            f"has a time `{value}` that is neither seconds nor hh:mm:ss; write it as `12.5` "
            "or `00:00:12.5`",
            path=where,
            line=number,
        ) from exc
