"""The words a pattern cannot match without: a quick, exact test before a slow search.

Most sentences hold none of a marker's signs, yet searching a case-insensitive pattern
costs the same whether it matches or not. ``required_words`` reads a compiled pattern
and returns a few lower-case strings of which every match must contain at least one
("want", "wanted", "wanting" for ``\\b(?:want|wanted|wanting) to``); where it cannot say
(a pattern made only of classes and repeats), it returns ``None`` and the pattern is
always searched. ``may_contain`` asks whether a lower-cased text holds any of them: a
substring test, many times cheaper than the search, and never wrong the other way, so a
pattern it rules out could not have matched (``tests/test_analysis_speed.py`` checks
this on every labelled text and every character a case-insensitive match can meet).

Lower-casing the text is what makes the test cheap, and it agrees with the regular
expression engine's case rules for the characters a required word may hold (ASCII and
the curly apostrophes) except for three: the dotted capital I, the dotless i and the long
s, which the engine matches to "i" and "s" and ``str.lower`` does not. A text holding
one of them is searched in full (``foldable`` returns ``None``).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_op: Any
_parser: Any
try:  # the standard library's own reading of a pattern (a private module, stable since 3.11)
    _op = importlib.import_module("re._constants")
    _parser = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python: every pattern is searched
    _parser = None

# Characters a required word may hold: case-insensitive matching of these is lower-casing,
# but for the exceptions below.
_PLAIN = frozenset(map(chr, range(128))) | {"’", "‘"}
_CASE_EXCEPTIONS = re.compile("[\u0130\u0131\u017f]")  # İ, ı, ſ
_SHORTEST = 2  # a required word shorter than this selects nothing


def foldable(text: str) -> str | None:
    """``text`` lower-cased for ``may_contain``, or ``None`` when it holds a character
    whose case rules lower-casing does not follow."""
    if not text.isascii() and _CASE_EXCEPTIONS.search(text):
        return None
    return text.lower()


def may_contain(folded: str, words: tuple[str, ...]) -> bool:
    return any(word in folded for word in words)


def required_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case strings of which every match of ``pattern`` contains one, or ``None``."""
    if _parser is None:  # pragma: no cover
        return None
    try:
        found = _required(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - an unreadable pattern is simply always searched
        return None
    if not found or min(map(len, found)) < _SHORTEST:
        return None
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def _required(items: list[tuple[Any, Any]]) -> set[str] | None:
    """For a sequence of parsed items: the best of the word sets that each must appear
    (a run of literal characters is one word; a group or alternation gives its own)."""
    options: list[set[str]] = []
    run = ""
    for op, arg in items:
        if op is _op.LITERAL:
            char = chr(arg)
            if char in _PLAIN:
                run += char.lower()
                continue
        if run:
            options.append({run})
            run = ""
        inner = _inner(op, arg)
        if inner:
            options.append(inner)
    if run:
        options.append({run})
    if not options:
        return None
    return max(options, key=lambda words: (min(map(len, words)), -len(words)))


def _inner(op: Any, arg: Any) -> set[str] | None:
    """The words one item requires: a group's, every branch's of an alternation, a
    repeat's taken at least once; nothing for classes, anchors and look-arounds."""
    if op is _op.SUBPATTERN:
        return _required(list(arg[3]))
    if op is _op.BRANCH:
        branches = [_required(list(branch)) for branch in arg[1]]
        if any(words is None for words in branches):
            return None
        return {word for words in branches if words for word in words}
    if op in (_op.MAX_REPEAT, _op.MIN_REPEAT, _op.POSSESSIVE_REPEAT):
        low, _high, body = arg
        return _required(list(body)) if low >= 1 else None
    if op is _op.ATOMIC_GROUP:
        return _required(list(arg))
    return None
