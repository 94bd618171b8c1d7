"""After an import the search index is left in many pieces (importing is faster so); the
app merges it in the background, in short steps, and a search finds exactly the same."""

from __future__ import annotations

import threading
import time

import pytest

from attunement.core import readings
from attunement.core.journal import Journal
from attunement.storage import reader as reader_module

WORDS = "silence ward rushed listening tired breath family grief hands quiet".split()


@pytest.fixture
def pieced(tmp_path):
    """A journal whose search index is in many pieces: entries saved one at a time (each
    save adds a piece; SQLite merges only four of a level at once)."""
    with Journal.open(tmp_path / "j") as journal:
        for n in range(40):
            words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(n % 7 + 3))
            journal.write(f"{words}. Entry {n}.", title="silence" if n % 5 == 0 else "")
        yield journal


def _seen(journal, query):
    return [(h.entry.id, h.rank, h.snippet) for h in journal.search(query, limit=50)]


def test_merging_leaves_one_piece_and_every_search_finds_the_same(pieced, monkeypatch):
    monkeypatch.setattr(reader_module, "SEARCH_INDEX_PIECES", 2)
    monkeypatch.setattr(reader_module, "MERGE_PAGES", 1)  # many small steps
    before = {q: _seen(pieced, q) for q in ("silence", "ward grief", '"tired breath"', "qui*")}
    assert pieced.reader.search_index_pieces() > 2

    steps = pieced.reader.merge_search_index()

    assert steps > 1
    assert pieced.reader.search_index_pieces() == 1
    assert {q: _seen(pieced, q) for q in before} == before
    assert pieced.reader.merge_search_index() == 0, "nothing left to merge"


def test_a_journal_in_few_pieces_is_left_alone(pieced):
    assert pieced.reader.search_index_pieces() <= reader_module.SEARCH_INDEX_PIECES
    assert pieced.reader.merge_search_index() == 0


def test_merging_stops_when_asked_and_goes_on_later(pieced, monkeypatch):
    monkeypatch.setattr(reader_module, "SEARCH_INDEX_PIECES", 2)
    monkeypatch.setattr(reader_module, "MERGE_PAGES", 1)
    stop = threading.Event()
    stop.set()
    assert pieced.reader.merge_search_index(stop) == 0
    assert pieced.reader.search_index_pieces() > 2
    assert pieced.reader.merge_search_index() > 0
    assert pieced.reader.search_index_pieces() == 1


def test_the_background_reader_merges_the_index_first(pieced, monkeypatch):
    monkeypatch.setattr(reader_module, "SEARCH_INDEX_PIECES", 2)
    monkeypatch.setattr(readings, "read_missing", lambda *a, **k: 0)
    worker = readings.Rereader(lambda: pieced)
    worker.start()
    deadline = time.monotonic() + 60
    while worker.state()["running"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert worker.state()["error"] is None
    assert pieced.reader.search_index_pieces() == 1


def test_searches_from_many_threads_at_once_each_get_their_own_answer(pieced):
    """Searches beyond the machine's cores wait their turn (storage.reader); each still
    gets exactly what it would alone."""
    queries = ["silence", "ward grief", '"tired breath"', "qui*", "hands"] * 8
    alone = {q: _seen(pieced, q) for q in set(queries)}
    got: dict[int, list] = {}

    def search(n: int, query: str) -> None:
        got[n] = _seen(pieced, query)

    threads = [threading.Thread(target=search, args=(n, q)) for n, q in enumerate(queries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [got[n] for n in range(len(queries))] == [alone[q] for q in queries]


def test_a_search_waiting_its_turn_when_the_journal_locks_is_told_so(tmp_path, monkeypatch):
    from attunement.errors import Locked

    monkeypatch.setattr(reader_module, "SEARCH_THREADS", 1)
    journal = Journal.open(tmp_path / "j")
    journal.write("silence on the ward")
    reader = journal.reader
    searching, release = threading.Event(), threading.Event()
    real = reader._search

    def slow(*args):
        searching.set()
        release.wait(10)
        return real(*args)

    monkeypatch.setattr(reader, "_search", slow)
    outcomes: dict[str, object] = {}

    def search(name: str) -> None:
        try:
            outcomes[name] = len(reader.search("silence"))
        except Locked as exc:
            outcomes[name] = exc

    first = threading.Thread(target=search, args=("first",))
    first.start()
    assert searching.wait(10)
    second = threading.Thread(target=search, args=("second",))
    second.start()
    time.sleep(0.1)  # the second waits behind the first on the one search thread
    journal.close()
    release.set()
    first.join(10)
    second.join(10)
    assert isinstance(outcomes["second"], Locked)
    assert "locked" in str(outcomes["second"].message)
