"""Ids drawn in bulk for an import are as good as ids drawn one at a time."""

from __future__ import annotations

from collections import Counter

from attunement.core import ids


def test_ids_drawn_in_bulk_are_well_formed_and_every_character_equally_likely():
    drawn = ids.new_ids(30_000)
    assert len(drawn) == 30_000 and all(ids.looks_like_id(i) for i in drawn)
    assert len(set(drawn)) > 29_990  # 2.7e10 possible ids: clashes are rare
    counts = Counter("".join(drawn))
    assert set(counts) == set(ids.ALPHABET)
    expected = 30_000 * ids.LENGTH / len(ids.ALPHABET)
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < 80  # 30 degrees of freedom: p < 1e-6 above this
    # Each position, not only the whole, is uniform (the first character too).
    firsts = Counter(i[0] for i in drawn)
    assert set(firsts) == set(ids.ALPHABET)


def test_a_bulk_draw_of_any_size_gives_that_many():
    assert [len(ids.new_ids(n)) for n in (0, 1, 7, 500)] == [0, 1, 7, 500]
