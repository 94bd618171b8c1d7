"""`attune analyze`: explainable feedback on one's own writing and responses."""

from __future__ import annotations

import json


def test_analysing_an_entry_shows_markers_feelings_and_a_summary(attune):
    entry_id = attune(
        "write",
        "My chest tightened when she cried and I wanted to fix it. I did not feel rushed though.",
    ).stdout.strip()
    result = attune.json("analyze", entry_id)
    ids = {(m["id"], m["negated"]) for m in result["markers"]}
    assert {("somatic-awareness", False), ("fixing", False), ("efforting", True)} <= ids
    somatic = next(m for m in result["markers"] if m["id"] == "somatic-awareness")
    assert somatic["evidence"] == ["My chest tightened"]
    assert "body" in somatic["explanation"]
    assert set(result["feelings"]) == {"named", "groups", "model"}
    assert result["summary"].startswith("Showed up:")
    text = attune("analyze", entry_id).stdout
    assert "Noticing your body (also called somatic awareness)" in text
    assert "not counted: you said it was not so" in text


def test_text_and_stdin_give_the_same_analysis(attune):
    words = "I was curious about what the silence held."
    assert attune.json("analyze", "--text", words) == attune.json("analyze", "-", input=words)


def test_feedback_on_a_response(attune):
    result = attune.json(
        "analyze",
        "--response",
        "You should just try to get more sleep.",
        "--to",
        "I'm exhausted and I can't cope with the kids anymore.",
    )
    assert result["mi"]["code"] == "input"
    assert set(result["empathy"]) == {"emotional_reactions", "interpretations", "explorations"}
    assert any(m["id"] == "fixing" for m in result["markers"])
    text = attune(
        "analyze",
        "--response",
        "That sounds exhausting. What is the hardest part?",
        "--to",
        "I'm exhausted and I can't cope.",
    ).stdout
    assert "What the response does" in text and "Inviting them to say more" in text


def test_batch_writes_one_line_per_input_and_names_bad_lines(attune, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "I felt so sorry for her, poor thing."}),
                json.dumps({"id": "b", "text": "I want to stop drinking.", "speaker": "client"}),
                "{not json",
                json.dumps(
                    {
                        "id": "d",
                        "text": "How did that feel?",
                        "context": "My dog died yesterday and I miss him.",
                    }
                ),
                json.dumps({"id": "e", "text": ""}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    lines = [
        json.loads(line)
        for line in attune("analyze", "--batch", str(path), ok=False).stdout.splitlines()
    ]
    assert [line.get("id") for line in lines] == ["a", "b", None, "d", "e"]
    assert any(m["id"] == "sympathy" for m in lines[0]["markers"])
    assert lines[0]["mi"]["code"] in {"reflection", "question", "input", "other"}
    assert "empathy" not in lines[0], "empathy needs the words being answered"
    assert lines[1]["client_talk"]["code"] in {"change", "sustain", "neutral"}
    assert "line 3" in lines[2]["error"]["message"]
    assert set(lines[3]["empathy"]) == {"emotional_reactions", "interpretations", "explorations"}
    assert lines[4]["error"]["code"] == "invalid_input"


def test_bad_requests_are_clear(attune):
    for args, phrase in [
        (["analyze"], "Give one thing to analyse"),
        (["analyze", "--text", "a", "--response", "b"], "Give one thing to analyse"),
        (["analyze", "--response", "b"], "needs --to"),
        (["analyze", "--text", "   "], "no text to analyse"),
        (["analyze", "nosuch1"], "no entry"),
    ]:
        result = attune(*args, ok=False)
        assert result.exit_code in (1, 2) and phrase in result.stderr, (args, result.stderr)


def test_a_regret_is_told_apart_from_what_was_felt(attune):
    words = "I should have been more curious about her. I was tired."
    text = attune("analyze", "--text", words).stdout
    assert "You name: tired" in text
    assert "You wish you had been, or will be: curious" in text
    assert "not counted: wished for or regretted, not done" in text
