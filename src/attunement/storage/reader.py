"""Reading the journal with the database driver alone: the reads a person waits on, and
adding entries in bulk (``storage.bulk``: an import, or one new entry).

``attune list``, ``search``, ``show``, ``today`` and ``checkins`` answer in a few
milliseconds, but importing SQLAlchemy takes longer than that (about 0.15 s), so these
reads are plain SQL on a DB-API connection (``storage.engine.connect``: the same driver and
settings the SQLAlchemy engine uses). ``Store`` (``storage.store``) inherits them and adds
the writes, which go through SQLAlchemy Core; a ``Reader`` becomes a ``Store`` with
``for_writing()`` the first time something is written.

Each method is one read transaction (``BEGIN`` ... ``ROLLBACK``), so a list and the tags of
its entries are read from the same snapshot. Connections are per thread (the web app reads
from several at once). The SQL is SQLite's; times are stored as SQLAlchemy's SQLite
``DateTime`` stores them (naive UTC text, ``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts and
compares as text. tests/test_storage_reader.py checks both directions against the engine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from attunement.core import ids
from attunement.core.dates import with_offset
from attunement.core.models import (
    ALL_ENTRIES,
    SCALES,
    CheckIn,
    CheckInFigures,
    Draft,
    Entry,
    EntryFilter,
    NewEntry,
    Revision,
    SearchHit,
    SearchHits,
)
from attunement.errors import Locked, NotFound
from attunement.storage.engine import connect, ensure_schema, refuse_newer_sqlite, translated_errors
from attunement.storage.replacing import JournalReplaced, identity
from attunement.storage.search import (
    FTS5_TOKENIZE,
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    NAME_PLACEHOLDER,
    Query,
    fts5_match,
    parse_query,
    split_highlights,
    symbol_clause,
    symbol_snippet,
)
from attunement.storage.version import LOCAL_OWNER

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from attunement.storage.bulk import ImportResult
    from attunement.storage.store import Store

SNIPPET_TOKENS = 16
_BATCH = 500
RANK_WINDOW = 1000  # the most matches a search ranks together (see Reader._ranked)
# A search is mostly SQLite working on one core. Searches run on the reader's own threads, as
# many as the machine has cores, each with its connection (and that connection's caches)
# kept warm: forty request threads each searching on its own connection when its turn came
# answered 220-230 searches a second here, handing them to two such threads 260-290.
SEARCH_THREADS = os.cpu_count() or 2
LOCKED_MEANWHILE = "The journal was locked while this was being done; unlock it and repeat."
# The search index in more pieces than this (after an import, which leaves them unmerged to
# import faster) is merged in the background; a journal written entry by entry stays below.
SEARCH_INDEX_PIECES = 24
MERGE_PAGES = 100  # index pages merged per write transaction (tens of milliseconds each)
_ENTRY_COLUMNS = (
    "pk, id, title, body, prompt_id, starred, created_at, created_offset, updated_at, "
    "updated_offset, revision, deleted_at, meta"
)
_CHECKIN_COLUMNS = (
    "id, at, at_offset, ease, presence, curiosity, urge_to_fix, fatigue, body, note, moment"
)

T = TypeVar("T")


@dataclass(frozen=True)
class PromptUse:
    count: int
    first: datetime
    last: datetime


def sql_time(moment: datetime) -> str:
    """An aware moment as the journal stores it: naive UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; attach a time zone")
    # The text of the moment in UTC, less its "+00:00" (years are always four digits).
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def from_sql_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _entry(row: Sequence[Any], tags: Sequence[str]) -> Entry:
    (_, entry_id, title, body, prompt_id, starred, created, created_offset, updated,
     updated_offset, revision, deleted, meta) = row  # fmt: skip
    return Entry(
        id=entry_id,
        title=title,
        body=body,
        prompt_id=prompt_id,
        tags=tuple(tags),
        starred=bool(starred),
        created_at=with_offset(from_sql_time(created), created_offset),
        updated_at=with_offset(from_sql_time(updated), updated_offset),
        revision=revision,
        deleted_at=with_offset(from_sql_time(deleted), updated_offset) if deleted else None,
        meta=json.loads(meta) if meta else {},
    )


def _draft(row: Sequence[Any]) -> Draft:
    draft_id, entry_id, prompt_id, title, body, tags, created, updated, offset = row
    return Draft(
        id=draft_id,
        entry_id=entry_id,
        prompt_id=prompt_id,
        title=title,
        body=body,
        tags=tuple(json.loads(tags)),
        created_at=with_offset(from_sql_time(created), offset),
        updated_at=with_offset(from_sql_time(updated), offset),
    )


def _checkin(row: Sequence[Any]) -> CheckIn:
    checkin_id, at, offset, ease, presence, curiosity, urge, fatigue, body, note, moment = row
    return CheckIn(
        id=checkin_id,
        at=with_offset(from_sql_time(at), offset),
        ease=ease,
        presence=presence,
        curiosity=curiosity,
        urge_to_fix=urge,
        fatigue=fatigue,
        body=tuple(json.loads(body)),
        note=note,
        moment=moment,
    )


def _fold_log_of_replaced(opened: Sequence[Any]) -> None:
    """Before closing a journal whose file was replaced or removed: write what its
    write-ahead log holds into that file and empty the log. SQLite leaves the log of a
    file that is gone from its path where it was, and whoever opens the file now at the
    path would read the old file's pages into it. The checkpoint works on the files
    these connections hold, whatever is at the path now."""
    for conn in opened:
        try:
            conn.execute("PRAGMA busy_timeout = 1000")
            if conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
                return
        except Exception:  # closed, or in use: the next connection tries
            continue


class Reader:
    rank_window = RANK_WINDOW

    def __init__(self, path: Path, key: bytes | None = None, owner: str = LOCAL_OWNER) -> None:
        self.path = path
        self.where = str(path)
        self.owner = owner
        self._key = key  # kept in memory only, to open copies of this journal
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[int, Any]] = {}
        self._flights: dict[str, threading.Lock] = {}
        self._watch: Any = None
        self._watch_lock = threading.Lock()
        self._closed = False  # closed: no connection opens again (see ``_connect``)
        self._searching: ThreadPoolExecutor | None = None  # see ``search``
        # The file opened (device, inode): stat before any connection opens it, so a
        # file swapped in between is taken for a replaced one, never the other way.
        self._identity = identity(path)

    @classmethod
    def open_sqlite(cls, path: Path, owner: str = LOCAL_OWNER, key: bytes | None = None) -> Any:
        """Open (creating and migrating as needed) a journal file; with ``key``, a
        SQLCipher-encrypted one."""
        with translated_errors(str(path)):
            if key is None:
                refuse_newer_sqlite(path)
            if not path.exists():
                from attunement.storage.vault import create_journal_file

                create_journal_file(path)
        opened = cls(path, key, owner)
        try:
            ensure_schema(path, key, opened._connection())
        except BaseException:
            opened.close()
            raise
        return opened

    def for_writing(self) -> Store:
        """This journal as a ``Store`` that can write too (imports SQLAlchemy). The store
        takes over this reader's connections (other threads may be reading on theirs);
        use the store from then on."""
        from attunement.storage.store import Store

        store = Store(self.path, self._key, self.owner)
        store._local, store._opened, store._lock = self._local, self._opened, self._lock
        store._identity = self._identity  # the file this reader opened, not today's
        with self._watch_lock:  # and what it keeps, with the connection that keeps it
            store._kept, store._flights = self._kept, self._flights
            store._watch, self._watch = self._watch, None
        return store

    def close(self) -> None:
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
            searching, self._searching = self._searching, None
        if searching is not None:
            searching.shutdown(wait=False, cancel_futures=True)
        if opened and self.replaced():
            _fold_log_of_replaced(opened)
        for conn in opened:
            conn.close()
        self._local = threading.local()
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
            self._watch, self._kept = None, {}

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections ----------------------------------------------------------------

    def replaced(self) -> bool:
        """Whether the file at the journal's path is no longer the one this reader
        opened: replaced or removed by another program (``storage.replacing``)."""
        return self._identity is not None and identity(self.path) != self._identity

    def _still_the_journal(self) -> None:
        """Refuse to go on with a file that is no longer the journal: a write to it
        would be lost, and a new connection would open (or create) another file."""
        if self.replaced():
            raise JournalReplaced(self.where)

    def _connect(self) -> Any:
        """A new connection to the journal this reader opened; ``Locked`` once it was
        closed, so work still holding a closed journal (a request or a worker thread
        when the app locks) cannot open the file again and keep it open."""
        if self._closed:
            raise Locked(LOCKED_MEANWHILE)
        self._still_the_journal()
        return connect(self.path, self._key)

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with translated_errors(self.where):
                conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def kept(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the journal changes: any commit, by this process or
        another. For aggregates a page shows on every visit (the streak, counts). One
        thread computes a missing value while the others asking for it wait: fifty
        requests arriving together after a change compute it once, not fifty times."""
        stamp = self._change_stamp()
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] == stamp:
                return typing.cast(T, hit[1])
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            stamp = self._change_stamp()
            with self._lock:
                hit = self._kept.get(key)
            if hit is not None and hit[0] == stamp:
                return typing.cast(T, hit[1])
            value = compute()  # newer than the stamp, if anything: then computed again
            with self._lock:
                self._kept[key] = (stamp, value)
            return value

    def _change_stamp(self) -> int:
        """SQLite's ``data_version`` on a connection of its own that never writes, so it
        moves with every commit by any other connection, this process's or another's."""
        with self._watch_lock, translated_errors(self.where):
            if self._watch is None:
                self._watch = self._connect()
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """One read transaction on this thread's connection (on a connection of its own
        while a read on this thread is still open, e.g. a half-consumed iterator)."""
        with translated_errors(self.where):
            conn = self._connection()
            spare = conn.in_transaction
            if spare:
                conn = self._connect()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
                if spare:
                    conn.close()

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """One write transaction on this thread's connection, the write lock taken first;
        committed (durably: synchronous=FULL) on leaving, rolled back on any exception.
        Refused (``JournalReplaced``) when the file is no longer the journal."""
        with translated_errors(self.where):
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._still_the_journal()  # checked holding the write lock
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def add_entries(
        self, news: Iterable[NewEntry], *, progress: Callable[[int], None] | None = None
    ) -> ImportResult:
        """Add entries in one transaction; entries whose id or source is already here are
        skipped, which makes importing the same file twice add nothing."""
        from attunement.storage import bulk
        from attunement.storage.engine import BUSY_TIMEOUT_S

        busy_ms = int(BUSY_TIMEOUT_S * 1000)
        with (
            translated_errors(self.where),
            bulk.written_once(self._connection(), busy_ms),
            self._writing() as conn,
        ):
            return bulk.add_entries(conn, self.owner, news, progress=progress)

    # -- entries --------------------------------------------------------------------

    def _entry_row(self, conn: Any, entry_id: str) -> Sequence[Any]:
        row = conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE owner = ? AND id = ?",
            (self.owner, ids.normalise_id(entry_id)),
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no entry '{entry_id}'; `attune list` shows the ids of your entries.",
                field="id",
            )
        return row

    def _with_tags(self, conn: Any, rows: Sequence[Sequence[Any]]) -> list[Entry]:
        tags: dict[int, list[str]] = {row[0]: [] for row in rows}
        pks = list(tags)
        for start in range(0, len(pks), _BATCH):
            chunk = pks[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            for pk, tag in conn.execute(
                f"SELECT entry_pk, tag FROM entry_tags WHERE entry_pk IN ({marks}) "
                "ORDER BY entry_pk, tag",
                chunk,
            ):
                tags[pk].append(tag)
        return [_entry(row, tags[row[0]]) for row in rows]

    def get_entry(self, entry_id: str) -> Entry:
        with self._reading() as conn:
            return self._with_tags(conn, [self._entry_row(conn, entry_id)])[0]

    def entry_from(self, source: str) -> Entry | None:
        """The entry saved under this provenance key (an import's, or a saved form's, so
        that sending the same form twice is seen), or None."""
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE owner = ? AND source = ?",
                (self.owner, source),
            ).fetchone()
            return self._with_tags(conn, [row])[0] if row is not None else None

    def _filtered(
        self, flt: EntryFilter, table: str = "entries", *, counting: bool = False
    ) -> tuple[str, list[Any]]:
        """The WHERE clause (and its parameters) of an entry filter. A tag is checked
        per entry when listing (the newest few come first, and the scan stops), but
        counted from the tag's index when counting (twice as fast at 100,000 entries)."""
        clauses = [
            f"{table}.owner = ?",
            f"{table}.deleted_at IS {'NOT ' if flt.in_trash else ''}NULL",
        ]
        params: list[Any] = [self.owner]
        if flt.since is not None:
            clauses.append(f"{table}.created_at >= ?")
            params.append(sql_time(flt.since))
        if flt.until is not None:
            clauses.append(f"{table}.created_at <= ?")
            params.append(sql_time(flt.until))
        if flt.prompt_id is not None:
            clauses.append(f"{table}.prompt_id = ?")
            params.append(flt.prompt_id)
        if flt.starred is not None:
            clauses.append(f"{table}.starred = ?")
            params.append(1 if flt.starred else 0)
        for tag in flt.tags:
            clauses.append(
                f"{table}.pk IN (SELECT entry_pk FROM entry_tags WHERE tag = ?)"
                if counting
                else f"EXISTS (SELECT 1 FROM entry_tags WHERE entry_tags.entry_pk = {table}.pk "
                "AND entry_tags.tag = ?)"
            )
            params.append(tag)
        return " AND ".join(clauses), params

    def list_entries(
        self,
        flt: EntryFilter = ALL_ENTRIES,
        *,
        limit: int | None = None,
        offset: int = 0,
        oldest_first: bool = False,
        before: str | None = None,
    ) -> list[Entry]:
        """Entries newest first (or oldest first). ``before`` is an entry id: only entries
        after it in that order, so paging costs the same at any depth (no OFFSET walk)."""
        where, params = self._filtered(flt)
        with self._reading() as conn:
            if before is not None:
                anchor = self._entry_row(conn, before)
                later = "created_at > ?" if oldest_first else "created_at < ?"
                where += f" AND ({later} OR (created_at = ? AND pk > ?))"
                params += [anchor[6], anchor[6], anchor[0]]
            sql = (
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} "
                f"ORDER BY created_at {'ASC' if oldest_first else 'DESC'}, pk"
            )
            if limit is not None:
                sql += " LIMIT ? OFFSET ?"
                params += [limit, offset]
            return self._with_tags(conn, conn.execute(sql, params).fetchall())

    def count_entries(self, flt: EntryFilter = ALL_ENTRIES) -> int:
        """How many entries match (kept until the journal changes: counting 100,000
        entries on every page of the journal took a tenth of the page's time)."""
        where, params = self._filtered(flt, counting=True)

        def count() -> int:
            with self._reading() as conn:
                sql = f"SELECT count(*) FROM entries WHERE {where}"
                return int(conn.execute(sql, params).fetchone()[0])

        return self.kept(f"count {where} {params!r}", count)

    def search(
        self, text_query: str, flt: EntryFilter = ALL_ENTRIES, *, limit: int = 20, offset: int = 0
    ) -> SearchHits:
        """The best matches first (bm25, the title weighing four times the body; newest
        first among equals), ranked as ``_ranked`` says; only the entries shown are read,
        with their snippets. Run on the reader's search threads (``SEARCH_THREADS``):
        more at once wait their turn."""
        from concurrent.futures import CancelledError, ThreadPoolExecutor  # when searching

        with self._lock:
            if self._searching is None and not self._closed:
                self._searching = ThreadPoolExecutor(SEARCH_THREADS, "attune-search")
            searching = self._searching
        if searching is None:  # closed: says so (Locked), as any read would
            return self._search(text_query, flt, limit, offset)
        try:
            return searching.submit(self._search, text_query, flt, limit, offset).result()
        except CancelledError:  # the journal closed (locked) while it waited its turn
            raise Locked(LOCKED_MEANWHILE) from None

    def _search(self, text_query: str, flt: EntryFilter, limit: int, offset: int) -> SearchHits:
        query = parse_query(text_query)
        if not query.has_words:
            return self._scanned(query, flt, limit, offset)
        match = fts5_match(query)
        with self._reading() as conn:
            ranked, windowed = self._ranked(conn, match, flt, offset, limit)
            within = self.rank_window if windowed else 0
            if not ranked:
                return SearchHits([], ranked_within=within)
            pks = [pk for pk, _ in ranked]
            marks = ",".join("?" * len(pks))
            rows = {
                row[0]: row
                for row in conn.execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE pk IN ({marks})", pks
                )
            }
            entries = self._with_tags(conn, [rows[pk] for pk in pks])
        snippets = self._snippets(match, entries, pks)
        hits = []
        for (pk, rank), entry in zip(ranked, entries, strict=True):
            plain, spans = split_highlights(snippets.get(pk) or "")
            hits.append(
                SearchHit(entry=entry, snippet=plain, highlights=spans, rank=round(-rank, 4))
            )
        return SearchHits(hits, ranked_within=within)

    def _scanned(self, query: Query, flt: EntryFilter, limit: int, offset: int) -> SearchHits:
        """The entries holding a query's symbols (emoji), which the index leaves out:
        newest first, read from the entries themselves (a tenth of a second or two at
        100,000 entries when none holds them; the newest few when many do)."""
        where, params = self._filtered(flt)
        holding, symbols = symbol_clause(query)
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} AND {holding} "
                "ORDER BY created_at DESC, pk LIMIT ? OFFSET ?",
                [*params, *symbols, limit, offset],
            ).fetchall()
            entries = self._with_tags(conn, rows)
        return SearchHits(
            SearchHit(entry, *symbol_snippet(entry.title, entry.body, query, SNIPPET_TOKENS), 0.0)
            for entry in entries
        )

    def placeholder_example(self) -> str:
        """A name placeholder in the entries ("[Client A]", put in place of a name when
        identifying details were replaced on saving), or "" when there is none: kept until
        the journal changes."""

        def first() -> str:
            with self._reading() as conn:
                for title, body in conn.execute(
                    "SELECT title, body FROM entries WHERE owner = ? AND deleted_at IS NULL "
                    "AND (body LIKE '%[Client %' OR title LIKE '%[Client %')",
                    (self.owner,),
                ):
                    found = NAME_PLACEHOLDER.search(title) or NAME_PLACEHOLDER.search(body)
                    if found:
                        return found.group()
            return ""

        return self.kept("placeholder example", first)

    def _ranked(
        self, conn: Any, match: str, flt: EntryFilter, offset: int, limit: int
    ) -> tuple[list[tuple[int, float]], bool]:
        """(pk, bm25) of the hits at ``offset`` .. ``offset + limit`` in the order shown,
        and whether the matches were too many to rank together.

        bm25 costs about a microsecond a match, and a common word matches most of a
        journal ("silence" is in 60,000 of 100,000 entries: 70-100 ms of ranking, several
        times that on a busy machine). So the matches that pass the filter are ranked
        ``rank_window`` at a time, the most recently added first. When there are no more
        than that (any search with a word that is not common), every match is ranked
        together, exactly as bm25 orders them. Otherwise the best of the latest window
        come first, then the best of the window before it, and so on: each window in
        exact bm25 order, and scores the same as ranking everything would give (bm25's
        word weights come from the whole index)."""
        where, params = self._filtered(flt)
        size = self.rank_window
        shown: list[tuple[int, float]] = []
        skip, top, windowed = offset, None, False
        while len(shown) < limit:
            bounded = "" if top is None else "AND entries_fts.rowid <= ? "
            # The window is ranked inside SQLite, which hands back only the rows shown
            # and two figures: a row crossing into Python lets go of the GIL and takes
            # it back, and 2,000 of them per search made searches at once queue behind
            # each other. CROSS JOIN: the index leads, newest match first; each entry's
            # filter columns and date are read from the index that holds just those (not
            # the entry with its text), and bm25 runs only for those passing. One match
            # more than the window is read: when there is one, the oldest read (``low``)
            # is left to the next window. Among equal scores, the newest entry first.
            rows = conn.execute(
                "WITH matched AS MATERIALIZED ("
                "SELECT entries.pk AS pk, bm25(entries_fts, 4.0, 1.0) AS rank, "
                "entries.created_at AS created FROM entries_fts "
                "CROSS JOIN entries INDEXED BY ix_entries_pk_filter "
                "ON entries.pk = entries_fts.rowid "
                f"WHERE entries_fts MATCH ? {bounded}AND {where} "
                "ORDER BY entries_fts.rowid DESC LIMIT ?), "
                "edge AS MATERIALIZED (SELECT count(*) AS n, min(pk) AS low FROM matched) "
                "SELECT edge.n, edge.low, shown.pk, shown.rank FROM edge LEFT JOIN ("
                "SELECT pk, rank, created FROM matched "
                "WHERE pk > (SELECT CASE WHEN n > ? THEN low ELSE -1 END FROM edge) "
                "ORDER BY rank, created DESC, pk DESC LIMIT ? OFFSET ?) AS shown "
                "ORDER BY shown.rank, shown.created DESC, shown.pk DESC",
                [
                    match,
                    *([] if top is None else [top]),
                    *params,
                    size + 1,
                    size,
                    limit - len(shown),
                    skip,
                ],
            ).fetchall()
            matched, low = rows[0][0], rows[0][1]
            windowed = windowed or matched > size
            shown += [(pk, rank) for _, _, pk, rank in rows if pk is not None]
            skip = max(0, skip - min(matched, size))
            if matched <= size:
                break
            top = low
        return shown, windowed

    def search_index_pieces(self) -> int:
        """How many segments the search index is in: a search reads every one."""
        with self._reading() as conn:
            return int(
                conn.execute("SELECT count(DISTINCT segid) FROM entries_fts_idx").fetchone()[0]
            )

    def merge_search_index(self, stop: threading.Event | None = None) -> int:
        """Merge the search index into one piece when an import left it in many (71 after
        100,000 entries: a tenth of every search's time, 0.7 of a millisecond), a little at
        a time, each step a short write transaction of its own so that saving an entry
        meanwhile waits tens of milliseconds at most. Returns the steps taken (0: nothing
        to merge); stops early when ``stop`` is set, and the next call goes on."""
        if self.search_index_pieces() <= SEARCH_INDEX_PIECES:
            return 0
        steps = 0
        while stop is None or not stop.is_set():
            with self._writing() as conn:
                before = conn.total_changes
                conn.execute(
                    "INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?)",
                    (-MERGE_PAGES,),  # negative: pieces of every level are merged together
                )
                merged = conn.total_changes - before >= 2  # FTS5's sign that work was done
            steps += 1
            if not merged:
                break
        return steps

    def _snippets(self, match: str, entries: list[Entry], pks: list[int]) -> dict[int, str]:
        """pk -> the highlighted snippet of each entry shown, made by FTS5 over an index in
        memory of just these entries: the same tokenizer and query as the journal's index,
        so the same snippet. Asking the journal's index costs a seek per entry, and after a
        large import (many index segments) that is 2 ms an entry; here, 0.1 ms."""
        index = getattr(self._local, "snippets", None)
        if index is None:
            index = sqlite3.connect(":memory:", check_same_thread=False)
            index.isolation_level = None
            index.execute(
                f"CREATE VIRTUAL TABLE shown USING fts5(title, body, tokenize='{FTS5_TOKENIZE}')"
            )
            self._local.snippets = index
            with self._lock:
                self._opened.append(index)
        index.execute("BEGIN")
        try:
            index.executemany(
                "INSERT INTO shown (rowid, title, body) VALUES (?, ?, ?)",
                [(pk, entry.title, entry.body) for pk, entry in zip(pks, entries, strict=True)],
            )
            return dict(
                index.execute(
                    f"SELECT rowid, snippet(shown, -1, ?, ?, '…', {SNIPPET_TOKENS}) "
                    "FROM shown WHERE shown MATCH ?",
                    [HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, match],
                )
            )
        finally:
            index.execute("ROLLBACK")

    def transcripts_of(self, entry_id: str) -> list[dict[str, Any]]:
        """The transcripts linked to one entry (id and title), oldest first."""
        with self._reading() as conn:
            found = conn.execute(
                "SELECT id, title FROM transcripts WHERE owner = ? AND entry_id = ? "
                "ORDER BY created_at",
                (self.owner, entry_id),
            ).fetchall()
        return [{"id": item, "title": title} for item, title in found]

    def list_drafts(self, limit: int | None = None) -> list[Draft]:
        """Unfinished drafts, the most recently changed first (at most ``limit``)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT id, entry_id, prompt_id, title, body, tags, created_at, updated_at, "
                "tz_offset FROM drafts WHERE owner = ? ORDER BY updated_at DESC LIMIT ?",
                (self.owner, -1 if limit is None else limit),
            ).fetchall()
        return [_draft(row) for row in rows]

    def revision_count(self, entry_id: str) -> int:
        """How many earlier versions an entry has kept."""
        with self._reading() as conn:
            row = self._entry_row(conn, entry_id)
            found = conn.execute(
                "SELECT count(*) FROM entry_revisions WHERE entry_pk = ?", (row[0],)
            ).fetchone()
        return int(found[0])

    def revisions(self, entry_id: str) -> list[Revision]:
        with self._reading() as conn:
            row = self._entry_row(conn, entry_id)
            found = conn.execute(
                "SELECT revision, title, body, prompt_id, tags, starred, saved_at, "
                "saved_offset, replaced_at, replaced_offset FROM entry_revisions "
                "WHERE entry_pk = ? ORDER BY revision",
                (row[0],),
            ).fetchall()
        return [
            Revision(
                entry_id=row[1],
                revision=number,
                title=title,
                body=body,
                prompt_id=prompt_id,
                tags=tuple(json.loads(tags)),
                starred=bool(starred),
                saved_at=with_offset(from_sql_time(saved), saved_offset),
                replaced_at=with_offset(from_sql_time(replaced), replaced_offset),
            )
            for (
                number,
                title,
                body,
                prompt_id,
                tags,
                starred,
                saved,
                saved_offset,
                replaced,
                replaced_offset,
            ) in found  # fmt: skip
        ]

    def prompt_history(self, before: datetime | None = None) -> dict[str, PromptUse]:
        """How often and when each prompt was answered by an entry not in the trash,
        counting only entries written before ``before`` when it is given."""
        sql = (
            "SELECT prompt_id, count(*), min(created_at), max(created_at) FROM entries "
            "WHERE owner = ? AND deleted_at IS NULL AND prompt_id IS NOT NULL"
        )
        params: list[Any] = [self.owner]
        if before is not None:
            sql += " AND created_at < ?"
            params.append(sql_time(before))
        with self._reading() as conn:
            return {
                prompt_id: PromptUse(count, from_sql_time(first), from_sql_time(last))
                for prompt_id, count, first, last in conn.execute(
                    sql + " GROUP BY prompt_id", params
                )
            }

    def local_days_since(self, since: datetime) -> tuple[list[str], bool]:
        """The days (ISO, in the zone each entry was written in) with an entry not in the
        trash created at or after ``since``, newest first; and whether that is every
        entry (none was created before ``since``). SQLite works out the days, so a long
        journal costs one pass over the index range, not a Python object per entry."""
        with self._reading() as conn:
            days = [
                day
                for (day,) in conn.execute(
                    "SELECT DISTINCT date(created_at, created_offset || ' minutes') AS day "
                    "FROM entries WHERE owner = ? AND deleted_at IS NULL AND created_at >= ? "
                    "ORDER BY day DESC",
                    (self.owner, sql_time(since)),
                )
            ]
            older = conn.execute(
                "SELECT 1 FROM entries WHERE owner = ? AND deleted_at IS NULL "
                "AND created_at < ? LIMIT 1",
                (self.owner, sql_time(since)),
            ).fetchone()
        return days, older is None

    def tag_counts(self) -> list[tuple[str, int]]:
        """Tags of entries not in the trash, most used first. Counted on the (tag, entry)
        index alone, setting aside the few hidden entries, which is three times faster than
        joining every tag to its entry at 100,000 entries; and kept until the journal
        changes (the journal page shows them on every visit)."""
        return list(self.kept("tag counts", self._tag_counts))

    def _tag_counts(self) -> list[tuple[str, int]]:
        with self._reading() as conn:
            return [
                (tag, n)
                for tag, n in conn.execute(
                    "SELECT tag, count(*) FROM entry_tags WHERE entry_pk NOT IN "
                    "(SELECT pk FROM entries WHERE deleted_at IS NOT NULL OR owner != ?) "
                    "GROUP BY tag ORDER BY count(*) DESC, tag",
                    (self.owner,),
                )
            ]

    # -- readings (stored analyses of entry versions; see core.readings) ---------------
    #
    # A reading is current for an entry when it was made of the entry's present revision
    # by the present version of the analysis; SQL can check that without the text.

    _CURRENT = (
        "readings.entry_pk = entries.pk AND readings.revision = entries.revision "
        "AND readings.version = ?"
    )

    def reading(self, entry_id: str, revision: int, version: str) -> tuple[str, Any] | None:
        """(text hash, reading JSON) stored for this revision of the entry by this
        analysis, if any."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT readings.text_hash, readings.reading FROM readings JOIN entries "
                "ON entries.pk = readings.entry_pk WHERE entries.owner = ? AND entries.id = ? "
                "AND readings.revision = ? AND readings.version = ?",
                (self.owner, ids.normalise_id(entry_id), revision, version),
            ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def reading_signs(
        self, entry_ids: Sequence[str], version: str
    ) -> dict[str, tuple[list[str], list[str]]]:
        """(signs, feelings) of the current readings of these entries, by entry id."""
        found: dict[str, tuple[list[str], list[str]]] = {}
        with self._reading() as conn:
            for start in range(0, len(entry_ids), _BATCH):
                chunk = list(entry_ids[start : start + _BATCH])
                for entry_id, signs, feelings in conn.execute(
                    "SELECT entries.id, readings.signs, readings.feelings FROM readings "
                    f"JOIN entries ON {self._CURRENT} WHERE entries.owner = ? "
                    f"AND entries.id IN ({','.join('?' * len(chunk))})",
                    (version, self.owner, *chunk),
                ):
                    found[entry_id] = (signs.split(), feelings.split())
        return found

    def period_signs(
        self, since: datetime, version: str, *, limit: int
    ) -> tuple[list[tuple[str, str | None, str | None, int]], int]:
        """For the ``limit`` newest entries written since ``since`` (not in the trash):
        how many were written on each local day with each (signs, feelings) of their
        current reading (None, None: no reading yet), and how many entries the period
        holds in all. Counted in SQL, so 10,000 entries come back as a few hundred rows."""
        period = (
            "SELECT pk, revision, created_at, created_offset FROM entries WHERE owner = ? "
            "AND deleted_at IS NULL AND created_at >= ? ORDER BY created_at DESC LIMIT ?"
        )
        params = (self.owner, sql_time(since))
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT date(e.created_at, e.created_offset || ' minutes') AS day, r.signs, "
                f"r.feelings, count(*) FROM ({period}) AS e LEFT JOIN readings AS r "
                "ON r.entry_pk = e.pk AND r.revision = e.revision AND r.version = ? "
                "GROUP BY day, r.signs, r.feelings",
                (*params, limit, version),
            ).fetchall()
            total = sum(row[3] for row in rows)
            if total >= limit:
                total = conn.execute(
                    "SELECT count(*) FROM entries WHERE owner = ? AND deleted_at IS NULL "
                    "AND created_at >= ?",
                    params,
                ).fetchone()[0]
        return rows, int(total)

    def unread_ids(
        self, version: str, *, since: datetime | None = None, limit: int | None = None
    ) -> list[str]:
        """Ids of entries (not in the trash) without a current reading, newest first."""
        sql = (
            "SELECT entries.id FROM entries WHERE entries.owner = ? AND "
            "entries.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM readings WHERE "
            f"{self._CURRENT})"
        )
        params: list[Any] = [self.owner, version]
        if since is not None:
            sql += " AND entries.created_at >= ?"
            params.append(sql_time(since))
        sql += " ORDER BY entries.created_at DESC, entries.pk"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as conn:
            return [entry_id for (entry_id,) in conn.execute(sql, params)]

    def entries_with_ids(self, entry_ids: Sequence[str]) -> list[Entry]:
        """These entries, in the order given (ids not found are left out)."""
        with self._reading() as conn:
            rows = []
            for start in range(0, len(entry_ids), _BATCH):
                chunk = list(entry_ids[start : start + _BATCH])
                rows += conn.execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE owner = ? "
                    f"AND id IN ({','.join('?' * len(chunk))})",
                    (self.owner, *chunk),
                ).fetchall()
            found = {entry.id: entry for entry in self._with_tags(conn, rows)}
        return [found[i] for i in entry_ids if i in found]

    def save_readings(
        self, rows: Iterable[tuple[str, int, str, str, Any, list[str], list[str]]]
    ) -> int:
        """Store readings (entry id, revision, text hash, version, reading, signs,
        feelings); one already there, or of an entry deleted meanwhile, is left alone.
        Readings by other versions of the analysis are dropped: they will not be used."""
        now = sql_time(datetime.now(UTC))
        stored = 0
        with self._writing() as conn:
            versions = set()
            for entry_id, revision, text_hash, version, reading, signs, feelings in rows:
                versions.add(version)
                done = conn.execute(
                    "INSERT OR IGNORE INTO readings (entry_pk, revision, text_hash, version, "
                    "reading, signs, feelings, read_at) SELECT pk, ?, ?, ?, ?, ?, ?, ? "
                    "FROM entries WHERE owner = ? AND id = ?",
                    (
                        revision,
                        text_hash,
                        version,
                        json.dumps(reading, ensure_ascii=False),
                        " ".join(signs),
                        " ".join(feelings),
                        now,
                        self.owner,
                        entry_id,
                    ),
                )
                stored += done.rowcount
            for version in versions:
                conn.execute(
                    "DELETE FROM readings WHERE version != ? AND entry_pk IN "
                    "(SELECT pk FROM entries WHERE owner = ?)",
                    (version, self.owner),
                )
        return stored

    def local_writing_days(self, since: datetime) -> dict[str, int]:
        """Entries (not in the trash) per day, each counted on the day it was written in
        its own zone, for entries written since about ``since`` (a day's margin)."""
        with self._reading() as conn:
            return {
                day: count
                for day, count in conn.execute(
                    "SELECT date(created_at, created_offset || ' minutes') AS day, count(*) "
                    "FROM entries WHERE owner = ? AND deleted_at IS NULL AND created_at >= ? "
                    "GROUP BY day",
                    (self.owner, sql_time(since - timedelta(days=1))),
                )
            }

    # -- check-ins and decks --------------------------------------------------------

    def get_checkin(self, checkin_id: str) -> CheckIn:
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE owner = ? AND id = ?",
                (self.owner, ids.normalise_id(checkin_id)),
            ).fetchone()
        if row is None:
            raise NotFound(f"There is no check-in '{checkin_id}'.", field="id")
        return _checkin(row)

    def list_checkins(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        oldest_first: bool = False,
    ) -> list[CheckIn]:
        sql = f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE owner = ?"
        params: list[Any] = [self.owner]
        if since is not None:
            sql += " AND at >= ?"
            params.append(sql_time(since))
        if until is not None:
            sql += " AND at <= ?"
            params.append(sql_time(until))
        sql += f" ORDER BY at {'ASC' if oldest_first else 'DESC'}, pk"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as conn:
            return [_checkin(row) for row in conn.execute(sql, params)]

    def checkin_figures(self, since: datetime, until: datetime) -> CheckInFigures:
        """The check-ins from ``since`` to ``until`` summed up: how many, each scale's
        answers oldest first, and each body area's count (ties: the one marked last first)."""
        span = (self.owner, sql_time(since), sql_time(until))
        where = "WHERE c.owner = ? AND c.at >= ? AND c.at <= ?"
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(SCALES)} FROM checkins AS c {where} ORDER BY c.at, c.pk DESC",
                span,
            ).fetchall()
            areas = conn.execute(
                "SELECT part.value, count(*) AS times, max(c.at) AS last "
                f"FROM checkins AS c, json_each(c.body) AS part {where} "
                "GROUP BY part.value ORDER BY times DESC, last DESC, part.value",
                span,
            ).fetchall()
        values = {
            name: [row[i] for row in rows if row[i] is not None] for i, name in enumerate(SCALES)
        }
        return CheckInFigures(len(rows), values, [(area, times) for area, times, _ in areas])

    def count_checkins(self) -> int:
        with self._reading() as conn:
            sql = "SELECT count(*) FROM checkins WHERE owner = ?"
            return int(conn.execute(sql, (self.owner,)).fetchone()[0])

    def list_decks(self) -> list[tuple[str, str, str]]:
        """(id, format, source text) of the decks the user added, in the order added."""
        with self._reading() as conn:
            return [
                (deck_id, fmt, text)
                for deck_id, fmt, text in conn.execute(
                    "SELECT id, format, source_text FROM decks WHERE owner = ? ORDER BY pk",
                    (self.owner,),
                )
            ]

    def people(self) -> list[str]:
        with self._reading() as conn:
            return [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM people WHERE owner = ? ORDER BY name", (self.owner,)
                )
            ]

    def integrity_check(self) -> str:
        with self._reading() as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
