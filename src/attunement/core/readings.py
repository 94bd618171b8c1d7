"""Readings: the analysis of each entry version, computed once and kept in the journal.

The entry page, Insights, the supervision packet and `attune analyze ID --json` all read
an entry through ``reading`` (or, for counts over many entries, ``signs``), so they show
the same reading and the models run once per version of an entry's text. A reading is
what ``analysis.analyze_text`` returns, stored as JSON and keyed by the entry, a hash of
its text and ``analysis.READING_VERSION``; when the analysis changes (new models, new
markers), the version changes and ``read_missing`` reads the journal again, which
``attune serve`` does in the background (``Rereader``) while the app stays usable.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
import types
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from attunement.core.models import Entry
from attunement.errors import Locked

if typing.TYPE_CHECKING:
    from attunement.analysis.report import TextAnalysis
    from attunement.core.journal import Journal

BATCH = 50  # readings stored per transaction when the journal is read again
Signs = tuple[set[str], tuple[str, ...]]  # marker ids that count, Ekman feelings


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version() -> str:
    from attunement.analysis.version import reading_version

    return reading_version()


# -- one reading, as JSON and back ------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)  # evaluating the annotations is most of a decode


def _decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from ``_encode``'s JSON. The reading's version
    covers the analysis code, so the types here are the ones that wrote it."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{name: _decode(hints[name], value) for name, value in data.items()})
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return _decode(next(a for a in args if a is not type(None)), data)
    if origin is list:
        return [_decode(args[0], v) for v in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        return {k: _decode(args[1], v) for k, v in data.items()}
    return data


def _stored_form(analysis: TextAnalysis) -> dict[str, Any]:
    data = _encode(analysis)
    data.pop("text")  # the entry's own words are not copied into the reading
    return dict(data)


def _signs_of(analysis: TextAnalysis) -> tuple[list[str], list[str]]:
    signs = sorted({m.id for m in analysis.markers if m.counts})
    return signs, list(analysis.feelings.groups)


def _analyse(text: str) -> TextAnalysis:
    from attunement.analysis.report import analyze_entry

    return analyze_entry(text)


# -- reading entries --------------------------------------------------------------------


def _row(entry: Entry, current: str, analysis: TextAnalysis) -> tuple[Any, ...]:
    signs_, feelings = _signs_of(analysis)
    return (
        entry.id,
        entry.revision,
        text_hash(entry.body),
        current,
        _stored_form(analysis),
        signs_,
        feelings,
    )


def reading(journal: Journal, entry: Entry) -> TextAnalysis:
    """The reading of this version of the entry: stored, or made now and stored."""
    from attunement.analysis.report import TextAnalysis

    current = version()
    stored = journal.reader.reading(entry.id, entry.revision, current)
    if stored is not None and stored[0] == text_hash(entry.body):
        data = {**stored[1], "text": entry.body}
        return typing.cast(TextAnalysis, _decode(TextAnalysis, data))
    analysis = _analyse(entry.body)
    journal.reader.save_readings([_row(entry, current, analysis)])
    return analysis


def _store(
    journal: Journal,
    entries: Sequence[Entry],
    current: str,
    stop: threading.Event | None = None,
) -> list[tuple[Any, ...]]:
    """Read these entries and store their readings; once ``stop`` is set, only those
    read so far are stored."""
    rows = []
    for entry in entries:
        if stop is not None and stop.is_set():
            break
        rows.append(_row(entry, current, _analyse(entry.body)))
    journal.reader.save_readings(rows)
    return rows


def signs(journal: Journal, entries: Sequence[Entry], *, read_now: int = 0) -> dict[str, Signs]:
    """Marker ids that count and feelings, by entry id, from the current readings of
    these entries; up to ``read_now`` entries without one are read here (and stored),
    the rest are left out (``read_missing`` will come to them)."""
    current = version()
    stored = journal.reader.reading_signs([e.id for e in entries], current)
    out = {entry_id: (set(s), tuple(f)) for entry_id, (s, f) in stored.items()}
    missing = [entry for entry in entries if entry.id not in out][:read_now]
    for row in _store(journal, missing, current) if missing else []:
        out[row[0]] = (set(row[5]), tuple(row[6]))
    return out


def period_signs(
    journal: Journal, since: datetime, *, limit: int, read_now: int = 0
) -> tuple[list[tuple[date, set[str], tuple[str, ...], int]], int, int]:
    """For Insights, over the ``limit`` newest entries since ``since``: (day written,
    signs, feelings, how many entries) from their current readings, how many have no
    reading yet, and how many entries the period holds. Up to ``read_now`` unread ones
    are read first."""
    current = version()
    rows, total = journal.reader.period_signs(since, current, limit=limit)
    waiting = sum(n for _, signs_, _, n in rows if signs_ is None)
    if waiting and read_now > 0:
        ids = journal.reader.unread_ids(current, since=since, limit=read_now)
        _store(journal, journal.reader.entries_with_ids(ids), current)
        rows, total = journal.reader.period_signs(since, current, limit=limit)
    found = [
        (date.fromisoformat(day), set(signs_.split()), tuple(feelings.split()), n)
        for day, signs_, feelings, n in rows
        if signs_ is not None and feelings is not None
    ]
    unread_count = sum(n for _, signs_, _, n in rows if signs_ is None)
    return found, unread_count, total


def unread(journal: Journal) -> list[Entry]:
    """Entries (not in the trash) without a reading of their present version by the
    present analysis, newest first: the order a person will look at them."""
    return journal.reader.entries_with_ids(journal.reader.unread_ids(version()))


def read_missing(
    journal: Journal,
    *,
    progress: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Read every entry that has no reading by the current analysis, storing readings
    in small batches (each one durable on its own, so stopping loses nothing). Returns
    how many were read; ``progress(done, total)`` follows along."""
    current = version()
    todo = journal.reader.unread_ids(current)
    done = 0
    if progress is not None:
        progress(0, len(todo))
    for start in range(0, len(todo), BATCH):
        if stop is not None and stop.is_set():
            break
        batch = journal.reader.entries_with_ids(todo[start : start + BATCH])
        _store(journal, batch, current, stop)
        if stop is not None and stop.is_set():
            break  # what was read is stored; the rest waits for the next start
        done += min(BATCH, len(todo) - start)
        if progress is not None:
            progress(done, len(todo))
    return done


class Rereader:
    """Reads the journal again on a worker thread (``attune serve``), so a new analysis
    reaches every entry while the app stays usable. ``state()`` says how far it is."""

    def __init__(self, journal_of: Callable[[], Journal | None]) -> None:
        self._journal_of = journal_of
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._running = False
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            if not self._stop.is_set():
                return  # already reading
            self._thread.join()  # stopping (a lock): let it end, then read again
        self._stop.clear()
        with self._lock:
            self._running, self._error = True, None  # running from now, as state() says
        self._thread = threading.Thread(target=self._run, name="attune-reread", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _progress(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total

    def _run(self) -> None:
        try:
            journal = self._journal_of()
            if journal is not None:
                # After an import, the search index first (seconds); then the readings
                # (hours for a large import).
                journal.reader.merge_search_index(self._stop)
                read_missing(journal, progress=self._progress, stop=self._stop)
        except Locked:
            pass  # the journal locked while it was being read: read again on unlocking
        except Exception as exc:  # shown on the page; the app goes on without readings
            with self._lock:
                self._error = getattr(exc, "message", None) or exc.__class__.__name__
        finally:
            with self._lock:
                self._running = False

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "running": self._running,
                "done": self._done,
                "total": self._total,
                "error": self._error,
            }
