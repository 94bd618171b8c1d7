"""Identifying details written as caregivers write them are hidden, and the things a note
names that identify no one are kept, so a supervisor still reads what was given or used:
medicines and equipment by their brand names, the home's own rooms, a month, a programme
on the television. Workplaces and hospitals are places, never clients. (From an outside
probe of de-identification on case notes.)"""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, redact


def redacted(text: str) -> str:
    return redact(text, find(text))


@pytest.mark.parametrize(
    "text,expected",
    [
        # initials, and a title with an initial before the surname
        (
            "I met with J.P. and his social worker, Ms A. Kaur.",
            "I met with [Client A] and his social worker, Ms [Client B].",
        ),
        ("Dr R. Okafor rang back. Dr A. He said to wait.", None),
        # a title typed in lower case
        ("spoke to mrs henderson re her meds", "spoke to mrs [Client A] re her meds"),
        # a name opening a sentence, with what says it is a person after it
        (
            "Smith-Okonkwo family meeting went badly; the son shouted at me.",
            "[Client A] family meeting went badly; the son shouted at me.",
        ),
        ("Shaz posts about her mum on Instagram.", "[Client A] posts about her mum on Instagram."),
        (
            "Mark from the district nurses changed her dressing.",
            "[Client A] from the district nurses changed her dressing.",
        ),
        (
            "Bill's wife says he has stopped eating.",
            "[Client A]'s wife says he has stopped eating.",
        ),
        # Welsh streets, whose street word comes first, with the house number
        (
            "Her daughter lives at 22b Heol y Coed, Cardiff CF14 6HH.",
            "Her daughter lives at [Address 1], [Place 1] [Postcode 1].",
        ),
        ("He lives at 4 Ffordd Las, Bangor.", "He lives at [Address 1], [Place 1]."),
        # a named day with its year, and an age in words
        ("He was widowed on Christmas Day 1999.", "He was widowed on [Date 1]."),
        ("She was born on Boxing Day 1931.", "She was born on [Date 1]."),
        ("She will be a hundred in May.", "She will be [Age 1] in May."),
        # a ward and a hospital named before its town are places
        (
            "He is on Ainsdale Ward at the Royal Liverpool.",
            "He is on [Place 1] at the [Place 2].",
        ),
        (
            "She was moved to Queen Elizabeth Hospital Birmingham overnight.",
            "She was moved to [Place 1] overnight.",
        ),
        # an address keeps the full stop that ends its sentence
        (
            "The meeting is at Springfield House, 7 Church Lane.",
            "The meeting is at [Address 1].",
        ),
        ("April Jones lives at 3 Bryn Road.", "[Client A] lives at [Address 1]."),
    ],
)
def test_details_written_as_caregivers_write_them_are_hidden(text, expected):
    if expected is None:  # "Dr A." ends its sentence: "He" is no part of the name
        assert redacted(text) == "Dr [Client A] rang back. Dr [Client B]. He said to wait."
    else:
        assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The Parkinson's nurse changed his Madopar timings.",
        "Calpol and Gaviscon were given as needed.",
        "Sinemet and Lyrica were moved to match his meals.",
        "She needs the Zimmer frame to get to the toilet.",
        "We used the Hoyer hoist and the Sara Stedy for the transfers.",
        "The district nurse put a Mepilex dressing on and Sudocrem around it.",
        "Hope is what keeps her going most days.",
        "June was a hard month for the whole team.",
        "She watched Coronation Street and then Countdown, and laughed.",
        "She sat in the Garden and listened to the birds.",
        "The Lodge is closed for cleaning on Wednesdays.",
        "Went to Church on Sunday with the other residents.",
        "We had tea in the Lounge after the review.",
        "I met them in the U.K. office last year.",
    ],
)
def test_what_identifies_no_one_is_kept(text):
    assert find(text) == []


def test_workplaces_are_places_and_word_names_still_people():
    """A bus company is a workplace after "works for", and nothing on its own; "June" who
    is tearful and "May" who had a good week are people, June the month is not."""
    assert redacted("Kofi Boateng is a bus driver for Arriva in Crawley.") == (
        "[Client A] is a bus driver for Arriva in [Place 1]."
    )
    assert redacted("He works for Arriva now.") == "He works for [Place 1] now."
    assert redacted("June was tearful when her son left.") == (
        "[Client A] was tearful when her son left."
    )
    assert redacted("May has had a good week.") == "[Client A] has had a good week."
