"""Finding identifying details in free text: names, dates, ages over 89, places,
addresses, postcodes and ZIP codes, phone numbers, e-mail addresses, record and ID
numbers, URLs. Pure and explainable: every finding has a type, a character span and a
confidence. The lexicons live in ``framework/deid.toml``; the writer's own list of people
in their care (``people``) is the strongest signal and always wins.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

TYPES = ("name", "date", "age", "place", "address", "postcode", "phone", "email", "record", "url")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_CAP = r"[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)*['’]?"
MONTH_NAMES = frozenset(_MONTHS.split("|"))
WEAK_RECORD_CUES = frozenset({"number", "no"})
_OLD = (
    r"9\d|1[01]\d|ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:a|one) hundred(?: and (?:one|two|three|four|five|six|seven|eight|nine|ten))?"
)
_TOKEN = r"(?<![\w@.])[A-Z][a-zà-ÿ]+(?:['’-][A-Za-zà-ÿ]+)*['’]?(?![\wà-ÿ])"
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
    first_names: frozenset[str]  # lower case
    word_names: frozenset[str]
    not_names: frozenset[str]
    countries: frozenset[str]
    common: frozenset[str]  # everyday words, lower case (common_words.txt)
    institutions: frozenset[str]
    streets: frozenset[str]
    connectors: frozenset[str]
    cues_after: frozenset[str]
    patterns: dict[str, re.Pattern[str]]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    folder = resources.files("attunement.framework")
    data = tomllib.loads((folder / "deid.toml").read_text("utf-8"))
    common = (folder / "common_words.txt").read_text("utf-8").split("\n")
    streets = _alternation(data["street_types"])
    honorifics = _alternation(data["honorifics"])
    code = r"(?:[A-Z]{1,6}|\d+)(?:[ /.-]?(?:[A-Z]{1,6}\d*|\d+))*"
    patterns = {
        "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
        "url": re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE),
        "bare_url": re.compile(
            r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|info|io|uk|ie|au|nz|ca|us|de|fr|nl|"
            r"edu|gov|scot|wales|example)(?:/[^\s<>\"')]*)?(?![\w@])",
            re.IGNORECASE,
        ),
        "phone": re.compile(
            r"(?<![\w/+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?"
            r"(?:\d{1,5}(?:[\s.-]\d{2,6}){1,4}|0\d{9,10})(?![\w/])"
        ),
        "record_cue": re.compile(rf"\b(?:{_alternation(data['record_words'])})\b", re.IGNORECASE),
        "phone_cue": re.compile(rf"\b(?:{_alternation(data['phone_cues'])})\b", re.IGNORECASE),
        "code": re.compile(rf"(?<![\w/.-]){code}(?![\w/-])"),
        "nhs": re.compile(r"(?<![\d+])(?<!\+\d )(?<!\+\d\d )\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
        "postcode_uk": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
        "postcode_ca": re.compile(r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b"),
        "eircode": re.compile(r"\b[AC-FHKNPRTV-Y]\d{2} ?[AC-FHKNPRTV-Y\d]{4}\b"),
        "zip": re.compile(
            r"(?:\b(?:ZIP|zip|Zip|post ?code|postal code)(?: code)?(?:[\s:,]+[a-z']+){0,5}?"
            r"[\s:,]+|\b[A-Z]{2}\s+|\b[A-Z][a-z]+,?\s+|\bin\s+)(\d{5}(?:-\d{4})?)\b(?![.,]\d)"
        ),
        "address": re.compile(
            rf"(?:\b(?:Flat|Apartment|Apt|Unit|Suite)\s+\w+,?\s+)?"
            rf"(?:(?:The\s+)?(?:{_CAP}\s+){{1,2}}(?:House|Court|Lodge|Cottage|Farm|Rectory|"
            rf"Mansions|Building|Villa),\s+)?"
            rf"\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?,?\s+(?:{_CAP}\s+){{1,3}}(?:{streets})\b\.?"
            r"|\bP\.?O\.? Box \d+\b"
        ),
        "date_numeric": re.compile(
            r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b"
        ),
        "date_words": re.compile(
            rf"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?:the\s+)?"
            rf"(?:\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS})\.?"
            rf"(?:,? \d{{4}})?|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?\b"
            rf"(?:,? \d{{4}})?|(?:{_MONTHS}) \d{{4}})\b"
        ),
        "age": re.compile(
            rf"(?P<cue>\b(?:aged?|at(?: the age of)?|is|was|turned|turns|turning|reached|now|"
            rf"(?:she|he)['’]s)\s+)?"
            rf"(?P<age>\b(?:{_OLD})(?:(?P<suffix>[- ](?:years?|yrs?)[- ]old|"
            rf"(?:st|nd|rd|th) birthday)|\b(?!\s*(?:%|per|mg|ml|kg|minutes|mins|seconds|times|"
            rf"beds|people|patients|years ago|out of))))",
            re.IGNORECASE,
        ),
        "age_noise": re.compile(
            r"\b(?:score|scored|sats|saturation|oxygen|pulse|rate|level|weight|temperature|"
            r"BP|blood|minutes|percent)\b[^.]{0,20}$",
            re.IGNORECASE,
        ),
        "honorific": re.compile(
            rf"\b(?:{honorifics})\.?\s+((?:{_CAP}|[A-Z]\.)(?:[\s-](?:{_CAP}|"
            rf"{_alternation(data['connectors'])})){{0,3}})"
        ),
        "ward": re.compile(
            r"\b(?:[Ww]ard\s+(?:\d+[A-Z]?|[A-Z]{1,2}\d{1,2})|"
            r"(?:[Bb]ed|[Bb]ay|[Ss]ide [Rr]oom|[Cc]ubicle)\s+\d{1,3}[A-Z]?)\b"
        ),
        # An age set off by commas after a name: "Mohammed Al-Hassan, 101, is the oldest".
        "age_apposition": re.compile(rf"(?<=[A-Za-z]),\s*(?P<age>{_OLD}),"),
        # A decade of life over 89 identifies too: "in her nineties", "in his late 90s".
        "age_decade": re.compile(
            r"\b(?:in|into) (?:her|his|their|my|your) (?P<age>(?:late |early |mid[- ])?"
            r"(?:nineties|90s|hundreds))\b",
            re.IGNORECASE,
        ),
        "initial": re.compile(
            r"(?<![\w.])[A-Z]\.(?=\s+(?:has|had|is|was|said|told|asked|wants|and)\b)"
        ),
        "token": re.compile(r"(?<![\w@.])[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?(?![\w@])"),
        "place_cue": re.compile(rf"\b(?:{_alternation(data['place_cues'])})\s+(?:the\s+)?$"),
        "word": re.compile(r"\b[a-zà-ÿ][a-zà-ÿ'’-]{2,}\b"),
        "kin_name": re.compile(
            r"\b(?:son|daughter|husband|wife|partner|brother|sister|mum|mom|dad|mother|"
            r"father|grandson|granddaughter|nephew|niece|boyfriend|girlfriend|fiancée?|"
            r"stepson|stepdaughter|carer|neighbou?r|friend|cousin|aunt|uncle),?\s+"
            r"(?P<name>[a-zà-ÿ][a-zà-ÿ'’-]{2,})\b"
        ),
    }
    return Lexicon(
        honorifics=frozenset(data["honorifics"]),
        first_names=frozenset(n.lower() for n in data["first_names"]),
        word_names=frozenset(data["word_names"]),
        not_names=frozenset(data["not_names"])
        | frozenset(data["peoples"])
        | frozenset(data.get("theorists", [])),
        countries=frozenset(data["countries"]),
        common=frozenset(w for w in common if w and not w.startswith("#")),
        institutions=frozenset(data["institutions"]),
        streets=frozenset(data["street_types"]),
        connectors=frozenset(data["connectors"]),
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


# What may open a line before its first word: Markdown's heading marks, list bullets and
# numbers, quote marks ("## ", "- ", "* ", "1. ", "2) ", "> "), in any nesting.
_LINE_OPENING = re.compile(r"[ \t]*(?:(?:#{1,6}|[-*+•]|\d{1,3}[.)]|>)[ \t]+)*")


def _sentence_start(text: str, index: int) -> bool:
    """Whether ``index`` is where a sentence or a line begins: after ". ", at a line's
    start, or after a heading mark, a list bullet or a quote mark at a line's start."""
    before = text[:index].rstrip(" \t\"'“‘(")
    if not before or before[-1] in ".!?\n:;":
        return True
    line_start = text.rfind("\n", max(0, index - 40), index) + 1
    if line_start == 0 and index > 40:
        return False  # the line began further back than any opening marks reach
    return _LINE_OPENING.fullmatch(text, line_start, index) is not None


def _numbers_kind(text: str, start: int, lex: Lexicon, weak: bool = False) -> str | None:
    """Whether the words just before a number call it a record ("case ref"), a phone
    ("ring her on") or neither: the nearer cue in the same sentence wins. A bare "number"
    is only a weak cue: "her number is 07700 900123" is a phone."""
    window = re.split(r"[.!?]\s", text[max(0, start - 45) : start])[-1]
    record = [
        m.end()
        for m in lex.patterns["record_cue"].finditer(window)
        if weak or m.group(0).lower() not in WEAK_RECORD_CUES
    ]
    phone = [m.end() for m in lex.patterns["phone_cue"].finditer(window)]
    if not record and not phone:
        return None
    return "record" if max(record, default=-1) > max(phone, default=-1) else "phone"


def _without_cue(start: int, value: str, lex: Lexicon) -> tuple[int, str]:
    """A code-shaped run without the record words it opens with: in "MRN 7730215" or
    "NHS 943 476 5919" at a sentence's start the letters are the cue, not the number, so
    the number is judged with its cue before it, as in "Her MRN is 7730215"."""
    while (cue := lex.patterns["record_cue"].match(value)) is not None:
        rest = value[cue.end() :]
        stripped = rest.lstrip(" /.-:")
        if not stripped or stripped == rest:
            break
        start, value = start + len(value) - len(stripped), stripped
    return start, value


def _stands_alone(value: str) -> bool:
    """A run that is a record number with no cue at all: letters and at least four digits
    written together ("AB123456"), or seven digits or more ("7730215")."""
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    return (bool(letters) and digits >= 4 and " " not in value) or (digits >= 7 and not letters)


def _without_opening_words(text: str, start: int, value: str, lex: Lexicon) -> tuple[int, str]:
    """A code-shaped run whose last part is the number, after capitals that are not a cue:
    in "PT AB123456", "HOSPITAL NO AB123456" or "WARD 7 7730215", as notes written in
    capitals open a line, the words (and short numbers) before the number are not part of
    it. The run is kept whole when no such number ends it ("QQ 12 34 56 C")."""
    at, rest = start, value
    while " " in rest:
        head, tail = rest.split(" ", 1)
        if not (head.isalpha() or (head.isdigit() and len(head) <= 3)):
            break
        at, rest = _without_cue(at + len(head) + 1, tail, lex)
    if " " in rest or sum(c.isdigit() for c in rest) < 4:
        return start, value
    if _stands_alone(rest) or _numbers_kind(text, at, lex, weak=True) == "record":
        return at, rest
    return start, value


def _structured(text: str, lex: Lexicon) -> list[Finding]:
    """Details with a shape of their own: contact details, numbers, dates, ages."""
    p = lex.patterns
    found: list[Finding] = []

    def add(kind: str, start: int, end: int, confidence: float) -> None:
        found.append(Finding(kind, start, end, text[start:end], confidence))

    for m in p["email"].finditer(text):
        add("email", m.start(), m.end(), 0.99)
    for m in p["url"].finditer(text):
        add("url", m.start(), m.end() - len(m.group(0)) + len(m.group(0).rstrip(".,;:!?")), 0.98)
    for m in p["bare_url"].finditer(text):
        add("url", m.start(), m.end() - len(m.group(0)) + len(m.group(0).rstrip(".,;:!?")), 0.85)
    for m in p["phone"].finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 9 <= len(digits) <= 15 or p["date_numeric"].fullmatch(m.group(0)):
            continue
        kind = _numbers_kind(text, m.start(), lex)
        if kind == "record":
            add("record", m.start(), m.end(), 0.96)
        else:
            add("phone", m.start(), m.end(), 0.97 if m.group(0)[0] in "+(" or kind else 0.9)
    for m in p["nhs"].finditer(text):
        if _nhs_valid(re.sub(r"\D", "", m.group(0))):
            add("record", m.start(), m.end(), 0.95)
    for m in p["code"].finditer(text):
        start, value = _without_cue(m.start(), m.group(0).rstrip(" .-/"), lex)
        if (
            " " in value
            and not _stands_alone(value)
            and _numbers_kind(text, start, lex, weak=True) != "record"
        ):
            start, value = _without_opening_words(text, start, value, lex)
        n_digits = sum(c.isdigit() for c in value)
        n_letters = sum(c.isalpha() for c in value)
        if n_digits < 4 or p["date_numeric"].fullmatch(value) or re.fullmatch(r"\d{4}", value):
            continue
        end = start + len(value)
        phone_shaped = bool(p["phone"].fullmatch(value)) and 9 <= n_digits <= 15
        if _numbers_kind(text, start, lex, weak=not phone_shaped) == "record":
            add("record", start, end, 0.93)
        elif (n_letters and n_digits >= 4 and " " not in value) or (
            n_digits >= 7 and n_letters == 0
        ):
            add("record", start, end, 0.8)
    for shape in ("postcode_uk", "postcode_ca", "eircode"):
        for m in p[shape].finditer(text):
            add("postcode", m.start(), m.end(), 0.9 if shape == "postcode_uk" else 0.86)
    for m in p["zip"].finditer(text):
        add("postcode", m.start(1), m.end(1), 0.85)
    for m in p["address"].finditer(text):
        add("address", m.start(), m.end(), 0.92)
    for shape in ("date_numeric", "date_words"):
        for m in p[shape].finditer(text):
            add("date", m.start(), m.end(), 0.91)
    for m in p["age"].finditer(text):
        if (m.group("cue") or m.group("suffix")) and not p["age_noise"].search(
            text[max(0, m.start() - 40) : m.start()]
        ):
            add("age", m.start("age"), m.end("age"), 0.9)
    for shape in ("age_apposition", "age_decade"):
        for m in p[shape].finditer(text):
            add("age", m.start("age"), m.end("age"), 0.85)
    return found


def _proper_nouns(text: str, lex: Lexicon, around: list[Finding]) -> list[Finding]:
    """Names and places among the capitalised words.

    A capital in mid-sentence on a word people usually write in lower case marks a proper
    noun: after "in", "from", "near"... a place, otherwise a person. At the start of a
    sentence every word has a capital, so there a word counts only when it is a known
    first name, is not an everyday word, or is a word-name ("Hope", "Grace") followed by
    what people do ("said", "told", "has"). Runs of such words are one finding ("Nguyen
    Van An"); a run ending in "Hospital", "Hospice", "Care Home"... is a place."""
    p = lex.patterns
    found: list[Finding] = []
    lowered = text.lower()
    for m in p["honorific"].finditer(text):
        name = _POSSESSIVE.sub("", m.group(1))  # "Mrs O'Brien's son": the name, not the 's
        found.append(Finding("name", m.start(1), m.start(1) + len(name), name, 0.9))
    for m in p["ward"].finditer(text):
        found.append(Finding("place", m.start(), m.end(), m.group(0), 0.88))
    for m in p["initial"].finditer(text):
        if _sentence_start(text, m.start()):
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.7))
    addresses = [f for f in around if f.type == "address"]
    postcodes = [f for f in around if f.type == "postcode"]
    for tokens in _runs(text, lex):
        # Drop the sentence's own first word when it is an everyday word ("Visited").
        while tokens:
            start, word = tokens[0]
            bare = _bare(word)
            initial = _sentence_start(text, start)
            if (
                bare in lex.not_names
                or word.rstrip(".,;:!?") in lex.not_names
                or bare in lex.honorifics
                or bare in lex.connectors
                or (
                    initial
                    and bare not in ("St", "Saint")
                    and bare.lower() in lex.common
                    and bare not in lex.word_names
                    and bare.lower() not in lex.first_names
                    and len(tokens) > 1
                )
            ):
                tokens.pop(0)
            else:
                break
        while tokens and (
            _bare(tokens[-1][1]) in lex.not_names
            or tokens[-1][1].rstrip(".,;:!?") in lex.not_names
            or tokens[-1][1] in lex.connectors
        ):
            tokens.pop()
        if not tokens:
            continue
        start = tokens[0][0]
        last_start, last = tokens[-1]
        end = last_start + len(_bare(last))
        words = [_bare(w) for _, w in tokens]
        phrase = text[start:end]
        initial = _sentence_start(text, start)
        cue_place = bool(p["place_cue"].search(lowered[max(0, start - 24) : start]))
        rest = re.sub(r"^['’]s?", "", lowered[end : end + 16]).lstrip(" ,")
        after = rest.split(" ")[0].strip(".,;!?")
        if phrase in lex.not_names:
            continue
        if len(words) == 1 and words[0] in lex.countries and not _does(after, lex):
            continue  # "born in Jamaica", "Canada's guidelines"; but "Georgia said"
        if words[-1] in lex.institutions and len(words) > 1 or words[0] in ("St", "Saint"):
            found.append(Finding("place", start, end, phrase, 0.85))
            continue
        if words[-1] in lex.streets and len(words) > 1:
            found.append(Finding("place", start, end, phrase, 0.7))
            continue
        beside_address = any(0 <= start - a.end <= 2 for a in addresses) or any(
            0 <= pc.start - end <= 2 for pc in postcodes
        )
        if beside_address:
            found.append(Finding("place", start, end, phrase, 0.84))
            continue
        known = any(w.lower() in lex.first_names for w in words)
        everyday = all(re.split(r"['’]", w)[0].lower() in lex.common for w in words)
        if cue_place and not (known and lowered[max(0, start - 4) : start].strip() == "to"):
            if not (everyday and initial) and not (len(words) == 1 and words[0] in MONTH_NAMES):
                found.append(Finding("place", start, end, phrase, 0.75))
            continue
        if known:
            found.append(Finding("name", start, end, phrase, 0.9))
        elif len(words) == 1 and words[0] in lex.word_names:
            # "I hope so" has no capital; "…told Hope" and "Hope said…" are a person.
            if not initial or _acts(after, lex):
                found.append(Finding("name", start, end, phrase, 0.8 if not initial else 0.75))
        elif everyday:
            continue
        elif not initial:
            found.append(Finding("name", start, end, phrase, 0.75))
        elif len(words) > 1 or _acts(after, lex) or re.match(r"['’]s?\b", text[end : end + 2]):
            # An unfamiliar word opening a sentence is a person when they do something
            # ("Thandiwe said", "Bao looked after") or own something ("Aisha's case").
            found.append(Finding("name", start, end, phrase, 0.6))
    for m in p["word"].finditer(text):
        if m.group(0) in lex.first_names and m.group(0) not in lex.common:
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.7))
    for m in p["kin_name"].finditer(text):
        # "her son jamie rang": a word no one writes in lower case but a name, after a
        # relation, in notes written in a hurry.
        word = m.group("name")
        if (
            not (_everyday(word.lower(), lex) or _does(word.lower(), lex))
            and word not in lex.not_names
        ):
            found.append(Finding("name", m.start("name"), m.end("name"), word, 0.6))
    return found


_POSSESSIVE = re.compile(r"['’]s?$")
_PARTICLE = re.compile(r"([^\W\d_]+)['’-](.+)$")


def _prefixed_name(word: str, lex: Lexicon) -> bool:
    """A name opening on a particle joined by a hyphen or an apostrophe, written in lower
    case: "al-Farsi", "el-Amin", "d'Souza", "bin-Laden"."""
    match = _PARTICLE.match(word)
    if match is None:
        return False
    return match.group(1) in lex.connectors | {"d"} and _capitalised(match.group(2))


def _everyday(word: str, lex: Lexicon) -> bool:
    """An everyday word or a form of one ("arrives", "visited", "ringing")."""
    stems = {word}
    for suffix, endings in (("s", ("",)), ("es", ("", "e")), ("ies", ("y",)),
                            ("ed", ("", "e")), ("ing", ("", "e"))):  # fmt: skip
        if word.endswith(suffix):
            stems.update(word[: -len(suffix)] + ending for ending in endings)
    return any(len(stem) > 1 and stem in lex.common for stem in stems)


def _capitalised(word: str) -> bool:
    """A word written with a capital as names are: not "I'll", not "DVDs" or "NHS"."""
    return (
        word[0].isupper()
        and len(word) > 1
        and not word[1].isupper()
        and not word.startswith(("I'", "I’"))
    )


def _unstutter(start: int, word: str) -> tuple[int, str]:
    """Spoken repetitions in transcripts: "It's-it's" -> "it's", "W-why" -> "why"."""
    parts = word.split("-")
    if len(parts) > 1 and all(parts[-1].lower().startswith(part.lower()) for part in parts[:-1]):
        return start + len(word) - len(parts[-1]), parts[-1]
    return start, word


def _runs(text: str, lex: Lexicon) -> list[list[tuple[int, str]]]:
    """Runs of capitalised words, one space apart, with name particles allowed inside:
    "Nguyen Van An", "Ayşe", "Anna-Maria", "Ngozi Adichie-Okoro"."""
    runs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    last_end = -1
    for m in lex.patterns["token"].finditer(text):
        start, word = _unstutter(m.start(), m.group(0))
        joined = bool(current) and text[last_end : m.start()] == " "
        if _capitalised(word) or (joined and _prefixed_name(word, lex)):
            if not joined:
                if current:
                    runs.append(current)
                current = []
            current += pending + [(start, word)]
            pending = []
        elif joined and word in lex.connectors:
            pending.append((m.start(), word))
        else:
            if current:
                runs.append(current)
            current, pending = [], []
        last_end = m.end()
    if current:
        runs.append(current)
    return runs


def _bare(word: str) -> str:
    """A token without its possessive or trailing punctuation: "Aisha's" -> "Aisha"."""
    word = word.rstrip('.,;:!?)"”')
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _does(after: str, lex: Lexicon) -> bool:
    """The word after a capitalised word is something people do: "said", "has"."""
    return after in lex.cues_after or after in SPEECH


def _acts(after: str, lex: Lexicon) -> bool:
    """The word after a word-name says a person did something: "Hope said", "Bill has"."""
    return (
        after in lex.cues_after
        or after in SPEECH
        or after == "and"
        or (after.endswith("ed") and len(after) > 3)
    )


def find(text: str, people: Iterable[str] = ()) -> list[Finding]:
    """Every identifying detail in ``text``; ``people`` (the writer's list) always wins."""
    lex = lexicon()
    listed: list[Finding] = []
    for name in sorted({n.strip() for n in people if n.strip()}, key=len, reverse=True):
        for variant in {name, *name.split()}:
            if len(variant) < 2:
                continue
            # A listed name that is also an everyday word ("Will", "Rose", "Hope") is the
            # name only with its capital: "I will ask Will" keeps the verb.
            everyday = variant.lower() in lex.common
            for m in re.finditer(rf"(?<!\w){_any_accents(variant)}(?!\w)", text, re.IGNORECASE):
                if everyday and not m.group(0)[0].isupper():
                    continue
                listed.append(Finding("name", m.start(), m.end(), m.group(0), 0.99))
    structured = _structured(text, lex)
    found = listed + structured
    for f in _proper_nouns(text, lex, _merge(structured)):
        found += _outside(text, f, listed)
    return _merge(found)


@lru_cache(maxsize=1)
def _accented() -> dict[str, str]:
    """Each plain letter with the accented letters that fold to it ("o": "òóôõöø…")."""
    out: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = _folded(char)
        if len(base) == 1 and base.isascii() and base.isalpha():
            out[base] = out.get(base, "") + char.lower() + char.upper()
    return out


def _any_accents(name: str) -> str:
    """A pattern for a name written with or without its accents ("Siobhán", "SIOBHAN")."""
    accented = _accented()
    parts = []
    for char in name:
        base = _folded(char)
        if len(base) == 1 and base in accented:
            parts.append("[" + re.escape(base + accented[base]) + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _outside(text: str, finding: Finding, listed: list[Finding]) -> list[Finding]:
    """A finding less the listed names inside it: in "Will David visit?" with "Will" on
    the writer's list, "David" is still a name."""
    inside = [k for k in listed if k.start < finding.end and k.end > finding.start]
    if not inside:
        return [finding]
    out = []
    cursor = finding.start
    for k in sorted(inside, key=lambda k: k.start) + [Finding("", finding.end, 0, "", 0)]:
        piece = text[cursor : max(cursor, k.start)]
        lead = len(piece) - len(piece.lstrip(" ,;"))
        piece = piece.strip(" ,;")
        if len(piece) > 1 and piece[0].isupper():
            start = cursor + lead
            out.append(replace(finding, start=start, end=start + len(piece), text=piece))
        cursor = max(cursor, k.end)
    return out


def _merge(found: list[Finding]) -> list[Finding]:
    """One finding per stretch of text: the most confident, then the longest."""
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (-f.confidence, -(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _same_person(name: str, known: list[str]) -> str | None:
    """A name already labelled that this one is part of ("Okafor" after "Amara Okafor"),
    or that is this one's first name ("Amara Okafor" after "Amara"), or that follows an
    everyday word opening a sentence ("Will David" after "David"): one person. "Chidi
    Okafor" after "Amara Okafor" is another."""
    words = _folded(name).split()
    opening = len(words) > 1 and words[0] in lexicon().common  # "Will David visit?"
    for other in known:
        other_words = other.split()
        if set(words) <= set(other_words) or other_words == words[:1]:
            return other
        if opening and other_words == words[1:]:
            return other
    return None


def _folded(text: str) -> str:
    """A name as the same person whatever its case or accents ("Siobhán", "SIOBHAN")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _next_label(counters: dict[str, int], kind: str) -> str:
    counters[kind] = counters.get(kind, 0) + 1
    n = counters[kind]
    return (
        f"[Client {chr(64 + n) if n <= 26 else n}]"
        if kind == "name"
        else f"[{kind.capitalize()} {n}]"
    )


def reserve(state: dict[str, Any], name: str, label: str | None = None) -> None:
    """Give a person's whole ``name`` its placeholder before any text is replaced, so that
    every part of it met later gets the same one ("Ruth", "Evans" and "ruth" after "Ruth
    Evans"); ``label`` (e.g. "[Caregiver]") instead of the next client's."""
    labels: dict[tuple[str, str], str] = state.setdefault("labels", {})
    counters: dict[str, int] = state.setdefault("counters", {})
    key = ("name", _folded(name))
    if name.strip() and key not in labels:
        labels[key] = label or _next_label(counters, "name")


def redact(text: str, findings: list[Finding], state: dict[str, Any] | None = None) -> str:
    """Replace each finding with a consistent placeholder: the same name gets the same
    label everywhere ([Client A], [Date 1], ...). Pass one ``state`` dict to keep labels
    consistent across several texts (the turns of a transcript)."""
    state = state if state is not None else {}
    labels: dict[tuple[str, str], str] = state.setdefault("labels", {})
    counters: dict[str, int] = state.setdefault("counters", {})
    out, cursor = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        key = (f.type, _folded(f.text))
        if key not in labels and f.type == "name":
            same = _same_person(f.text, [k[1] for k in labels if k[0] == "name"])
            if same is not None:
                labels[key] = labels[("name", same)]
        if key not in labels:
            labels[key] = _next_label(counters, f.type)
        out.append(text[cursor : f.start])
        out.append(labels[key])
        cursor = f.end
    out.append(text[cursor:])
    return "".join(out)
