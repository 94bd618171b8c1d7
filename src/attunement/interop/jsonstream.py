"""Reading a large JSON export one record at a time.

Day One (and jrnl) exports are one object, ``{"metadata": {...}, "entries": [...]}``, that
can run to hundreds of megabytes. ``records`` reads such an object from a byte stream in
chunks and yields each element of one array as soon as it is complete, so memory holds one
record at a time, never the whole file. Every record is bounded (``max_record_chars``), as
is the whole stream (``max_bytes``, counted on the bytes actually read, whatever a zip
header claims); going past either ends the read with one sentence.

Nothing here is a JSON parser of its own: each value is decoded by the standard library's
``json.JSONDecoder.raw_decode``; this module only decides where values start and end.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from attunement.errors import FormatError

CHUNK = 1 << 16
_WS = " \t\n\r"


def json_problem(exc: json.JSONDecodeError, *, cut_short: bool) -> str:
    """What is wrong with a JSON file, in words a person can act on: a file that ends in
    the middle of a value was cut short (a copy or download that stopped)."""
    if cut_short:
        return "is not valid JSON: the file ends in the middle, as if cut short; export it again"
    detail = exc.msg[0].lower() + exc.msg[1:]
    return f"is not valid JSON ({detail}, column {exc.colno}); export it again"


def cut_short(exc: json.JSONDecodeError) -> bool:
    """Whether a whole document's decoding failed at its end (it was cut short)."""
    return exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")


class TooLarge(FormatError):
    """The stream or one of its records is bigger than the import allows."""


class _Reader:
    def __init__(self, raw: IO[bytes], where: str, max_bytes: int, max_record_chars: int):
        self.raw = raw
        self.where = where
        self.max_bytes = max_bytes
        self.max_record_chars = max_record_chars
        self.read_bytes = 0
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.lines_before = 0  # newlines in text already dropped from the buffer
        self.eof = False
        self.json = json.JSONDecoder()

    def line(self, pos: int | None = None) -> int:
        return self.lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def more(self, size: int = CHUNK) -> bool:
        """Read one more chunk into the buffer; False at the end of the stream."""
        if self.eof:
            return False
        data = self.raw.read(size)
        self.read_bytes += len(data)
        if self.read_bytes > self.max_bytes:
            raise TooLarge(
                f"holds more than {self.max_bytes // (1 << 20):,} MB of JSON, more than any "
                "journal export; it looks like a zip bomb or a damaged file, so nothing was "
                "imported",
                path=self.where,
            )
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise FormatError(
                "is not valid UTF-8 text; export it again as JSON",
                path=self.where,
                line=self.line(),
            ) from exc
        if not data:
            self.eof = True
        if self.pos > CHUNK:  # drop what has been read, keeping line numbers right
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return bool(data) or bool(text)

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise FormatError(
                f"is not valid JSON: expected {what}", path=self.where, line=self.line()
            )
        self.pos += 1

    def value(self) -> Any:
        """Decode the next value; refills the buffer until the value is complete."""
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                line = self.line(exc.pos)
                # read as much again as is pending, so a long value is re-scanned only
                # a logarithmic number of times
                if not self._incomplete(exc) or not self.more(self._growth()):
                    raise FormatError(
                        json_problem(exc, cut_short=self._incomplete(exc)),
                        path=self.where,
                        line=line,
                    ) from exc
                self._bounded()
                continue
            if end < len(self.buf) or self.eof:  # a number cut at the buffer's end is not done
                self.pos = end
                return value
            if not self.more(self._growth()):
                self.pos = end
                return value
            self._bounded()

    def _growth(self) -> int:
        return max(CHUNK, min(len(self.buf) - self.pos, self.max_record_chars))

    def _incomplete(self, exc: json.JSONDecodeError) -> bool:
        return exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated string")

    def _bounded(self) -> None:
        if len(self.buf) - self.pos > self.max_record_chars:
            raise TooLarge(
                f"has a record longer than {self.max_record_chars // (1 << 20):,} MB, more "
                "than any journal entry; it looks like a zip bomb or a damaged file, so "
                "nothing was imported",
                path=self.where,
                line=self.line(),
            )


def records(
    raw: IO[bytes],
    where: str,
    key: str,
    *,
    max_bytes: int,
    max_record_chars: int,
    missing: str,
    others: dict[str, Any] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, element)`` for each element of the array under ``key`` in the top-level
    object read from ``raw``. Other top-level values go into ``others`` when given.
    Raises FormatError when the stream is not such an object, with ``missing`` as the
    sentence when it has no such array."""
    reader = _Reader(raw, where, max_bytes, max_record_chars)
    if reader.peek() != "{":
        raise FormatError(missing, path=where, line=reader.line())
    reader.pos += 1
    seen = False
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            if reader.peek() != '"':
                raise FormatError(
                    "is not valid JSON: expected a name in double quotes",
                    path=where,
                    line=reader.line(),
                )
            name = reader.value()
            reader.expect(":", "':' after a name")
            if name == key and reader.peek() == "[":
                seen = True
                reader.pos += 1
                if reader.peek() == "]":
                    reader.pos += 1
                else:
                    while True:
                        line = reader.line()
                        yield line, reader.value()
                        if reader.peek() == "]":
                            reader.pos += 1
                            break
                        reader.expect(",", "',' or ']' between entries")
            else:
                value = reader.value()
                if others is not None:
                    others[name] = value
            following = reader.peek()
            if following == "}":
                reader.pos += 1
                break
            reader.expect(",", "',' or '}' after a value")
    if reader.peek() != "":
        raise FormatError(
            "is not valid JSON: there is more after the end", path=where, line=reader.line()
        )
    if not seen:
        raise FormatError(missing, path=where, line=1)
