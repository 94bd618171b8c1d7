"""Finding identifying details in free text: names, dates, ages over 89, places,
addresses, postcodes and ZIP codes, phone numbers, e-mail addresses, record and ID
numbers, URLs. Pure and explainable: every finding has a type, a character span and a
confidence. The lexicons live in ``framework/deid.toml``; the writer's own list of people
in their care (``people``) is the strongest signal and always wins.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

TYPES = ("name", "date", "age", "place", "address", "postcode", "phone", "email", "record", "url")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_CAP = r"[A-Z][a-zà-ÿ'’-]+"
MONTH_NAMES = frozenset(_MONTHS.split("|"))
SPEECH = frozenset(
    {
        "said",
        "says",
        "told",
        "asked",
        "cried",
        "wept",
        "shouted",
        "whispered",
        "explained",
        "replied",
        "smiled",
        "laughed",
    }
)


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Lexicon:
    honorifics: frozenset[str]
    first_names: frozenset[str]
    word_names: frozenset[str]
    not_names: frozenset[str]
    cues_before: tuple[str, ...]
    cues_after: frozenset[str]
    patterns: dict[str, re.Pattern[str]]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = tomllib.loads((resources.files("attunement.framework") / "deid.toml").read_text("utf-8"))
    streets = "|".join(sorted(data["street_types"], key=len, reverse=True))
    records = "|".join(re.escape(w) for w in sorted(data["record_words"], key=len, reverse=True))
    honorifics = "|".join(sorted(data["honorifics"], key=len, reverse=True))
    places = "|".join(re.escape(w) for w in sorted(data["place_cues"], key=len, reverse=True))
    patterns = {
        "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
        "url": re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE),
        "phone": re.compile(
            r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?"
            r"\d{2,5}(?:[\s.-]\d{2,6}){1,4}(?![\w/])"
        ),
        "postcode_uk": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
        "zip": re.compile(r"\b(?:[A-Z]{2}|ZIP|zip|Zip)(?: code)?[\s:]+(\d{5}(?:-\d{4})?)\b"),
        "address": re.compile(rf"\b\d{{1,5}}[A-Za-z]?,? (?:{_CAP} ){{1,3}}(?:{streets})\b\.?"),
        "record": re.compile(
            rf"\b(?:{records})(?:\s+(?:no\.?|number|#))?[\s:#]*"
            r"([A-Z]{0,3}[-\s]?\d[\d\s-]{4,}\d|[A-Z]{1,3}\d{4,})\b",
            re.IGNORECASE,
        ),
        "nhs": re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
        "long_number": re.compile(r"\b[A-Z]{0,3}\d{7,}\b"),
        "date_numeric": re.compile(
            r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|"
            r"\d{4}-\d{2}-\d{2})\b"
        ),
        "date_words": re.compile(
            rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS})\.?"
            rf"(?:,? \d{{4}})?|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?"
            rf"(?:,? \d{{4}})?|(?:{_MONTHS}) \d{{4}})\b"
        ),
        "age": re.compile(
            r"\b(?:aged?\s+(?:9\d|1[01]\d)|(?:9\d|1[01]\d)[- ](?:years?|yrs?)"
            r"[- ]old|(?:9\d|1[01]\d)(?:st|nd|rd|th) birthday)\b",
            re.IGNORECASE,
        ),
        "honorific": re.compile(rf"\b(?:{honorifics})\.?\s+((?:{_CAP})(?:[\s-]{_CAP}){{0,2}})"),
        "place": re.compile(rf"\b(?:{places})\s+((?:{_CAP})(?:\s(?:{_CAP}|upon|on|de|la)){{0,3}})"),
        "cap": re.compile(rf"\b{_CAP}\b"),
    }
    return Lexicon(
        honorifics=frozenset(data["honorifics"]),
        first_names=frozenset(data["first_names"]),
        word_names=frozenset(data["word_names"]),
        not_names=frozenset(data["not_names"]),
        cues_before=tuple(
            sorted((c.lower() for c in data["name_cues_before"]), key=len, reverse=True)
        ),
        cues_after=frozenset(c.lower() for c in data["name_cues_after"]),
        patterns=patterns,
    )


def _nhs_valid(digits: str) -> bool:
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:"


def find(text: str, people: Iterable[str] = ()) -> list[Finding]:
    lex = lexicon()
    p = lex.patterns
    found: list[Finding] = []

    def add(kind: str, start: int, end: int, confidence: float) -> None:
        found.append(Finding(kind, start, end, text[start:end], confidence))

    for name in sorted({n.strip() for n in people if n.strip()}, key=len, reverse=True):
        variants = {name, *name.split()}
        for variant in variants:
            if len(variant) < 2:
                continue
            for m in re.finditer(rf"(?<!\w){re.escape(variant)}(?!\w)", text, re.IGNORECASE):
                add("name", m.start(), m.end(), 0.99)
    for m in p["email"].finditer(text):
        add("email", m.start(), m.end(), 0.99)
    for m in p["url"].finditer(text):
        add("url", m.start(), m.end(), 0.98)
    for m in p["record"].finditer(text):
        add("record", m.start(1), m.end(1), 0.95)
    for m in p["nhs"].finditer(text):
        if _nhs_valid(re.sub(r"\D", "", m.group(0))):
            add("record", m.start(), m.end(), 0.95)
    for m in p["phone"].finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 9 <= len(digits) <= 15 and not p["date_numeric"].fullmatch(m.group(0)):
            add("phone", m.start(), m.end(), 0.9)
    for m in p["long_number"].finditer(text):
        add("record", m.start(), m.end(), 0.8)
    for m in p["postcode_uk"].finditer(text):
        add("postcode", m.start(), m.end(), 0.9)
    for m in p["zip"].finditer(text):
        add("postcode", m.start(1), m.end(1), 0.85)
    for m in p["address"].finditer(text):
        add("address", m.start(), m.end(), 0.9)
    for kind in ("date_numeric", "date_words"):
        for m in p[kind].finditer(text):
            add("date", m.start(), m.end(), 0.9)
    for m in p["age"].finditer(text):
        add("age", m.start(), m.end(), 0.9)
    for m in p["honorific"].finditer(text):
        add("name", m.start(1), m.end(1), 0.9)
    for m in p["place"].finditer(text):
        phrase = m.group(1)
        first = phrase.split()[0]
        if (
            first not in lex.not_names
            and first not in lex.word_names
            and first not in MONTH_NAMES
            and phrase not in lex.first_names
        ):
            add("place", m.start(1), m.end(1), 0.6)
    lowered = text.lower()
    for m in p["cap"].finditer(text):
        word = m.group(0).rstrip("'’s") if m.group(0).endswith(("'s", "’s")) else m.group(0)
        if word in lex.not_names or word in lex.honorifics:
            continue
        before = lowered[max(0, m.start() - 16) : m.start()].rstrip()
        after = lowered[m.end() : m.end() + 12].lstrip(" ,").split(" ")[0].strip(".,;!?")
        cue = any(before.endswith(c) for c in lex.cues_before) or after in lex.cues_after
        initial = _sentence_start(text, m.start())
        if word in lex.word_names:
            # "I hope so" is a word; "Hope said…" and "…told Hope" are a person.
            if (not initial and cue) or (initial and after in SPEECH):
                add("name", m.start(), m.start() + len(word), 0.75)
        elif word in lex.first_names:
            add("name", m.start(), m.start() + len(word), 0.9 if not initial or cue else 0.8)
        elif cue and not initial and after in lex.cues_after:
            add("name", m.start(), m.start() + len(word), 0.6)
    return _merge(found)


def _merge(found: list[Finding]) -> list[Finding]:
    """One finding per stretch of text: the most confident, then the longest."""
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (-f.confidence, -(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def redact(text: str, findings: list[Finding], state: dict[str, Any] | None = None) -> str:
    """Replace each finding with a consistent placeholder: the same name gets the same
    label everywhere ([Client A], [Date 1], ...). Pass one ``state`` dict to keep labels
    consistent across several texts (the turns of a transcript)."""
    state = state if state is not None else {}
    labels: dict[tuple[str, str], str] = state.setdefault("labels", {})
    counters: dict[str, int] = state.setdefault("counters", {})
    out, cursor = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        key = (f.type, f.text.lower())
        if key not in labels:
            counters[f.type] = counters.get(f.type, 0) + 1
            n = counters[f.type]
            labels[key] = (
                f"[Client {chr(64 + n) if n <= 26 else n}]"
                if f.type == "name"
                else f"[{f.type.capitalize()} {n}]"
            )
        out.append(text[cursor : f.start])
        out.append(labels[key])
        cursor = f.end
    out.append(text[cursor:])
    return "".join(out)
