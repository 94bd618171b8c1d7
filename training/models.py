"""Training linear models: TF-IDF feature blocks, logistic-regression heads, thresholds
and class offsets tuned on dev, and export to the .npz format the app reads."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

SEED = 20261125


@dataclass
class Block:
    name: str  # "text..." blocks read the text; "context..." blocks read the context
    analyzer: str
    ngram: tuple[int, int]
    min_df: int = 2
    max_features: int | None = None

    def vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngram,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
        )


TEXT_BLOCKS = [
    Block("text_word", "word", (1, 2), min_df=2),
    Block("text_char", "char_wb", (2, 5), min_df=3, max_features=150_000),
]
CONTEXT_BLOCKS = [Block("context_word", "word", (1, 2), min_df=2, max_features=30_000)]


@dataclass
class Features:
    blocks: list[Block]
    fitted: list[TfidfVectorizer] = field(default_factory=list)

    def fit(self, texts: list[str], contexts: list[str]) -> sparse.csr_matrix:
        self.fitted = [b.vectorizer() for b in self.blocks]
        parts = [
            v.fit_transform(contexts if b.name.startswith("context") else texts)
            for b, v in zip(self.blocks, self.fitted, strict=True)
        ]
        return sparse.hstack(parts).tocsr()

    def transform(self, texts: list[str], contexts: list[str]) -> sparse.csr_matrix:
        parts = [
            v.transform(contexts if b.name.startswith("context") else texts)
            for b, v in zip(self.blocks, self.fitted, strict=True)
        ]
        return sparse.hstack(parts).tocsr()


def fit_multiclass(X: Any, y: np.ndarray, C: float, balanced: bool) -> LogisticRegression:
    model = LogisticRegression(
        C=C, max_iter=3000, class_weight="balanced" if balanced else None, random_state=SEED
    )
    return model.fit(X, y)


def fit_multilabel(X: Any, Y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    weights, biases = [], []
    for j in range(Y.shape[1]):
        model = LogisticRegression(C=C, max_iter=2000, solver="liblinear", random_state=SEED)
        model.fit(X, Y[:, j])
        weights.append(model.coef_[0])
        biases.append(model.intercept_[0])
    return np.stack(weights, axis=1), np.array(biases)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def tune_thresholds(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    grid = np.linspace(0.05, 0.95, 37)
    best = []
    for j in range(Y.shape[1]):
        scores = [f1_score(Y[:, j], P[:, j] >= t, zero_division=0) for t in grid]
        best.append(grid[int(np.argmax(scores))])
    return np.array(best)


def tune_offsets(logits: np.ndarray, y: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Per-class additive offsets to the logits that maximise macro-F1 on dev."""
    offsets = np.zeros(logits.shape[1])
    grid = np.linspace(-2.0, 2.0, 41)
    for _ in range(rounds):
        for k in range(logits.shape[1]):
            scores = []
            for value in grid:
                trial = offsets.copy()
                trial[k] = value
                pred = np.argmax(logits + trial, axis=1)
                scores.append(f1_score(y, pred, average="macro", zero_division=0))
            offsets[k] = grid[int(np.argmax(scores))]
    return offsets


def export(features: Features, heads: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    """Write the .npz the app reads: vocabularies as UTF-8 text, weights as float16/32."""
    arrays: dict[str, np.ndarray] = {}
    blocks = []
    for block, vec in zip(features.blocks, features.fitted, strict=True):
        terms = [""] * len(vec.vocabulary_)
        for term, index in vec.vocabulary_.items():
            terms[index] = term
        assert all("\n" not in t for t in terms)
        arrays[f"vocab_{block.name}"] = np.frombuffer("\n".join(terms).encode(), dtype=np.uint8)
        arrays[f"idf_{block.name}"] = vec.idf_.astype(np.float32)
        blocks.append(
            {
                "name": block.name,
                "analyzer": block.analyzer,
                "ngram": list(block.ngram),
                "sublinear": True,
            }
        )
    head_meta = []
    for head in heads:
        arrays[f"W_{head['name']}"] = head["weights"].astype(np.float16)
        arrays[f"b_{head['name']}"] = head["bias"].astype(np.float32)
        if head.get("thresholds") is not None:
            arrays[f"thr_{head['name']}"] = np.asarray(head["thresholds"], dtype=np.float32)
        head_meta.append(
            {"name": head["name"], "kind": head["kind"], "labels": list(head["labels"])}
        )
    meta = {**meta, "blocks": blocks, "heads": head_meta}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()
