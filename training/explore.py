"""Choosing configurations on dev only (test is never read here).

python -m training.explore [task ...]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.metrics import f1_score

from attunement.analysis import datasets as data
from training.models import (
    CONTEXT_BLOCKS,
    TEXT_BLOCKS,
    Features,
    fit_multiclass,
    fit_multilabel,
    sigmoid,
    tune_offsets,
    tune_thresholds,
)

ROOT = data.DEFAULT_DATASETS


def multiclass(name: str, examples: list[data.Example]) -> None:
    train = [e for e in examples if e.split == "train"]
    dev = [e for e in examples if e.split == "dev"]
    labels = sorted({e.labels[0] for e in examples})
    y_tr = np.array([labels.index(e.labels[0]) for e in train])
    y_dev = np.array([labels.index(e.labels[0]) for e in dev])
    for use_context in (False, True):
        feats = Features(TEXT_BLOCKS + (CONTEXT_BLOCKS if use_context else []))
        X_tr = feats.fit([e.text for e in train], [e.context for e in train])
        X_dev = feats.transform([e.text for e in dev], [e.context for e in dev])
        for C in (1.0, 4.0, 16.0):
            for balanced in (True, False):
                started = time.time()
                model = fit_multiclass(X_tr, y_tr, C, balanced)
                logits = model.decision_function(X_dev)
                plain = f1_score(y_dev, np.argmax(logits, 1), average="macro")
                offsets = tune_offsets(logits, y_dev)
                tuned = f1_score(y_dev, np.argmax(logits + offsets, 1), average="macro")
                print(
                    f"{name} context={use_context} C={C} balanced={balanced}: dev macro-F1 "
                    f"{plain:.3f} (offsets tuned on dev: {tuned:.3f}) {time.time() - started:.0f}s",
                    flush=True,
                )


def emotions() -> None:
    names, ekman, examples = data.goemotions(ROOT)
    train = [e for e in examples if e.split == "train"]
    dev = [e for e in examples if e.split == "dev"]
    feats = Features(TEXT_BLOCKS)
    X_tr = feats.fit([e.text for e in train], ["" for _ in train])
    X_dev = feats.transform([e.text for e in dev], ["" for _ in dev])
    groups = sorted(ekman) + ["neutral"]
    for label_set, label_fn in (
        ("go28", lambda e: e.labels),
        ("ekman7", lambda e: data.ekman_labels(e.labels, ekman)),
    ):
        space = names if label_set == "go28" else groups
        Y_tr = np.array([[lab in label_fn(e) for lab in space] for e in train], dtype=int)
        Y_dev = np.array([[lab in label_fn(e) for lab in space] for e in dev], dtype=int)
        for C in (2.0, 4.0, 8.0):
            started = time.time()
            W, b = fit_multilabel(X_tr, Y_tr, C)
            P = sigmoid(X_dev @ W + b)
            thr = tune_thresholds(P, Y_dev)
            f1 = f1_score(Y_dev, P >= thr, average="macro", zero_division=0)
            print(
                f"emotions {label_set} C={C}: dev macro-F1 with dev-tuned thresholds {f1:.3f}"
                f" (0.5: {f1_score(Y_dev, P >= 0.5, average='macro', zero_division=0):.3f})"
                f" {time.time() - started:.0f}s",
                flush=True,
            )


TASKS = {
    "therapist": lambda: multiclass("annomi-therapist", data.annomi_therapist(ROOT)),
    "client": lambda: multiclass("annomi-client", data.annomi_client(ROOT)),
    "er": lambda: multiclass("epitome-ER", data.epitome(ROOT, "emotional_reactions")),
    "ip": lambda: multiclass("epitome-IP", data.epitome(ROOT, "interpretations")),
    "ex": lambda: multiclass("epitome-EX", data.epitome(ROOT, "explorations")),
    "emotions": emotions,
}

if __name__ == "__main__":
    for task in sys.argv[1:] or list(TASKS):
        TASKS[task]()
