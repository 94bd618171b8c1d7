"""Adding entries in bulk: an import of 100,000 entries, or one new entry, the same way.

All of it runs inside one write transaction the caller holds, on the DB-API connection, so
nothing is acknowledged before the single commit makes it durable, and a crash or a bad
line half-way leaves the journal as it was. Entries arrive as an iterable (a parser
reading its file as it goes) and are taken in chunks of ``CHUNK``: per chunk, one query
finds the ids and sources already in the journal (none when it was empty), one checks the
fresh ids, and ``executemany`` writes the rows, their tags and their history; ids and
sources of this import are remembered in memory. Primary keys are assigned here (the
write lock is held), so nothing is read back per entry. Once an import is past its first
chunk, the full-text index is filled after the rows with an ``INSERT ... SELECT`` per
``FTS_BATCH`` entries instead of a trigger per row (the trigger is dropped and re-created
inside the same transaction), with FTS5's automatic merging paused meanwhile: twice as
fast, and the index it leaves answers searches as fast.

From the second chunk on, the statements run in order on one worker thread
(``_Statements``) while this thread parses and prepares the next chunk: SQLite lets go of
Python's lock while it works, so reading the file and writing the journal overlap on two
cores. At most ``_Statements.DEPTH`` chunks wait, so memory stays flat; the transaction
is still the caller's, on the same connection, committed or rolled back by the caller
only after every statement has finished.

An import into a journal that holds no entries yet (a first import) is written once
(``written_once``): the connection leaves write-ahead logging for SQLite's rollback
journal for the length of the import. A rollback journal keeps only the pages the
transaction changes that existed before, a few dozen in an empty journal, while the
write-ahead log would take every new page and copy all of them into the database again
at the checkpoint; the commit is as durable (``synchronous = EXTRA`` also syncs the folder
when the journal file goes), and a crash half-way leaves the journal file beside the
database, which the next open rolls back. SQLite allows the switch only when no other
connection has the journal open; when one has, the import simply runs in the log as
before.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from attunement.core import ids
from attunement.core.dates import now_local, offset_minutes
from attunement.core.models import NewEntry
from attunement.storage.reader import sql_time

CHUNK = 500
FTS_BATCH = 10 * CHUNK  # entries indexed per statement (fewer, larger index segments)
_FTS_TRIGGER = "entries_fts_ai"
FTS5_DEFAULT_AUTOMERGE = 4  # SQLite's documented defaults
FTS5_DEFAULT_CRISISMERGE = 16
# While an import fills the index, segments are not merged at all (FTS5 merges a level
# once it holds ``crisismerge`` segments, even with automerge off): a quarter less work,
# and searches afterwards as fast.
IMPORT_CRISISMERGE = 2000
IMPORT_CACHE_KIB = 64 * 1024  # the page cache of a large import (10% faster at 100,000)


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    redated: list[str] = field(default_factory=list)  # entries moved to their right dates


def _label(new: NewEntry) -> str:
    """How a skipped entry is named in the report."""
    return new.id or new.source or new.title[:40] or "an entry"


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _present(read: Any, sql: str, keys: Sequence[str], *first: Any) -> set[str]:
    if not keys:
        return set()
    return {row[0] for row in read(sql.format(_marks(len(keys))), (*first, *keys))}


def _fresh_ids(
    read: Any, count: int, taken: Sequence[set[str]], *, journal_empty: bool
) -> list[str]:
    """``count`` new entry ids, unused in the journal and in the ``taken`` sets (to which
    they are added)."""
    chosen: list[str] = []
    while len(chosen) < count:
        wanted = [
            i
            for i in dict.fromkeys(ids.new_ids(count - len(chosen)))
            if not any(i in known for known in taken)
        ]
        clash = (
            set()
            if journal_empty
            else _present(read, "SELECT id FROM entries WHERE id IN ({})", wanted)
        )
        for new_id in wanted:
            if new_id not in clash:
                chosen.append(new_id)
                taken[0].add(new_id)
    return chosen


class _Statements:
    """SQL on one connection, run in the order given: on the caller's thread until
    ``start``, then on one worker thread, so the caller can prepare the next chunk while
    SQLite writes this one. ``write`` queues (waiting while ``DEPTH`` are queued);
    ``read`` waits for what is queued and returns its own result; ``finish`` waits for
    everything and raises the first failure."""

    DEPTH = 2

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pool: ThreadPoolExecutor | None = None
        self.queued: deque[Future[Any]] = deque()

    def start(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attune-import")

    def _run(self, sql: str, rows: Any, many: bool) -> list[Any]:
        # The cursor is closed here, on the thread that ran it: one released later by
        # another thread would reset its statement while this one runs the next.
        cursor = (self.conn.executemany if many else self.conn.execute)(sql, rows)
        try:
            return [] if many else cursor.fetchall()
        finally:
            cursor.close()

    def write(self, sql: str, rows: Any, *, many: bool = False) -> None:
        if self.pool is None:
            self._run(sql, rows, many)
            return
        self.queued.append(self.pool.submit(self._run, sql, rows, many))
        while len(self.queued) > self.DEPTH:
            self.queued.popleft().result()

    def read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        if self.pool is None:
            return self._run(sql, params, False)
        self.finish()
        return self.pool.submit(self._run, sql, params, False).result()

    def finish(self) -> None:
        while self.queued:
            self.queued.popleft().result()

    def close(self) -> None:
        """Stop: statements not begun are dropped, the one running is waited for, so
        the caller may roll back."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.queued.clear()


class _Bulk:
    def __init__(self, conn: Any, owner: str, result: ImportResult) -> None:
        self.conn = conn
        self.sql = _Statements(conn)
        self.owner = owner
        self.result = result
        self.now = now_local()
        last_pk = conn.execute("SELECT max(pk) FROM entries").fetchone()[0]
        self.journal_empty = last_pk is None
        self.next_pk = (last_pk or 0) + 1
        self.fts_from: int | None = None  # first pk whose index is not yet built
        self.cache_size: int | None = None
        self.trigger_sql: str | None = None
        self.merging: dict[str, Any] = {}  # FTS5 settings to put back at the end
        # Ids and sources of this import so far (earlier chunks are in the journal too,
        # but need not be asked for again).
        self.new_ids: set[str] = set()
        self.new_sources: set[str] = set()

    def _already_here(self, batch: list[NewEntry]) -> tuple[set[str], set[str]]:
        """Ids and sources (earlier sources too) of this batch the journal held before
        the import began."""
        if self.journal_empty:
            return set(), set()
        given = [ids.normalise_id(n.id) for n in batch if n.id]
        have_ids = _present(self.sql.read, "SELECT id FROM entries WHERE id IN ({})", given)
        have_sources = _present(
            self.sql.read,
            "SELECT source FROM entries WHERE owner = ? AND source IN ({})",
            [k for n in batch for k in (n.source, n.earlier_source) if k],
            self.owner,
        )
        return have_ids, have_sources

    def _redate(self, moved: list[NewEntry]) -> None:
        """Move entries an earlier import dated with day and month the other way round
        to the dates this import reads, under this import's key (their text, tags and
        history stay as they are)."""
        rows = []
        for new in moved:
            created = new.created_at or self.now
            rows.append(
                (
                    sql_time(created),
                    offset_minutes(created),
                    new.source,
                    self.owner,
                    new.earlier_source,
                )
            )
            self.result.redated.append(_label(new))
        self.sql.write(
            "UPDATE entries SET created_at = ?, created_offset = ?, source = ? "
            "WHERE owner = ? AND source = ?",
            rows,
            many=True,
        )

    def chunk(self, batch: list[NewEntry]) -> None:
        have_ids, have_sources = self._already_here(batch)
        todo: list[tuple[NewEntry, str | None]] = []
        moved: list[NewEntry] = []
        for new in batch:
            given_id = ids.normalise_id(new.id) if new.id else None
            if given_id and (given_id in have_ids or given_id in self.new_ids):
                self.result.skipped.append((_label(new), "an entry with this id is already here"))
            elif new.source and (new.source in have_sources or new.source in self.new_sources):
                self.result.skipped.append((_label(new), "already imported"))
            elif new.earlier_source and new.earlier_source in have_sources and not new.move_earlier:
                self.result.skipped.append(
                    (_label(new), "already imported, with day and month the other way round")
                )
            elif new.earlier_source and new.earlier_source in have_sources and new.source:
                self.new_sources.add(new.source)
                have_sources.discard(new.earlier_source)  # moved once, however often listed
                moved.append(new)
            else:
                if given_id:
                    self.new_ids.add(given_id)
                if new.source:
                    self.new_sources.add(new.source)
                todo.append((new, given_id))
        if moved:
            self._redate(moved)
        if not todo:
            return
        wanted = sum(1 for _, i in todo if not i)
        fresh = iter(
            _fresh_ids(
                self.sql.read, wanted, [self.new_ids, have_ids], journal_empty=self.journal_empty
            )
        )
        entry_rows: list[tuple[Any, ...]] = []
        tag_rows: list[tuple[int, str]] = []
        revision_rows: list[tuple[Any, ...]] = []
        pk = self.next_pk
        for new, given_id in todo:
            entry_id = given_id or next(fresh)
            created = new.created_at or self.now
            updated = new.updated_at or created
            created_text = sql_time(created)
            created_offset = offset_minutes(created)
            entry_rows.append(
                (
                    pk,
                    entry_id,
                    self.owner,
                    new.title,
                    new.body,
                    new.prompt_id,
                    1 if new.starred else 0,
                    created_text,
                    created_offset,
                    created_text if updated is created else sql_time(updated),
                    created_offset if updated is created else offset_minutes(updated),
                    1 + max(r.revision for r in new.revisions) if new.revisions else 1,
                    sql_time(new.deleted_at) if new.deleted_at else None,
                    new.source,
                    json.dumps(new.meta, ensure_ascii=False) if new.meta else None,
                )
            )
            if new.tags:
                tag_rows.extend((pk, tag) for tag in dict.fromkeys(new.tags))
            if new.revisions:
                revision_rows.extend(
                    revision_row(pk, r.revision, r, r.saved_at, r.replaced_at)
                    for r in new.revisions
                )
            self.result.added.append(entry_id)
            pk += 1
        self.next_pk = pk
        self.sql.write(
            "INSERT INTO entries (pk, id, owner, title, body, prompt_id, starred, created_at, "
            "created_offset, updated_at, updated_offset, revision, deleted_at, source, meta) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            entry_rows,
            many=True,
        )
        if tag_rows:
            self.sql.write(
                "INSERT INTO entry_tags (entry_pk, tag) VALUES (?, ?)", tag_rows, many=True
            )
        if revision_rows:
            self.sql.write(
                "INSERT INTO entry_revisions (entry_pk, revision, title, body, prompt_id, tags, "
                "starred, saved_at, saved_offset, replaced_at, replaced_offset) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                revision_rows,
                many=True,
            )
        if self.fts_from is not None and self.next_pk - self.fts_from >= FTS_BATCH:
            self.index_rows()

    def index_later(self) -> None:
        """From the next chunk on, build the full-text index after the rows, with a page
        cache of ``IMPORT_CACHE_KIB`` (restored by the caller), and run the statements
        on the worker thread."""
        self.cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        self.sql.start()
        row = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_FTS_TRIGGER,)
        ).fetchone()
        if row is None:
            return
        self.trigger_sql = row[0]
        self.merging = dict(
            self.conn.execute(
                "SELECT k, v FROM entries_fts_config WHERE k IN ('automerge', 'crisismerge')"
            ).fetchall()
        )
        self.conn.execute(f"DROP TRIGGER {_FTS_TRIGGER}")
        for setting, value in (("automerge", 0), ("crisismerge", IMPORT_CRISISMERGE)):
            self.conn.execute(
                "INSERT INTO entries_fts (entries_fts, rank) VALUES (?, ?)", (setting, value)
            )
        self.fts_from = self.next_pk

    def index_rows(self) -> None:
        """Index the rows added since the last call (queued after them)."""
        assert self.fts_from is not None
        self.sql.write(
            "INSERT INTO entries_fts (rowid, title, body) "
            "SELECT pk, title, body FROM entries WHERE pk >= ? AND pk < ?",
            (self.fts_from, self.next_pk),
        )
        self.fts_from = self.next_pk

    def finish(self) -> None:
        if self.trigger_sql is not None and self.fts_from is not None:
            if self.next_pk > self.fts_from:
                self.index_rows()
            self.sql.finish()
            for setting, default in (
                ("automerge", FTS5_DEFAULT_AUTOMERGE),
                ("crisismerge", FTS5_DEFAULT_CRISISMERGE),
            ):
                self.conn.execute(
                    "INSERT INTO entries_fts (entries_fts, rank) VALUES (?, ?)",
                    (setting, self.merging.get(setting, default)),
                )
            self.conn.execute(self.trigger_sql)
        self.sql.finish()


def revision_row(
    pk: int, number: int, old: Any, saved_at: datetime, replaced_at: datetime
) -> tuple[Any, ...]:
    return (
        pk,
        number,
        old.title,
        old.body,
        old.prompt_id,
        json.dumps(list(old.tags)),
        1 if old.starred else 0,
        sql_time(saved_at),
        offset_minutes(saved_at),
        sql_time(replaced_at),
        offset_minutes(replaced_at),
    )


@contextmanager
def written_once(conn: Any, busy_timeout_ms: int) -> Iterator[bool]:
    """Around an import's transaction on ``conn`` (not in one): when the journal holds no
    entries and no other connection has it open, use a rollback journal until the import
    is over (see the module's note). Yields whether it did."""
    switched = False
    if conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None:
        conn.execute("PRAGMA busy_timeout = 0")  # another connection: do not wait for it
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            switched = str(mode).lower() == "delete"
        except Exception as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    if switched:
        conn.execute("PRAGMA synchronous = EXTRA")
    try:
        yield switched
    finally:
        if switched:
            conn.execute("PRAGMA synchronous = FULL")
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except Exception as exc:
                # A reader that arrived meanwhile holds it: the next connection to open
                # the journal switches it back (every connection asks for WAL).
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise


def add_entries(
    conn: Any,
    owner: str,
    news: Iterable[NewEntry],
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Add entries inside the caller's write transaction on ``conn`` (DB-API). Entries
    whose id or source is already here are skipped, so importing a file twice adds
    nothing. ``progress`` is told how many entries each chunk took."""
    result = ImportResult()
    bulk = _Bulk(conn, owner, result)
    try:
        batch: list[NewEntry] = []
        chunks = 0
        for new in news:
            batch.append(new)
            if len(batch) >= CHUNK:
                bulk.chunk(batch)
                chunks += 1
                if chunks == 1:
                    bulk.index_later()
                if progress is not None:
                    progress(len(batch))
                batch = []
        if batch:
            bulk.chunk(batch)
            if progress is not None:
                progress(len(batch))
        bulk.finish()
    finally:
        bulk.sql.close()
        if bulk.cache_size is not None:
            conn.execute(f"PRAGMA cache_size = {int(bulk.cache_size)}")
    return result
