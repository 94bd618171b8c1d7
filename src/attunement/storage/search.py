"""Full-text search: turning what a person types into a safe index query, and the index's
highlighted snippet into plain text with highlight spans.

People type words, "quoted phrases", ``prefix*`` and ``[placeholders]`` (a phrase: "[Client
A]"); every term must match, unless OR (in any case) stands between two terms: then either
of them will do ("sad OR angry", "grief or loss"; OR joins only the terms on either side of
it, so "night sad OR angry" is night and either of the other two). An "or" at the start or
end, or in quotes, is an ordinary word. Everything else (FTS5 operators, stray quotes,
punctuation) is treated as text, so no query can be a syntax error: each term reaches the
index as a quoted string.

The index's tokenizer keeps letters and digits only, so emoji and other symbols (😢, ♥, €)
are not in it. A query with no words but such symbols is answered by reading the entries
instead (``symbol_clause``: a substring match, newest first), with the same AND and OR; in a
query with words, its symbols are left out and the words decide. Making symbols index
tokens instead would change ordinary searches ("sad😢" would become one token that "sad"
no longer finds) and rebuild every journal's index.

SQLite uses FTS5 with the porter stemmer ("tightened" finds "tighten"; "cry" also finds
"cried"); the PostgreSQL store will build a ``tsquery`` from the same terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from attunement.errors import InvalidInput

# The journal's index (schema: entries_fts) and the in-memory one that makes snippets.
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"
HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"
_TOKEN = re.compile(r'"([^"]*)"|\[([^\]"\s][^\]"]*)\]|(\S+)')
_WORD_CHARS = re.compile(r"[\w]+", re.UNICODE)
# Emoji presentation selectors: "❤️" is "❤" asked to look like an emoji; either finds both.
_SELECTORS = "\ufe0e\ufe0f"
# A name put in place of a client's on saving ("[Client A]", "[Client 27]"), as
# analysis.deid.redact writes it.
NAME_PLACEHOLDER = re.compile(r"\[Client (?:[A-Z]|\d{1,4})\]")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    symbols: str = ""  # no words: the symbols (emoji) looked for as written


@dataclass(frozen=True)
class Query:
    """What a person asked for: every group must match, and a group matches when any one
    of its terms does (one term, unless OR joined it to its neighbours). Either every term
    has words (an index query: ``fts5_match``) or none has (a scan: ``symbol_clause``)."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def has_words(self) -> bool:
        return bool(self.groups[0][0].words)


def _symbols(raw: str) -> str:
    """The symbols of a token with no words, without the punctuation around them ("😢!" is
    "😢"; "***" and "?" are nothing); "" when it holds no symbol."""
    kept = raw.strip().strip("".join(c for c in raw if unicodedata.category(c)[0] == "P"))
    if not any(unicodedata.category(c)[0] == "S" for c in kept):
        return ""
    return kept.rstrip(_SELECTORS)


def parse_query(text: str) -> Query:
    groups: list[list[Term]] = []
    joining = False  # an OR was read: the next term joins the last group
    words = symbols = False
    for match in _TOKEN.finditer(text):
        phrase, bracketed, word = match.groups()
        if word is not None and len(word) == 2 and word.casefold() == "or":
            if groups and not joining:
                joining = True  # "sad OR angry": "angry" joins the group of "sad"
                continue
            if joining:
                continue  # "sad OR OR angry"
            term = Term(("or",))  # "or" first: the word
        else:
            raw = phrase if phrase is not None else bracketed or word
            found = _WORD_CHARS.findall(raw)
            if found:
                prefix = word is not None and len(found) == 1 and raw.endswith("*")
                term = Term(tuple(found), prefix=prefix)
            elif sign := _symbols(raw):
                term = Term((), symbols=sign)
            else:
                continue
        if joining:
            groups[-1].append(term)
            joining = False
        else:
            groups.append([term])
        if term.words:
            words = True
        else:
            symbols = True
    if joining:
        groups.append([Term(("or",))])  # "or" last: the word
    if words and symbols:  # the words decide
        groups = [kept for group in groups if (kept := [t for t in group if t.words])]
    if not groups:
        raise InvalidInput(
            "The search has no words or emoji to look for; type at least one word.",
            field="query",
        )
    return Query(tuple(map(tuple, groups)))


# A short word whose only vowel is its final y ("cry", "try", "dry"): the porter stemmer
# keeps it as it is but stems "cried" and "cries" to "cri", so the word's -ied form is
# looked for too.
_SHORT_Y = re.compile(r"^[^aeiouy\W\d_]+y$", re.IGNORECASE)


def _fts5_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    if not term.prefix and len(term.words) == 1 and _SHORT_Y.match(term.words[0]):
        return f'({quoted} OR "{term.words[0][:-1]}ied")'
    return quoted + ("*" if term.prefix else "")


def fts5_match(query: Query) -> str:
    """The index query: each term a quoted string, so nothing typed is FTS5 syntax."""
    return " AND ".join(
        _fts5_term(group[0]) if len(group) == 1 else "(" + " OR ".join(map(_fts5_term, group)) + ")"
        for group in query.groups
    )


def symbol_clause(query: Query, table: str = "entries") -> tuple[str, list[str]]:
    """The SQL condition (and its parameters) of a query with no words: each group's
    symbols somewhere in the title or the body. The symbols are parameters, with LIKE's
    own characters escaped."""
    clauses: list[str] = []
    params: list[str] = []
    for group in query.groups:
        either = []
        for term in group:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term.symbols) + "%"
            either.append(f"{table}.title LIKE ? ESCAPE '\\' OR {table}.body LIKE ? ESCAPE '\\'")
            params += [pattern, pattern]
        clauses.append("(" + " OR ".join(either) + ")")
    return " AND ".join(clauses), params


def symbol_snippet(
    title: str, body: str, query: Query, tokens: int
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet for a query with no words, as the index makes one for words: about
    ``tokens`` words of the body (else the title) around the first symbol found, "…" where
    it is cut, each symbol found in it marked."""
    needles = [term.symbols for group in query.groups for term in group]
    text = body if any(n in body for n in needles) else title
    first = min((i for n in needles if (i := text.find(n)) >= 0), default=0)
    before = [m.start() for m in re.finditer(r"\S+", text[:first])]
    start = before[-(tokens // 2)] if len(before) > tokens // 2 else 0
    after = [m.end() for m in re.finditer(r"\S+", text[first:])]
    end = (
        first + after[tokens - tokens // 2 - 1] if len(after) >= tokens - tokens // 2 else len(text)
    )
    lead = "…" if start > 0 else ""
    snippet = lead + text[start:end] + ("…" if end < len(text) else "")
    spans: list[tuple[int, int]] = []
    for needle in needles:
        # with the presentation selectors after it, so "❤️" is marked whole
        for found in re.finditer(re.escape(needle) + f"[{_SELECTORS}]*", text[start:end]):
            spans.append((found.start() + len(lead), found.end() + len(lead)))
    merged: list[tuple[int, int]] = []
    for span in sorted(spans):
        if merged and span[0] < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return snippet, tuple(merged)


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
