"""A marker's patterns are searched only in sentences holding a word they cannot match
without (analysis/literals.py): the test must never rule out a pattern that would match,
so the rules read every text exactly as a full search does."""

import json
import re
from pathlib import Path

import pytest

from attunement.analysis import markers
from attunement.analysis.literals import foldable, may_contain, required_words
from attunement.analysis.markers import lexicon

ROOT = Path(__file__).resolve().parents[1]


def labelled_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "training" / "caregiver").glob("*/*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            item = json.loads(line)
            if isinstance(item, dict) and "text" in item:
                texts.append(item["text"])
    return texts


def every_search():
    for marker in lexicon().markers:
        for pattern, _is_idiom, words in marker.searches:
            yield marker.id, pattern, words


def test_required_words_of_plain_patterns():
    # the alternation's common start is all it needs ("want|wanted|wanting")
    assert required_words(re.compile(r"\b(?:want|wanted|wanting) to\b", re.I)) == ("want",)
    assert required_words(re.compile(r"\b(?:tired|weary) out", re.I)) == ("tired", "weary")
    assert required_words(re.compile(r"\bmy (?:neck|back) (?:ached|hurt)", re.I)) == (
        "back",
        "neck",
    )
    # a required word is never taken from an optional part or a class
    assert required_words(re.compile(r"(?:really )?[a-z]+ly tired", re.I)) == ("ly tired",)
    assert required_words(re.compile(r"\w+", re.I)) is None


def test_almost_every_pattern_has_a_test():
    searches = list(every_search())
    untested = [pattern.pattern for _, pattern, words in searches if words is None]
    assert len(untested) <= len(searches) // 20, untested


def test_no_pattern_that_matches_a_labelled_text_is_ruled_out():
    searches = list(every_search())
    for text in labelled_texts()[::3]:
        folded = foldable(text)
        if folded is None:
            continue  # a Turkish dotless i or a long s: such a text is searched in full
        for marker_id, pattern, words in searches:
            if words is not None and pattern.search(text):
                assert may_contain(folded, words), (marker_id, pattern.pattern, text)


def test_lower_casing_agrees_with_the_case_rules_of_every_required_character():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    characters = {c for _, _, words in every_search() for word in words or () for c in word}
    for char in characters:
        for met in re.finditer(re.escape(char), everything, re.IGNORECASE):
            found = met.group(0)
            assert found.lower() == char or foldable(found) is None, (char, found)


@pytest.mark.parametrize(
    "text",
    [
        "I WAS SO TİRED I COULD HAVE CRIED",  # a dotted capital I: searched in full
        "I was ſo tired",  # a long s
        "MY SHOULDERS WERE UP AROUND MY EARS",
        "I wanted to fix it for her",
        "I’m knackered, I’ll be honest",
        "",
    ],
)
def test_odd_texts_read_the_same_with_and_without_the_test(text, monkeypatch):
    gated = markers._rule_markers.__wrapped__(text)
    monkeypatch.setattr(markers, "foldable", lambda _text: None)
    assert markers._rule_markers.__wrapped__(text) == gated


def test_labelled_texts_read_the_same_with_and_without_the_test(monkeypatch):
    texts = labelled_texts()[::7]
    gated = [markers._rule_markers.__wrapped__(t) for t in texts]
    monkeypatch.setattr(markers, "foldable", lambda _text: None)
    assert [markers._rule_markers.__wrapped__(t) for t in texts] == gated
