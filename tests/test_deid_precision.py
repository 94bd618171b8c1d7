"""What a note names that identifies no one stays as written, so a supervisor still reads
what was given, read, watched or eaten: medicines, scripture, numbered rooms, clubs,
bands, foods, festivals, kin words, job titles and form labels. (A numbered ward, bed or
bay is hidden: with the hospital and the day it points to one person.)"""

from __future__ import annotations

import pytest

from attunement.analysis.deid import find, redact


@pytest.mark.parametrize(
    "note",
    [
        "Gave two Tylenol and a Zofran at 22:00.",
        "Read Psalm 23 and John 3:16 together.",
        "We listened to Surah Al-Fatiha and Surah Yasin.",
        "Moved to Room 12 for the family meeting.",
        "Watched Celtic beat Rangers and he cheered.",
        "He still follows the Green Bay Packers.",
        "Played Beatles songs; she knew every word.",
        "She loves Marmite on toast and Yorkshire tea.",
        "The Good Samaritan story made her cry.",
        "Sundowning started around 4pm as usual.",
        "The Occupational Therapist will Review the Hoist.",
        "Age UK and Carers Trust both sent leaflets.",
        "There was real Grace in how she handled the bad news.",
        "She wants to be home for Shabbat.",
        "Her son drove Nani to the clinic.",
    ],
)
def test_things_a_carer_names_are_not_identifiers(note):
    assert find(note) == []


def test_the_people_beside_those_things_are_still_hidden():
    text = "Uncle Ravi drove Nani to the clinic; Postcode is SW1A 1AA for the taxi."
    assert redact(text, find(text), {}) == (
        "Uncle [Client A] drove Nani to the clinic; Postcode is [Postcode 1] for the taxi."
    )
    assert redact("Rowan Ward, bed 4.", find("Rowan Ward, bed 4."), {}) == "[Place 1], [Place 2]."
    assert [f.text for f in find("Saw John at 3pm.")] == ["John"]
