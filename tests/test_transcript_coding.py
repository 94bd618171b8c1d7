"""A supervisor reading a coded session: advice said as a statement is coded as input
(MITI's persuading), however the MI model leans, and a suggestion asked as a question is
left as the question the experts would code."""

from __future__ import annotations

from attunement.analysis.models import advises
from attunement.transcripts.coding import code_turns
from attunement.transcripts.parse import Turn


def _session(*lines: str) -> list[Turn]:
    return [
        Turn(index=i, speaker="Client" if i % 2 == 0 else "Nurse", text=text)
        for i, text in enumerate(lines)
    ]


def test_advice_said_outright_is_coded_as_input():
    turns = _session(
        "I just can't sleep, I lie there worrying about everything.",
        "You should try sleep hygiene.",
        "I've tried everything though.",
        "I'd recommend keeping a diary by the bed.",
        "Maybe.",
        "It sounds like the nights are the hardest part.",
    )
    coded = code_turns(turns, "Nurse")
    nurse = [(c.turn.text, c.code, c.subtype) for c in coded if c.role == "caregiver"]
    assert nurse[0] == ("You should try sleep hygiene.", "input", "advice")
    assert nurse[1] == ("I'd recommend keeping a diary by the bed.", "input", "advice")
    assert nurse[2][1] == "reflection"


def test_what_counts_as_advice_said_outright():
    assert advises("You could try the walk-in centre on Saturday.")
    assert advises("I want you to ring them tomorrow.")
    assert not advises("Have you thought about ringing them?")  # asked: the head decides
    assert not advises("You should be proud of getting this far?")
    assert not advises("You have to provide for your children.")  # said back, not advice


def test_a_batch_line_of_plain_advice_is_input_too():
    from attunement.analysis.report import analyze_item

    line = analyze_item({"id": 1, "text": "You should try going for a walk instead."})
    assert line["mi"]["code"] == "input" and line["mi"]["subtype"] == "advice"
