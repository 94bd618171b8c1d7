"""Reading many texts at once gives each the reading it gets alone: `attune analyze
--batch` runs the encoder's passes ahead on two threads, and work no head weighs is
skipped, yet no reading changes. (The whole corpus: benchmarks/analysis_readings.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from attunement.analysis import encoder as encoder_module
from attunement.analysis import features, markers, models
from attunement.analysis.report import analyze_item
from attunement.analysis.writing import blended

ENTRIES = Path(__file__).resolve().parent.parent / "training" / "caregiver" / "entries"
STATEMENT = "Since Mum went into the home I can't sleep, and I keep thinking I failed her."


def _forget_earlier_texts() -> None:
    for module in (features, markers, models):
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and getattr(value, "__name__", "") not in (
                "lexicon",
                "_model",
            ):
                value.cache_clear()


def _varied_items() -> list[dict]:
    entries = [json.loads(line) for line in (ENTRIES / "a.jsonl").read_text("utf-8").splitlines()]
    items: list[dict] = []
    for number, entry in enumerate(entries[::15]):
        items.append({"id": entry["id"], "text": entry["text"]})
        if number % 2:
            items.append(
                {"id": f"{entry['id']}+reply", "text": entry["text"], "context": STATEMENT}
            )
    odd = [
        "Tired.",
        "# Monday\n- couldn't focus\n- my shoulders were up around my ears\n1. Ask Dr. Okafor",
        '"At least you still have your kids," she said. I wasn\'t curious; I just nodded.',
        "I noticed " + "and then I noticed " * 80 + "that my breath dropped into my belly.",
        "Maybe you could ask your brother to sit with her tonight so you can sleep?",
    ]
    for number, text in enumerate(odd):
        items.append({"id": f"odd-{number}", "text": text})
        items.append({"id": f"odd-{number}+reply", "text": text, "context": STATEMENT})
        items.append({"id": f"odd-{number}+client", "text": text, "speaker": "client"})
    return items


def test_a_batch_reads_each_text_exactly_as_it_is_read_alone(attune, tmp_path):
    items = _varied_items()
    alone = []
    for item in items:
        _forget_earlier_texts()
        alone.append(analyze_item(item))
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    _forget_earlier_texts()
    out = attune("analyze", "--batch", str(path), env={"ATTUNE_ENCODER_THREADS": "2"}).stdout
    together = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in together] == [item["id"] for item in items]
    for mine, theirs in zip(alone, together, strict=True):
        assert mine == theirs, mine["id"]


def _sentence_passes(monkeypatch) -> list[str]:
    seen: list[str] = []
    sentence = encoder_module.sentence_encoder()
    original = sentence.probabilities

    def counted(text: str, context: str = "") -> dict:
        seen.append(text)
        return original(text, context)

    monkeypatch.setattr(sentence, "probabilities", counted)
    return seen


def test_a_negated_sentence_the_words_head_decides_alone_costs_no_encoder_pass(monkeypatch):
    model = models._model("markers.npz")
    words_head = model.heads["markers"]
    negated = "I wasn't tired at all by the end of the shift."
    plain = "I was tired by the end of the shift."
    _forget_earlier_texts()
    seen = _sentence_passes(monkeypatch)
    probs = blended(model, "markers", negated)
    assert seen == [], "the words head alone decides a negated sentence"
    blended(model, "markers", plain)
    assert seen == [plain], "an affirmed sentence is read by the meaning partner too"
    # Every score is what reading the sentence vector would give, to the bit.
    full = model.features(
        negated, dense=features.dense_features(model.meta["dense_blocks"], negated)
    )
    assert np.array_equal(probs, words_head.scores(*full))
