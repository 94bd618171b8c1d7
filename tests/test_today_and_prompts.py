"""Today's prompt rotates through the deck, streaks count real days, prompts are data."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from attunement.errors import InvalidInput, NotFound

UTC = UTC
MELBOURNE = timezone(timedelta(hours=11))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def write_on(journal, moment, prompt_id=None, text="words"):
    return journal.write(text, prompt_id=prompt_id, created_at=moment)


def test_today_prefers_unanswered_prompts_in_deck_order(journal):
    yesterday = NOW - timedelta(days=1)
    write_on(journal, yesterday, "aoa-1")
    write_on(journal, yesterday, "aoa-2")
    assert journal.today(now=NOW).prompt.id == "aoa-3"


def test_when_all_are_answered_the_longest_unanswered_comes_back(journal):
    for n in range(1, 8):
        write_on(journal, NOW - timedelta(days=20 - n), f"aoa-{n}")
    write_on(journal, NOW - timedelta(days=2), "aoa-1")
    assert journal.today(now=NOW).prompt.id == "aoa-2"


def test_answering_today_does_not_move_todays_prompt(journal):
    first = journal.today(now=NOW).prompt.id
    write_on(journal, NOW, first)
    view = journal.today(now=NOW)
    assert view.prompt.id == first and view.prompt_answered_today
    assert journal.next_prompt().id != first, "--next looks past today's answer"


def test_trashed_answers_do_not_count(journal):
    entry = write_on(journal, NOW - timedelta(days=1), "aoa-1")
    journal.delete(entry.id)
    assert journal.today(now=NOW).prompt.id == "aoa-1"


def test_other_decks_rotate_too(journal):
    assert journal.today(now=NOW, deck_id="gibbs-reflective-cycle").prompt.id == "gibbs-1"
    with pytest.raises(NotFound):
        journal.today(now=NOW, deck_id="no-such-deck")


def test_streak_counts_consecutive_days_ending_today_or_yesterday(journal):
    for days_ago in (0, 1, 1, 2, 4):
        write_on(journal, NOW - timedelta(days=days_ago))
    assert journal.streak(now=NOW) == (3, True)
    assert journal.streak(now=NOW + timedelta(days=1)) == (3, False)
    assert journal.streak(now=NOW + timedelta(days=2)) == (0, False)


def test_streak_uses_the_day_in_the_zone_the_entry_was_written(journal):
    # 23:30 in Melbourne on the 24th is 12:30 UTC on the 24th; 00:30 on the 25th there
    # is still the 24th in UTC. Both count as separate Melbourne days.
    write_on(journal, datetime(2026, 11, 24, 23, 30, tzinfo=MELBOURNE))
    write_on(journal, datetime(2026, 11, 25, 0, 30, tzinfo=MELBOURNE))
    now = datetime(2026, 11, 25, 9, 0, tzinfo=MELBOURNE)
    assert journal.streak(now=now) == (2, True)
    shown = journal.list_entries()[0]
    assert shown.created_at.utcoffset() == timedelta(hours=11)
    assert shown.created_at.hour == 0


def test_a_years_long_streak_is_counted_to_its_first_day_and_broken_by_the_trash(journal):
    # Two entries a day for three years, each at a different hour and some in zones far
    # from UTC, then one day without writing before that; the streak is read day by day
    # from the database, not entry by entry, and must still see every day.
    days = 3 * 365
    entries = []
    for n in range(days):
        zone = timezone(timedelta(hours=(-11, 0, 13)[n % 3]))
        noon = datetime.combine((NOW - timedelta(days=n)).date(), datetime.min.time(), zone)
        moments = [noon + timedelta(hours=9), noon + timedelta(hours=21)]
        entries.append([journal.new_entry("words", created_at=m) for m in moments])
    gap = NOW - timedelta(days=days + 1)
    older = [journal.new_entry("words", created_at=gap - timedelta(days=k)) for k in range(5)]
    journal.add_many([e for pair in entries for e in pair] + older)
    assert journal.streak(now=NOW) == (days, True)

    # Trashing both entries of one day two years ago ends the streak there.
    ids_that_day = [
        e.id
        for e in journal.list_entries()
        if e.created_at.date() == (NOW - timedelta(days=730)).date()
    ]
    assert len(ids_that_day) == 2
    for entry_id in ids_that_day:
        journal.delete(entry_id)
    assert journal.streak(now=NOW) == (730, True)
    journal.restore(ids_that_day[0])
    assert journal.streak(now=NOW) == (days, True)


def test_the_streak_sees_writing_done_by_another_process_at_once(journal):
    from attunement.core.journal import Journal

    write_on(journal, NOW - timedelta(days=1))
    assert journal.streak(now=NOW) == (1, False)
    with Journal.open(journal.data_dir) as other:  # `attune write` while the app is open
        write_on(other, NOW)
    assert journal.streak(now=NOW) == (2, True)
    assert journal.streak(now=NOW + timedelta(days=3)) == (0, False)


def test_prompt_choices(journal):
    rng = random.Random(7)
    picked = {journal.random_prompt(rng=rng).id for _ in range(50)}
    assert picked <= {f"aoa-{n}" for n in range(1, 8)} and len(picked) > 3
    with pytest.raises(InvalidInput) as err:
        journal.write("text", prompt_id="aoa-99")
    assert "aoa-1" in err.value.message and "gibbs-6" in err.value.message


def test_prompts_command_counts_answers(attune):
    attune("write", "--prompt", "rr-2", "I saw her look away")
    decks = attune.json("prompts")["decks"]
    assert [d["id"] for d in decks] == [
        "art-of-attunement",
        "rupture-and-repair",
        "gibbs-reflective-cycle",
    ]
    rr2 = next(p for p in decks[1]["prompts"] if p["id"] == "rr-2")
    assert rr2["answered"] == 1
    assert attune.json("prompt", "--next")["id"] == "aoa-1"
    assert attune.json("prompt", "aoa-4")["text"].startswith("What is your primary goal")
    assert attune("prompt", "aoa-1", "--random", ok=False).exit_code == 2
