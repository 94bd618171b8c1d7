"""Scoring the shipped models on the test splits of the shared datasets, through exactly
the code users run. Used by `attune eval` and by the test that guards the model cards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from attunement.analysis import datasets
from attunement.analysis.models import _model, emotion_probabilities, probabilities
from attunement.errors import InvalidInput


def card_scores() -> dict[str, dict[str, Any]]:
    """The figures recorded when the shipped models were built (training/build.py)."""
    raw = (resources.files("attunement.analysis") / "models" / "scores.json").read_text("utf-8")
    return json.loads(raw)


def macro_f1(truth: np.ndarray, pred: np.ndarray, n_labels: int) -> tuple[float, list[float]]:
    """Macro-F1 over classes (1-d arrays of class indices) or labels (2-d 0/1 arrays)."""
    if truth.ndim == 1:
        truth = np.eye(n_labels, dtype=int)[truth]
        pred = np.eye(n_labels, dtype=int)[pred]
    tp = (truth & pred).sum(axis=0)
    fp = ((1 - truth) & pred).sum(axis=0)
    fn = (truth & (1 - pred)).sum(axis=0)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(f1.mean()), [float(x) for x in f1]


@dataclass(frozen=True)
class Result:
    head: str
    task: str
    ours: float
    card: float
    published: float | None
    baseline: float | None
    target: float | None
    per_class: dict[str, float]
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "task": self.task,
            "ours": round(self.ours, 4),
            "card": self.card,
            "published": self.published,
            "baseline": self.baseline,
            "target": self.target,
            "n": self.n,
            "per_class": {k: round(v, 4) for k, v in self.per_class.items()},
        }


def _examples(root: Path) -> dict[str, Callable[[], list[datasets.Example]]]:
    return {
        "therapist": lambda: datasets.annomi_therapist(root),
        "reflection_subtype": lambda: datasets.annomi_subtype(
            root, "reflection", "reflection_subtype"
        ),
        "question_subtype": lambda: datasets.annomi_subtype(root, "question", "question_subtype"),
        "input_subtype": lambda: datasets.annomi_subtype(
            root, "therapist_input", "therapist_input_subtype"
        ),
        "client": lambda: datasets.annomi_client(root),
        "emotional_reactions": lambda: datasets.epitome(root, "emotional_reactions"),
        "interpretations": lambda: datasets.epitome(root, "interpretations"),
        "explorations": lambda: datasets.epitome(root, "explorations"),
    }


def evaluate(root: Path) -> Iterator[Result]:
    if not (root / "goemotions").is_dir():
        raise InvalidInput(
            f"The datasets folder {root} is not there; point --datasets (or "
            "ATTUNE_DATASETS) at the shared datasets.",
            field="datasets",
        )
    cards = card_scores()
    loaders = _examples(root)
    names, ekman, emotion_examples = datasets.goemotions(root)
    emotion_test = [e for e in emotion_examples if e.split == "test"]
    for head, card in cards.items():
        model = _model(card["model"])
        h = model.heads[head]
        if head in ("go28", "ekman"):
            truths, preds = [], []
            for example in emotion_test:
                gold = (
                    example.labels
                    if head == "go28"
                    else datasets.ekman_labels(example.labels, ekman)
                )
                probs, thresholds = emotion_probabilities(example.text)[head]
                truths.append([lab in gold for lab in h.labels])
                preds.append(probs >= thresholds)
            truth = np.array(truths, dtype=int)
            pred = np.array(preds, dtype=int)
            n = len(emotion_test)
        else:
            test = [e for e in loaders[head]() if e.split == "test"]
            truth = np.array([h.labels.index(e.labels[0]) for e in test])
            pred = np.array(
                [
                    int(
                        probabilities(
                            model, head, model.features(e.text, e.context), e.text, e.context
                        ).argmax()
                    )
                    for e in test
                ]
            )
            n = len(test)
        score, per = macro_f1(truth, pred, len(h.labels))
        yield Result(
            head=head,
            task=card["task"],
            ours=score,
            card=card["test_macro_f1"],
            published=card["published"],
            baseline=card["baseline"],
            target=card["target"],
            per_class=dict(zip(h.labels, per, strict=True)),
            n=n,
        )
