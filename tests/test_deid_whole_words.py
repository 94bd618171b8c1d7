"""De-identification never cuts a word in two, never takes a hymn for a person, and finds a
ward written into a tag: what a chaplain's and a nurse's entries showed a new user."""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, find_in_tag, redact


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mrs K's daughter rang twice.", "Mrs [Client A]'s daughter rang twice."),
        ("Mr K's daughter came.", "Mr [Client A]'s daughter came."),
        ("Mrs O'Brien's son sat with her.", "Mrs [Client A]'s son sat with her."),
        ("Dr Ana da Silva came at noon.", "Dr [Client A] came at noon."),
    ],
)
def test_a_name_before_a_possessive_is_replaced_and_the_next_word_kept_whole(text, expected):
    assert redact(text, find(text), {}) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sang Abide with Me and the Nunc Dimittis for him.",
        "We said the Lord's Prayer and sang Amazing Grace.",
    ],
)
def test_hymns_and_prayers_are_not_people(text):
    assert find(text) == []


def test_a_hymn_beside_a_real_name_leaves_the_name_found():
    text = "Mary Jones sang Abide with Me."
    assert redact(text, find(text), {}) == "[Client A] sang Abide with Me."


def test_a_ward_written_into_a_tag_is_found():
    assert [(f.type, f.text) for f in find_in_tag("ward7")] == [("place", "ward 7")]
    assert find_in_tag("covid19") == []


def test_a_name_on_the_writers_list_is_hidden_even_inside_a_hymn():
    text = "We sang Amazing Grace for Grace."
    assert redact(text, find(text, ["Grace"]), {}) == "We sang Amazing [Client A] for [Client A]."
