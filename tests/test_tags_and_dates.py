"""Inline tags and typed dates behave the way people write them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
