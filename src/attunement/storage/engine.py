"""Opening a journal database: connections, their durability settings, and the schema.

SQLite is the embedded default. Every connection runs in WAL mode with
``synchronous=FULL`` (an acknowledged commit survives power loss), foreign keys on and a
busy timeout; writers take the lock up front with ``BEGIN IMMEDIATE`` so two writers queue
instead of failing half-way. Readers use deferred transactions and never block writers.

``connect`` makes one DB-API connection with those settings; the reads a person waits on
use it directly (importing SQLAlchemy costs more than answering them), and the SQLAlchemy
engine for writes is built on the same function. Nothing here imports SQLAlchemy or
Alembic until an engine is asked for or a migration is due.

The schema is brought to ``HEAD_REVISION`` on open, inside one write transaction, so a
migration interrupted by a crash leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attunement.errors import StorageError
from attunement.storage.version import HEAD_REVISION

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_S = 30.0
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The schema the migrations give an empty journal (tools/head_schema.py writes it).
HEAD_SQL = Path(__file__).with_name("head.sql")


def _message_for(exc: BaseException, where: str) -> str | None:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return (
            f"The journal at {where} is read-only; make the data folder writable "
            "or choose another with --data-dir."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return (
            f"There is no space left for the journal at {where}; free some disk space "
            "and try again (nothing was saved)."
        )
    if "database is locked" in text or "database table is locked" in text:
        return (
            f"Another program has held the journal at {where} locked for over "
            f"{int(BUSY_TIMEOUT_S)} s; close it and try again (nothing was saved)."
        )
    if "unable to open database" in text:
        return (
            f"Cannot open the journal at {where}; check that the data folder exists "
            "and is writable."
        )
    if "file is not a database" in text or "malformed" in text:
        from attunement.storage.health import what_to_do

        return (
            f"The file at {where} is not a readable Attunement journal (damaged, "
            f"encrypted or another program's). {what_to_do(Path(where).parent)}"
        )
    if "disk i/o error" in text:
        return f"The disk reported an error while using the journal at {where}; check it."
    return None


def _is_driver_error(exc: BaseException) -> bool:
    """sqlite3's errors, and SQLCipher's, which share their names but not their classes."""
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlcipher3")


@contextmanager
def translated_errors(where: str) -> Iterator[None]:
    """Turn the database failures a person can act on into one clear sentence. Works for
    the drivers' own errors and for SQLAlchemy's wrappers of them (``.orig``)."""
    try:
        yield
    except Exception as exc:
        orig = getattr(exc, "orig", None) or exc
        message = _message_for(orig, where) if _is_driver_error(orig) else None
        if message is None:
            raise
        raise StorageError(message) from exc


MMAP_BYTES = 1 << 30


def _apply_settings(conn: Any) -> Any:
    # Take transaction control away from the driver so BEGIN is ours to issue.
    conn.isolation_level = None
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect(path: Path, key: bytes | None = None) -> Any:
    """One DB-API connection to a plain SQLite journal, or, given a key, to a SQLCipher
    one, with the journal's settings applied."""
    if key is None:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        # Read pages straight from the file's mapping instead of copying each into the
        # page cache: a search that ranks 60,000 matches reads a third less. SQLCipher
        # decrypts every page it reads, so an encrypted journal is never mapped.
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    else:
        from attunement.storage.vault import connect as connect_encrypted

        conn = connect_encrypted(path, key)
    return _apply_settings(conn)


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_engine(
    path: Path, key: bytes | None = None, *, opener: Callable[[], Any] | None = None
) -> Engine:
    """An engine for a plain SQLite journal, or, given a key, for a SQLCipher one: the
    same dialect and settings, a different DB-API driver, so no query changes. Its
    connections come from ``opener`` when given (one of ``connect``'s, after a check)."""
    from sqlalchemy import create_engine, event

    creator = opener or (lambda: connect(path, key))
    if key is None:
        engine = create_engine(f"sqlite:///{path}", creator=creator)
    else:
        from sqlcipher3 import dbapi2

        engine = create_engine(f"sqlite:///{path}", module=dbapi2, creator=creator)
    event.listen(engine, "begin", _on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but every transaction it begins takes the write lock first."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def stored_revision(conn: Any) -> str | None:
    """The schema revision recorded in a journal (a DB-API connection), or None for a
    new, empty one."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception as exc:
        if _is_driver_error(exc) and "no such table" in str(exc).lower():
            return None
        raise
    return row[0] if row else None


def _current_revision(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def upgrade_schema(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def refuse_newer_sqlite(path: Path) -> None:
    """Read the schema version through a read-only connection, so a journal written by a
    newer Attunement is refused before a single byte of it changes (opening it normally
    would already switch it to WAL mode)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # the normal open reports what is wrong
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    current = row[0] if row else None
    if current is not None and current != HEAD_REVISION and current not in _known_revisions():
        raise StorageError(
            f"The journal at {path} was written by a newer version of Attunement "
            f"(schema {current}); upgrade Attunement to open it."
        )


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        if not pending and line.startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


def _create_new(conn: Any) -> bool:
    """Give an empty journal the head schema from ``head.sql`` in one transaction; False
    (and nothing done) if the database is not empty."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        empty = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if empty:
            for statement in _statements(HEAD_SQL.read_text(encoding="utf-8")):
                conn.execute(statement)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return bool(empty)


def ensure_schema(path: Path, key: bytes | None, conn: Any) -> None:
    """Bring the journal behind ``conn`` (a DB-API connection) to ``HEAD_REVISION``. An
    up-to-date journal costs one query and a new one is created from ``head.sql``; only a
    migration imports SQLAlchemy and Alembic."""
    where = str(path)
    with translated_errors(where):
        current = stored_revision(conn)
        if current == HEAD_REVISION:
            return
        if current is None and _create_new(conn):
            return
        if current is not None and current not in _known_revisions():
            raise StorageError(
                f"The journal at {where} was written by a newer version of Attunement "
                f"(schema {current}); upgrade Attunement to open it."
            )
        engine = sqlite_engine(path, key)
        try:
            with writer(engine).begin() as locked:
                if _current_revision(locked) != HEAD_REVISION:  # another process may have won
                    upgrade_schema(locked)
        finally:
            engine.dispose()
