"""What the in-domain heads read of a piece of text, besides its words: the shared
encoder's sentence vector, and the framework rules' own readings. Training
(``training/caregiver.py``) and the app compute them with these same functions."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

from attunement.analysis.linear import has_negation_word
from attunement.analysis.markers import find_rule_markers, lexicon

POOLED_SIZE = 384
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|myself|I'm|I've|I'd|I'll|mine)\b")
_OTHER_PERSON = re.compile(
    r"\b(?:she|he|they|her|him|his|their|them|patient|client|family|wife|husband|son|"
    r"daughter|mother|father|mum|mom|dad|resident|colleague)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|you'll|yourself)\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]|(?:^|\s)'")
ENCODER_HEADS = ("therapist", "emotional_reactions", "interpretations", "explorations")
CUES = ("negation", "first_person", "other_person", "second_person", "quote", "question")


def marker_ids() -> list[str]:
    return [m.id for m in lexicon().markers]


def rule_names() -> list[str]:
    return [f"rule:{m}:{kind}" for m in marker_ids() for kind in ("counts", "not")]


def rule_vector(text: str) -> np.ndarray:
    """For each framework marker, whether its rules found it counting, and whether they
    found it only negated, quoted or about someone else."""
    ids = marker_ids()
    out = np.zeros(2 * len(ids), dtype=np.float32)
    for finding in find_rule_markers(text):
        out[2 * ids.index(finding.id) + (0 if finding.counts else 1)] = 1.0
    return out


def cue_vector(text: str) -> np.ndarray:
    return np.array(
        [
            has_negation_word(text),
            bool(_FIRST_PERSON.search(text)),
            bool(_OTHER_PERSON.search(text)),
            bool(_SECOND_PERSON.search(text)),
            bool(_QUOTE.search(text)),
            text.rstrip().endswith("?"),
        ],
        dtype=np.float32,
    )


def encoded(text: str, context: str = "") -> dict[str, Any]:
    """The shared encoder's pass over ``text`` after ``context``: every head's
    probabilities and the pooled vector (one pass, cached, shared with the other
    readings of the same words)."""
    from attunement.analysis.models import _encoded

    return _encoded(text, context)


def pooled(text: str, context: str = "") -> np.ndarray:
    from attunement.analysis.encoder import POOLED

    return np.asarray(encoded(text, context)[POOLED], dtype=np.float32)


@lru_cache(maxsize=256)
def _sentence_pass(text: str) -> np.ndarray:
    from attunement.analysis.encoder import POOLED, sentence_encoder

    return np.asarray(sentence_encoder().probabilities(text)[POOLED], dtype=np.float32)


def sentence_vector(text: str, context: str = "") -> np.ndarray:
    """all-MiniLM-L6-v2's own vector of ``text`` (mean-pooled, unit length; the context
    is not read): what the words mean, as the sentence-transformers model places them
    (``encoder.sentence_encoder``). One pass per text, cached."""
    vector = _sentence_pass(text)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


BLOCKS = {
    "pooled": lambda text, context: pooled(text, context),
    "sentence": lambda text, context: sentence_vector(text, context),
    "encoder": lambda text, context: np.concatenate(
        [np.asarray(encoded(text, context)[h], dtype=np.float32) for h in ENCODER_HEADS]
    ),
    "rules": lambda text, context: rule_vector(text),
    "cues": lambda text, context: cue_vector(text),
}


def dense_features(
    blocks: list[str], text: str, context: str = "", unread: frozenset[str] = frozenset()
) -> np.ndarray:
    """The named blocks of dense features for ``text`` (after ``context``), in order.
    Blocks in ``unread``, which no head about to read them weighs, are zeros instead of
    being computed (an encoder pass saved; every score the same to the bit)."""
    return np.concatenate(
        [
            np.zeros(block_size(b), dtype=np.float32) if b in unread else BLOCKS[b](text, context)
            for b in blocks
        ]
    ).astype(np.float32)


def block_size(block: str) -> int:
    return len(block_names([block]))


def block_of(name: str) -> str:
    """The block a dense feature's name belongs to ("rule:fixing:counts" -> "rules")."""
    prefix = name.split(":", 1)[0]
    return {"rule": "rules", "cue": "cues"}.get(prefix, prefix)


def block_names(blocks: list[str]) -> list[str]:
    sizes = {"pooled": POOLED_SIZE, "sentence": POOLED_SIZE, "encoder": 13}
    names: list[str] = []
    for b in blocks:
        if b == "rules":
            names += rule_names()
        elif b == "cues":
            names += [f"cue:{c}" for c in CUES]
        else:
            names += [f"{b}:{i}" for i in range(sizes[b])]
    return names
