"""Opening a journal database: the engine, its durability settings, and its schema.

SQLite is the embedded default. Every connection runs in WAL mode with
``synchronous=FULL`` (an acknowledged commit survives power loss), foreign keys on and a
busy timeout; writers take the lock up front with ``BEGIN IMMEDIATE`` so two writers queue
instead of failing half-way. Readers use deferred transactions and never block writers.

The schema is brought to ``HEAD_REVISION`` on open, inside one write transaction, so a
migration interrupted by a crash leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from attunement.errors import StorageError
from attunement.storage.schema import HEAD_REVISION

BUSY_TIMEOUT_S = 30.0
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


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


@contextmanager
def translated_errors(where: str) -> Iterator[None]:
    """Turn the database failures a person can act on into one clear sentence."""
    try:
        yield
    except DBAPIError as exc:
        message = _message_for(exc.orig or exc, where)
        if message is None:
            raise
        raise StorageError(message) from exc
    except Exception as exc:
        # sqlite3's errors, and SQLCipher's, which share their names but not their
        # classes (a raw driver call, such as VACUUM INTO, raises them unwrapped).
        if not _is_driver_error(exc):
            raise
        message = _message_for(exc, where)
        if message is None:
            raise
        raise StorageError(message) from exc


def _is_driver_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlcipher3")


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take transaction control away from the driver so BEGIN is ours to issue.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine for a plain SQLite journal, or, given a key, for a SQLCipher one: the
    same dialect and settings, a different DB-API driver, so no query changes."""
    if key is None:
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
    else:
        from sqlcipher3 import dbapi2

        from attunement.storage.vault import connect

        engine = create_engine(
            f"sqlite:///{path}", module=dbapi2, creator=lambda: connect(path, key)
        )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but every transaction it begins takes the write lock first."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


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


def ensure_schema(engine: Engine, where: str) -> None:
    with translated_errors(where):
        with engine.connect() as conn:
            current = _current_revision(conn)
        if current == HEAD_REVISION:
            return
        if current is not None and current not in _known_revisions():
            raise StorageError(
                f"The journal at {where} was written by a newer version of Attunement "
                f"(schema {current}); upgrade Attunement to open it."
            )
        with writer(engine).begin() as conn:
            if _current_revision(conn) != HEAD_REVISION:  # another process may have won
                upgrade_schema(conn)
