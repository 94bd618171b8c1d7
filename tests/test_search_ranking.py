"""Search ranks from the index first and reads only the entries it shows; the order a person
sees must be exactly the order of ranking every match joined to its entry."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from attunement.core.journal import Journal
from attunement.core.models import ALL_ENTRIES, EntryFilter, NewEntry
from attunement.storage.search import FTS5_TOKENIZE, fts5_match, parse_query, split_highlights

WORDS = "silence ward rushed listening tired breath family grief hands quiet".split()


def _reference(db: str, query: str, flt_sql: str, params: list, wanted: int) -> list[str]:
    """Every match joined to its entry and ranked in one query, as SQLite does it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT entries.id FROM entries JOIN entries_fts ON entries_fts.rowid = entries.pk "
            f"WHERE entries_fts MATCH ? AND {flt_sql} "
            "ORDER BY bm25(entries_fts, 4.0, 1.0), entries.created_at DESC, entries.pk "
            "LIMIT ?",
            [fts5_match(parse_query(query)), *params, wanted],
        ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """600 entries, most of which say 'silence': many share a text (equal ranks), some
    are in the trash, a few carry a tag."""
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30))) for _ in range(40)]
    news = []
    for n in range(600):
        news.append(
            NewEntry(
                title=rng.choice(["", "silence", "a quiet day"]),
                body=rng.choice(texts),
                tags=("rare",) if n % 37 == 0 else (),
                created_at=start + timedelta(hours=n * 7 + rng.randint(0, 5)),
            )
        )
    with Journal.open(tmp_path_factory.mktemp("crowded")) as journal:
        journal.add_many(news)
        for entry in journal.list_entries(limit=600)[::9]:
            journal.delete(entry.id)
        yield journal


def _ids(journal, query, flt=ALL_ENTRIES, limit=20, offset=0):
    return [h.entry.id for h in journal.search(query, flt, limit=limit, offset=offset)]


def _same_order(got: list[str], want: list[str], db: str, query: str) -> None:
    """Equal ranks at equal times may come in either order; anything else must match."""
    assert len(got) == len(want)
    if got == want:
        return
    with sqlite3.connect(db) as conn:
        key = dict(
            conn.execute(
                "SELECT entries.id, bm25(entries_fts, 4.0, 1.0) || ' ' || entries.created_at "
                "FROM entries JOIN entries_fts ON entries_fts.rowid = entries.pk "
                "WHERE entries_fts MATCH ?",
                [fts5_match(parse_query(query))],
            ).fetchall()
        )
    assert [key[i] for i in got] == [key[i] for i in want]


@pytest.mark.parametrize("query", ["silence", "ward tired", '"quiet day"', "gri*"])
@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (20, 0), (20, 40), (250, 0)])
def test_the_best_matches_come_first_exactly_as_one_joined_query_ranks_them(
    crowded, query, limit, offset
):
    db = str(crowded.reader.path)
    want = _reference(db, query, "entries.deleted_at IS NULL", [], offset + limit)[offset:]
    _same_order(_ids(crowded, query, limit=limit, offset=offset), want, db, query)


def test_a_narrow_filter_still_finds_its_few_matches_in_rank_order(crowded):
    db = str(crowded.reader.path)
    tagged = (
        "entries.deleted_at IS NULL AND EXISTS (SELECT 1 FROM entry_tags "
        "WHERE entry_tags.entry_pk = entries.pk AND entry_tags.tag = 'rare')"
    )
    want = _reference(db, "silence", tagged, [], 20)
    assert 0 < len(want) < 20
    got = _ids(crowded, "silence", EntryFilter(tags=("rare",)))
    _same_order(got, want, db, "silence")


def test_the_trash_is_searched_only_when_asked(crowded):
    db = str(crowded.reader.path)
    want = _reference(db, "silence", "entries.deleted_at IS NOT NULL", [], 20)
    got = _ids(crowded, "silence", EntryFilter(in_trash=True))
    _same_order(got, want, db, "silence")
    trashed = set(_ids(crowded, "silence", EntryFilter(in_trash=True), limit=600))
    assert trashed.isdisjoint(_ids(crowded, "silence", limit=600))


def test_each_hit_keeps_its_own_snippet_and_rank(crowded):
    hits = crowded.search("silence", limit=30)
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    for hit in hits:
        start, end = hit.highlights[0]
        assert hit.snippet[start:end].lower() == "silence"
        fragment = hit.snippet.strip("…")
        assert fragment in hit.entry.title or fragment in hit.entry.body


def test_among_equal_matches_the_newest_come_first(journal):
    """150 copies of one note rank equal: the five shown are the five newest, though the
    index alone would hand back any five of them."""
    start = datetime(2025, 3, 1, tzinfo=UTC)
    order = list(range(150))
    random.Random(3).shuffle(order)  # stored in no particular order of time
    journal.add_many(
        NewEntry(title="", body="the same quiet note", created_at=start + timedelta(days=n))
        for n in order
    )
    hits = journal.search("quiet", limit=5)
    assert [h.entry.created_at for h in hits] == [
        start + timedelta(days=n) for n in (149, 148, 147, 146, 145)
    ]


# -- a long journal: more matches than one search ranks together -----------------------------

WINDOW = 200  # the window these stories use, so that a journal of 1,500 entries needs it


@pytest.fixture(scope="module")
def long_journal(tmp_path_factory):
    """1,500 entries in everyday words (a few words very common, most rare, as in any
    writing), some in the trash, written over four years and added in no order of time."""
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(400)]
    weights = [1 / (n + 1) for n in range(400)]  # Zipf: w0 is everywhere, w399 rare
    start = datetime(2022, 1, 1, tzinfo=UTC)
    news = []
    for n in range(1500):
        words = rng.choices(vocabulary, weights, k=rng.randint(8, 80))
        news.append(
            NewEntry(
                title=" ".join(rng.choices(vocabulary, weights, k=3)) if n % 4 == 0 else "",
                body=" ".join(words),
                tags=("nights",) if n % 11 == 0 else (),
                created_at=start + timedelta(hours=rng.randint(0, 4 * 365 * 24)),
            )
        )
    with Journal.open(tmp_path_factory.mktemp("long")) as journal:
        journal.add_many(news)
        for entry in journal.list_entries(limit=1500)[::13]:
            journal.delete(entry.id)
        journal.reader.rank_window = WINDOW
        yield journal


def _matches(journal, query: str, flt_sql: str = "entries.deleted_at IS NULL"):
    """Every match passing the filter: (id, pk, bm25, created_at), as the index scores it."""
    with sqlite3.connect(str(journal.reader.path)) as conn:
        return conn.execute(
            "SELECT entries.id, entries.pk, bm25(entries_fts, 4.0, 1.0), entries.created_at "
            "FROM entries JOIN entries_fts ON entries_fts.rowid = entries.pk "
            f"WHERE entries_fts MATCH ? AND {flt_sql}",
            [fts5_match(parse_query(query))],
        ).fetchall()


def _bm25_order(rows) -> list:
    rows = sorted(rows, key=lambda r: r[3], reverse=True)
    return sorted(rows, key=lambda r: r[2])


def _windows_order(rows, size: int = WINDOW) -> list:
    """The latest ``size`` matches (most recently added) in bm25 order, then the next."""
    latest = sorted(rows, key=lambda r: r[1], reverse=True)
    out = []
    for start in range(0, len(latest), size):
        out += _bm25_order(latest[start : start + size])
    return out


def _keys(rows) -> list:
    return [(r[2], r[3]) for r in rows]  # what the order is made of (ids may swap in a tie)


def _shown(journal, query, flt=ALL_ENTRIES, limit=20, offset=0):
    by_id = {r[0]: r for r in _matches(journal, query, _flt_sql(flt))}
    hits = journal.search(query, flt, limit=limit, offset=offset)
    return [by_id[h.entry.id] for h in hits], hits


def _flt_sql(flt) -> str:
    sql = f"entries.deleted_at IS {'NOT ' if flt.in_trash else ''}NULL"
    for tag in flt.tags:
        sql += (
            " AND EXISTS (SELECT 1 FROM entry_tags WHERE entry_tags.entry_pk = entries.pk "
            f"AND entry_tags.tag = '{tag}')"
        )
    return sql


@pytest.fixture(scope="module")
def words(long_journal):
    """Wide and narrow words, chosen by how many entries each is in."""
    counts = {w: len(_matches(long_journal, w)) for w in (f"w{n}" for n in range(0, 400, 3))}
    wide = [w for w, c in counts.items() if c > 2 * WINDOW][:4]
    narrow = [w for w, c in counts.items() if 20 <= c <= WINDOW // 2][:4]
    assert len(wide) == 4 and len(narrow) == 4, counts
    return wide, narrow


def test_a_search_with_a_word_that_is_not_common_ranks_every_match_by_bm25(long_journal, words):
    wide, narrow = words
    for query in [*narrow, f"{wide[0]} {narrow[0]}", f"{narrow[1]} {wide[1]} {wide[2]}"]:
        rows = _matches(long_journal, query)
        assert 0 < len(rows) <= WINDOW
        for offset in (0, 20):
            got, hits = _shown(long_journal, query, offset=offset)
            assert _keys(got) == _keys(_bm25_order(rows)[offset : offset + 20]), query
            assert hits.ranked_within == 0 and hits.ranking_note == ""


def test_common_words_are_ranked_by_bm25_within_the_latest_matches_and_the_person_is_told(
    long_journal, words
):
    """Where this differs from ranking everything: an older entry that bm25 would put
    first waits for the page of its own window. Within a window the order and the
    scores are exactly bm25's (its word weights come from the whole index)."""
    wide, _ = words
    for query in [wide[0], f"{wide[1]} {wide[2]}", f"{wide[3]}*"]:
        rows = _matches(long_journal, query)
        assert len(rows) > WINDOW
        for offset in (0, 190):  # the second page runs into the window before
            got, hits = _shown(long_journal, query, offset=offset)
            assert _keys(got) == _keys(_windows_order(rows)[offset : offset + 20]), query
            assert hits.ranked_within == WINDOW
            assert "more than 200 entries" in hits.ranking_note
            assert [h.rank for h in hits] == [round(-r[2], 4) for r in got]


def test_paging_on_through_a_common_word_shows_every_match_once(long_journal, words):
    wide, _ = words
    rows = _matches(long_journal, wide[0])
    seen = []
    for page in range(len(rows) // 50 + 2):
        seen += [h.entry.id for h in long_journal.search(wide[0], limit=50, offset=page * 50)]
    assert sorted(seen) == sorted(r[0] for r in rows)


def test_a_filter_chooses_the_window_from_the_entries_it_lets_through(long_journal, words):
    """With a tag, the window is the latest matches with that tag: a common word among
    a hundred tagged entries is ranked all together."""
    wide, _ = words
    tagged = EntryFilter(tags=("nights",))
    rows = _matches(long_journal, wide[0], _flt_sql(tagged))
    assert 20 < len(rows) <= WINDOW
    got, hits = _shown(long_journal, wide[0], tagged)
    assert _keys(got) == _keys(_bm25_order(rows)[:20])
    assert hits.ranked_within == 0
    trashed = EntryFilter(in_trash=True)
    got, _ = _shown(long_journal, wide[0], trashed)
    assert _keys(got) == _keys(_bm25_order(_matches(long_journal, wide[0], _flt_sql(trashed)))[:20])


def test_snippets_are_the_ones_the_journal_index_makes(long_journal, words):
    wide, narrow = words
    for query in [narrow[0], wide[0], f'"{wide[0]} {wide[1]}"', f"{wide[2][:2]}*"]:
        hits = long_journal.search(query, limit=30)
        with sqlite3.connect(str(long_journal.reader.path)) as conn:
            want = dict(
                conn.execute(
                    "SELECT entries.id, snippet(entries_fts, -1, '\x02', '\x03', '…', 16) "
                    "FROM entries JOIN entries_fts ON entries_fts.rowid = entries.pk "
                    "WHERE entries_fts MATCH ?",
                    [fts5_match(parse_query(query))],
                ).fetchall()
            )
        for hit in hits:
            plain, spans = split_highlights(want[hit.entry.id])
            assert (hit.snippet, hit.highlights) == (plain, spans)


def test_the_snippet_index_reads_words_as_the_journal_index_does(journal):
    with sqlite3.connect(str(journal.reader.path)) as conn:
        (schema,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'entries_fts'"
        ).fetchone()
    assert f"tokenize='{FTS5_TOKENIZE}'" in schema


def test_word_forms_are_highlighted_in_the_snippet(journal):
    journal.add_many([NewEntry(title="", body="Her grip tightened when the doctor came in.")])
    (hit,) = journal.search("tighten")
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "tightened"


def test_the_page_the_api_and_the_cli_say_when_matches_were_ranked_in_windows(
    data_dir, attune, monkeypatch
):
    from starlette.testclient import TestClient

    from attunement.storage.reader import Reader
    from attunement.web import Settings, create_app

    monkeypatch.setattr(Reader, "rank_window", 50)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with Journal.open(data_dir) as journal:
        journal.add_many(
            NewEntry(
                title="",
                body=f"quiet {'ward' if n % 4 == 0 else 'still'} night",
                created_at=start + timedelta(days=n),
            )
            for n in range(120)
        )
    assert attune.json("search", "quiet")["ranked_within"] == 50
    assert attune.json("search", "quiet", "--tag", "none")["ranked_within"] is None
    assert "the best matches of the latest 50 come first" in attune("search", "quiet").output
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as client:
        assert client.get("/api/v1/search", params={"q": "quiet"}).json()["ranked_within"] == 50
        page = client.get("/journal", params={"q": "quiet"}).text
        assert "more than 50 entries" in page
        assert "more than 50" not in client.get("/journal", params={"q": "ward"}).text
