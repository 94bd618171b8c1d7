"""Spoken English read as written English, for the models only.

A reply written as people speak ("Ye're feart he'll go if ye close yer eyes") holds words
the models met too rarely to read, and they guessed confidently and wrongly (reassurance,
0.89); a statement said back with a tag ("Shoulders up round your ears, is it?") was read as
a closed question, where the guideline's labellers code it by what it says. The heads that
read a reply's moves and the whole reply read it with the standard spellings
(``framework/spellings.toml``) and without such tags; the rules, the evidence and everything
shown keep the person's own words, at their own places.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from importlib import resources

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*'?")
MIN_DROPPED_G = 5  # "tryin" and longer; "sin", "win", "thin" are words of their own


@cache
def _table() -> dict[str, str]:
    raw = (resources.files("attunement.framework") / "spellings.toml").read_text("utf-8")
    return {k.lower(): v for k, v in tomllib.loads(raw)["words"].items()}


@cache
def _known() -> frozenset[str]:
    """The whole words the shipped encoder's vocabulary holds."""
    folder = resources.files("attunement.analysis") / "models"
    raw = (folder / "encoder-tokenizer.json").read_text("utf-8")
    return frozenset(w for w in json.loads(raw)["model"]["vocab"] if w.isalpha())


def _standard(word: str) -> str:
    lower = word.lower()
    found = _table().get(lower)
    if found is not None:
        return found
    base, mark, clitic = lower.partition("'")
    if mark and clitic and base in _table():
        return f"{_table()[base]}'{clitic}"  # "Whit's" -> "what's"
    bare = lower.rstrip("'")
    if (
        bare.endswith("in")
        and len(bare) >= MIN_DROPPED_G
        and (lower.endswith("'") or bare not in _known())
        and bare + "g" in _known()
    ):
        return bare + "g"  # "pressin", "feelin'": the "-ing" form
    return word


def standard_spelling(text: str) -> str:
    """``text`` with each spoken or typed spelling the table knows read as the standard
    word ("tryin tae" -> "trying to"); every other word, and everything between words, as
    written."""
    return _WORD.sub(lambda m: _standard(m.group(0)), text)


# A tag that asks nothing after a statement: "…, is it?", "…, no?", "…, right?".
_TAG = re.compile(
    r",\s*(?:is it|isn't it|isnt it|innit|no|right|yeah|yes|eh|hey|ja|ano|lah|nah|aye)\s*\?"
    r"(?=\s|$)",
    re.I,
)
# What opens a real question, which keeps its question mark: "Did you sleep at all, no?".
_ASKS = re.compile(
    r"^\W*(?:what|whit|how|hoo|why|when|where|who|which|whose|do|does|did|is|are|was|were|"
    r"can|could|would|will|shall|should|have|has|had|may|might|am)\b",
    re.I,
)


def as_written(text: str) -> str:
    """``text`` as the models read it: spoken spellings as the standard words, and a
    statement's closing tag ("You are doubting yourself, no?") as a full stop."""
    text = standard_spelling(text)
    out, start = [], 0
    for tag in _TAG.finditer(text):
        opening = max(text.rfind(mark, 0, tag.start()) for mark in ".!?\n") + 1
        if _ASKS.match(text[opening : tag.start()]):
            continue
        out.append(text[start : tag.start()] + ".")
        start = tag.end()
    return "".join(out) + text[start:]
