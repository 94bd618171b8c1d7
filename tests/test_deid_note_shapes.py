"""Details written the way carers' notes write them: ages and birth years, short dates,
number plates, postcodes in lower case, whole addresses with their flat or unit, and
numbers and handles that carry their own type."""

from __future__ import annotations

from datetime import date

import pytest

from attunement.analysis.deid import find, redact


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.text) for f in find(text)]


def redacted(text: str) -> str:
    return redact(text, find(text), {})


@pytest.mark.parametrize(
    ("note", "age"),
    [
        ("94yo female, lives with daughter.", "94yo"),
        ("92F with dementia, settled.", "92F"),
        ("pt 95M, no falls.", "95M"),
        ("Age: 93", "93"),
        ("She is a nonagenarian and proud of it.", "nonagenarian"),
    ],
)
def test_a_nurse_writing_an_age_over_89_in_note_style_has_it_hidden(note, age):
    assert ("age", age) in kinds(note)


def test_a_temperature_or_a_young_age_in_note_style_stays():
    assert kinds("Temp 92F at noon.") == []
    assert kinds("45yo male, lives alone.") == []


def test_a_birth_year_that_makes_someone_over_89_is_hidden_and_a_younger_one_stays():
    old = date.today().year - 95
    young = date.today().year - 50
    for note in (f"Born {old}.", f"year of birth {old}", f"DOB {old}", f"Born in {old}, in Leith."):
        assert ("date", str(old)) in kinds(note), note
    assert kinds(f"She was born in {young} and is well.") == []


@pytest.mark.parametrize(
    ("note", "written"),
    [
        ("Tues 4/5 – bad night, up five times.", "Tues 4/5"),
        ("Weds 12/3 - fall in the bathroom.", "Weds 12/3"),
        ("Sun 12th - she was asking for her sister.", "Sun 12th"),
        ("seen 5/3 by GP", "5/3"),
        ("14th Nov '24 she fell.", "14th Nov '24"),
        ("Mon 3rd Feb was her birthday.", "Mon 3rd Feb"),
    ],
)
def test_a_carer_writing_a_short_date_has_the_whole_date_hidden(note, written):
    assert ("date", written) in kinds(note)


@pytest.mark.parametrize(
    "note",
    [
        "Gave 1/2 tablet at night.",
        "PHQ 9/27 today.",
        "Ate 3/4 of her lunch.",
        "Seen at 10:30, pain 4/10.",
    ],
)
def test_doses_scores_fractions_and_times_are_not_dates(note):
    assert [k for k in kinds(note) if k[0] == "date"] == []


@pytest.mark.parametrize(
    ("note", "plate"),
    [
        ("Reg plate SK19 XYZ parked in the disabled bay.", "SK19 XYZ"),
        ("His car, reg YR68 LMN, needs to be sold.", "YR68 LMN"),
        ("Reg: SK19XYZ", "SK19XYZ"),
        ("number plate a123 bcd on the old van", "a123 bcd"),
        ("His SK19 XYZ was towed.", "SK19 XYZ"),
    ],
)
def test_a_car_number_plate_is_hidden(note, plate):
    assert ("plate", plate) in kinds(note)
    assert plate not in redacted(note)


def test_a_postcode_typed_in_lower_case_is_hidden_but_an_ordinal_is_not_one():
    assert ("postcode", "eh6 5ab") in kinds("postcode eh6 5ab")
    assert kinds("she lives at b12 3rd floor") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Flat 3/2, 27 Dumbarton Road, Glasgow G11 6AA.", "[Address 1], [Place 1] [Postcode 1]."),
        ("1824 Maple Ave Apt 5B, Columbus, OH 43215.", "[Address 1], [Place 1] [Postcode 1]."),
        ("Unit 4/12 Wattle St, Fitzroy VIC 3065.", "[Address 1], [Place 1] VIC [Postcode 1]."),
        ("Apt 4B, 301 E 21st St, New York, NY 10010", "[Address 1], [Place 1] [Postcode 1]"),
        ("42 rue de la Paix, 75002 Paris", "[Address 1], [Postcode 1] [Place 1]"),
    ],
)
def test_an_address_is_hidden_whole_with_its_flat_or_unit(line, expected):
    assert redacted(line) == expected


def test_numbers_and_handles_get_their_own_type():
    assert kinds("ph 01224 555019") == [("phone", "01224 555019")]
    assert kinds("Zip 90210-1234") == [("postcode", "90210-1234")]
    assert kinds("IHI 8003 6012 3456 7890") == [("record", "8003 6012 3456 7890")]
    assert kinds("snap: katie.c99") == [("handle", "katie.c99")]
    assert kinds("insta: katie.c99") == [("handle", "katie.c99")]
