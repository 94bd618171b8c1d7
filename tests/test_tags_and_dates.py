"""Inline tags and typed dates behave the way people write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from attunement.core.dates import parse_when
from attunement.core.tags import collect_tags, inline_tags, normalise_tag
from attunement.errors import InvalidInput


@pytest.mark.parametrize(
    "text,tags",
    [
        ("Felt #grief and #Grief again", ["grief", "grief"]),
        ("With @Amara and @zoë", ["amara", "zoë"]),
        ("# A Markdown heading", []),
        ("Issue #3 and #42", []),
        ("mail me at a.person@example.org", []),
        ("see https://example.org/page#section", []),
        ("C# is not a tag, nor is x#y", []),
        ("#rupture-and-repair, then #ease.", ["rupture-and-repair", "ease"]),
        ("(#hospice)", ["hospice"]),
        ("#tag-", ["tag"]),
        ("Day One writes a literal \\#sign escaped, beside #real", ["real"]),
    ],
)
def test_inline_tags(text, tags):
    assert inline_tags(text) == tags


def test_collect_tags_dedupes_explicit_and_inline_in_order():
    assert collect_tags(["Ward", "#nights"], "title #ward", "body @nights #ease") == [
        "ward",
        "nights",
        "ease",
    ]


@pytest.mark.parametrize("bad", ["", "#", "3am", "two words", "x" * 65])
def test_unusable_tags_are_refused(bad):
    with pytest.raises(InvalidInput):
        normalise_tag(bad)


NOW = datetime(2026, 11, 25, 15, 30, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("2026-11-01", datetime(2026, 11, 1, 0, 0, tzinfo=NOW.tzinfo)),
        (
            "2026-11-01T09:00+05:00",
            datetime(2026, 11, 1, 9, 0, tzinfo=timezone(timedelta(hours=5))),
        ),
        ("today", datetime(2026, 11, 25, 0, 0, tzinfo=NOW.tzinfo)),
        ("yesterday", datetime(2026, 11, 24, 0, 0, tzinfo=NOW.tzinfo)),
        ("last week", datetime(2026, 11, 18, 0, 0, tzinfo=NOW.tzinfo)),
        ("3 days ago", datetime(2026, 11, 22, 0, 0, tzinfo=NOW.tzinfo)),
        ("1 nov", datetime(2026, 11, 1, 0, 0, tzinfo=NOW.tzinfo)),
        ("monday", datetime(2026, 11, 23, 0, 0, tzinfo=NOW.tzinfo)),
    ],
)
def test_dates_people_type_look_back(typed, expected):
    assert parse_when(typed, now=NOW) == expected


def test_until_a_day_includes_the_whole_day():
    end = parse_when("2026-11-01", end_of_day=True, now=NOW)
    assert (end.hour, end.minute, end.second) == (23, 59, 59)


@pytest.mark.parametrize("bad", ["", "   ", "someday maybe", "the 45th"])
def test_dates_that_mean_nothing_are_refused(bad):
    with pytest.raises(InvalidInput):
        parse_when(bad, now=NOW)


@pytest.mark.parametrize(
    "typed,since,until",
    [
        # A stretch of time up to now: its first day as the start, the end of today as the end.
        ("this week", datetime(2026, 11, 23), datetime(2026, 11, 25)),
        ("this month", datetime(2026, 11, 1), datetime(2026, 11, 25)),
        ("This Month", datetime(2026, 11, 1), datetime(2026, 11, 25)),
        ("since the start of this month", datetime(2026, 11, 1), datetime(2026, 11, 25)),
        ("this year", datetime(2026, 1, 1), datetime(2026, 11, 25)),
        # "last …" and "… ago": the day that long ago, both ways.
        ("last 7 days", datetime(2026, 11, 18), datetime(2026, 11, 18)),
        ("the past 7 days", datetime(2026, 11, 18), datetime(2026, 11, 18)),
        ("in the last 2 weeks", datetime(2026, 11, 11), datetime(2026, 11, 11)),
        ("last 30 days", datetime(2026, 10, 26), datetime(2026, 10, 26)),
        ("past week", datetime(2026, 11, 18), datetime(2026, 11, 18)),
        ("last month", datetime(2026, 10, 25), datetime(2026, 10, 25)),
        ("last 3 months", datetime(2026, 8, 25), datetime(2026, 8, 25)),
        ("last year", datetime(2025, 11, 25), datetime(2025, 11, 25)),
        ("two weeks ago", datetime(2026, 11, 11), datetime(2026, 11, 11)),
        ("7 days back", datetime(2026, 11, 18), datetime(2026, 11, 18)),
        # Parts of a day are that whole day.
        ("this morning", datetime(2026, 11, 25), datetime(2026, 11, 25)),
        ("last night", datetime(2026, 11, 24), datetime(2026, 11, 24)),
        # The last such weekday before today; "monday" alone may be today.
        ("last monday", datetime(2026, 11, 23), datetime(2026, 11, 23)),
        ("last wednesday", datetime(2026, 11, 18), datetime(2026, 11, 18)),
        # A month and day without a year is the last one that has come.
        ("1 dec", datetime(2025, 12, 1), datetime(2025, 12, 1)),
        ("december", datetime(2025, 12, 1), datetime(2025, 12, 1)),
        # A year is the whole year.
        ("2025", datetime(2025, 1, 1), datetime(2025, 12, 31)),
    ],
)
def test_words_for_a_stretch_of_time_read_as_that_stretch(typed, since, until):
    start = parse_when(typed, now=NOW)
    end = parse_when(typed, end_of_day=True, now=NOW)
    assert start == since.replace(tzinfo=NOW.tzinfo)
    assert (end.date(), end.time().hour, end.time().minute) == (until.date(), 23, 59)


def test_a_month_back_from_the_31st_is_the_end_of_a_shorter_month():
    end_of_march = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert parse_when("last month", now=end_of_march).date() == datetime(2026, 2, 28).date()
    assert parse_when("a year ago", now=datetime(2028, 2, 29, tzinfo=UTC)).day == 28


@pytest.mark.parametrize(
    "typed", ["tomorrow", "next week", "in 3 days", "7 days", "end of month", "next monday"]
)
def test_words_never_name_a_day_still_to_come(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_when(typed, now=NOW)
    message = refused.value.message
    assert "still to come" in message and "'last 7 days', 'this month'" in message
    assert message.count(".") == 1 and message.endswith(".")


def test_a_date_with_its_year_may_be_ahead_as_an_iso_date_may():
    assert parse_when("1 dec 2026", now=NOW).date() == datetime(2026, 12, 1).date()
    assert parse_when("2026-12-01", now=NOW).date() == datetime(2026, 12, 1).date()


PHRASES = [
    "this month", "this year", "this week", "last 7 days", "past 7 days", "last 2 weeks",
    "last month", "last year", "last week", "last friday", "next week", "tomorrow",
    "in 3 days", "3 days ago", "a month ago", "1 dec", "december", "this morning", "tonight",
    "last night", "yesterday", "week", "month", "2 days", "the last 7 days", "last 30 days",
    "since monday", "monday", "sunday", "31 dec", "start of month", "end of month",
    "last 3 months", "past year", "this weekend", "noon", "yesterday 9am", "2025", "nov 2025",
    "ago", "last 7", "7 days back", "blah",
]  # fmt: skip


@pytest.mark.parametrize("typed", PHRASES)
def test_every_phrase_is_a_day_that_has_come_or_refused_saying_what_is_accepted(typed):
    """What the journal's From and To fields and `--since`/`--until` get: never a silent
    future date, which would show "No entries match"."""
    end_of_today = NOW.replace(hour=23, minute=59, second=59)
    for end_of_day in (False, True):
        try:
            moment = parse_when(typed, end_of_day=end_of_day, now=NOW)
        except InvalidInput as refused:
            assert "YYYY-MM-DD" in refused.message and "'this month'" in refused.message
        else:
            assert moment <= end_of_today.replace(microsecond=999999), typed


def test_an_expiry_may_look_forward():
    """A share's expiry ("in 3 months") is the one date typed in words that is ahead."""
    assert parse_when("in 3 months", end_of_day=True, now=NOW, ahead=True).date() == (
        datetime(2027, 2, 25).date()
    )
