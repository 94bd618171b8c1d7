"""The promises of QUALITY.md, "Data is never lost", shown with real processes."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from attunement.core.journal import Journal
from attunement.paths import DATABASE_NAME
from attunement.storage.store import Store

from .conftest import DATA

WRITER = Path(__file__).with_name("writer_process.py")


def start_writer(data_dir: Path, label: str, count: int, size: int = 2000) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), label, str(count), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def acknowledged(lines: str) -> dict[str, str]:
    out = {}
    for line in lines.splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[1]) == 64:  # a torn last line was never acknowledged
            out[parts[0]] = parts[1]
    return out


def assert_all_present(data_dir: Path, expected: dict[str, str]) -> None:
    with Journal.open(data_dir) as journal:
        assert journal.store.integrity_check() == "ok"
        for entry_id, digest in expected.items():
            body = journal.get(entry_id).body
            assert hashlib.sha256(body.encode()).hexdigest() == digest, f"{entry_id} is torn"


@pytest.mark.slow
def test_acknowledged_saves_survive_kill_9(tmp_path: Path):
    data_dir = tmp_path / "data"
    rng = random.Random(20261125)
    expected: dict[str, str] = {}
    rounds = 12
    for _ in range(rounds):
        writer = start_writer(data_dir, "crash", 100_000, size=rng.choice([200, 5000, 60000]))
        # Kill at a random moment once the writer is saving: on a busy machine its start-up
        # alone can take longer than any fixed pause.
        assert writer.stdout is not None
        first = writer.stdout.readline()
        time.sleep(rng.uniform(0.05, 1.0))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        expected.update(acknowledged(first + out))
    assert len(expected) > rounds, "the writer should have saved something each round"
    assert_all_present(data_dir, expected)
    with Journal.open(data_dir) as journal:
        assert journal.store.count_entries() >= len(expected)


@pytest.mark.slow
def test_concurrent_writer_processes_all_arrive(tmp_path: Path):
    data_dir = tmp_path / "data"
    Journal.open(data_dir).close()  # create the schema once, as first use would
    writers = [start_writer(data_dir, f"w{n}", 60, size=500) for n in range(4)]
    expected: dict[str, str] = {}
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert "locked" not in err
        expected.update(acknowledged(out))
    assert len(expected) == 240
    assert_all_present(data_dir, expected)


@pytest.mark.slow
def test_online_backup_under_write_load_is_consistent(tmp_path: Path):
    data_dir = tmp_path / "data"
    with Journal.open(data_dir) as journal:
        for n in range(50):
            journal.write(f"before backup {n}")
    writer = start_writer(data_dir, "load", 100_000, size=1000)
    try:
        for _ in range(5):  # the writer is under way: five saves acknowledged, however slow
            assert writer.stdout is not None and writer.stdout.readline(), "writer died"
        with Journal.open(data_dir) as journal:
            before = {e.id for e in journal.store.iter_entries()}
            target = tmp_path / "backup.sqlite3"
            journal.store.backup_to(target)
    finally:
        writer.kill()
        writer.communicate()
    with Store.open_sqlite(target) as copy:
        assert copy.integrity_check() == "ok"
        in_backup = {e.id for e in copy.iter_entries()}
    assert before <= in_backup
    assert len(in_backup) > 50


def test_a_second_process_holding_the_write_lock_only_delays_a_save(tmp_path: Path):
    data_dir = tmp_path / "data"
    Journal.open(data_dir).close()
    holder = sqlite3.connect(
        data_dir / DATABASE_NAME, isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    released.start()
    try:
        with Journal.open(data_dir) as journal:
            started = time.monotonic()
            journal.write("waited politely")
            assert time.monotonic() - started >= 0.9
    finally:
        released.join()
        holder.close()


def test_an_interrupted_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch):
    """The whole upgrade runs in one transaction: a failure halfway rolls back to the
    previous schema rather than leaving half of the new one behind."""
    from attunement.storage import engine as engine_mod

    real = engine_mod.upgrade_schema

    def upgrade_then_die(conn):
        real(conn)
        raise KeyboardInterrupt("power cut mid-migration")

    monkeypatch.setattr(engine_mod, "upgrade_schema", upgrade_then_die)
    path = tmp_path / DATABASE_NAME
    shutil.copy(DATA / "journal-schema-0003.sqlite3", path)
    with pytest.raises(KeyboardInterrupt):
        Store.open_sqlite(path)
    raw = sqlite3.connect(path)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    (revision,) = raw.execute("SELECT version_num FROM alembic_version").fetchone()
    raw.close()
    assert revision == "0003" and "people" not in tables, "no half-made schema is left behind"
    monkeypatch.setattr(engine_mod, "upgrade_schema", real)
    with Store.open_sqlite(path) as store:
        assert store.integrity_check() == "ok"


def test_an_interrupted_creation_of_a_new_journal_leaves_nothing(tmp_path: Path, monkeypatch):
    """A new journal's schema is made in one transaction too: a failure on its last
    statement leaves an empty file, which the next open completes."""
    from attunement.storage import engine as engine_mod

    broken = tmp_path / "head.sql"
    broken.write_text(
        engine_mod.HEAD_SQL.read_text(encoding="utf-8") + "\nSELECT * FROM no_such_table;\n",
        encoding="utf-8",
    )
    real = engine_mod.HEAD_SQL
    monkeypatch.setattr(engine_mod, "HEAD_SQL", broken)
    path = tmp_path / DATABASE_NAME
    with pytest.raises(sqlite3.OperationalError):
        Store.open_sqlite(path)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    raw.close()
    monkeypatch.setattr(engine_mod, "HEAD_SQL", real)
    with Store.open_sqlite(path) as store:
        assert store.integrity_check() == "ok"


def test_a_full_disk_refuses_the_save_clearly_and_keeps_what_was_there(tmp_path: Path):
    data_dir = tmp_path / "data"
    with Journal.open(data_dir) as journal:
        kept = journal.write("written before the disk filled")
        pages = journal.store.engine.connect().exec_driver_sql("PRAGMA page_count").scalar()

    from sqlalchemy import event

    from attunement.errors import StorageError

    with Journal.open(data_dir) as journal:
        # SQLite's own "database or disk is full" error, as a real full disk raises it,
        # on the engine's connections and on the driver's own (entries are added there).
        event.listen(
            journal.store.engine,
            "connect",
            lambda conn, _: conn.execute(f"PRAGMA max_page_count = {pages + 2}"),
        )
        journal.store.engine.dispose()
        journal.store._connection().execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StorageError, match="no space left"):
            journal.write("x" * 200_000)
    with Journal.open(data_dir) as journal:
        assert [e.id for e in journal.list_entries()] == [kept.id]


def test_a_lock_held_too_long_is_a_clear_error_and_saves_nothing(tmp_path: Path, monkeypatch):
    from attunement.errors import StorageError
    from attunement.storage import engine as engine_mod

    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_S", 0.3)
    data_dir = tmp_path / "data"
    Journal.open(data_dir).close()
    holder = sqlite3.connect(data_dir / DATABASE_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Journal.open(data_dir) as journal:
            with pytest.raises(StorageError, match="Another program has held the journal"):
                journal.write("this must wait or be refused")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Journal.open(data_dir) as journal:
        assert journal.list_entries() == []


def _run_on_read_only_folder(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run attune with ``folder`` truly read-only: by permissions for an ordinary user, or
    through a read-only bind mount in a private mount namespace for root (who ignores
    permissions)."""
    command = [sys.executable, "-m", "attunement", "--data-dir", str(folder), *args]
    if os.geteuid() != 0:
        for path in [folder, *folder.iterdir()]:
            path.chmod(0o500 if path.is_dir() else 0o400)
        return subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if shutil.which("unshare") is None:
        pytest.skip("root without unshare cannot make a read-only folder")
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", *command],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if "mount" in done.stderr and "attune" not in done.stderr.lower():
        pytest.skip(f"no private mount namespace here: {done.stderr.strip()}")
    return done


def test_a_read_only_data_folder_is_a_clear_error(tmp_path: Path, attune):
    attune("write", "before it became read-only")
    before = sorted((p.name, p.read_bytes()) for p in attune.data_dir.iterdir() if p.is_file())
    try:
        result = _run_on_read_only_folder(attune.data_dir, "write", "after")
    finally:
        for path in [attune.data_dir, *attune.data_dir.iterdir()]:
            path.chmod(0o700)
    assert result.returncode == 3, result.stderr
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    after = sorted((p.name, p.read_bytes()) for p in attune.data_dir.iterdir() if p.is_file())
    assert after == before
    assert [e["body"] for e in attune.json("list")["entries"]] == ["before it became read-only"]


def test_a_data_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path):
    from .conftest import Attune

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = Attune(blocker / "journal")("list", ok=False)
    assert result.exit_code == 3
    assert "Cannot create the data folder" in result.stderr and "--data-dir" in result.stderr


RESTORER = Path(__file__).with_name("restore_process.py")
RESTORE_PASS = "the backup's passphrase"


def _bodies(journal: Journal) -> set[str]:
    return {e.body for e in journal.store.iter_entries(include_trash=True)}


def _old_and_backup(tmp_path: Path) -> tuple[Path, Path, set[str], set[str]]:
    """A plain journal in use (with an acknowledged entry still in its write-ahead log)
    and an encrypted backup of a different journal."""
    from attunement.storage import backup

    with Journal.create_encrypted(tmp_path / "other", RESTORE_PASS) as journal:
        for n in range(150):
            journal.write(f"from the backup {n} " + "words " * 40)
        new = _bodies(journal)
        backup.create(journal, tmp_path / "b.zip")
    in_use = tmp_path / "in-use"
    with Journal.open(in_use) as journal:
        for n in range(120):
            journal.write(f"already here {n} " + "words " * 40)
        old = _bodies(journal)
        # Copied while open: the last saves are still only in the write-ahead log.
        shutil.copytree(in_use, tmp_path / "template")
    assert (tmp_path / "template" / "journal.sqlite3-wal").stat().st_size > 0
    return tmp_path / "template", tmp_path / "b.zip", old, new


def _assert_old_or_new(data: Path, old: set[str], new: set[str], notices: list[str]) -> str:
    """The journal is wholly the old one or wholly the backup's; when it is the backup's,
    the old one is whole in replaced-*/ and the person was told if a crash was repaired."""
    with Journal.open(data, RESTORE_PASS) as journal:
        notices.extend(journal.notices)
        assert journal.store.integrity_check() == "ok"
        bodies = _bodies(journal)
    assert bodies in (old, new), "a mix of the two journals"
    assert not (data / "restoring").exists() and not (data / "restore.json").exists()
    if bodies == old:
        assert not list(data.glob("replaced-*")), "nothing moved aside"
        return "old"
    (aside,) = data.glob("replaced-*")
    with Journal.open(aside) as kept:
        assert _bodies(kept) == old, "the replaced journal is kept whole"
    return "new"


@pytest.mark.slow
def test_kill_9_at_every_step_of_a_restore_leaves_one_whole_journal(tmp_path: Path):
    template, archive, old, new = _old_and_backup(tmp_path)
    outcomes: dict[str, list[int]] = {"old": [], "new": []}
    for passphrase in (RESTORE_PASS, "a wrong passphrase"):
        step = 0
        while True:
            step += 1
            data = tmp_path / f"data-{len(passphrase)}-{step}"
            shutil.copytree(template, data)
            child = subprocess.run(
                [sys.executable, str(RESTORER), str(archive), str(data), passphrase, str(step)],
                capture_output=True,
                text=True,
            )
            committed = (data / "restore.json").exists()
            staged = (data / "restoring").exists()
            notices: list[str] = []
            outcome = _assert_old_or_new(data, old, new, notices)
            if child.returncode != -signal.SIGKILL:  # it ran to its end before this step
                assert outcome == ("new" if passphrase == RESTORE_PASS else "old")
                break
            if passphrase != RESTORE_PASS:
                assert outcome == "old", "a refused restore never switches"
            if committed:
                assert outcome == "new" and "it is now finished" in " ".join(notices)
            elif staged:
                assert outcome == "old" and "rolled back" in " ".join(notices)
            outcomes[outcome].append(step)
            shutil.rmtree(data)
    assert outcomes["old"] and outcomes["new"], outcomes
    assert len(outcomes["old"]) + len(outcomes["new"]) >= 10


@pytest.mark.slow
def test_kill_9_at_random_moments_of_attune_restore_leaves_one_whole_journal(tmp_path: Path):
    template, archive, old, new = _old_and_backup(tmp_path)
    rng = random.Random(20261126)
    seen = set()
    env = {**os.environ, "ATTUNE_PASSPHRASE": RESTORE_PASS}
    for round_ in range(12):
        data = tmp_path / f"data-{round_}"
        shutil.copytree(template, data)
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "attunement",
                "--data-dir",
                str(data),
                "restore",
                str(archive),
                "--yes",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.2, 2.0))
        child.send_signal(signal.SIGKILL)
        child.communicate()
        notices: list[str] = []
        seen.add(_assert_old_or_new(data, old, new, notices))
        shutil.rmtree(data)
    assert seen, "every round ended in one whole journal"
