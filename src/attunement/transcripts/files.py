"""A transcript file's text: UTF-8 (with or without a byte-order mark), UTF-16 with one,
or else Windows-1252, as Word and Notepad on Windows save "Plain Text" (with a note).
A Word document, a PDF, a Rich Text file or a zip archive is refused, saying what it is
and what to export instead."""

from __future__ import annotations

from pathlib import Path

from attunement.core.journal import read_text_file
from attunement.errors import FormatError
from attunement.transcripts.turns import note

_SAVE_AS_TEXT = "save it as Plain Text (.txt) with UTF-8 encoding"
# What a file that is not text starts with, and what to say about it.
_NOT_TEXT = (
    (
        b"PK\x03\x04",
        "is a Word document (.docx), not a text file; in Teams download the transcript as "
        f".vtt instead, or open it in Word and {_SAVE_AS_TEXT}",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        f"is an older Word document (.doc), not a text file; open it in Word and {_SAVE_AS_TEXT}",
    ),
    (
        b"%PDF-",
        "is a PDF, not a text file; export the transcript from the tool that made it as "
        ".vtt, .srt or .txt instead",
    ),
    (
        b"{\\rtf",
        f"is a Rich Text document (.rtf), not plain text; open it in Word or TextEdit and "
        f"{_SAVE_AS_TEXT}",
    ),
)
_ZIP = "is a zip archive, not a transcript; unzip it and import the transcript file inside"


def _refuse_other_kinds(data: bytes, path: Path, where: str) -> None:
    for magic, message in _NOT_TEXT:
        if data.startswith(magic):
            if magic == b"PK\x03\x04" and not (path.suffix.lower() == ".docx" or b"word/" in data):
                message = _ZIP
            raise FormatError(message, path=where)


def read_text(path: Path, where: str) -> tuple[str, list[str]]:
    """The file's text, and a note when it was not UTF-8 but read as Windows-1252."""
    try:
        text = read_text_file(path)
    except FormatError as exc:
        data = path.read_bytes()
        _refuse_other_kinds(data, path, where)
        if b"\x00" in data:
            raise
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise exc from None  # no byte of it reads as either: "save it as UTF-8"
        return text, [
            note(
                where,
                None,
                "is not UTF-8, so it was read as Windows-1252 text (as Word and Notepad save "
                "Plain Text on Windows); check that accented letters and quotes read right",
            )
        ]
    _refuse_other_kinds(text[:8].encode("utf-8"), path, where)  # its opening bytes only
    return text, []
