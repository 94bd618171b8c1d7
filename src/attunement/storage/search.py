"""Full-text search: turning what a person types into a safe index query, and the index's
highlighted snippet into plain text with highlight spans.

People type words, "quoted phrases" and ``prefix*``; every term must match. Everything
else (FTS5 operators, stray quotes, punctuation) is treated as text, so no query can be a
syntax error. SQLite uses FTS5 with the porter stemmer ("tightened" finds "tighten";
"cry" also finds "cried");
the PostgreSQL store will build a ``tsquery`` from the same terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attunement.errors import InvalidInput

# The journal's index (schema: entries_fts) and the in-memory one that makes snippets.
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"
HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[\w]+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False


def parse_query(text: str) -> list[Term]:
    terms: list[Term] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.groups()
        raw = phrase if phrase is not None else word
        prefix = phrase is None and raw.endswith("*")
        words = tuple(_WORD_CHARS.findall(raw))
        if words:
            terms.append(Term(words, prefix=prefix and len(words) == 1))
    if not terms:
        raise InvalidInput(
            "The search has no words to look for; type at least one word.", field="query"
        )
    return terms


# A short word whose only vowel is its final y ("cry", "try", "dry"): the porter stemmer
# keeps it as it is but stems "cried" and "cries" to "cri", so the word's -ied form is
# looked for too.
_SHORT_Y = re.compile(r"^[^aeiouy\W\d_]+y$", re.IGNORECASE)


def fts5_match(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
        if not term.prefix and len(term.words) == 1 and _SHORT_Y.match(term.words[0]):
            parts.append(f'({quoted} OR "{term.words[0][:-1]}ied")')
            continue
        parts.append(quoted + ("*" if term.prefix else ""))
    return " AND ".join(parts)


def split_highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove the index's highlight markers, returning the text and the marked spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    start = None
    length = 0
    for char in marked:
        if char == HIGHLIGHT_OPEN:
            start = length
        elif char == HIGHLIGHT_CLOSE:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            out.append(char)
            length += 1
    return "".join(out), tuple(spans)
