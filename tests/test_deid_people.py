"""People's names hidden whole and the same way each time: a name's possessive and its
repeats, initials with spaces, Gaelic names, nicknames in quotes, e-mails with an
apostrophe; the verb that opens a note and the title before a name stay as written."""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, redact


def redacted(text: str) -> str:
    return redact(text, find(text), {})


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Sat with Tom. Tom's fine.", "Sat with [Client A]. [Client A]'s fine."),
        ("Sat with Ann. Ann's up again.", "Sat with [Client A]. [Client A]'s up again."),
        ("Tom's fine.", "[Client A]'s fine."),
        ("Ed's leg is worse.", "[Client A]'s leg is worse."),
        ("Bill's bills are piling up.", "[Client A]'s bills are piling up."),
    ],
)
def test_a_name_before_its_possessive_is_hidden_like_the_name(note, expected):
    assert redacted(note) == expected


def test_a_word_name_said_of_a_word_keeps_its_possessive_as_a_word():
    assert find("Hope's not easy to hold on to.") == []


def test_a_lower_case_repeat_of_an_everyday_word_name_stays_unless_the_name_was_lower_case():
    assert redacted("Sat with Grace Okafor. Grace is tired. grace said so.") == (
        "Sat with [Client A]. [Client A] is tired. grace said so."
    )
    assert redacted("I will ask Will.") == "I will ask [Client A]."
    assert (
        redacted("her son jamie rang; jamie's upset")
        == "her son [Client A] rang; [Client A]'s upset"
    )


def test_a_transcript_redacted_on_import_hides_a_possessive_repeat(attune, tmp_path):
    session = tmp_path / "teams.vtt"
    session.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Counsellor>Hi, is it Tom?\n\n"
        "00:00:04.500 --> 00:00:09.000\n<v Client>Tom's fine. Tom's wife rang.\n",
        encoding="utf-8",
    )
    clean = attune("transcript", "import", str(session), "--redact").stdout.strip()
    turns = attune.json("transcript", "analyze", clean)["turns"]
    assert [t["text"] for t in turns] == [
        "Hi, is it [Client A]?",
        "[Client A]'s fine. [Client A]'s wife rang.",
    ]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "Reviewed with A. B. Okonkwo, who agreed.",
            "Reviewed with [Client A], who agreed.",
        ),
        (
            "Mr Hamish Mac an t-Saoir wants to see the minister.",
            "Mr [Client A] wants to see the minister.",
        ),
        ('Her son Dwayne "DJ" Jackson visited.', "Her son [Client A] visited."),
        ("Email: J.O'Brien@nhs.net", "Email: [Email 1]"),
    ],
)
def test_a_name_in_several_parts_is_hidden_whole(note, expected):
    assert redacted(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Rang Siobhán at the surgery.", "Rang [Client A] at the surgery."),
        ("Phoned Mary at home.", "Phoned [Client A] at home."),
        ("Visited Aoife on the ward.", "Visited [Client A] on the ward."),
        ("Saw Kwame this morning.", "Saw [Client A] this morning."),
        ("Revd Alasdair Munro visited.", "Revd [Client A] visited."),
        ("Saw Revd. Canon Smith.", "Saw Revd. Canon [Client A]."),
        ("Fr Tony and Sister Bernadette prayed.", "Fr [Client A] and Sister [Client B] prayed."),
        (
            "Sun 12th - Granny Peggy asked for Alfie.",
            "[Date 1] - Granny [Client A] asked for [Client B].",
        ),
    ],
)
def test_the_verb_opening_a_note_and_a_title_stay_outside_the_name(note, expected):
    assert redacted(note) == expected


def test_one_person_keeps_one_placeholder_after_an_opening_verb():
    assert redacted("Rang Siobhán. Siobhán was upset.") == "Rang [Client A]. [Client A] was upset."


def test_deid_batch_with_redact_writes_each_lines_redacted_text(attune, tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": 1, "text": "Mr Shah, 07700 900123"}\n', encoding="utf-8")
    line = attune.json("deid", "--batch", str(batch), "--redact")
    assert line["redacted"] == "Mr [Client A], [Phone 1]"
    assert [f["type"] for f in line["findings"]] == ["name", "phone"]
