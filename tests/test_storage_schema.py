"""The schema: migrations match the code, upgrades keep data, the database is set up for
durability."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from attunement.core.journal import Journal
from attunement.storage.engine import MIGRATIONS_DIR
from attunement.storage.schema import HEAD_REVISION, metadata
from attunement.storage.store import Store

from .conftest import DATA

GOLDEN = DATA / "journal-schema-0001.sqlite3"


def test_head_revision_constant_matches_the_migrations():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrating_an_empty_database_gives_exactly_the_declared_tables(tmp_path: Path):
    with Store.open_sqlite(tmp_path / "j.sqlite3") as store:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                # The FTS5 index and its shadow tables are made by the migration's SQL,
                # outside the portable schema.
                opts={
                    "include_name": lambda name, kind, _parent: (
                        not (kind == "table" and name.startswith("entries_fts"))
                    )
                },
            )
            diff = compare_metadata(context, metadata)
    assert diff == []


def test_durability_settings_are_on_for_every_connection(tmp_path: Path):
    with Store.open_sqlite(tmp_path / "j.sqlite3") as store:
        with store.engine.connect() as conn:

            def pragma(name):
                return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 5000


def _content_hash(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, title, body, created_at, revision FROM entries ORDER BY id"
    ).fetchall()
    conn.close()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_a_journal_written_by_schema_0001_opens_with_its_content_unchanged(tmp_path: Path):
    """Golden file made by Attunement 0.1.0 (schema 0001). Every later schema must open it
    with row counts and content hashes unchanged."""
    copy = tmp_path / "journal.sqlite3"
    shutil.copy(GOLDEN, copy)
    before = _content_hash(copy)
    with Journal.open(tmp_path) as journal:
        assert journal.store.integrity_check() == "ok"
        entries = journal.list_entries(limit=None)
        assert len(entries) + len(journal.trash()) == before[0] == 3
        assert journal.search("shoulders")
        assert len(journal.checkins()) == 1
        revisions = journal.history(next(e.id for e in entries if e.revision > 1))[1]
        assert revisions[0].body == "First version of the golden entry."
    assert _content_hash(copy) == before


def test_a_journal_from_a_newer_attunement_is_refused_unchanged(tmp_path: Path):
    path = tmp_path / "journal.sqlite3"
    shutil.copy(GOLDEN, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    from attunement.errors import StorageError

    try:
        Store.open_sqlite(path)
    except StorageError as exc:
        assert "newer version of Attunement" in exc.message
    else:
        raise AssertionError("a newer schema must not be opened")
    assert path.read_bytes() == data


def test_journal_files_are_readable_by_their_owner_only(tmp_path: Path):
    import stat

    data_dir = tmp_path / "data"
    with Journal.open(data_dir) as journal:
        journal.write("private words")
        files = [p for p in data_dir.iterdir() if p.is_file()]
        assert {p.name for p in files} >= {"journal.sqlite3", "journal.sqlite3-wal"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_a_journal_written_by_schema_0003_keeps_transcripts_and_practice(tmp_path: Path):
    """Golden file made by Attunement 0.1.0 at schema 0003 (transcripts, practice)."""
    shutil.copy(DATA / "journal-schema-0003.sqlite3", tmp_path / "journal.sqlite3")
    before = _content_hash(tmp_path / "journal.sqlite3")
    with Journal.open(tmp_path) as journal:
        assert journal.store.integrity_check() == "ok"
        (transcript,) = journal.store.list_transcripts()
        assert transcript["title"] == "Golden session" and transcript["entry_id"]
        (attempt,) = journal.store.attempts()
        assert attempt["vignette_id"] == "v01" and set(attempt["scores"]) >= {"reflection"}
        assert len(journal.list_entries()) + len(journal.trash()) == 3
    assert _content_hash(tmp_path / "journal.sqlite3") == before


def _sqlite_schema(path: Path) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    schema = [tuple(row) for row in rows]
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    conn.close()
    return schema + [("revision", str(revision), "", "")]


def test_a_new_journal_gets_exactly_the_schema_the_migrations_give(tmp_path: Path):
    """New journals are created from head.sql without Alembic; migrating an empty database
    step by step must give the same tables, indexes, triggers and revision. If this fails
    after adding a migration, run `python tools/head_schema.py`."""
    from sqlalchemy import create_engine

    from attunement.storage.engine import upgrade_schema, writer

    migrated = tmp_path / "migrated.sqlite3"
    engine = create_engine(f"sqlite:///{migrated}")
    with writer(engine).begin() as conn:
        upgrade_schema(conn)
    engine.dispose()
    with Journal.open(tmp_path / "new") as journal:
        journal.write("The first words in a new journal. #start")
        assert journal.search("words")[0].entry.tags == ("start",)
    assert _sqlite_schema(tmp_path / "new" / "journal.sqlite3") == _sqlite_schema(migrated)
