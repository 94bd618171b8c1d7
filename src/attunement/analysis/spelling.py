"""Spoken and typed spellings read as the standard words, for the models only.

A reply written as people speak ("Ye're feart he'll go if ye close yer eyes") holds words
the models met too rarely to read, and they guessed confidently and wrongly (reassurance,
0.89). The heads that read a reply's moves and the whole reply read it with the standard
spellings instead (``framework/spellings.toml``); the rules, the evidence and everything
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
