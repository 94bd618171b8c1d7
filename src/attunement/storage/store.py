"""The storage interface: every read and write of the journal goes through a ``Store``.

Writes speak SQLAlchemy Core; the reads a person waits on are inherited from ``Reader``
(``storage.reader``), plain SQL on the driver's connection, so a command that only reads
never imports SQLAlchemy. Each method is one transaction. Writes take the write lock first
(``BEGIN IMMEDIATE`` on SQLite), so a method either happens completely or not at all, and
only to the file that is still the journal (``storage.replacing``). The engine is built on
first write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from attunement.core import ids
from attunement.core.dates import now_local, offset_minutes, with_offset
from attunement.core.models import CheckIn, Draft, Entry, NewEntry
from attunement.errors import ChangedMeanwhile, Conflict, InvalidInput, NotFound, StorageError
from attunement.storage import bulk
from attunement.storage import schema as s
from attunement.storage.bulk import ImportResult
from attunement.storage.engine import sqlite_engine, translated_errors, writer
from attunement.storage.reader import PromptUse, Reader

__all__ = ["ImportResult", "PromptUse", "Store"]

_BATCH = 500


def _entry_from(row: Row[Any], tags: Sequence[str]) -> Entry:
    return Entry(
        id=row.id,
        title=row.title,
        body=row.body,
        prompt_id=row.prompt_id,
        tags=tuple(tags),
        starred=bool(row.starred),
        created_at=with_offset(row.created_at, row.created_offset),
        updated_at=with_offset(row.updated_at, row.updated_offset),
        revision=row.revision,
        deleted_at=(with_offset(row.deleted_at, row.updated_offset) if row.deleted_at else None),
        meta=dict(row.meta or {}),
    )


def _draft_from(row: Row[Any]) -> Draft:
    return Draft(
        id=row.id,
        entry_id=row.entry_id,
        prompt_id=row.prompt_id,
        title=row.title,
        body=row.body,
        tags=tuple(row.tags),
        created_at=with_offset(row.created_at, row.tz_offset),
        updated_at=with_offset(row.updated_at, row.tz_offset),
    )


@contextmanager
def _overwriting_deleted(conn: Connection) -> Iterator[None]:
    """Within a write: rows deleted meanwhile are overwritten with zeros in the file
    (SQLite's ``secure_delete``, whatever the build's default), then the setting is put
    back as it was."""
    if conn.dialect.name != "sqlite":
        yield
        return
    was = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete = {1 if was else 0}")


class Store(Reader):
    def __init__(self, path: Path, key: bytes | None = None, owner: str = s.LOCAL_OWNER) -> None:
        super().__init__(path, key, owner)
        self._engine: Engine | None = None
        self._writer: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, built on first use."""
        if self._engine is None:
            self._engine = sqlite_engine(self.path, self._key, opener=self._connect)
        return self._engine

    @property
    def _writing_engine(self) -> Engine:
        if self._writer is None:
            self._writer = writer(self.engine)
        return self._writer

    def for_writing(self) -> Store:
        return self

    def close(self) -> None:
        super().close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = self._writer = None

    def __enter__(self) -> Store:
        return self

    # -- transactions ---------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with translated_errors(self.where), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        # The commit happens on leaving the inner block, still inside the translation.
        with translated_errors(self.where), self._writing_engine.begin() as conn:
            self._still_the_journal()  # checked holding the write lock
            yield conn

    # -- entries --------------------------------------------------------------------

    def _entry_pk(self, conn: Connection, entry_id: str) -> Row[Any]:
        row = conn.execute(
            select(s.entries).where(
                s.entries.c.owner == self.owner, s.entries.c.id == ids.normalise_id(entry_id)
            )
        ).first()
        if row is None:
            raise NotFound(
                f"There is no entry '{entry_id}'; `attune list` shows the ids of your entries.",
                field="id",
            )
        return row

    def _tags_for(self, conn: Connection, pks: Sequence[int]) -> dict[int, list[str]]:
        tags: dict[int, list[str]] = {pk: [] for pk in pks}
        for start in range(0, len(pks), _BATCH):
            chunk = pks[start : start + _BATCH]
            rows = conn.execute(
                select(s.entry_tags.c.entry_pk, s.entry_tags.c.tag)
                .where(s.entry_tags.c.entry_pk.in_(chunk))
                .order_by(s.entry_tags.c.entry_pk, s.entry_tags.c.tag)
            )
            for pk, tag in rows:
                tags[pk].append(tag)
        return tags

    def _entries_from_rows(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[Entry]:
        tags = self._tags_for(conn, [row.pk for row in rows])
        return [_entry_from(row, tags[row.pk]) for row in rows]

    def _fresh_ids(self, conn: Connection, table: Any, count: int) -> list[str]:
        """``count`` new ids unused in ``table``; checked under the write lock."""
        chosen: set[str] = set()
        while len(chosen) < count:
            wanted = [ids.new_id() for _ in range(count - len(chosen))]
            wanted = [i for i in dict.fromkeys(wanted) if i not in chosen]
            taken = set(conn.scalars(select(table.c.id).where(table.c.id.in_(wanted))))
            chosen.update(i for i in wanted if i not in taken)
        return list(chosen)

    def add_entry(self, new: NewEntry) -> Entry:
        """Save one new entry (the same path as an import of one)."""
        result = self.add_entries([new])
        if not result.added:
            raise Conflict(f"That entry is already in the journal ({result.skipped[0][1]}).")
        return self.get_entry(result.added[0])

    @staticmethod
    def _revision_row(
        pk: int, number: int, old: Any, saved_at: datetime, replaced_at: datetime
    ) -> dict[str, Any]:
        return {
            "entry_pk": pk,
            "revision": number,
            "title": old.title,
            "body": old.body,
            "prompt_id": old.prompt_id,
            "tags": list(old.tags),
            "starred": bool(old.starred),
            "saved_at": saved_at,
            "saved_offset": offset_minutes(saved_at),
            "replaced_at": replaced_at,
            "replaced_offset": offset_minutes(replaced_at),
        }

    def known(
        self, entry_ids: Iterable[str], sources: Iterable[str], checkin_ids: Iterable[str]
    ) -> tuple[set[str], set[str], set[str]]:
        """Which of these entry ids, import sources and check-in ids are already here."""
        found: list[set[str]] = []
        with self._read() as conn:
            for column, keys, owned in (
                (s.entries.c.id, entry_ids, None),
                (s.entries.c.source, sources, s.entries.c.owner),
                (s.checkins.c.id, checkin_ids, None),
            ):
                keys = list(dict.fromkeys(keys))
                hits: set[str] = set()
                for start in range(0, len(keys), _BATCH):
                    query = select(column).where(column.in_(keys[start : start + _BATCH]))
                    if owned is not None:
                        query = query.where(owned == self.owner)
                    hits.update(conn.scalars(query))
                found.append(hits)
        return found[0], found[1], found[2]

    def import_sources(self) -> dict[str, str]:
        """Each imported entry's id and the import key it came in under (what makes
        importing the same file twice add nothing), for a complete export."""
        with self._read() as conn:
            rows = conn.execute(
                select(s.entries.c.id, s.entries.c.source).where(
                    s.entries.c.owner == self.owner, s.entries.c.source.is_not(None)
                )
            ).all()
        return {str(entry_id): str(source) for entry_id, source in rows}

    def update_entry(
        self,
        entry_id: str,
        *,
        title: str,
        body: str,
        tags: Sequence[str],
        prompt_id: str | None,
        starred: bool,
        now: datetime | None = None,
        base_revision: int | None = None,
    ) -> tuple[Entry, bool]:
        """Save a new version, keeping the old one as a revision. Returns the entry and
        whether anything changed (an identical save makes no revision). With
        ``base_revision`` (the version the change was made from), a change to an entry
        saved again since then raises ChangedMeanwhile and overwrites nothing."""
        now = now or now_local()
        with self._write() as conn:
            row = self._entry_pk(conn, entry_id)
            old = self._entries_from_rows(conn, [row])[0]
            if old.in_trash:
                raise Conflict(
                    f"Entry '{old.id}' is in the trash; restore it with "
                    f"`attune restore {old.id}` before editing."
                )
            unchanged = (
                old.title == title
                and old.body == body
                and list(old.tags) == sorted(set(tags))
                and old.prompt_id == prompt_id
                and old.starred == starred
            )
            if unchanged:
                return old, False
            if base_revision is not None and base_revision != old.revision:
                raise ChangedMeanwhile(
                    f"Entry '{old.id}' was saved again after this edit began (it is now "
                    f"version {old.revision}; the edit started from version "
                    f"{base_revision}), so nothing was overwritten: read the current "
                    "version and make the change to it.",
                    current=old,
                    field="revision",
                )
            conn.execute(
                insert(s.entry_revisions),
                [self._revision_row(row.pk, old.revision, old, old.updated_at, now)],
            )
            conn.execute(
                update(s.entries)
                .where(s.entries.c.pk == row.pk)
                .values(
                    title=title,
                    body=body,
                    prompt_id=prompt_id,
                    starred=starred,
                    updated_at=now,
                    updated_offset=offset_minutes(now),
                    revision=old.revision + 1,
                )
            )
            conn.execute(delete(s.entry_tags).where(s.entry_tags.c.entry_pk == row.pk))
            if tags:
                conn.execute(
                    insert(s.entry_tags),
                    [{"entry_pk": row.pk, "tag": t} for t in dict.fromkeys(tags)],
                )
            new_row = self._entry_pk(conn, entry_id)
            return self._entries_from_rows(conn, [new_row])[0], True

    def set_trashed(self, entry_id: str, trashed: bool, now: datetime | None = None) -> Entry:
        now = now or now_local()
        with self._write() as conn:
            row = self._entry_pk(conn, entry_id)
            if bool(row.deleted_at) == trashed:
                where = "in the trash" if trashed else "not in the trash"
                raise Conflict(f"Entry '{row.id}' is already {where}.")
            conn.execute(
                update(s.entries)
                .where(s.entries.c.pk == row.pk)
                .values(deleted_at=now if trashed else None)
            )
            return self._entries_from_rows(conn, [self._entry_pk(conn, entry_id)])[0]

    def purge_trash(self) -> int:
        with self._write() as conn:
            gone = conn.execute(
                delete(s.entries).where(
                    s.entries.c.owner == self.owner, s.entries.c.deleted_at.is_not(None)
                )
            )
            return gone.rowcount or 0

    def iter_entries(self, *, include_trash: bool = True) -> Iterator[Entry]:
        """Every entry, oldest first, read in pages so 100,000 entries stay cheap."""
        last_pk = 0
        while True:
            query = select(s.entries).where(
                s.entries.c.owner == self.owner, s.entries.c.pk > last_pk
            )
            if not include_trash:
                query = query.where(s.entries.c.deleted_at.is_(None))
            query = query.order_by(s.entries.c.pk).limit(_BATCH)
            with self._read() as conn:
                rows = conn.execute(query).all()
                if not rows:
                    return
                page = self._entries_from_rows(conn, rows)
            last_pk = rows[-1].pk
            yield from page

    # -- drafts ---------------------------------------------------------------------

    def save_draft(
        self,
        draft_id: str | None,
        *,
        title: str,
        body: str,
        tags: Sequence[str],
        prompt_id: str | None,
        entry_id: str | None = None,
        now: datetime | None = None,
    ) -> Draft:
        now = now or now_local()
        values = {
            "title": title,
            "body": body,
            "tags": list(tags),
            "prompt_id": prompt_id,
            "entry_id": entry_id,
            "updated_at": now,
            "tz_offset": offset_minutes(now),
        }
        with self._write() as conn:
            if draft_id is not None:
                done = conn.execute(
                    update(s.drafts)
                    .where(
                        s.drafts.c.owner == self.owner, s.drafts.c.id == ids.normalise_id(draft_id)
                    )
                    .values(**values)
                )
                if not done.rowcount:
                    raise NotFound(f"There is no draft '{draft_id}'.", field="draft_id")
                new_id = ids.normalise_id(draft_id)
            else:
                new_id = self._fresh_ids(conn, s.drafts, 1)[0]
                conn.execute(
                    insert(s.drafts).values(id=new_id, owner=self.owner, created_at=now, **values)
                )
            row = conn.execute(select(s.drafts).where(s.drafts.c.id == new_id)).one()
            return _draft_from(row)

    def add_drafts(self, items: Iterable[Draft]) -> ImportResult:
        """Add drafts from a backup, keeping their ids and times; ids already here are
        skipped, so importing the same backup twice adds nothing."""
        result = ImportResult()
        pending = list(items)
        with self._write() as conn:
            have = set(
                conn.scalars(
                    select(s.drafts.c.id).where(s.drafts.c.id.in_([d.id for d in pending]))
                )
            )
            rows = []
            for d in pending:
                if d.id in have:
                    result.skipped.append((d.id, "a draft with this id is already here"))
                    continue
                have.add(d.id)
                rows.append(
                    {
                        "id": d.id,
                        "owner": self.owner,
                        "entry_id": d.entry_id,
                        "prompt_id": d.prompt_id,
                        "title": d.title,
                        "body": d.body,
                        "tags": list(d.tags),
                        "created_at": d.created_at,
                        "updated_at": d.updated_at,
                        "tz_offset": offset_minutes(d.updated_at),
                    }
                )
                result.added.append(d.id)
            if rows:
                conn.execute(insert(s.drafts), rows)
        return result

    def get_draft(self, draft_id: str) -> Draft:
        with self._read() as conn:
            row = conn.execute(
                select(s.drafts).where(
                    s.drafts.c.owner == self.owner, s.drafts.c.id == ids.normalise_id(draft_id)
                )
            ).first()
        if row is None:
            raise NotFound(
                f"There is no draft '{draft_id}'; `attune drafts` lists them.", field="draft_id"
            )
        return _draft_from(row)

    def delete_draft(self, draft_id: str) -> None:
        with self._write() as conn:
            done = conn.execute(
                delete(s.drafts).where(
                    s.drafts.c.owner == self.owner, s.drafts.c.id == ids.normalise_id(draft_id)
                )
            )
            if not done.rowcount:
                raise NotFound(f"There is no draft '{draft_id}'.", field="draft_id")

    def commit_draft(self, draft_id: str, new: NewEntry) -> Entry:
        """Turn a draft into an entry and drop the draft in one transaction."""
        with self._write() as conn:
            done = conn.execute(
                delete(s.drafts).where(
                    s.drafts.c.owner == self.owner, s.drafts.c.id == ids.normalise_id(draft_id)
                )
            )
            if not done.rowcount:
                raise NotFound(f"There is no draft '{draft_id}'.", field="draft_id")
            result = bulk.add_entries(conn.connection.driver_connection, self.owner, [new])
            if not result.added:
                raise Conflict(f"That entry is already in the journal ({result.skipped[0][1]}).")
        return self.get_entry(result.added[0])

    # -- check-ins ------------------------------------------------------------------

    def add_checkins(self, items: Iterable[CheckIn]) -> ImportResult:
        """Add check-ins; an empty id means "give it one". Check-ins whose id is already
        here are skipped, so re-importing a backup adds nothing."""
        result = ImportResult()
        pending = list(items)
        with self._write() as conn:
            given = [c.id for c in pending if c.id]
            have = set(conn.scalars(select(s.checkins.c.id).where(s.checkins.c.id.in_(given))))
            fresh = iter(self._fresh_ids(conn, s.checkins, sum(1 for c in pending if not c.id)))
            rows = []
            for c in pending:
                if c.id and c.id in have:
                    result.skipped.append((c.id, "a check-in with this id is already here"))
                    continue
                new_id = c.id or next(fresh)
                have.add(new_id)
                rows.append(
                    {
                        "id": new_id,
                        "owner": self.owner,
                        "at": c.at,
                        "at_offset": offset_minutes(c.at),
                        **c.scales(),
                        "body": list(c.body),
                        "note": c.note,
                        "moment": c.moment,
                    }
                )
                result.added.append(new_id)
            if rows:
                try:
                    conn.execute(insert(s.checkins), rows)
                except IntegrityError as exc:
                    raise InvalidInput(
                        "A check-in has a value outside 0-10 or an unknown moment; "
                        "scales run from 0 to 10 and moments are before, after or other."
                    ) from exc
        return result

    # -- user decks -----------------------------------------------------------------

    def add_deck(self, deck_id: str, fmt: str, source_text: str, *, replace: bool = False) -> None:
        with self._write() as conn:
            existing = conn.execute(
                select(s.decks.c.pk).where(s.decks.c.owner == self.owner, s.decks.c.id == deck_id)
            ).first()
            if existing and not replace:
                raise Conflict(
                    f"A deck '{deck_id}' is already installed; replace it to update it "
                    "(`--replace` at the command line).",
                    field="id",
                )
            if existing:
                conn.execute(
                    update(s.decks)
                    .where(s.decks.c.pk == existing.pk)
                    .values(format=fmt, source_text=source_text, added_at=now_local())
                )
            else:
                conn.execute(
                    insert(s.decks).values(
                        id=deck_id,
                        owner=self.owner,
                        format=fmt,
                        source_text=source_text,
                        added_at=now_local(),
                    )
                )

    def remove_deck(self, deck_id: str) -> None:
        with self._write() as conn:
            done = conn.execute(
                delete(s.decks).where(s.decks.c.owner == self.owner, s.decks.c.id == deck_id)
            )
            if not done.rowcount:
                raise NotFound(f"There is no deck '{deck_id}' that you added.", field="id")

    # -- transcripts ----------------------------------------------------------------

    def add_transcript(
        self,
        *,
        title: str,
        fmt: str,
        caregiver: str,
        turns: list[dict[str, Any]],
        entry_id: str | None = None,
    ) -> str:
        now = now_local()
        with self._write() as conn:
            if entry_id is not None:
                entry_id = self._entry_pk(conn, entry_id).id
            new_id = self._fresh_ids(conn, s.transcripts, 1)[0]
            conn.execute(
                insert(s.transcripts).values(
                    id=new_id,
                    owner=self.owner,
                    title=title,
                    format=fmt,
                    caregiver=caregiver,
                    turns=turns,
                    entry_id=entry_id,
                    created_at=now,
                )
            )
        return new_id

    def _transcript_row(self, conn: Any, transcript_id: str) -> Any:
        """This owner's transcript ``transcript_id``, or NotFound naming where the ids are."""
        row = conn.execute(
            select(s.transcripts).where(
                s.transcripts.c.owner == self.owner,
                s.transcripts.c.id == ids.normalise_id(transcript_id),
            )
        ).first()
        if row is None:
            raise NotFound(
                f"There is no transcript '{transcript_id}'; `attune transcript list` shows them.",
                field="id",
            )
        return row

    def get_transcript(self, transcript_id: str) -> dict[str, Any]:
        with self._read() as conn:
            row = self._transcript_row(conn, transcript_id)
        return {
            "id": row.id,
            "title": row.title,
            "format": row.format,
            "caregiver": row.caregiver,
            "turns": row.turns,
            "entry_id": row.entry_id,
            "created_at": row.created_at,
        }

    def transcript_codes(
        self, transcript_id: str, version: str, source_hash: str
    ) -> list[Any] | None:
        """The codes kept for this transcript by analysis ``version``, coded from the words
        ``source_hash`` names; None if none are kept for both."""
        c, t = s.transcript_codes.c, s.transcripts.c
        with self._read() as conn:
            row = conn.execute(
                select(c.codes)
                .select_from(s.transcript_codes.join(s.transcripts, t.pk == c.transcript_pk))
                .where(
                    t.owner == self.owner,
                    t.id == ids.normalise_id(transcript_id),
                    c.version == version,
                    c.source_hash == source_hash,
                )
            ).first()
        return None if row is None else list(row.codes)

    def keep_transcript_codes(
        self, transcript_id: str, version: str, source_hash: str, codes: list[Any]
    ) -> None:
        """Keep a transcript's codes in place of any kept before; nothing if it was deleted
        meanwhile."""
        c, t = s.transcript_codes.c, s.transcripts.c
        with self._write() as conn:
            pk = conn.execute(
                select(t.pk).where(t.owner == self.owner, t.id == ids.normalise_id(transcript_id))
            ).scalar()
            if pk is None:
                return
            conn.execute(delete(s.transcript_codes).where(c.transcript_pk == pk))
            conn.execute(
                insert(s.transcript_codes).values(
                    transcript_pk=pk,
                    version=version,
                    source_hash=source_hash,
                    codes=codes,
                    coded_at=now_local(),
                )
            )

    def delete_transcript(self, transcript_id: str) -> dict[str, Any]:
        """Delete a transcript for good: the session, its turns and the codes kept for them.
        An entry it was linked to stays; the link was the transcript's own. Its bytes are
        overwritten in the file, not only marked free (SQLite's ``secure_delete``), since a
        transcript kept unredacted holds names. Returns what was deleted: id, title, number
        of turns and the entry it was linked to."""
        with self._write() as conn:
            row = self._transcript_row(conn, transcript_id)
            with _overwriting_deleted(conn):
                conn.execute(delete(s.transcripts).where(s.transcripts.c.pk == row.pk))
        return {
            "id": row.id,
            "title": row.title,
            "turns": len(row.turns),
            "entry_id": row.entry_id,
        }

    def all_transcripts(self) -> list[dict[str, Any]]:
        """Every transcript whole (turns and all), oldest first: what the export holds."""
        c = s.transcripts.c
        with self._read() as conn:
            rows = conn.execute(
                select(c.id, c.title, c.format, c.caregiver, c.turns, c.entry_id, c.created_at)
                .where(c.owner == self.owner)
                .order_by(c.created_at, c.pk)
            ).all()
        return [dict(row._mapping) for row in rows]

    def add_transcripts(self, items: Iterable[dict[str, Any]]) -> ImportResult:
        """Add transcripts from a backup (``id``, ``title``, ``format``, ``caregiver``,
        ``turns``, ``entry_id``, ``created_at``), keeping their ids; ids already here are
        skipped, so importing the same backup twice adds nothing. A link to an entry that
        is not in this journal is dropped (the transcript still comes in)."""
        return self._add_kept(s.transcripts, items, what="transcript", link=("entry_id", s.entries))

    def _add_kept(
        self,
        table: Any,
        items: Iterable[dict[str, Any]],
        *,
        what: str,
        link: tuple[str, Any],
        extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> ImportResult:
        """Add rows from a backup to ``table``, keeping their ids: an id already here is
        skipped (``what`` names the row in the note), and the ``link`` column's id is
        dropped when that row of its table is not in this journal. ``extra(item)`` gives
        columns worked out from the item."""
        column, linked_table = link
        result = ImportResult()
        pending = list(items)
        with self._write() as conn:
            have = self._present(conn, table, [item["id"] for item in pending])
            linked = [item[column] for item in pending if item[column]]
            present = self._present(conn, linked_table, linked, owned=True)
            rows = []
            for item in pending:
                if item["id"] in have:
                    result.skipped.append((item["id"], f"a {what} with this id is already here"))
                    continue
                have.add(item["id"])
                kept = item[column] if item[column] in present else None
                rows.append(
                    {**item, column: kept, "owner": self.owner, **(extra(item) if extra else {})}
                )
                result.added.append(item["id"])
            if rows:
                conn.execute(insert(table), rows)
        return result

    def _present(
        self, conn: Connection, table: Any, wanted: Sequence[str], *, owned: bool = False
    ) -> set[str]:
        """Which of these ids are in ``table`` (of this owner's rows, when ``owned``)."""
        keys = list(dict.fromkeys(wanted))
        found: set[str] = set()
        for start in range(0, len(keys), _BATCH):
            query = select(table.c.id).where(table.c.id.in_(keys[start : start + _BATCH]))
            if owned:
                query = query.where(table.c.owner == self.owner)
            found.update(conn.scalars(query))
        return found

    def list_transcripts(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                select(
                    s.transcripts.c.id,
                    s.transcripts.c.title,
                    s.transcripts.c.caregiver,
                    s.transcripts.c.entry_id,
                    s.transcripts.c.created_at,
                )
                .where(s.transcripts.c.owner == self.owner)
                .order_by(s.transcripts.c.created_at.desc())
            ).all()
        return [dict(row._mapping) for row in rows]

    # -- practice ---------------------------------------------------------------------

    def add_attempt(
        self,
        *,
        vignette_id: str,
        response: str,
        scores: dict[str, float],
        feedback: dict[str, Any],
        checkin_id: str | None = None,
        now: datetime | None = None,
    ) -> str:
        now = now or now_local()
        with self._write() as conn:
            new_id = self._fresh_ids(conn, s.practice_attempts, 1)[0]
            conn.execute(
                insert(s.practice_attempts).values(
                    id=new_id,
                    owner=self.owner,
                    vignette_id=vignette_id,
                    response=response,
                    scores=scores,
                    feedback=feedback,
                    checkin_id=checkin_id,
                    created_at=now,
                    tz_offset=offset_minutes(now),
                )
            )
        return new_id

    def add_attempts(self, items: Iterable[dict[str, Any]]) -> ImportResult:
        """Add practice responses from a backup (``id``, ``vignette_id``, ``response``,
        ``scores``, ``feedback``, ``checkin_id``, ``created_at``), keeping their ids and
        times; ids already here are skipped, so importing the same backup twice adds
        nothing. A link to a check-in that is not in this journal is dropped."""
        return self._add_kept(
            s.practice_attempts,
            items,
            what="practice response",
            link=("checkin_id", s.checkins),
            extra=lambda item: {"tz_offset": offset_minutes(item["created_at"])},
        )

    def known_transcripts_and_practice(
        self, transcript_ids: Iterable[str], attempt_ids: Iterable[str]
    ) -> tuple[set[str], set[str]]:
        """Which of these transcript ids and practice response ids are already here."""
        with self._read() as conn:
            return (
                self._present(conn, s.transcripts, list(transcript_ids)),
                self._present(conn, s.practice_attempts, list(attempt_ids)),
            )

    def attempts(self, attempt_id: str | None = None) -> list[dict[str, Any]]:
        """Every practice attempt, oldest first (or the one with this id, if any)."""
        c = s.practice_attempts.c
        query = (
            select(
                c.id,
                c.vignette_id,
                c.response,
                c.scores,
                c.feedback,
                c.checkin_id,
                c.created_at,
                c.tz_offset,
            )
            .where(c.owner == self.owner)
            .order_by(c.created_at, c.pk)
        )
        if attempt_id is not None:
            query = query.where(c.id == attempt_id)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "id": r.id,
                "vignette_id": r.vignette_id,
                "response": r.response,
                "scores": r.scores,
                "feedback": r.feedback,
                "checkin_id": r.checkin_id,
                "created_at": with_offset(r.created_at, r.tz_offset),
            }
            for r in rows
        ]

    def recent_attempts(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest practice attempts, newest first: id, statement id, the
        response and when (without their feedback), for the list to find one again."""
        c = s.practice_attempts.c
        with self._read() as conn:
            rows = conn.execute(
                select(*_ATTEMPT_SUMMARY, c.tz_offset)
                .where(c.owner == self.owner)
                .order_by(c.created_at.desc(), c.pk.desc())
                .limit(limit)
            ).all()
        return [_attempt_summary(r) for r in rows]

    def delete_attempt(self, attempt_id: str) -> dict[str, Any]:
        """Delete a practice attempt for good (a response given by mistake or to try the
        app), so it no longer counts in progress, the choice of statements or a packet.
        Its bytes are overwritten in the file, not only marked free, since a response can
        hold a name. The check-in given before the round stays: it is a check-in of its
        own. Returns what was deleted (id, statement id, response, when); an unknown id
        is NotFound."""
        c = s.practice_attempts.c
        with self._write() as conn:
            row = conn.execute(
                select(c.pk, *_ATTEMPT_SUMMARY, c.tz_offset).where(
                    c.owner == self.owner, c.id == ids.normalise_id(attempt_id)
                )
            ).first()
            if row is None:
                raise NotFound(
                    f"There is no practice response '{attempt_id}': it may have been "
                    "discarded already.",
                    field="attempt_id",
                )
            with _overwriting_deleted(conn):
                conn.execute(delete(s.practice_attempts).where(c.pk == row.pk))
        return _attempt_summary(row)

    def attempt_scores(self) -> list[tuple[str, dict[str, float], datetime]]:
        """(statement id, scores, when) of every practice attempt, oldest first: what
        choosing the next statements and the progress figures read, without the replies
        and their feedback."""
        c = s.practice_attempts.c
        with self._read() as conn:
            rows = conn.execute(
                select(c.vignette_id, c.scores, c.created_at, c.tz_offset)
                .where(c.owner == self.owner)
                .order_by(c.created_at, c.pk)
            ).all()
        return [(r.vignette_id, r.scores, with_offset(r.created_at, r.tz_offset)) for r in rows]

    # -- people to always catch when de-identifying -------------------------------------

    def add_person(self, name: str) -> None:
        with self._write() as conn:
            exists_already = conn.execute(
                select(s.people.c.pk).where(s.people.c.owner == self.owner, s.people.c.name == name)
            ).first()
            if exists_already is None:
                conn.execute(insert(s.people).values(owner=self.owner, name=name))

    def remove_person(self, name: str) -> None:
        with self._write() as conn:
            done = conn.execute(
                delete(s.people).where(s.people.c.owner == self.owner, s.people.c.name == name)
            )
            if not done.rowcount:
                raise NotFound(f"'{name}' is not on your list of people.", field="name")

    # -- maintenance ----------------------------------------------------------------

    def backup_to(self, target: Path) -> None:
        """A consistent copy taken while others may be writing (SQLite's VACUUM INTO)."""
        if target.exists():
            raise Conflict(f"{target} already exists; choose a new file for the backup.")
        with translated_errors(self.where):
            raw = self.engine.raw_connection()  # autocommit: VACUUM refuses a transaction
            try:
                driver = raw.driver_connection
                assert driver is not None
                driver.execute("VACUUM INTO ?", (str(target),))
            finally:
                raw.close()

    def open_copy(self, path: Path) -> Store:
        """Open a copy of this journal (a backup) with the same key, if it has one."""
        return Store.open_sqlite(path, self.owner, key=self._key)

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity_check finds wrong in every b-tree and index (none: [])."""
        with self._read() as conn:
            rows = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def full_check(self) -> list[str]:
        """Every problem the full check finds: each page's HMAC when encrypted, then
        integrity_check. A check that cannot even run reports why."""
        from attunement.storage.vault import cipher_problems

        problems = cipher_problems(Path(self.where), self._key) if self._key else []
        try:
            problems += self.integrity_problems()
        except StorageError as exc:
            # The driver's own words, not the whole sentence meant for an open, whose
            # advice the damage report gives once itself.
            cause = exc.__cause__
            cause = getattr(cause, "orig", None) or cause
            problems.append(f"the integrity check stopped: {cause}" if cause else exc.message)
        return problems

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file and empty it."""
        with self._read() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# A practice attempt without its scores and feedback: what lists and a discard return.
_ATTEMPT_SUMMARY = (
    s.practice_attempts.c.id,
    s.practice_attempts.c.vignette_id,
    s.practice_attempts.c.response,
    s.practice_attempts.c.created_at,
)


def _attempt_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "vignette_id": row.vignette_id,
        "response": row.response,
        "created_at": with_offset(row.created_at, row.tz_offset),
    }
