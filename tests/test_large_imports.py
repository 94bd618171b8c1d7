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
from attunement.errors import FormatError, StorageError
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
    source.write_text(good + "[2024-02-30 10:00] Not a day\nbody\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        import_file(journal, source, "jrnl")
    line = good.count("\n") + 1
    assert str(source) in caught.value.message and f"line {line}" in caught.value.message
    assert [e.body for e in journal.list_entries()] == ["Written before the import."]
    assert len(journal.search("silence")) == 0
    # The journal still takes single saves and indexes them (its trigger is back).
    journal.write("After the refused import: silence.")
    assert len(journal.search("silence")) == 1


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


def test_a_write_that_fails_mid_import_refuses_the_whole_import(tmp_path, journal, monkeypatch):
    """Rows are written on a worker thread while the next ones are read: a failure
    there (a full disk, say) still reaches the person, and nothing of the import stays."""
    journal.write("Written before the import.")
    source = tmp_path / "journal.txt"
    source.write_text(jrnl_text(3_000), encoding="utf-8")
    real = bulk._Statements._run
    calls = []

    def failing(self, sql, rows, many):
        calls.append(sql)
        if len(calls) == 5:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, sql, rows, many)

    monkeypatch.setattr(bulk._Statements, "_run", failing)
    with pytest.raises(StorageError, match="no space left"):
        import_file(journal, source, "jrnl")
    monkeypatch.undo()
    assert [e.body for e in journal.list_entries()] == ["Written before the import."]
    assert counts(journal.data_dir) == (1, 0, 1)
    journal.write("After the failed import: silence.")
    assert len(journal.search("silence")) == 1
