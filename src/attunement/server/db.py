"""Opening the server's database and keeping its schema current.

SQLite (the embedded default) uses the journal's own engine settings: WAL, synchronous
FULL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writers, so several
workers queue rather than fail. PostgreSQL is reached through psycopg 3. Either way the
schema is brought to ``HEAD_REVISION`` when the server starts, inside one transaction
(on PostgreSQL under an advisory lock, so workers starting together migrate once).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError

from attunement.errors import StorageError
from attunement.server.schema import HEAD_REVISION, VERSION_TABLE

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
POOL_SIZE = 20  # connections per worker (PostgreSQL), and threads per worker (app.py)
PING_AFTER_IDLE_S = 10.0  # a pooled connection idle this long is checked before use
MIGRATION_LOCK = 73_032_026  # pg_advisory_xact_lock key for "attune server migrations"


def now() -> datetime:
    return datetime.now(UTC)


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        from attunement.paths import ensure_data_dir
        from attunement.storage.engine import sqlite_engine

        path = Path(url.removeprefix("sqlite:///"))
        ensure_data_dir(path.parent)
        return sqlite_engine(path)
    try:
        # A request holds one connection at a time, in one of the worker's POOL_SIZE
        # threads (app.py sets the thread pool to match): no thread ever waits for a
        # connection, and none is opened and closed under load (a pool smaller than the
        # threads opened a new PostgreSQL backend for many requests, costing more than
        # the request itself).
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_recycle=3600)
    except ModuleNotFoundError as exc:  # psycopg is in the [server] extra
        raise StorageError(
            "PostgreSQL needs psycopg; install the server extra: pip install 'attunement[server]'."
        ) from exc
    _ping_when_idle(engine)
    _no_jit(engine)
    return engine


def _no_jit(engine: Engine) -> None:
    """No just-in-time compilation on the server's connections: every statement here is
    short, and one whose estimate passes ``jit_above_cost`` (a correlated sum over a
    few hundred rows can) would spend 20 ms compiling itself for a 1 ms answer."""

    @event.listens_for(engine, "connect")
    def jit_off(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection.info.server_version < 110000:  # no JIT before PostgreSQL 11
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has sat idle (where a database
    restart or a dropped connection shows), not before every use: a busy server would
    otherwise spend one round trip in three on pings. A connection that fails the check
    is replaced (the pool tries again); one lost while busy is found by its first
    statement, and SQLAlchemy then renews the whole pool."""

    @event.listens_for(engine.pool, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError() from exc

    @event.listens_for(engine.pool, "checkin")
    def mark_used(dbapi_connection: Any, record: Any) -> None:
        record.info["last_used"] = time.monotonic()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (taking SQLite's write lock up front)."""
    from attunement.storage.engine import writer

    with writer(engine).begin() as conn:
        yield conn


@contextmanager
def writing_one(engine: Engine) -> Iterator[Connection]:
    """A connection for one statement that writes (an audit line): on PostgreSQL in
    autocommit, the statement its own transaction, with no BEGIN and COMMIT round trips;
    on SQLite, one write transaction as :func:`writing`. Never for two statements that
    must stand or fall together."""
    if engine.dialect.name != "postgresql":
        with writing(engine) as conn:
            yield conn
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading. On SQLite, one read transaction (a consistent snapshot
    across its statements). On PostgreSQL, whose default isolation (READ COMMITTED)
    gives each statement its own snapshot inside a transaction anyway, the statements run
    in autocommit: no BEGIN and COMMIT round trips. The connection goes back to the pool
    at the end of the block: a request never holds one while it waits for a thread or for
    another connection (many requests doing so at once would wait on each other)."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def current_revision(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _alembic_config(conn: Connection | None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)
    return {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}


def ensure_schema(engine: Engine) -> None:
    """Migrate to the head revision (a no-op when current); refuse a newer schema."""
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
        if current == HEAD_REVISION:
            return
        if current is not None and current not in known_revisions():
            raise StorageError(
                f"The server's database has schema {current}, newer than this Attunement "
                "knows; upgrade Attunement on this machine."
            )
        with writing(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            if current_revision(conn) != HEAD_REVISION:
                from alembic import command

                command.upgrade(_alembic_config(conn), "head")
    except OperationalError as exc:
        raise StorageError(
            f"Cannot reach the server's database ({_first_line(exc)}); check "
            "--database or ATTUNE_SERVER_DATABASE and that the database is running."
        ) from exc


def _first_line(exc: OperationalError) -> str:
    return str(exc.orig or exc).strip().splitlines()[0][:200]
