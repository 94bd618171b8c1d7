"""Where a piece of writing divides: sentences (with Markdown's headings and list marks
left out of them) and, inside a sentence, clauses. Every piece is a span of the original
text, so a finding can always point at the writer's own words. Pure and fast."""

from __future__ import annotations

import re

Span = tuple[int, int]

# A sentence ends at . ! ? or … (and any closing quotes or brackets after them) before
# white space, and at every line break: journal lines, list items and headings stand alone.
_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)|\n""")
_LEAD = re.compile(r"""^\s*(?:#{1,6}\s+|[-*+•]\s+|\d{1,3}[.)]\s+|>\s*)*""")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st prof rev fr sr jr vs etc e.g i.e approx dept no mt".split()
)
_LIST_NUMBER = re.compile(r"\s*\d{1,3}[.)]")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")
# Clauses divide at these marks and at these words (the word starts the next clause).
_CLAUSE_MARK = re.compile(r"[,;:—–()]|\s-\s")
_CLAUSE_WORD = re.compile(
    r"\b(?:but|yet|although|though|because|while|whereas|so that|and then|until|when|which)\b"
    # "and I…", "so I…": a new clause with the writer as its subject ("My chest tightened
    # and I wanted to fix it"), unlike "tired and sad"
    r"|\b(?:and|so) (?=I\b|I'[a-z]+\b)",
    re.IGNORECASE,
)
_HAS_WORD = re.compile(r"\w")


def _trimmed(text: str, start: int, end: int) -> Span | None:
    piece = text[start:end]
    lead = _LEAD.match(piece)
    skip = lead.end() if lead else 0
    stripped = piece[skip:]
    left = len(stripped) - len(stripped.lstrip())
    right = len(stripped.rstrip())
    if not _HAS_WORD.search(stripped[left:right]):
        return None
    return (start + skip + left, start + skip + right)


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as (start, end) spans, in order."""
    spans: list[Span] = []
    start = 0
    for match in _END.finditer(text):
        if match.group() != "\n":
            line_start = text.rfind("\n", 0, match.start()) + 1
            if _LIST_NUMBER.fullmatch(text[line_start : match.end()]):  # "1. " opens an item
                continue
            before = _WORD_BEFORE.search(text[max(0, match.start() - 12) : match.start() + 1])
            if before and before.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        span = _trimmed(text, start, match.end())
        if span:
            spans.append(span)
        start = match.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def clauses(text: str, span: Span) -> list[Span]:
    """The clauses of one sentence (a span of ``text``), in order."""
    start, end = span
    cuts = {start, end}
    piece = text[start:end]
    for match in _CLAUSE_MARK.finditer(piece):
        cuts.update((start + match.start(), start + match.end()))
    for match in _CLAUSE_WORD.finditer(piece):
        cuts.add(start + match.start())
    edges = sorted(cuts)
    out = []
    for a, b in zip(edges, edges[1:], strict=False):
        chunk = text[a:b]
        if _HAS_WORD.search(chunk):
            left = len(chunk) - len(chunk.lstrip(" ,;:—–()-"))
            right = len(chunk.rstrip(" ,;:—–()-"))
            out.append((a + left, a + right))
    return out
