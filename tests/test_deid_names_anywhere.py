"""A person's name is found however the note or the chat writes it: opening a sentence
whatever its origin, in another script, with Indian initials after a title, in lower case
in a quick message, with an emoji after it, or as a word that is also a name. A job or a
role before a name is no part of it."""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, redact


def redacted(text: str) -> str:
    return redact(text, find(text))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Tariq, I know it's hard.", "[Client A], I know it's hard."),
        ("Kwabena, Ayesha and Tunde came.", "[Client A], [Client B] and [Client C] came."),
        ("Jiho said he would ring.", "[Client A] said he would ring."),
        # an unfamiliar name spoken to at a sentence's start
        ("Oyelaran, how has the week been?", "[Client A], how has the week been?"),
        ("Zdenka, you did everything you could.", "[Client A], you did everything you could."),
    ],
)
def test_a_counsellor_naming_the_client_first_names_a_person_of_any_origin(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Honestly, I don't know.",
        "Tuesday, we went to the shops.",
        "Right, let's begin.",
        "Knackered, I was.",
        "Daft, daft woman, you call yourself a nurse.",
    ],
)
def test_a_word_opening_a_sentence_before_a_comma_stays_a_word(line):
    assert redacted(line) == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Her husband राजेश कुमार has dementia.", "Her husband [Client A] has dementia."),
        (
            "Her daughter signs messages as فاطمة الزهراء.",
            "Her daughter signs messages as [Client A].",
        ),
        (
            "Ahmed and محمد came. 김민준 visited.",
            "[Client A] and [Client B] came. [Client C] visited.",
        ),
        ("How is your mother, 李明?", "How is your mother, [Client A]?"),
        ("She moved from 東京 last year.", "She moved from [Place 1] last year."),
    ],
)
def test_a_name_in_another_script_is_hidden_in_an_english_note(line, expected):
    assert redacted(line) == expected


def test_a_speaker_named_in_another_script_is_found_in_the_label_and_the_turns():
    state: dict = {}
    label = redact("李明", find("李明"), state)
    turn = "How is your mother, 李明?"
    assert label == "[Client A]"
    assert redact(turn, find(turn), state) == "How is your mother, [Client A]?"


def test_a_sentence_written_wholly_in_another_script_is_not_taken_for_a_name():
    sentence = "她今天很累但是吃了午饭然后睡了很久"
    assert find(sentence) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Mr. K. R. Narayanan came.", "Mr. [Client A] came."),
        ("Dr. A. P. J. Abdul Kalam spoke.", "Dr. [Client A] spoke."),
        ("Ms A. Kaur rang.", "Ms [Client A] rang."),
    ],
)
def test_dotted_initials_after_a_title_are_one_name_with_the_surname(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Carer Jane Smith came. The carer was kind.",
            "Carer [Client A] came. The carer was kind.",
        ),
        (
            "Midwife Jane Smith came. The midwife was kind.",
            "Midwife [Client A] came. The midwife was kind.",
        ),
        (
            "The chaplain came. Chaplain Smith prayed.",
            "The chaplain came. Chaplain [Client A] prayed.",
        ),
        ("Key Worker Jane Smith came.", "Key Worker [Client A] came."),
        ("Social Worker Peter Smith rang.", "Social Worker [Client A] rang."),
        ("The Consultant said it was fine.", "The Consultant said it was fine."),
        ("The Registrar will ring back.", "The Registrar will ring back."),
    ],
)
def test_a_job_before_a_name_stays_a_job_and_is_never_replaced_elsewhere(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "lol tom said nan fell again, she's at james cook hospital",
            "lol [Client A] said nan fell again, she's at [Place 1]",
        ),
        ("spoke to steve today", "spoke to [Client A] today"),
        ("i told tom", "i told [Client A]"),
        ("hi jiho how r u doing", "hi [Client A] how r u doing"),
        ("i will ask will", "i will ask will"),
    ],
)
def test_names_typed_in_lower_case_in_a_quick_message_are_found(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Jamal👍 said he'll do Saturday", "[Client A]👍 said he'll do Saturday"),
        ("Jamal 😊 said yes", "[Client A] 😊 said yes"),
        ("Oyelaran 👍🏽 said yes", "[Client A] 👍🏽 said yes"),
    ],
)
def test_an_emoji_after_a_name_does_not_hide_it(line, expected):
    assert redacted(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "My brother-in-law Dev has been amazing.",
            "My brother-in-law [Client A] has been amazing.",
        ),
        ("Dev said he'd come.", "[Client A] said he'd come."),
        ("Grace visits on Sundays.", "[Client A] visits on Sundays."),
        ("Bill paid the bill.", "[Client A] paid the bill."),
        ("Sent it to Aunt Grace.", "Sent it to Aunt [Client A]."),
    ],
)
def test_a_name_that_is_also_a_word_is_a_name_where_a_name_stands(line, expected):
    assert redacted(line) == expected
