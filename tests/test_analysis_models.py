"""The trained models: faithful to how they were trained, safe to load, lazy, and honest
about their scores."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from attunement.analysis import models
from attunement.analysis.linear import load

from .conftest import DATA, SHARED

MODEL_FILES = ("emotions.npz", "mi.npz", "empathy.npz")


def model_bytes(name: str) -> bytes:
    return (resources.files("attunement.analysis") / "models" / name).read_bytes()


@pytest.mark.parametrize("name", MODEL_FILES)
def test_model_files_are_small_and_hold_no_pickles(name):
    blob = model_bytes(name)
    assert len(blob) < 12_000_000, f"{name} is {len(blob) / 1e6:.1f} MB"
    import io

    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:  # refuses object arrays
        assert all(npz[key].dtype != object for key in npz.files)


def test_the_runtime_reproduces_scikit_learn():
    """Reference probabilities were computed at build time through scikit-learn's own
    TfidfVectorizer; the numpy transform must give the same numbers."""
    references = json.loads((DATA / "model_reference.json").read_text(encoding="utf-8"))
    assert set(references) == set(MODEL_FILES)
    for name, cases in references.items():
        model = load(model_bytes(name))
        for case in cases:
            idx, values = model.features(case["text"], case["context"])
            for head, expected in case["probs"].items():
                got = model.heads[head].scores(idx, values)
                np.testing.assert_allclose(got, expected, atol=2e-4, err_msg=f"{name}:{head}")


def test_importing_attunement_loads_no_model():
    code = (
        "import attunement, attunement.analysis, attunement.analysis.models as m, sys; "
        "print(m._model.cache_info().currsize, 'numpy' in sys.modules, "
        "'onnxruntime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False", "False"]


def test_the_shared_encoder_fits_the_heads_it_serves():
    from attunement.analysis.encoder import blend_weights, encoder

    info = json.loads(model_bytes("encoder.json"))
    graph = model_bytes("encoder.onnx")
    assert len(graph) < 30_000_000, f"encoder.onnx is {len(graph) / 1e6:.1f} MB"
    weights = blend_weights()
    assert set(weights) == set(info["heads"]) and all(0 <= w <= 1 for w in weights.values())
    assert any(weights.values()), "no head uses the encoder: ship none"
    for file in ("mi.npz", "empathy.npz"):
        linear = load(model_bytes(file))
        for head in set(info["heads"]) & set(linear.heads):
            assert sorted(info["labels"][head]) == sorted(linear.heads[head].labels), head
    probs = encoder().probabilities("It sounds like you are exhausted.", "I can't sleep.")
    assert set(probs) == {*info["heads"], "pooled"}, "every head, and the vector they share"
    assert probs["pooled"].shape == (384,)
    for head in info["heads"]:
        p = probs[head]
        assert abs(float(p.sum()) - 1) < 1e-5 and (p >= 0).all(), head
    again = encoder().probabilities("It sounds like you are exhausted.", "I can't sleep.")
    assert all(np.array_equal(probs[h], again[h]) for h in probs)
    import os

    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"


def test_passes_run_ahead_side_by_side_give_the_same_readings(monkeypatch):
    """A transcript's turns are read by the encoder on worker threads while the linear
    models work; what each turn gets must not depend on that."""
    monkeypatch.setenv("ATTUNE_ENCODER_THREADS", "2")
    client = [CLIENT, "My wife says I drink too much.", "I want to be there for my kids."]
    replies = ["You relax when you drink.", "What does she notice?", "Being there matters."]
    pairs = [(r, c) for r, c in zip(replies, client, strict=True)]
    one_at_a_time = [(models.mi_behaviour(r, c), models.empathy(r, c)) for r, c in pairs]
    models._encoded_now.cache_clear()
    with models.encoding_ahead(pairs):
        assert set(pairs) <= set(models._ahead)
        ahead = [(models.mi_behaviour(r, c), models.empathy(r, c)) for r, c in pairs]
    assert ahead == one_at_a_time
    assert not models._ahead, "work started ahead is let go when the block ends"


def test_results_are_deterministic():
    text = "I felt so tired and sad after she told me about her husband."
    assert models.emotions(text) == models.emotions(text)
    assert models.empathy("That sounds so hard.", text) == models.empathy(
        "That sounds so hard.", text
    )


CLIENT = "I just can't stop drinking after work, it's the only time I relax."


def test_questions_and_reflections_are_told_apart():
    asked = models.mi_behaviour("What do you enjoy most about that time?", CLIENT)
    assert (asked.code, asked.subtype) == ("question", "open")
    reflected = models.mi_behaviour(
        "It sounds like drinking is the one way you have found to unwind.", CLIENT
    )
    assert reflected.code == "reflection"
    assert abs(sum(asked.scores.values()) - 1) < 1e-3


# A known limit, recorded in docs/model-cards/mi.md (input F1 0.52 linear). Strict: when a
# better model gets it right, the test says so (the change-talk case below flipped when the
# shared encoder arrived).
@pytest.mark.xfail(strict=True, reason="advice is still often read as reflection")
def test_known_limit_plain_advice_is_coded_as_input():
    advice = models.mi_behaviour(
        "You should try going for a walk instead and cut down slowly.", CLIENT
    )
    assert advice.code == "input"


def test_a_plain_wish_to_change_is_change_talk():
    assert models.client_talk("I really want to quit, I know I need to change.").code == "change"


def test_emotions_name_what_is_there():
    thanks = models.emotions("Thank you so much, this means a lot to me.")
    assert "gratitude" in thanks.labels and "joy" in thanks.ekman
    assert set(thanks.scores) == set(thanks.labels) | set(thanks.scores)
    assert len(thanks.scores) == 28 and all(0 <= p <= 1 for p in thanks.scores.values())


def test_empathy_levels_come_with_the_words_that_earned_them():
    seeker = "My mum died last week and I can't stop crying. I feel so alone."
    response = (
        "I'm so sorry for your loss, that must be incredibly painful. "
        "How have you been coping since she passed?"
    )
    result = models.empathy(response, seeker)
    assert result.emotional_reactions.level >= 1
    assert result.explorations.level >= 1
    for level in (result.emotional_reactions, result.explorations):
        assert level.spans
        for start, end in level.spans:
            assert response[start:end].strip()
    flat = models.empathy("ok", seeker)
    assert flat.explorations.level == 0 and flat.explorations.spans == ()


@pytest.mark.skipif(
    not (SHARED / "datasets" / "goemotions").is_dir(),
    reason="the shared datasets folder is not beside the repo",
)
def test_shipped_models_score_what_their_cards_say():
    from attunement.analysis.evaluate import evaluate

    for result in evaluate(SHARED / "datasets"):
        assert result.ours >= result.card - 0.01, (result.head, result.ours, result.card)
