"""The days a supervision packet covers, and what it counts in them, against a journal
built by hand: check-ins the day before, minutes before the entry, later the same day, and
the next morning; practice responses around them too."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from attunement.core.dates import now_local
from attunement.supervision import packet as supervision


@pytest.fixture
def days(journal):
    tz = now_local().tzinfo
    tue = datetime(2026, 11, 3, 14, 0, tzinfo=tz)
    journal.checkin(ease=2, body=["stomach"], at=tue - timedelta(days=1))  # Monday
    journal.checkin(ease=4, fatigue=8, body=["chest"], at=tue - timedelta(minutes=5))
    entry = journal.store.add_entry(
        journal.new_entry("After the ward round I wanted to fix it.", created_at=tue)
    )
    journal.checkin(ease=6, body=["neck-shoulders"], at=tue + timedelta(hours=3))
    journal.checkin(ease=9, at=tue + timedelta(days=1))  # Wednesday
    for when in (tue - timedelta(days=1), tue + timedelta(hours=1)):
        journal.store.add_attempt(
            vignette_id="v01",
            response="That sounds so heavy.",
            scores={"emotional_reactions": 0.5, "interpretations": 0.5, "explorations": 0.0},
            feedback={},
            now=when,
        )
    return journal, entry, tue


def test_a_packet_of_one_entry_covers_that_whole_day(days):
    journal, entry, tue = days
    made = supervision.build(
        journal, supervision.Selection.from_words(entry_ids=[entry.id]), now=tue + timedelta(days=5)
    )
    assert (made.start, made.end, made.basis) == (tue.date(), tue.date(), "entries")
    assert made.checkins == 2  # minutes before and hours after; not Monday, not Wednesday
    # Two ease check-ins and one fatigue: too few to compare a first half with a second.
    assert made.scales["ease"] == (5.0, None, None)
    assert made.scales["fatigue"] == (8.0, None, None) and made.scale_counts["fatigue"] == 1
    assert dict(made.body_areas) == {"Chest": 1, "Neck and shoulders": 1}
    assert made.practice_attempts == 1
    text = supervision.markdown(made)
    assert "cover Tuesday 3 Nov 2026 (the day of the chosen entry)" in text
    assert "2 check-ins in this period" in text and "1 response;" in text
    assert "| Fatigue | 8 out of 10 (1 check-in) |" in text  # one value: no halves to compare
    assert "| Ease | average 5 out of 10 from 2 check-ins |" in text and "half" not in text
    assert "1 check-ins" not in text and "1 responses" not in text
    # Practice levels in the words the practice page uses, not a bare decimal.
    assert (
        "1 response; on average, Showing warmth and concern: weak (1 of 2); "
        "Showing you understood: weak (1 of 2); Inviting them to say more: none (0 of 2). "
        "The feedback reads each response as none, weak or strong (0, 1 or 2)." in text
    )


def test_from_and_to_on_the_same_day_cover_that_day_only(days):
    journal, _, tue = days
    chosen = supervision.Selection.from_words(since="2026-11-03", until="2026-11-03")
    made = supervision.build(journal, chosen, now=tue + timedelta(days=5))
    assert (made.start, made.end, made.basis) == (tue.date(), tue.date(), "chosen")
    assert made.checkins == 2 and len(made.entries) == 1
    assert "(the period you chose)" in supervision.html_body(made)


def test_a_period_spanning_the_days_counts_every_check_in(days):
    journal, _, tue = days
    chosen = supervision.Selection.from_words(since="2026-11-02", until="2026-11-04")
    made = supervision.build(journal, chosen, now=tue + timedelta(days=5))
    assert made.checkins == 4 and made.practice_attempts == 2
    assert "Monday 2 Nov 2026 to Wednesday 4 Nov 2026" in supervision.markdown(made)


def test_questions_alone_cover_the_last_four_weeks(days):
    journal, _, tue = days
    made = supervision.build(
        journal,
        supervision.Selection.from_words(questions=["Why do I rush?"]),
        now=tue + timedelta(days=1),
    )
    assert made.basis == "recent" and made.checkins == 4
    assert "(the last 4 weeks)" in supervision.markdown(made)
    assert made.to_dict()["period"]["basis"] == "recent"


def test_an_untitled_entry_is_named_by_its_first_words_redacted_and_dated_plainly(days):
    """The packet calls an untitled entry what the journal list calls it, with names
    replaced before it is shortened, and writes days as every page does ("2 Nov 2026")."""
    journal, _, tue = days
    sat = journal.store.add_entry(
        journal.new_entry("Sat with Amara Okafor after the news.\nShe cried.", created_at=tue)
    )
    made = supervision.build(
        journal, supervision.Selection.from_words(entry_ids=[sat.id]), now=tue + timedelta(days=5)
    )
    text = supervision.markdown(made)
    assert "Untitled" not in text and "Okafor" not in text
    assert "### Sat with [Client A] after the news. (week of 2 Nov 2026)" in text
    assert "Sat with [Client A] after the news." in supervision.html_body(made)


def test_a_packet_over_months_sums_its_check_ins_as_reading_each_one_would(journal):
    """Figures summed by the database: the same count, halves and body areas (ties: the
    area marked last first) as reading every check-in of the period one by one."""
    import random
    from collections import Counter

    from attunement.framework import concepts

    rng = random.Random(5)
    tz = now_local().tzinfo
    start = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    regions = list(concepts().body_region_ids)
    for day in range(120):
        at = start + timedelta(days=day, minutes=rng.randint(0, 600))
        scales = {"ease": rng.randint(0, 10), "fatigue": rng.choice([None, rng.randint(0, 10)])}
        journal.checkin(body=rng.sample(regions, rng.randint(0, 3)), at=at, **scales)
        if day % 17 == 0:  # two check-ins at the same moment
            journal.checkin(ease=rng.randint(0, 10), body=[regions[0]], at=at)
    first = journal.store.add_entry(journal.new_entry("The first visit.", created_at=start))
    last = journal.store.add_entry(
        journal.new_entry("The last visit.", created_at=start + timedelta(days=90))
    )
    made = supervision.build(
        journal,
        supervision.Selection.from_words(entry_ids=[first.id, last.id]),
        now=start + timedelta(days=130),
    )

    read = journal.checkins(since=start.replace(hour=0), until=start + timedelta(days=91))
    assert made.checkins == len(read) > 90
    oldest_first = list(reversed(read))
    for name in ("ease", "fatigue"):
        values = [v for c in oldest_first if (v := getattr(c, name)) is not None]
        mean, first_half, second_half = made.scales[name]
        assert mean == round(sum(values) / len(values), 1)
        half = len(values) // 2
        assert first_half == round(sum(values[:half]) / half, 1)
        assert second_half == round(sum(values[half:]) / (len(values) - half), 1)
        assert made.scale_counts[name] == len(values)
    names = {r.id: r.name for r in concepts().body_regions}
    counted = Counter(names[area] for c in read for area in c.body)
    last_marked = {}
    for c in read:  # newest first: the first time an area is seen is its last marking
        for area in c.body:
            last_marked.setdefault(names[area], c.at)
    expected = sorted(counted.items(), key=lambda kv: (-kv[1], -last_marked[kv[0]].timestamp()))
    assert made.body_areas == expected[:5]
