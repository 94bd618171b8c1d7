"""A detail is hidden whole, never in pieces: a date written in words with its day and
year, a date with its time, a phone number with its extension, a Medicare number with its
check digit, a town with its postcode or its US state, a room with its number. And what
only looks like a name stays as written: months, procedures and devices named after
someone, brands, titles alone, newspapers, a charity's centre, festive words."""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, redact


def redacted(text: str) -> str:
    return redact(text, find(text))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "He was born on the twenty-first of June, nineteen thirty-eight.",
            "He was born on [Date 1].",
        ),
        ("Born on the twenty-first of June, 1938.", "Born on [Date 1]."),
        ("She was born 21st June nineteen thirty-eight", "She was born [Date 1]"),
        ("She was admitted on the second of March.", "She was admitted on [Date 1]."),
        ("On March the 3rd she fell in the bathroom.", "On [Date 1] she fell in the bathroom."),
        (
            "It happened last Tuesday the 4th in the lounge.",
            "It happened last [Date 1] in the lounge.",
        ),
    ],
)
def test_a_date_written_in_words_is_one_date_and_its_month_no_person(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Call 0161 496 0123 ext 4452 today.", "Call [Phone 1] today."),
        ("Ring 614-555-0198 x44.", "Ring [Phone 1]."),
        ("Office: (555) 214-7789 ext. 312", "Office: [Phone 1]"),
        ("020 7946 0958, extension 21", "[Phone 1]"),
        ("Medicare no. 2123 45670 1", "Medicare no. [Record 1]"),
        ("14 Kauri St, Ponsonby, Auckland 1011", "[Address 1], [Place 1], [Place 2] [Postcode 1]"),
        ("Moved to Columbus, OH last year.", "Moved to [Place 1] last year."),
        ("admitted to Rm 4B", "admitted to [Place 1]"),
        ("Bed 7, Rm 312", "[Place 1], [Place 2]"),
        ("seen 14/02/2025 09:45", "seen [Date 1]"),
        ("Wed 5th Nov at 10.30am", "[Date 1]"),
        ("logged at 2024-11-30T16:20", "logged at [Date 1]"),
    ],
)
def test_the_tail_of_a_detail_goes_with_it(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("She is 93 years young.", "She is [Age 1]."),
        ("She was taken to LUTH last night.", "She was taken to [Place 1] last night."),
        (
            "They worship at Jesus House in Brent Cross.",
            "They worship at [Place 1] in [Place 2].",
        ),
    ],
)
def test_ages_and_places_written_the_way_families_say_them_are_found(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    "note",
    [
        "By May or June we hope to have a plan.",
        "He had a Whipple procedure.",
        "The Heimlich manoeuvre worked.",
        "A Foley catheter was placed.",
        "We bought a Dyson and a new Hoover.",
        "a Post-it next to the Kindle",
        "She said Amen at the end.",
        "Dad reads The Guardian every day.",
        "The Queen's funeral was on telly.",
        "I wanted to suggest the Maggie's centre.",
        "a 67-year-old Hispanic female",
        "Mummy told me about it.",
        "not seen her since Chrissy",
        "see you Tues",
    ],
)
def test_what_only_looks_like_a_name_stays_as_written(note):
    assert find(note) == []


def test_a_surgeon_keeps_his_name_hidden_and_the_procedure_named_after_another_stays():
    assert redacted("Dr Whipple did the Whipple procedure.") == (
        "Dr [Client A] did the Whipple procedure."
    )


def test_a_person_called_chrissy_is_still_a_person():
    assert redacted("Chrissy said she'd come.") == "[Client A] said she'd come."


def test_the_evans_catheter_is_the_evans_family_s():
    assert "Evans" not in redacted("Mrs H's dressings, the Evans' catheter, then bloods.")
