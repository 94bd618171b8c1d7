"""Linear text models at run time: TF-IDF n-gram features and linear heads in numpy.

Models are trained with scikit-learn by ``training/`` and shipped as ``.npz`` files
(read with ``allow_pickle=False``, so a model file can never run code). This module
reproduces scikit-learn's ``TfidfVectorizer`` transform exactly (lower-casing, the
``(?u)\\b\\w\\w+\\b`` word tokens, word n-grams, ``char_wb`` character n-grams, sublinear
term frequency, idf, l2 norm); ``tests/test_analysis_models.py`` checks that it gives the
same numbers as scikit-learn.

A model has one or more feature blocks (``text``, and ``context`` for the words a
response answers), optionally followed by ``dense`` columns the caller supplies (a
sentence vector, rule readings: ``meta["dense"]`` names them), and one or more heads
(``multilabel``: independent sigmoids with per-label thresholds; ``multiclass``: softmax).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE = re.compile(r"\s\s+")


def phrases_pattern(phrases: tuple[tuple[str, ...], ...]) -> str:
    """An alternation matching any of the lexicon's phrases, words a space or more apart."""
    return "|".join(r"\s+".join(map(re.escape, p)) for p in phrases)


@cache
def _negation() -> re.Pattern[str]:
    """A negation word, unless it opens a phrase that does not negate ("no wonder", "not
    only": the lexicon's ``not_negating`` cues), or a phrase that negates ("anything but
    calm": its ``negating_phrases``); the rules use the same cues, the lexicon's
    ``negation`` words ("wasn't", "didnae", typed "didnt") and any word ending in "n't"."""
    from attunement.analysis.markers import lexicon

    lex = lexicon()
    phrases = phrases_pattern(lex.not_negating)
    skip = rf"(?!(?:{phrases})\b)" if phrases else ""
    listed = "|".join(re.escape(w) for w in sorted(lex.negation, key=len, reverse=True))
    words = rf"(?:{listed}|\w+n[’']t)"
    negating = phrases_pattern(lex.negating_phrases)
    if negating:
        words = f"(?:{words}|{negating})"
    return re.compile(rf"\b{skip}{words}\b", re.IGNORECASE)


_SCOPE_END = re.compile(
    r"[.,;:!?()\[\]—–\"“”]|\b(?:but|yet|although|though|however|so|and then)\b", re.IGNORECASE
)
SCOPE_WORDS = 5


def has_negation_word(text: str) -> bool:
    return _negation().search(text) is not None


def negated_words(text: str) -> set[int]:
    """Where the words in a negation's scope start: up to five words after a negation,
    within its clause."""
    starts: set[int] = set()
    for cue in _negation().finditer(text):
        end = _SCOPE_END.search(text, cue.end())
        limit = end.start() if end else len(text)
        words = list(_TOKEN.finditer(text, cue.end(), limit))[:SCOPE_WORDS]
        starts.update(w.start() for w in words)
    return starts


def mark_negation(text: str) -> str:
    """The text with each word in a negation's scope written as ``not_word``, so that
    "I didn't understand why" shares no n-gram with "I understood why" (the classic
    marking of Das and Chen, 2001)."""
    starts = negated_words(text)
    if not starts:
        return text
    return _TOKEN.sub(lambda m: f"not_{m.group(0)}" if m.start() in starts else m.group(0), text)


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    tokens = _TOKEN.findall(text)
    grams = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    grams: list[str] = []
    for word in _WHITE.sub(" ", text).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(lo, hi + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


@dataclass(frozen=True)
class Vectorizer:
    name: str
    analyzer: str
    ngram: tuple[int, int]
    vocab: dict[str, int]
    idf: np.ndarray
    sublinear: bool
    offset: int  # where this block's columns start in the model's feature space

    def grams(self, text: str) -> list[str]:
        lowered = text.lower()
        lo, hi = self.ngram
        if self.analyzer == "word":
            return word_ngrams(lowered, lo, hi)
        return char_wb_ngrams(lowered, lo, hi)

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        vocab = self.vocab
        for gram in self.grams(text):
            index = vocab.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        values = tf * self.idf[idx]
        norm = np.sqrt(np.dot(values, values))
        if norm > 0:
            values /= norm
        return idx + self.offset, values.astype(np.float32)


@dataclass(frozen=True)
class Head:
    name: str
    kind: str  # "multilabel" | "multiclass"
    labels: tuple[str, ...]
    weights: np.ndarray  # (n_features, n_labels)
    bias: np.ndarray  # (n_labels,)
    thresholds: np.ndarray | None  # multilabel only

    def scores(self, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
        logits = values @ self.weights[idx] + self.bias if idx.size else self.bias.copy()
        logits = logits.astype(np.float64)
        if self.kind == "multilabel":
            return 1.0 / (1.0 + np.exp(-logits))
        shifted = np.exp(logits - logits.max())
        return shifted / shifted.sum()


class LinearModel:
    def __init__(
        self, meta: dict[str, Any], vectorizers: list[Vectorizer], heads: dict[str, Head]
    ) -> None:
        self.meta = meta
        self.vectorizers = vectorizers
        self.heads = heads
        self.dense_names: list[str] = list(meta.get("dense", []))
        self.dense_offset = sum(len(v.vocab) for v in vectorizers)

    def features(
        self, text: str, context: str = "", dense: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.meta.get("mark_negation"):
            text = mark_negation(text)
        parts = [
            v.transform(context if v.name.startswith("context") else text) for v in self.vectorizers
        ]
        if self.dense_names:
            if dense is None or len(dense) != len(self.dense_names):
                raise ValueError(f"this model reads {len(self.dense_names)} dense features")
            columns = np.arange(self.dense_offset, self.dense_offset + len(dense), dtype=np.int64)
            parts.append((columns, np.asarray(dense, dtype=np.float32)))
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))

    def word_contributions(
        self,
        head: str,
        label_index: int,
        text: str,
    ) -> list[tuple[int, int, float]]:
        """How much each word of ``text`` pushed ``head`` towards one label, as
        (start, end, weight) spans: the evidence behind a prediction. A word's weight is
        its share of the word n-gram features it belongs to; for a multiclass head the
        weight is measured against the average label."""
        blocks = [v for v in self.vectorizers if v.name.startswith("text") and v.analyzer == "word"]
        if not blocks:
            return []
        block = blocks[0]
        marked = mark_negation(text) if self.meta.get("mark_negation") else text
        columns, values = block.transform(marked)
        negated = negated_words(text) if marked is not text else set()
        value_of = dict(zip(columns.tolist(), values.tolist(), strict=True))
        weights = self.heads[head].weights
        centred = self.heads[head].kind == "multiclass"

        def direction(column: int) -> float:
            row = weights[column].astype(np.float64)
            return float(row[label_index] - row.mean()) if centred else float(row[label_index])

        tokens = [
            (m.start(), m.end(), ("not_" if m.start() in negated else "") + m.group(0))
            for m in _TOKEN.finditer(text.lower())
        ]
        scores = [0.0] * len(tokens)
        lo, hi = block.ngram
        for n in range(lo, hi + 1):
            for i in range(len(tokens) - n + 1):
                index = block.vocab.get(" ".join(t[2] for t in tokens[i : i + n]))
                if index is None:
                    continue
                column = index + block.offset
                push = value_of.get(column, 0.0) * direction(column) / n
                for k in range(i, i + n):
                    scores[k] += push
        return [(s, e, score) for (s, e, _), score in zip(tokens, scores, strict=True)]


def _decode(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def load(data: bytes) -> LinearModel:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(_decode(npz["meta"]))
        vectorizers = []
        offset = 0
        for block in meta["blocks"]:
            terms = _decode(npz[f"vocab_{block['name']}"]).split("\n")
            vectorizers.append(
                Vectorizer(
                    name=block["name"],
                    analyzer=block["analyzer"],
                    ngram=(block["ngram"][0], block["ngram"][1]),
                    vocab={term: i for i, term in enumerate(terms)},
                    idf=npz[f"idf_{block['name']}"].astype(np.float64),
                    sublinear=block["sublinear"],
                    offset=offset,
                )
            )
            offset += len(terms)
        heads = {}
        for head in meta["heads"]:
            name = head["name"]
            heads[name] = Head(
                name=name,
                kind=head["kind"],
                labels=tuple(head["labels"]),
                weights=npz[f"W_{name}"].astype(np.float32),
                bias=npz[f"b_{name}"].astype(np.float64),
                thresholds=npz[f"thr_{name}"].astype(np.float64) if f"thr_{name}" in npz else None,
            )
    return LinearModel(meta, vectorizers, heads)
