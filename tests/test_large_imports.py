"""Importing a long journal: all of it, durably, in one go, or nothing at all.

A counsellor moves ten years of jrnl entries into Attunement. The file is read as it is
stored, so memory stays flat; the import is one transaction, so a bad line on the last
page, or the power going out half-way, leaves the journal exactly as it was; and the
entries that do arrive are found by search and by tag like any other.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from attunement.core.journal import Journal
from attunement.errors import FormatError, InvalidInput, StorageError
from attunement.interop import import_file, jrnl
from attunement.paths import DATABASE_NAME
from attunement.storage import bulk


def jrnl_text(count: int, start: int = 0, newline: str = "\n") -> str:
    first = datetime(2016, 1, 1, 7, 0)
    out = []
    for n in range(start, start + count):
        moment = first + timedelta(minutes=47 * n)
        tag = " #nights" if n % 3 == 0 else ""
        star = " *" if n % 10 == 0 else ""
        out.append(
            f"[{moment:%Y-%m-%d %H:%M}] Entry {n}{star}{newline}"
            f"Sat with the silence for a while, entry {n}.{tag}{newline}{newline}"
            f"Second paragraph of entry {n}.{newline}{newline}"
        )
    return "".join(out)


def counts(data_dir: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(data_dir / DATABASE_NAME)
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("entries", "entry_tags", "entries_fts_docsize")
        )  # type: ignore[return-value]
    finally:
        conn.close()


def test_a_long_journal_arrives_whole_searchable_and_tagged(tmp_path, journal):
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(1_234), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    report = import_file(journal, source, "jrnl", progress=lambda d, t: seen.append((d, t)))
    assert report.added == 1_234 and not report.refused
    assert [e.title for e in journal.list_entries(limit=1)] == ["Entry 1233"]
    assert len(journal.search("silence", limit=2_000)) == 1_234
    assert journal.reader.count_entries(journal.check_filter(_tag("nights"))) == 412
    assert journal.reader.count_entries(journal.check_filter(_starred())) == 124
    # Progress follows the bytes read and ends at the whole file.
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # The full-text index was built in bulk and left working for single saves too.
    fresh = journal.write("A new entry about silence and ease.")
    assert fresh.id in {h.entry.id for h in journal.search("ease")}


def _tag(tag: str):
    from attunement.core.models import EntryFilter

    return EntryFilter(tags=(tag,))


def _starred():
    from attunement.core.models import EntryFilter

    return EntryFilter(starred=True)


def test_importing_the_same_long_file_twice_adds_nothing(tmp_path, journal):
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(1_100), encoding="utf-8")
    assert import_file(journal, source, "jrnl").added == 1_100
    again = import_file(journal, source, "jrnl")
    assert again.added == 0 and len(again.skipped) == 1_100
    # A longer version of the file adds only what is new.
    source.write_text(jrnl_text(1_100) + jrnl_text(600, start=1_100), encoding="utf-8")
    assert import_file(journal, source, "jrnl").added == 600


def test_a_bad_line_on_the_last_page_refuses_the_whole_file(tmp_path, journal):
    journal.write("Written before the import.")
    source = tmp_path / "journal.txt"
    good = jrnl_text(1_500)
    source.write_bytes(good.encode() + "[2024-02-28 10:00] Caf\u00e9\nbody\n".encode("latin-1"))
    with pytest.raises(FormatError) as caught:
        import_file(journal, source, "jrnl")
    line = good.count("\n") + 1
    assert str(source) in caught.value.message and f"line {line}" in caught.value.message
    assert [e.body for e in journal.list_entries()] == ["Written before the import."]
    assert len(journal.search("silence")) == 0
    # The journal still takes single saves and indexes them (its trigger is back).
    journal.write("After the refused import: silence.")
    assert len(journal.search("silence")) == 1


def test_an_entry_with_a_date_that_cannot_be_is_refused_and_the_others_arrive(tmp_path, journal):
    source = tmp_path / "journal.txt"
    good = jrnl_text(1_500)
    source.write_text(good + "[2024-02-30 10:00] Not a day\nbody\n", encoding="utf-8")
    result = import_file(journal, source, "jrnl")
    line = good.count("\n") + 1
    assert result.added == 1_500
    assert result.refused == [(f"line {line} ([2024-02-30 10:00])", result.refused[0][1])]
    assert "not a real date" in result.refused[0][1]


def test_invalid_utf8_late_in_the_file_names_its_line(tmp_path, journal, monkeypatch):
    monkeypatch.setattr(jrnl._LineReader, "BLOCK", 4096)
    source = tmp_path / "journal.txt"
    good = jrnl_text(700).encode()
    source.write_bytes(good + "[2024-01-01 09:00] Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(FormatError) as caught:
        import_file(journal, source, "jrnl")
    line = good.count(b"\n") + 1
    assert "not valid UTF-8" in caught.value.message and f"line {line}" in caught.value.message
    assert journal.list_entries() == []


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_reading_in_small_blocks_gives_the_same_entries_as_reading_at_once(
    tmp_path, journal, monkeypatch, newline
):
    monkeypatch.setattr(jrnl._LineReader, "BLOCK", 37)  # lines cut at every place
    text = "\ufeff" + jrnl_text(40, newline=newline) + "[2024-01-01 09:00] Last\u2028line"
    source = tmp_path / "journal.txt"
    source.write_bytes(text.encode("utf-8"))
    streamed = list(jrnl.parse_text_file(source, journal).all_entries())
    whole = jrnl.parse_text(text.removeprefix("\ufeff"), journal, str(source)).entries
    assert [(e.title, e.body, e.tags, e.starred, e.created_at, e.source) for e in streamed] == [
        (e.title, e.body, e.tags, e.starred, e.created_at, e.source) for e in whole
    ]
    assert len(streamed) == 41


def test_ids_given_twice_in_one_import_are_kept_once(journal):
    from attunement.core.models import NewEntry

    news = [NewEntry(title="", body=f"entry {n}", id="abcdefg" if n % 2 else None)
            for n in range(bulk.CHUNK * 2 + 3)]  # fmt: skip
    result = journal.add_many(news)  # 502 without an id, 501 with the same one
    assert len(result.added) == 502 + 1 and len(result.skipped) == 500
    assert len(set(result.added)) == len(result.added)


@pytest.mark.slow
def test_killing_an_import_half_way_leaves_the_journal_as_it_was(tmp_path):
    """kill -9 at a random moment of a 40,000-entry import: afterwards the journal holds
    what it held before, or everything, never a part."""
    data_dir = tmp_path / "data"
    with Journal.open(data_dir) as journal:
        journal.write("Written before the import.")
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(40_000), encoding="utf-8")
    env = {**os.environ, "ATTUNE_HOME": str(data_dir)}
    child = subprocess.Popen(
        [sys.executable, "-m", "attunement", "import", str(source), "--from", "jrnl"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the import is writing
        wal = data_dir / f"{DATABASE_NAME}-wal"
        if wal.exists() and wal.stat().st_size > 4_000_000:
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    entries, _, indexed = counts(data_dir)
    assert (entries, indexed) in {(1, 1), (40_001, 40_001)}
    with Journal.open(data_dir) as journal:
        assert journal.store.integrity_check() == "ok"
        assert len(journal.list_entries()) == entries
        # And the import can simply be run again.
        import_file(journal, source, "jrnl")
        assert journal.reader.count_entries() == 40_001


def disk_full_at(monkeypatch, statement: int) -> None:
    """The import's ``statement``-th write fails as a full disk would."""
    real = bulk._Statements._run
    calls = []

    def failing(self, sql, rows, many):
        calls.append(sql)
        if len(calls) == statement:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, sql, rows, many)

    monkeypatch.setattr(bulk._Statements, "_run", failing)


def test_a_write_that_fails_mid_import_refuses_the_whole_import(tmp_path, journal, monkeypatch):
    """Rows are written on a worker thread while the next ones are read: a failure
    there (a full disk, say) still reaches the person, and nothing of the import stays."""
    journal.write("Written before the import.")
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(3_000), encoding="utf-8")
    disk_full_at(monkeypatch, 5)
    with pytest.raises(StorageError, match="no space left"):
        import_file(journal, source, "jrnl")
    monkeypatch.undo()
    assert [e.body for e in journal.list_entries()] == ["Written before the import."]
    assert counts(journal.data_dir) == (1, 0, 1)
    journal.write("After the failed import: silence.")
    assert len(journal.search("silence")) == 1


# -- A first import, into a journal with no entries yet ------------------------------------
#
# It is written once: SQLite's rollback journal keeps the few pages the empty journal had,
# instead of a write-ahead log taking every new page and copying it all again afterwards.
# The promises are the same as for any import, and these stories check each of them on
# this path too.

PASS = "a long passphrase for a first import"


def _files_while_importing(journal: Journal, source: Path) -> list[dict[str, int]]:
    """Import ``source``, noting the journal's files (name: size) at each progress report."""
    seen: list[dict[str, int]] = []

    def look(done: int, total: int) -> None:
        seen.append({p.name: p.stat().st_size for p in journal.data_dir.iterdir() if p.is_file()})

    import_file(journal, source, "jrnl", progress=look)
    return seen


def _journal_mode(journal: Journal) -> str:
    return str(journal.reader._connection().execute("PRAGMA journal_mode").fetchone()[0])


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_first_import_is_written_once_and_leaves_the_journal_as_any_other(tmp_path, encrypted):
    data_dir = tmp_path / "data"
    opened = Journal.create_encrypted(data_dir, PASS) if encrypted else Journal.open(data_dir)
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(2_600), encoding="utf-8")
    with opened as journal:
        seen = _files_while_importing(journal, source)
        database = journal.reader.path.name
        # The pages went into the database itself, beside a rollback journal, never
        # through the write-ahead log.
        assert any(f"{database}-journal" in files for files in seen)
        assert all(files.get(f"{database}-wal", 0) == 0 for files in seen)
        assert _journal_mode(journal) == "wal"  # and it is back in WAL mode after
        assert journal.reader.count_entries() == 2_600
        assert len(journal.search("silence", limit=3_000)) == 2_600
        assert journal.reader.count_entries(journal.check_filter(_tag("nights"))) == 867
        assert journal.store.integrity_check() == "ok"
        # Importing it again adds nothing; a single save is indexed as before.
        assert import_file(journal, source, "jrnl").added == 0
        journal.write("Written after the first import, about ease.")
        assert len(journal.search("ease")) == 1
    reopened = Journal.open(data_dir, PASS if encrypted else None)
    with reopened as journal:
        assert journal.reader.count_entries() == 2_601
        assert not (data_dir / f"{database}-journal").exists()


def test_a_first_import_while_another_program_has_the_journal_open_goes_through_the_log(
    tmp_path, data_dir
):
    """`attune serve` may be reading the same journal: then the import does not switch
    away from the write-ahead log (SQLite would not let it), and works as before."""
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(1_200), encoding="utf-8")
    with Journal.open(data_dir) as other, Journal.open(data_dir) as journal:
        assert other.list_entries() == []  # its connection stays open
        seen = _files_while_importing(journal, source)
        assert not any(f"{DATABASE_NAME}-journal" in files for files in seen)
        assert other.reader.count_entries() == 1_200
        assert len(other.search("silence", limit=2_000)) == 1_200


def test_a_failed_first_import_leaves_an_empty_journal_that_takes_entries(
    tmp_path, journal, monkeypatch
):
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(3_000), encoding="utf-8")
    disk_full_at(monkeypatch, 6)
    with pytest.raises(StorageError, match="no space left"):
        import_file(journal, source, "jrnl")
    monkeypatch.undo()
    assert counts(journal.data_dir) == (0, 0, 0)
    assert _journal_mode(journal) == "wal"
    assert import_file(journal, source, "jrnl").added == 3_000
    assert len(journal.search("silence", limit=4_000)) == 3_000


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_killing_a_first_import_half_way_leaves_the_journal_empty(tmp_path, encrypted):
    """kill -9 while a first import writes into the database: afterwards the journal is
    empty (the next open rolls back what the rollback journal kept), or holds everything."""
    data_dir = tmp_path / "data"
    opened = Journal.create_encrypted(data_dir, PASS) if encrypted else Journal.open(data_dir)
    with opened as journal:
        database = journal.reader.path
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(40_000), encoding="utf-8")
    env = {**os.environ, "ATTUNE_HOME": str(data_dir), "ATTUNE_PASSPHRASE": PASS}
    child = subprocess.Popen(
        [sys.executable, "-m", "attunement", "import", str(source), "--from", "jrnl"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    rollback = database.with_name(database.name + "-journal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the import is writing into the file
        if rollback.exists() and database.stat().st_size > 1_000_000:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert rollback.exists(), "the import had finished before it could be interrupted"
    if encrypted:  # a wrong passphrase is still told so, and changes nothing
        with pytest.raises(InvalidInput, match="passphrase does not open"):
            Journal.open(data_dir, "not the passphrase")
    with Journal.open(data_dir, PASS if encrypted else None) as journal:
        assert journal.store.integrity_check() == "ok"
        entries = journal.reader.count_entries()
        assert entries in {0, 40_000}
        assert len(journal.search("silence", limit=50_000)) == entries
        assert _journal_mode(journal) == "wal"
        # And the import can simply be run again.
        import_file(journal, source, "jrnl")
        assert journal.reader.count_entries() == 40_000
    assert not rollback.exists()


@pytest.mark.slow
def test_memory_stays_flat_however_long_the_file(tmp_path):
    """A file four times as long takes no more memory to import than a small part of
    its extra size (only the ids and import keys of its entries are kept)."""
    import tracemalloc

    def peak_of(count: int) -> tuple[int, int]:
        source = tmp_path / f"journal-{count}.txt"
        long_text = " ".join(["A long afternoon with the family, mostly silence."] * 40)
        source.write_text(jrnl_text(count).replace("Second paragraph", long_text), encoding="utf-8")
        with Journal.open(tmp_path / f"data-{count}") as journal:
            tracemalloc.start()
            try:
                import_file(journal, source, "jrnl")
                return tracemalloc.get_traced_memory()[1], source.stat().st_size
            finally:
                tracemalloc.stop()

    small_peak, small_size = peak_of(2_000)
    large_peak, large_size = peak_of(8_000)
    assert large_size - small_size > 12_000_000
    assert large_peak - small_peak < (large_size - small_size) / 4


def test_on_a_terminal_the_import_shows_its_progress(tmp_path):
    import pty

    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(2_500), encoding="utf-8")
    leader, follower = pty.openpty()
    env = {**os.environ, "ATTUNE_HOME": str(tmp_path / "data"), "COLUMNS": "80"}
    child = subprocess.run(
        [sys.executable, "-m", "attunement", "import", str(source), "--from", "jrnl"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            more = os.read(leader, 65536)
        except OSError:
            break
        if not more:
            break
        shown += more
    os.close(leader)
    assert child.returncode == 0
    assert b"Importing" in shown and b"100%" in shown
    assert b"2500" in child.stdout.replace(b",", b"")
