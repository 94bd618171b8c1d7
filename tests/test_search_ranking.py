"""Search ranks from the index first and reads only the entries it shows; the order a person
sees must be exactly the order of ranking every match joined to its entry."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from attunement.core.journal import Journal
from attunement.core.models import ALL_ENTRIES, EntryFilter, NewEntry
from attunement.storage.search import fts5_match, parse_query

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
