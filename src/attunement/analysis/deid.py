"""Finding identifying details in free text: names, dates, ages over 89, places,
addresses, postcodes and ZIP codes, phone numbers, e-mail addresses, record and ID
numbers, URLs, social-media handles. Pure and explainable: every finding has a type, a
character span and a confidence. The lexicons live in ``framework/deid.toml``; the
writer's own list of people in their care (``people``) is the strongest signal and always
wins.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

TYPES = (
    "name",
    "date",
    "age",
    "place",
    "address",
    "postcode",
    "phone",
    "email",
    "record",
    "url",
    "handle",
    "plate",
)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_CAP = r"[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)*['’]?"
# A day of the week as notes write it: "Tues", "Weds", "Thurs", "Sun".
_WEEKDAY = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues?|Weds?|Thur?s?|Fri|"
    r"Sat|Sun)\.?"
)
# What a fraction is of, so "1/2 tablet" and "3/4 of her lunch" are no day and month.
_MEASURED = (
    r"of|tabs?|tablets?|doses?|mg|mcg|ml|units?|cups?|pills?|caps?|capsules?|sachets?|"
    r"spoons?|glass(?:es)?|portions?|bottles?|litres?|liters?"
)
# A unit or apartment inside a building: "Flat 3/2, ", "Unit 4/", "Apt 5B".
_UNIT = r"(?:Flat|Apartment|Apt|Unit|Suite)\.?\s+"
_ORDINAL = (
    r"(?:twenty|thirty)[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"thirtieth"
)
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
# A year in words: "nineteen thirty-eight", "nineteen oh five", "two thousand and five".
_YEAR_WORDS = (
    rf"(?:nineteen|eighteen)[- ](?:{_TENS}(?:[- ]{_UNITS})?|(?:oh|o)[- ]{_UNITS}|hundred|ten|"
    rf"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)|"
    rf"two thousand(?: and)?(?: {_UNITS}| ten| eleven| twelve| {_TENS}(?:[- ]{_UNITS})?)?"
)
MONTH_NAMES = frozenset(_MONTHS.split("|"))
MONTH_NAMES_LOWER = frozenset(m.lower() for m in MONTH_NAMES)
WEAK_RECORD_CUES = frozenset({"number", "no"})
_OLD = (
    r"9\d|1[01]\d|ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:a|one) hundred(?: and (?:one|two|three|four|five|six|seven|eight|nine|ten))?"
)
# A handle's body: letters, digits, underscores and dots, not ending in a dot.
_HANDLE_REST = r"(?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"
_HANDLE = r"[A-Za-z0-9_]" + _HANDLE_REST
_TOKEN = r"(?<![\w@.])[A-Z][a-zà-ÿ]+(?:['’-][A-Za-zà-ÿ]+)*['’]?(?![\wà-ÿ])"
# Words for the people around someone: "her son jamie", "Bill's wife says".
KIN = frozenset(
    {
        "son", "daughter", "husband", "wife", "partner", "brother", "sister", "mum", "mom",
        "dad", "mother", "father", "grandson", "granddaughter", "nephew", "niece", "boyfriend",
        "girlfriend", "fiance", "fiancé", "fiancée", "stepson", "stepdaughter", "carer",
        "neighbour", "neighbor", "friend", "cousin", "aunt", "uncle",
    }
)  # fmt: skip
# What someone is to the writer or the ward, named beside their name ("Tariq, the porter").
ROLES = frozenset(
    {
        "porter", "chaplain", "nurse", "doctor", "consultant", "registrar", "surgeon", "gp",
        "midwife", "paramedic", "therapist", "counsellor", "counselor", "physio",
        "physiotherapist", "pharmacist", "manager", "supervisor", "volunteer", "cleaner",
        "housekeeper", "receptionist", "interpreter", "priest", "vicar", "imam", "rabbi",
        "pastor", "minister", "teacher", "student", "trainee", "colleague", "patient",
        "client", "resident", "matron", "keyworker", "advocate", "coordinator", "mentor",
    }
)  # fmt: skip
_APPOSITION = frozenset({"the", "my", "our", "her", "his", "their", "your"})
_DETERMINERS = _APPOSITION | {"a", "an"}
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
    streets_before: frozenset[str]  # "Heol" in "Heol y Coed"
    connectors: frozenset[str]
    cues_after: frozenset[str]
    companies: frozenset[str]  # not identifying, but a workplace after "works at"
    postal_districts: frozenset[str]
    scheme_after: frozenset[str]  # lower case: "ID", "number", "vetting"
    word_sense_is: tuple[str, ...]
    word_sense_came: tuple[str, ...]
    word_sense_month: frozenset[str]
    scripture_books: frozenset[str]
    role_titles: tuple[tuple[str, ...], ...]  # lower case, longest first: ("key", "worker")
    eponym_after: frozenset[str]
    season_names: frozenset[str]
    patterns: dict[str, re.Pattern[str]]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    folder = resources.files("attunement.framework")
    data = tomllib.loads((folder / "deid.toml").read_text("utf-8"))
    common = frozenset(w for w in (folder / "common_words.txt").read_text("utf-8").split("\n") if w)
    streets = _alternation(data["street_types"])
    streets_before = _alternation(data["street_types_before"])
    connectors = _alternation(data["connectors"])
    named_days = _alternation(data["named_days"]).replace("'", "['’]")
    honorifics = _alternation(data["honorifics"] + data["kin_titles"])
    # A platform as written ("Instagram", "X") or in lower case where that is no everyday
    # word ("instagram", not "threads").
    platforms = _alternation(
        set(data["social_platforms"])
        | {w.lower() for w in data["social_platforms"] if len(w) > 2 and w.lower() not in common}
    )
    any_case_platforms = _alternation({w.lower() for w in data["social_platforms"]})
    employer_cues = _alternation(data["employer_cues"])
    areas = _alternation(a.lower() for a in data["postcode_areas"])
    plate = (
        r"[A-Za-z]{2}\d{2} ?[A-Za-z]{3}|[A-Za-z]\d{1,3} ?[A-Za-z]{3}|[A-Za-z]{3} ?\d{1,3}[A-Za-z]?"
    )
    code = r"(?:[A-Z]{1,6}|\d+)(?:[ /.-]?(?:[A-Z]{1,6}\d*|\d+))*"
    patterns = {
        "email": re.compile(r"\b[\w.+'’-]+@[\w-]+(?:\.[\w-]+)+\b"),
        # "@jade_smith_93", "@kwame.mensah": not an e-mail's @, not a tag's "@night-shift".
        "handle": re.compile(rf"(?<![\w@.])@(?P<body>{_HANDLE})(?![\w@/+#-])"),
        # A platform in lower case counts before a colon, as lists write it ("snap: katie.c99").
        "bare_handle": re.compile(
            rf"(?<![\w@])(?:(?:{platforms})(?:['’]s)?(?:\s+(?:handle|username|name|account|id|"
            rf"is|was)\b|\s*:)*|(?:{any_case_platforms})\s*:)"
            rf"\s+@?(?P<body>[A-Za-z_]{_HANDLE_REST})(?![\w@/+#-])"
        ),
        "handle_cue": re.compile(
            rf"(?<![\w@])(?:{platforms}|{_alternation(data['handle_cues'])})(?![\w@])"
        ),
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
        # In lower case only with a real postcode area and inward letters ("eh6 5ab"), so
        # "b12 3rd" is no postcode.
        "postcode_uk_lower": re.compile(
            rf"\b(?:{areas})\d[a-z\d]? ?\d(?!st|nd|rd|th)[abd-hjlnp-uw-z]{{2}}\b"
        ),
        # A ZIP+4 code ("90210-1234"): its shape is no phone number's.
        "zip4": re.compile(r"\b\d{5}-\d{4}\b"),
        # UK number plates: the current format alone ("SK19 XYZ"), any format after a word
        # that says so ("reg YR68 LMN", "number plate a123 bcd").
        "plate": re.compile(
            rf"\b[A-Z]{{2}}\d{{2}} ?[A-Z]{{3}}\b|"
            rf"(?i:\b(?:{_alternation(data['plate_cues'])})\b)[\s:.,-]*(?P<cued>{plate})\b"
        ),
        "postcode_ca": re.compile(r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b"),
        "eircode": re.compile(r"\b[AC-FHKNPRTV-Y]\d{2} ?[AC-FHKNPRTV-Y\d]{4}\b"),
        "zip": re.compile(
            r"(?:\b(?:ZIP|zip|Zip|post ?code|postal code)(?: code)?(?:[\s:,]+[a-z']+){0,5}?"
            r"[\s:,]+|\b[A-Z]{2}\s+|\b[A-Z][a-z]+,?\s+|\bin\s+)(\d{5}(?:-\d{4})?)\b(?![.,]\d)"
        ),
        "address": re.compile(
            rf"(?:\b{_UNIT}\w+(?:/(?=\d)|/\w+,?\s+|,?\s+))?"
            rf"(?:(?:The\s+)?(?:{_CAP}\s+){{1,2}}(?:House|Court|Lodge|Cottage|Farm|Rectory|"
            rf"Mansions|Building|Villa),\s+)?"
            rf"\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?,?\s+"
            rf"(?:(?:(?:{_CAP}|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,3}}(?:{streets})\b"  # "E 21st St"
            rf"(?:,?\s+(?:{_UNIT}|#\s?)\w+)?|"  # "Maple Ave Apt 5B"
            rf"(?:{streets_before})(?:\s+(?:(?:{connectors})\s+){{0,2}}{_CAP}){{1,2}})"
            r"|\bP\.?O\.? Box \d+\b"
        ),
        "date_numeric": re.compile(
            r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|"
            r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)\b"
        ),
        # A time of day straight after a date is part of it: "14/02/2025 09:45", "Wed 5th
        # Nov at 10.30am".
        "time_after": re.compile(
            r",?\s+(?:at\s+)?(?:\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?|\d{1,2}\s?[ap]\.?m\.?)(?!\w)",
            re.IGNORECASE,
        ),
        # A date in words: "the twenty-first of June, nineteen thirty-eight", "the second of
        # March", "March the 3rd", "Tuesday the 4th".
        "date_spelled": re.compile(
            rf"\b(?:(?:the\s+)?(?:{_ORDINAL})\s+(?:of\s+)?(?:{_MONTHS})\b"
            rf"(?:,?\s+(?:\d{{4}}|{_YEAR_WORDS}))?|"
            rf"(?:{_MONTHS}|{_WEEKDAY})\s+the\s+(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL})\b"
            rf"(?:,?\s+(?:\d{{4}}|{_YEAR_WORDS}))?)"
        ),
        # A day of the week with a short date: "Tues 4/5", "Weds 12/3", "Sun 12th".
        "date_weekday": re.compile(
            rf"\b{_WEEKDAY},?\s+(?:(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})\b(?![/.]\d)|"
            r"\d{1,2}(?:st|nd|rd|th)\b)"
        ),
        # A short date after a word that dates a visit: "seen 5/3 by GP", "due 12/4".
        "date_cued": re.compile(
            r"\b(?:seen|since|until|till|reviewed|visited|due|dated|admitted|discharged)\s+"
            rf"(?P<date>(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}}))\b(?![/.]\d)"
            rf"(?!\s*(?:{_MEASURED})\b)",
            re.IGNORECASE,
        ),
        # A year of birth that makes someone over 89 (checked against today's year).
        "birth_year": re.compile(
            r"\b(?:born|b\.|year of birth|birth year|DOB|d\.o\.b\.?|YOB)(?:\s+in)?[\s:,]+"
            r"(?P<year>1[89]\d{2})\b(?!['’]?s\b)",
            re.IGNORECASE,
        ),
        # A named day with its year: "Christmas Day 1999", "Boxing Day, 2010".
        "date_named": re.compile(rf"\b(?:{named_days})(?:,|\s+of)?\s+(?:1[89]|20)\d{{2}}\b"),
        # A day of the month alone, after a word that dates something: "on the 14th", "by
        # the 3rd." (not "on the 3rd floor", "for the 2nd time").
        "date_ordinal": re.compile(
            r"\b(?:on|by|from|to|until|till|since|before|after)\s+(the\s+\d{1,2}(?:st|nd|rd|th))\b"
            r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:at|when|and|or|but|so|because|as|then|to|till|until|"
            r"she|he|they|we|I|last|next|this|that)\b)",
            re.IGNORECASE,
        ),
        "date_words": re.compile(
            rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?"
            rf"(?:\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS})\.?"
            rf"(?:,? (?:\d{{4}}|['’]\d{{2}}|{_YEAR_WORDS}))?|"
            rf"(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?\b"
            rf"(?:,? (?:\d{{4}}|['’]\d{{2}}))?|(?:{_MONTHS}) (?:\d{{4}}|['’]\d{{2}}))\b"
        ),
        "age": re.compile(
            rf"(?P<cue>\b(?:aged?:?|at(?: the age of)?|is|was|be|turn|turned|turns|turning|reach|"
            rf"reached|reaches|become|becomes|now|"
            rf"(?:she|he)['’]s)\s+)?"
            rf"(?P<age>\b(?:{_OLD})(?:(?P<suffix>[- ](?:years?|yrs?)[- ](?:old|young)|"
            rf" ?y/o\b|"  # "94 y/o", as notes write it
            rf" ?y\.o\.|"
            rf"(?:st|nd|rd|th)(?= birthday))|\b(?!\s*(?:%|per|mg|ml|kg|minutes|mins|seconds|times|"
            rf"beds|people|patients|years ago|out of|miles|metres|meters|yards|pounds|quid|dollars|"
            rf"euros|calls|steps|pages|hours|days|weeks|degrees))))",
            re.IGNORECASE,
        ),
        "age_noise": re.compile(
            r"\b(?:score|scored|sats|saturation|oxygen|pulse|rate|level|weight|temperature|"
            r"BP|blood|minutes|percent|temp)\b[^.]{0,20}$",
            re.IGNORECASE,
        ),
        # The initials first, so "Ms A. Kaur" and "Mr. K. R. Narayanan" are one name.
        "honorific": re.compile(
            rf"\b(?:{honorifics})\.?\s+(?:(?:{honorifics})\.?\s+)*"  # "Revd. Canon Smith"
            rf"((?:[A-Z]\.\s?)*(?:[A-Z]\.|{_CAP})"
            rf"(?:[\s-](?:{_CAP}|(?:{connectors})\b|[a-z]['’-]{_CAP})){{0,3}})"
        ),
        # A title in lower case, as notes typed in a hurry are: "spoke to mrs henderson".
        "honorific_lower": re.compile(
            r"\b(?:mr|mrs|ms|mx|dr|prof|rev|fr)\.?\s+(?P<name>[a-zà-ÿ][a-zà-ÿ'’-]+)"
        ),
        # A numbered ward, bed or bay: with the hospital and the day, it points to one person.
        "ward": re.compile(
            r"\b(?:[Ww]ard\s+(?:\d+[A-Z]?|[A-Z]{1,2}\d{1,2})|"
            r"(?:[Bb]ed|[Bb]ay|[Ss]ide [Rr]oom|[Cc]ubicle|Rm\.?)\s+\d{1,3}[A-Z]?)\b"
        ),
        # An age as notes write it: "94yo", "92F with dementia", "pt 95M".
        "age_note": re.compile(r"\b(?P<age>(?:9\d|1[01]\d)(?:\s?(?:[Yy][Oo]|y/o|yrs?)|[FM]))\b"),
        # Words that say an age over 89: "a nonagenarian", "centenarians".
        "age_word": re.compile(r"\b(?P<age>(?:super)?(?:nonagenarian|centenarian)s?)\b", re.I),
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
        # Initials standing for a person anywhere in a sentence: "I met with J.P. today".
        "initials": re.compile(r"(?<![\w.])(?:[A-Z]\.){2,3}(?![\w.])"),
        "token": re.compile(r"(?<![\w@.])[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?(?![\w@])"),
        "place_cue": re.compile(
            rf"\b(?:{_alternation(data['place_cues'])}|{employer_cues})\s+(?:the\s+)?$"
        ),
        "employer_cue": re.compile(rf"\b(?:{employer_cues})\s+(?:the\s+)?$"),
        # NZ and Australian postcodes are four digits: only after a word that says so
        # ("postcode 9010") or a state ("VIC 3065"); beside an address, see _proper_nouns.
        "postcode_4": re.compile(
            r"(?:\b(?:[Pp]ost ?code|[Pp]ostal code)(?:\s+(?:is|was))?[\s:,]+|"
            r"\b(?:VIC|NSW|QLD|TAS|ACT|NT|SA|WA)\s+)(\d{4})\b(?![.,:]?\d)"
        ),
        "word": re.compile(r"\b[a-zà-ÿ][a-zà-ÿ'’-]{2,}\b"),
        "kin_name": re.compile(
            rf"\b(?:{_alternation(KIN)}),?\s+(?P<name>[a-zà-ÿ][a-zà-ÿ'’-]{{2,}})\b"
        ),
    }
    named_things = (folder / "named_things.txt").read_text("utf-8").splitlines()
    return Lexicon(
        honorifics=frozenset(data["honorifics"]) | frozenset(data["kin_titles"]),
        # with and without accents: "Seán" is met as often as "Sean"
        first_names=frozenset(n.lower() for n in data["first_names"])
        | frozenset(_folded(n) for n in data["first_names"]),
        word_names=frozenset(data["word_names"]),
        not_names=frozenset(data["not_names"])
        | frozenset(data["peoples"])
        | frozenset(data.get("theorists", []))
        | frozenset(data["companies"])
        | frozenset(w for w in data["record_words"] if w[:1].isupper() and " " not in w)
        | frozenset(t.strip() for t in named_things if t.strip() and not t.startswith("#")),
        countries=frozenset(data["countries"]),
        common=frozenset(w for w in common if not w.startswith("#")),
        institutions=frozenset(data["institutions"]),
        streets=frozenset(data["street_types"]),
        streets_before=frozenset(data["street_types_before"]),
        connectors=frozenset(data["connectors"]),
        cues_after=frozenset(c.lower() for c in data["name_cues_after"]),
        companies=frozenset(data["companies"]),
        postal_districts=frozenset(data["postal_districts"]),
        scheme_after=frozenset(w.lower() for w in data["scheme_after"]),
        word_sense_is=tuple(data["word_sense_is"]),
        word_sense_came=tuple(data["word_sense_came"]),
        word_sense_month=frozenset(data["word_sense_month"]),
        scripture_books=frozenset(data["scripture_books"]),
        role_titles=tuple(
            sorted({tuple(r.lower().split()) for r in data["role_titles"]}, key=len, reverse=True)
        ),
        eponym_after=frozenset(data["eponym_after"]),
        season_names=frozenset(data["season_names"]),
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


_ABBREVIATION = re.compile(r"(?<![\w.])(?:St|Mt|Dr|Mr|Mrs|Ms|Prof|Rev|Fr)\.$")
_INITIALS = re.compile(r"(?<![\w.])(?P<initials>(?:[A-Z]\.(?: (?=[A-Z]\.))?){1,3}) ?$")


def _initials_before(text: str, index: int) -> int | None:
    """Where the initials just before ``index`` begin: "R.K. Puram", "by J. Smith". One
    initial counts only after a word in lower case or at a sentence's start, so "plan B."
    and "Vitamin D." still end their sentences."""
    m = _INITIALS.search(text, max(0, index - 10), index)
    if m is None:
        return None
    if len(m.group("initials")) > 2:
        return m.start()
    word = re.search(r"([^\W\d_]+)[,;]? $", text[max(0, m.start() - 30) : m.start()])
    before = text[: m.start()].rstrip(" \t\"'“‘(")
    if (word is not None and word.group(1).islower()) or not before or before[-1] in "!?\n:;":
        return m.start()
    return None


def _sentence_start(text: str, index: int) -> bool:
    """Whether ``index`` is where a sentence or a line begins: after ". ", at a line's
    start, or after a heading mark, a list bullet or a quote mark at a line's start."""
    before = text[:index].rstrip(" \t\"'“‘(")
    if before.endswith(".") and (
        _initials_before(text, index) is not None or _ABBREVIATION.search(before)
    ):
        return False  # "R.K. Puram", "by J. Smith", "St. James's"
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
    # "Medicare no. 2123": the full stop of "no." or "ref." ends no sentence
    window = re.split(r"(?<!\b[Nn]o)(?<!\b[Rr]ef)[.!?]\s", text[max(0, start - 45) : start])[-1]
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


_SHORT_GROUP = re.compile(
    r"[ -]\d{1,2}\b(?![.,:]?\d)(?!\s*(?:%|am|pm|x|days?|weeks?|months?|years?|hours?|hrs?|"
    r"mins?|minutes?|times|mg|ml|kg)\b)",
    re.IGNORECASE,
)
_TIME = re.compile(r"\d{1,2}(?:[:.]\d{2})?(?:am|pm)?", re.IGNORECASE)


# A phone's extension: "ext 4452", "x44", "ext. 312", ", extension 21".
_EXTENSION = re.compile(r",?\s*(?:ext\.?|extn\.?|extension|x)\s*\d{1,5}\b", re.IGNORECASE)


def _handle_shaped(body: str) -> bool:
    """A name shaped as only a handle is: a letter and a digit, an underscore, or a dot
    inside ("jade_smith_93", "kwame.mensah", "lucy.x.m"); not a time ("@10am")."""
    return (
        any(c.isalpha() for c in body)
        and not _TIME.fullmatch(body)
        and bool(re.search(r"_|\d|\w\.\w", body))
    )


def _handle_context(text: str, at: int, lex: Lexicon) -> bool:
    """A platform or a word like "follow" in the sentence around an @name."""
    starts = [m.end() for m in re.finditer(r"[.!?]\s|\n", text[:at])]
    stop = re.search(r"[.!?]\s|\n", text[at:])
    sentence = text[starts[-1] if starts else 0 : at + stop.start() if stop else len(text)]
    return lex.patterns["handle_cue"].search(sentence) is not None


def _structured(text: str, lex: Lexicon) -> list[Finding]:
    """Details with a shape of their own: contact details, numbers, dates, ages."""
    p = lex.patterns
    found: list[Finding] = []

    def add(kind: str, start: int, end: int, confidence: float) -> None:
        found.append(Finding(kind, start, end, text[start:end], confidence))

    for m in p["email"].finditer(text):
        add("email", m.start(), m.end(), 0.99)
    for m in p["handle"].finditer(text):
        if _handle_shaped(m.group("body")) or _handle_context(text, m.start(), lex):
            add("handle", m.start(), m.end(), 0.97)
    for m in p["bare_handle"].finditer(text):
        if _handle_shaped(m.group("body")):
            add("handle", m.start("body") - text[: m.start("body")].endswith("@"), m.end(), 0.9)
    for m in p["url"].finditer(text):
        add("url", m.start(), m.end() - len(m.group(0)) + len(m.group(0).rstrip(".,;:!?")), 0.98)
    for m in p["bare_url"].finditer(text):
        add("url", m.start(), m.end() - len(m.group(0)) + len(m.group(0).rstrip(".,;:!?")), 0.85)
    for m in p["phone"].finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 9 <= len(digits) <= 15 or p["date_numeric"].fullmatch(m.group(0)):
            continue
        kind = _numbers_kind(text, m.start(), lex)
        if kind != "phone" and p["zip4"].fullmatch(m.group(0)):
            continue  # a ZIP+4 code, found below
        if kind == "record":
            # with the short group after it: Medicare's "2123 45670 1"
            short = _SHORT_GROUP.match(text, m.end())
            add("record", m.start(), short.end() if short else m.end(), 0.96)
        else:
            extension = _EXTENSION.match(text, m.end())  # "ext 4452" belongs to the number
            end = extension.end() if extension else m.end()
            add("phone", m.start(), end, 0.97 if m.group(0)[0] in "+(" or kind else 0.9)
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
    for shape in ("postcode_uk", "postcode_uk_lower", "postcode_ca", "eircode", "zip4"):
        for m in p[shape].finditer(text):
            add("postcode", m.start(), m.end(), 0.9 if shape == "postcode_uk" else 0.86)
    for m in p["plate"].finditer(text):
        add("plate", m.start("cued") if m.group("cued") else m.start(), m.end(), 0.9)
    for m in p["zip"].finditer(text):
        add("postcode", m.start(1), m.end(1), 0.85)
    for m in p["postcode_4"].finditer(text):
        add("postcode", m.start(1), m.end(1), 0.85)
    for m in p["address"].finditer(text):
        add("address", m.start(), m.end(), 0.92)
    for shape in ("date_numeric", "date_words", "date_named", "date_spelled"):
        for m in p[shape].finditer(text):
            time = p["time_after"].match(text, m.end())
            add("date", m.start(), time.end() if time else m.end(), 0.91)
    for m in p["date_ordinal"].finditer(text):
        add("date", m.start(1), m.end(1), 0.8)
    for shape in ("date_weekday", "date_cued"):
        for m in p[shape].finditer(text):
            if _day_and_month(m.group("day"), m.group("month")):
                at = m.start("date") if "date" in p[shape].groupindex else m.start()
                add("date", at, m.end(), 0.88)
    for m in p["birth_year"].finditer(text):
        if date.today().year - int(m.group("year")) > 89:
            add("date", m.start("year"), m.end("year"), 0.88)
    for m in p["age"].finditer(text):
        if (m.group("cue") or m.group("suffix")) and not p["age_noise"].search(
            text[max(0, m.start() - 40) : m.start()]
        ):
            add("age", m.start("age"), m.end("age"), 0.9)
    for m in p["age_note"].finditer(text):
        if not p["age_noise"].search(text[max(0, m.start() - 40) : m.start()]):
            add("age", m.start(), m.end(), 0.88)
    for shape in ("age_apposition", "age_decade", "age_word"):
        for m in p[shape].finditer(text):
            add("age", m.start("age"), m.end("age"), 0.85)
    return found


def _day_and_month(first: str | None, second: str | None) -> bool:
    """Whether two numbers read as a day and a month either way round ("4/5", "12/3"); no
    numbers at all ("Sun 12th") is a day too. "9/27" is no date: a score."""
    if first is None or second is None:
        return True
    a, b = int(first), int(second)
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


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
        words = m.group(1).split(" ")
        # "Dr A. He said": the name ends before a word that is no one's name.
        kept = next((i for i, w in enumerate(words) if i and _bare(w) in lex.not_names), None)
        name = " ".join(words[:kept])
        possessive = _POSSESSIVE.search(name)
        if possessive:  # "Mrs O'Brien's son", "Mrs K's daughter": the name ends before the 's
            name = name[: possessive.start()]
        name = name.rstrip(".")  # "Dr A. He said": the full stop ends the sentence
        found.append(Finding("name", m.start(1), m.start(1) + len(name), name, 0.9))
    for m in p["honorific_lower"].finditer(text):
        word = _bare(m.group("name"))
        if len(word) > 1 and not (
            _everyday(word, lex) or _does(word, lex) or word.title() in lex.not_names
        ):
            end = _lower_case_surname(text, m.start("name") + len(word), lex)
            found.append(Finding("name", m.start("name"), end, text[m.start("name") : end], 0.75))
    for m in p["ward"].finditer(text):
        found.append(Finding("place", m.start(), m.end(), m.group(0), 0.88))
    for m in p["initial"].finditer(text):
        if _sentence_start(text, m.start()):
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.7))
    for m in p["initials"].finditer(text):
        if m.group(0) not in lex.not_names:  # "U.K.", "R.I.P."
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.65))
    addresses = [f for f in around if f.type == "address"]
    postcodes = [f for f in around if f.type == "postcode"]
    found += _bracketed_and_reversed(text, lex)
    for tokens in _runs(text, lex):
        first_start = tokens[0][0]
        company = next(
            (
                c
                for c in lex.companies
                if text.startswith(c, first_start)
                and not text[first_start + len(c) : first_start + len(c) + 1].isalnum()
            ),
            None,
        )
        if company and p["employer_cue"].search(lowered[max(0, first_start - 24) : first_start]):
            # "works at Amazon": a workplace, though "ordered from Amazon" is not a detail
            end = first_start + len(company)
            found.append(Finding("place", first_start, end, company, 0.8))
            continue
        run_end = tokens[-1][0] + len(_bare(tokens[-1][1]))
        if text[first_start:run_end] in lex.not_names:
            continue  # "Sara Stedy", "Coronation Street": a thing, whatever its words are
        if _scripture(tokens[0][1], text[run_end:], lex):
            continue  # "John 3:16", "Surah Yasin", "Psalm 23": a passage, not a person
        # Drop the sentence's own first word when it is an everyday word ("Visited").
        while tokens:
            start, word = tokens[0]
            bare = _bare(word)
            initial = _sentence_start(text, start)
            role = _role_at(tokens, lex)
            if role and len(tokens) > role:
                del tokens[:role]  # "Carer Jane Smith", "Key Worker Ali Khan": a job, a name
                continue
            holy_place = (
                bare in _HOLY and len(tokens) > 1 and _bare(tokens[1][1]) in lex.institutions
            )  # "Jesus House", "Christ Church": a church's name
            if (
                (
                    (bare in lex.not_names or word.rstrip(".,;:!?") in lex.not_names)
                    and not holy_place
                )
                or bare in lex.honorifics
                or bare in lex.connectors
                or (len(tokens) == 1 and _particle(bare, lex))  # "Ó" alone
                or (
                    initial
                    and bare not in ("St", "Saint")
                    and (_everyday(bare.lower(), lex) or _does(bare.lower(), lex))  # "Rang"
                    and bare not in lex.word_names
                    and bare.lower() not in lex.first_names
                    and len(tokens) > 1
                )
            ):
                tokens.pop(0)
            else:
                break
        while tokens and (
            (
                _bare(tokens[-1][1]) in lex.not_names
                or tokens[-1][1].rstrip(".,;:!?") in lex.not_names
            )
            and not (len(tokens) > 1 and _bare(tokens[-1][1]) in lex.institutions)  # "Rowan Ward"
            or tokens[-1][1] in lex.connectors
            or _particle(tokens[-1][1], lex)
        ):
            tokens.pop()
        if not tokens or _role_at(tokens, lex) == len(tokens):
            continue  # "The Registrar will ring back": a job alone is no one
        start = tokens[0][0]
        last_start, last = tokens[-1]
        end = last_start + len(_bare(last))
        words = [_bare(w) for _, w in tokens]
        initials = _initials_before(text, start)
        if initials is not None:  # "R.K. Puram", "J. Smith": the initials are part of it
            start = initials
        phrase = text[start:end]
        initial = _sentence_start(text, start)
        cue_place = bool(p["place_cue"].search(lowered[max(0, start - 24) : start]))
        # an emoji after a name ("Jamal👍 said") says nothing of what the name is
        rest_text = _EMOJI.sub("", re.sub(r"^['’]s?", "", text[end : end + 60])).lstrip(" ,")
        after = rest_text.lower().split(" ")[0].strip(".,;!?")
        owned = re.match(r"['’]s?\b", text[end : end + 2]) is not None
        known = any(_folded(w) in lex.first_names for w in words)
        if phrase in lex.not_names:
            continue
        if len(words) == 1 and (words[0] in MONTH_NAMES or words[0] in lex.season_names):
            if _at_a_time(lowered, start, end):
                continue  # "By May or June", "since Chrissy": a time, not a person
        if not known and text[end : end + 1] not in ("'", "’") and after in lex.eponym_after:
            continue  # "a Whipple procedure", "a Foley catheter": named after someone
        after_the = lowered[max(0, start - 4) : start] == "the "
        if len(words) == 1 and (
            after_the
            and not words[0].endswith("s")  # "The Willows" is a care home
            and (words[0].lower() in lex.common or words[0] in lex.institutions)
            or (cue_place and words[0] in lex.institutions)
        ):
            continue  # "sat in the Garden", "The Lodge is closed", "went to Church": no one place
        if len(words) == 1 and words[0].lower() in lex.common and _NUMBERED.match(text, end):
            continue  # "Room 12": a numbered room, no one place ("Ward 7", "Bay 4": see "ward")
        if (
            len(words) > 1
            and words[-1].lower() in ROLES
            and not known
            and lowered[max(0, start - 8) : start].split()[-1:] in ([w] for w in _DETERMINERS)
        ):
            continue  # "The Occupational Therapist": a job written in capitals
        if len(words) == 1 and words[0] in lex.countries and not _does(after, lex):
            continue  # "born in Jamaica", "Canada's guidelines"; but "Georgia said"
        if len(words) == 1 and not owned and not known and after in lex.scheme_after:
            continue  # "her Aadhaar number", "Emirates ID", "Garda vetting"
        if any(w in lex.institutions for w in words[1:]) or words[0] in ("St", "Saint"):
            # "Beaumont Hospital", "Queen Elizabeth Hospital Birmingham", "Rowan Ward"
            found.append(Finding("place", start, end, phrase, 0.85))
            continue
        if len(words) > 1 and (words[-1] in lex.streets or words[0] in lex.streets_before):
            found.append(Finding("place", start, end, phrase, 0.7))
            continue
        if words[-1] in lex.postal_districts:
            district = re.match(r" \d{1,2}[Ww]?\b(?![.,:]?\d)", text[end:])
            end += district.end() if district else 0
            found.append(Finding("place", start, end, text[start:end], 0.85))
            continue  # "Dublin 9": the district is part of the place
        if phrase.lower() not in ("postcode", "post code", "postal code", "zip") and (
            any(0 <= start - a.end <= 2 for a in addresses)
            or any(0 <= pc.start - end <= 2 for pc in postcodes)
            or any(0 <= start - pc.end <= 2 for pc in postcodes)
        ):
            # "14 Elm Grove, Harrogate HG1 4QT"; "22 Kaikorai Valley Road, Dunedin 9010",
            # where the four digits after the town are its postcode.
            found.append(Finding("place", start, end, phrase, 0.84))
            beside = any(0 <= start - a.end <= 2 for a in addresses)
            code = re.match(r" (\d{4})\b(?![.,:]?\d)", text[end:]) if beside else None
            if code is not None:
                found.append(Finding("postcode", end + 1, code.end() + end, code.group(1), 0.8))
            continue
        acronym = re.search(r"(?<![\w&.])([A-Z]{2,5}) $", text[max(0, start - 7) : start])
        if (
            acronym is not None
            and acronym.group(1) not in lex.not_names
            and p["place_cue"].search(lowered[max(0, start - 30) : start - len(acronym.group(0))])
        ):
            # "graduated from IIT Bombay": the letters and the town are one institution
            start -= len(acronym.group(0))
            found.append(Finding("place", start, end, text[start:end], 0.8))
            continue
        if not known and any(
            f.type == "place" and 0 <= start - f.end <= 2 and text[f.end : start].strip() == ","
            for f in found
        ):
            # "Beaumont Hospital, Dublin", "in Surulere, Lagos": a place after a place
            found.append(Finding("place", start, end, phrase, 0.78))
            code = re.match(r" (\d{4})\b(?![.,:]?\d)", text[end:])
            if code is not None and any(
                0 <= start - a.end <= 60 and not re.search(r"[.!?]\s", text[a.end : start])
                for a in addresses
            ):
                # "14 Kauri St, Ponsonby, Auckland 1011": the town's postcode
                found.append(Finding("postcode", end + 1, code.end() + end, code.group(1), 0.8))
            continue
        everyday = all(re.split(r"['’]", w)[0].lower() in lex.common for w in words)
        if cue_place and not (known and lowered[max(0, start - 4) : start].strip() == "to"):
            if not (everyday and initial) and not (len(words) == 1 and words[0] in MONTH_NAMES):
                found.append(Finding("place", start, end, phrase, 0.75))
            continue
        if known:
            found.append(Finding("name", start, end, phrase, 0.9))
        elif len(words) == 1 and words[0] in lex.word_names:
            # "I hope so" has no capital; "…told Hope" and "Hope said…" are a person, but
            # "Hope is hard to hold on to" and "Joy and relief" are words.
            if not initial and lowered[max(0, start - 8) : start].split()[-1:] in (
                [w] for w in _WORD_BEFORE
            ):
                continue  # "real Grace in how she spoke": the word, written with a capital
            if (
                not initial
                or _acts(rest_text, lex, word=words[0])
                or _person_after(rest_text, lex)
                or (owned and after in KIN)  # "Bill's wife says"
                # "Tom's fine", "Ed's leg": one's 's is a person's, unless it is "is" said
                # of a word ("Hope's not easy")
                or (owned and _acts("is " + rest_text, lex, word=words[0]))
            ):
                found.append(Finding("name", start, end, phrase, 0.8 if not initial else 0.75))
        elif everyday:
            continue
        elif not initial:
            found.append(Finding("name", start, end, phrase, 0.75))
        elif (
            len(words) > 1
            or _acts(rest_text, lex)
            or owned
            or _person_after(rest_text, lex, verbs=True)
            or _addressed(text, end, words[0])
        ):
            # An unfamiliar word opening a sentence is a person when they do something
            # ("Thandiwe said", "Bao looked after", "Shaz posts about"), own something
            # ("Aisha's case") or have a family ("Smith-Okonkwo family meeting").
            found.append(Finding("name", start, end, phrase, 0.6))
    for m in p["word"].finditer(text):
        if m.group(0) in lex.first_names and m.group(0) not in lex.common:
            building = _LOWER_INSTITUTION.match(text, m.end())
            if building is not None and not any(
                _does(w, lex) or w in _DETERMINERS or w in _LOWER_LINKS
                for w in building.group("between").split()
            ):
                # "she's at james cook hospital": a place named after someone, whole
                end = building.end()
                found.append(Finding("place", m.start(), end, text[m.start() : end], 0.72))
                continue
            # "i saw margaret thompson": the surname after a first name goes with it
            end = _lower_case_surname(text, m.end(), lex)
            found.append(Finding("name", m.start(), end, text[m.start() : end], 0.7))
    for m in p["kin_name"].finditer(text):
        # "her son jamie rang": a word no one writes in lower case but a name, after a
        # relation, in notes written in a hurry.
        word = m.group("name")
        if (
            not (_everyday(word.lower(), lex) or _does(word.lower(), lex))
            and word not in lex.not_names
        ):
            end = _lower_case_surname(text, m.end("name"), lex)
            found.append(Finding("name", m.start("name"), end, text[m.start("name") : end], 0.6))
    found += _in_capitals(text, lex)
    found += _other_scripts(text, lex)
    found += _hospital_initials(text, lex)
    return _with_state(text, found)


# Letters of the scripts a name in an English note is often written in: Arabic, Hebrew,
# Devanagari and the other Indic scripts, Thai, Hangul, kana and Chinese characters (not
# their punctuation or digits: "،", "।", "。", "٣").
_SCRIPT = (
    "\u0591-\u05f4\u0620-\u064a\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\u0900-\u0963\u0971-\u0dff\u0e01-\u0e4e\u1100-\u11ff\u3041-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\ufb50-\ufdff\ufe70-\ufefc"
)
_SCRIPT_RUN = re.compile(rf"[{_SCRIPT}]+(?:[ \u00b7\u30fb][{_SCRIPT}]+)*")


def _other_scripts(text: str, lex: Lexicon) -> list[Finding]:
    """Words in another script among English ones ("Her husband राजेश कुमार", "How is your
    mother, 李明?", a speaker called 김민준): short runs of them are almost always a name, or
    a place after a word that says so ("moved from 東京"). A long run is a sentence in that
    script, not a name."""
    found = []
    for m in _SCRIPT_RUN.finditer(text):
        words = re.split(r"[ \u00b7\u30fb]", m.group(0))
        if len(words) > 4 or any(len(w) > 12 for w in words):
            continue
        before = text[max(0, m.start() - 24) : m.start()].lower()
        cue = lex.patterns["place_cue"].search(before)
        kind = "place" if cue is not None and cue.group(0).split()[0] != "to" else "name"
        found.append(Finding(kind, m.start(), m.end(), m.group(0), 0.8))
    return found


# A hospital known by its initials, as Nigerian and Ghanaian teaching hospitals are
# ("taken to LUTH", "admitted at UCH Ibadan", "KATH"): letters ending in H (for Hospital) or
# HC (Hospital Complex) after a word that says where.
_HOSPITAL_INITIALS = re.compile(r"(?<![\w&])[A-Z]{2,6}H(?:C)?(?![\w&])")


def _hospital_initials(text: str, lex: Lexicon) -> list[Finding]:
    found = []
    for m in _HOSPITAL_INITIALS.finditer(text):
        before = text[max(0, m.start() - 24) : m.start()].lower()
        if (
            m.group(0) not in lex.not_names
            and m.group(0).lower() not in lex.common
            and lex.patterns["place_cue"].search(before)
        ):
            found.append(Finding("place", m.start(), m.end(), m.group(0), 0.75))
    return found


# A US state's two letters after a town: "Columbus, OH", "Tulsa, OK 74103".
_US_STATE = re.compile(
    r",?\s(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\b(?![&'’-])"
)


def _with_state(text: str, found: list[Finding]) -> list[Finding]:
    """Each place found with the US state written after it: one place, "Columbus, OH"."""
    out = []
    for f in found:
        state = _US_STATE.match(text, f.end) if f.type == "place" else None
        if state is not None:
            f = replace(f, end=state.end(), text=text[f.start : state.end()])
        out.append(f)
    return out


# A nickname in brackets or quotes inside a name: 'Oluwadamilare (Dami) Balogun', 'Dwayne
# "DJ" Jackson'.
_NICKNAME = re.compile(
    rf"(?<![\w@.])({_CAP}) (?:\(({_CAP})\)|[\"“'‘]({_CAP})[\"”'’]) ({_CAP})(?![\w'’])"
)
_NUMBERED = re.compile(r" \d{1,4}[A-Z]?\b")
# A building written in lower case after a first name and at most two words: "james cook
# hospital", "st mary's school" is read with its capitals.
_LOWER_INSTITUTION = re.compile(
    r"(?P<between>(?: [a-z'’-]+){0,2}?) (?:hospital|hospice|infirmary|school|college|"
    r"university|surgery|clinic|church|mosque|temple|gurdwara|synagogue|centre|center|"
    r"academy|prison)\b"
)
_LOWER_LINKS = frozenset({"to", "at", "in", "from", "for", "of", "on", "with", "and", "or"})
# Words after which a word-name written with a capital is still the word: "real Grace".
_WORD_BEFORE = frozenset(
    {"a", "an", "the", "some", "such", "real", "much", "more", "no", "any", "great", "true"}
)


# Holy names that also name a church or a college: "Jesus House", "Christ Church".
_HOLY = frozenset({"Jesus", "Christ", "God", "Allah"})
# Emoji, with their skin tones, joiners and variation selectors, and the spaces about them.
_EMOJI = re.compile(r"^[\s\u200d\ufe0f\u2600-\u27bf\U0001F000-\U0001FAFF]+(?=\S)")
# Words after which a month, or a word for a time of year, is the time: "By May or June".
_TIME_BEFORE = frozenset(
    {"by", "in", "since", "until", "till", "before", "after", "during", "last", "next", "this",
     "early", "late", "mid", "through", "throughout", "over", "around", "of", "or", "and"}
)  # fmt: skip


def _role_at(tokens: list[tuple[int, str]], lex: Lexicon) -> int:
    """How many of a run's first words are a job or a role: 2 for "Key Worker Ali Khan",
    1 for "Carer Jane Smith", 0 for "Jane Smith"."""
    words = tuple(_bare(w).lower() for _, w in tokens)
    for role in lex.role_titles:
        if words[: len(role)] == role:
            return len(role)
    return 0


def _at_a_time(lowered: str, start: int, end: int) -> bool:
    """A month or a time of year read as the time: after a word of time ("By May", "since
    Chrissy", "in early June") or beside another month ("May or June")."""
    before = lowered[max(0, start - 12) : start].split()[-1:]
    if before and before[0] in _TIME_BEFORE:
        return before[0] not in ("of", "or", "and") or bool(
            re.search(
                rf"(?:{_MONTHS.lower()}) (?:or|and|of) $", lowered[max(0, start - 16) : start]
            )
        )
    return re.match(rf" (?:or|and|to) (?:{_MONTHS.lower()})\b", lowered[end : end + 16]) is not None


# What is said to someone named before a comma: "Tariq, how has the week been?", "Kwabena,
# you did well", "Jiho, thank you".
_ADDRESSING = frozenset(
    {"how", "what", "when", "where", "why", "who", "which", "are", "do", "did", "can", "could",
     "would", "will", "have", "you", "you're", "you've", "you'll", "your", "thank", "thanks",
     "please", "listen", "look", "come", "tell"}
)  # fmt: skip


def _addressed(text: str, end: int, word: str) -> bool:
    """A word opening a sentence is a person spoken to when a comma and words said to
    someone follow it ("Tariq, how has the week been?"), not a word said on its own before
    a comma ("Knackered, I was", "Aye, right")."""
    m = re.match(r",\s+([^\W\d_]+(?:['’][^\W\d_]+)?)", text[end : end + 16])
    return len(word) > 2 and m is not None and m.group(1).lower() in _ADDRESSING


def _scripture(first: str, after: str, lex: Lexicon) -> bool:
    """A run of capitals that names a passage of scripture: a book with its chapter and verse
    ("John 3:16"), or a run opening on a word for one ("Surah Al-Fatiha", "Psalm 23")."""
    book = _bare(first)
    return book in lex.scripture_books and (
        book in lex.not_names or re.match(r" \d{1,3}:\d{1,3}\b", after) is not None
    )


_SURNAME_FIRST = re.compile(rf"(?<![\w@.])({_CAP}), ({_CAP})(?=[ \t]*:)")


def _bracketed_and_reversed(text: str, lex: Lexicon) -> list[Finding]:
    """Two ways of writing one person's name that break a run of capitals: a nickname in
    brackets ("Oluwadamilare (Dami) Balogun") and a surname first, as a speaker
    ("Okafor, Chidi:"). Each is one finding, so the person has one placeholder."""
    found: list[Finding] = []

    def plain(word: str) -> bool:
        bare = _bare(word)
        return (
            not _capitalised(bare)
            or bare in lex.not_names
            or bare in lex.countries
            or bare in lex.honorifics
            or bare in lex.institutions
        )

    for m in _NICKNAME.finditer(text):
        nick = m.group(2) or m.group(3)
        parts = (m.group(1), nick, m.group(4))
        if plain(parts[0]) or plain(parts[2]) or _bare(nick) in lex.not_names:
            continue
        if any(_folded(w) in lex.first_names for w in parts) or any(
            _bare(w).lower() not in lex.common for w in parts[:2]
        ):
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.92))
    for m in _SURNAME_FIRST.finditer(text):
        if not _sentence_start(text, m.start()) or any(plain(w) for w in m.groups()):
            continue
        if not any(_everyday(w.lower(), lex) for w in m.groups()):
            found.append(Finding("name", m.start(), m.end(), m.group(0), 0.92))
    return found


_NEXT_WORD = re.compile(r" ([^\W\d_]+(?:['’-][^\W\d_]+)*)")


def _next_word(text: str, end: int) -> str:
    """The word straight after ``end``, in lower case ("" when none)."""
    m = _NEXT_WORD.match(text, end)
    return m.group(1).lower() if m else ""


def _lower_case_surname(text: str, end: int, lex: Lexicon) -> int:
    """Where a name written in lower case ends: its first name's ``end``, or after the
    surname that follows it ("margaret thompson", "siobhan ní bhriain"); an everyday
    word, a verb or a cue ends it ("kemi smiled", "jamie hasn't")."""
    pending = end
    for _ in range(3):
        m = _NEXT_WORD.match(text, pending)
        if m is None:
            break
        word = _bare(m.group(1))
        if word != word.lower():
            break
        if word in lex.connectors:
            pending = m.start(1) + len(word)
            continue
        if (
            len(word) < 3
            or _everyday(word, lex)
            or _does(word, lex)
            or word in lex.not_names
            or word.title() in lex.not_names
        ):
            break
        end = pending = m.start(1) + len(word)
    return end


_CAPS_WORD = re.compile(r"(?<![\w@.])[^\W\d_a-z]{2,}(?:['’-][^\W\d_a-z]+)*(?![\w@])")


def _in_capitals(text: str, lex: Lexicon) -> list[Finding]:
    """Names written in capitals, as notes and forms often are: read as names in title
    case are, where the context says name. A known first name that is no everyday word
    ("MARGARET", not "GRACE" or "MAY") or a word after a title ("MRS THOMPSON"), with the
    capitalised words after it that are not everyday words either ("MARGARET THOMPSON
    was tearful"; "MARGARET WAS" ends at "WAS")."""
    found: list[Finding] = []
    runs: list[list[tuple[int, str]]] = []
    last_end = -1
    for m in _CAPS_WORD.finditer(text):
        word = m.group(0)
        if not word.isupper():
            continue
        if runs and text[last_end : m.start()] == " ":
            runs[-1].append((m.start(), word))
        else:
            runs.append([(m.start(), word)])
        last_end = m.end()
    if not runs:
        return found
    honorifics = {h.upper() for h in lex.honorifics}

    def plain(word: str) -> bool:
        title = word.title()
        return (
            _everyday(word.lower(), lex)
            or word in lex.not_names
            or title in lex.not_names
            or title in lex.countries
            or title in lex.institutions
            or word.lower() in MONTH_NAMES_LOWER
        )

    for run in runs:
        i = 0
        while i < len(run):
            start, word = run[i]
            titled = word in honorifics and i + 1 < len(run)
            first = (
                _folded(word) in lex.first_names
                and word.lower() not in lex.common
                and word.lower() not in MONTH_NAMES_LOWER
            )
            if not (titled or first):
                i += 1
                continue
            j = i + 1
            while j < len(run) and not plain(run[j][1]) and run[j][1] not in honorifics:
                j += 1
            if titled and j == i + 1:
                i += 1
                continue
            if first and not titled and j == i + 1 and len(word) < 4:
                i += 1  # "AMA", "ANA", "JAN": a short one alone may be letters
                continue
            begin = run[i + 1][0] if titled else start
            end = run[j - 1][0] + len(_bare(run[j - 1][1]))
            found.append(Finding("name", begin, end, text[begin:end], 0.85))
            i = j
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
        gap = text[last_end : m.start()]
        joined = bool(current) and (
            gap == " " or (gap == ". " and current[-1][1] in ("St", "Mt"))  # "St. James's"
        )
        if _capitalised(word) or _particle(word, lex) or (joined and _prefixed_name(word, lex)):
            if not joined:
                if current:
                    runs += _at_possessives(current, lex)
                current = []
            current += pending + [(start, word)]
            pending = []
        elif joined and word in lex.connectors:
            pending.append((m.start(), word))
        else:
            if current:
                runs += _at_possessives(current, lex)
            current, pending = [], []
        last_end = m.end()
    if current:
        runs += _at_possessives(current, lex)
    return runs


def _particle(word: str, lex: Lexicon) -> bool:
    """A one-letter particle written with its capital, inside a name: "Seán Ó Murchú"."""
    return len(word) == 1 and word.isupper() and word.lower() in lex.connectors


def _at_possessives(run: list[tuple[int, str]], lex: Lexicon) -> list[list[tuple[int, str]]]:
    """A run cut after a possessive inside it: "Layla Haddad's Emirates ID" is a person
    and then a scheme. Not when what follows names a place with the owner's name in it:
    "St Anne's Hospice", "King's College London", "Patrick's Street", "Arthur's Seat"."""
    words = [_bare(w) for _, w in run]
    if words[0] in ("St", "Saint") or any(
        w in lex.institutions or w in lex.streets for w in words[1:]
    ):
        return [run]
    for i, (_, word) in enumerate(run[:-1]):
        owner = _bare(word) != word.rstrip(".,;:!?") and word.rstrip(".,;:!?")[-1] in "sS'’"
        if owner and not any(w.lower() in lex.common for w in words[i + 1 :]):
            return [run[: i + 1], *_at_possessives(run[i + 1 :], lex)]
    return [run]


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


# What follows a verb that a person does to someone or something: "posts about her mum".
_AFTER_VERB = frozenset(
    {"about", "her", "his", "their", "the", "a", "an", "me", "him", "them", "us", "my", "your",
     "our", "it", "that", "up", "out", "back", "off"}
)  # fmt: skip


def _person_after(rest: str, lex: Lexicon, verbs: bool = False) -> bool:
    """The words after a capitalised word opening a sentence say it is a person: a team or a
    workplace they come from ("Mark from the district nurses"), their family
    ("Smith-Okonkwo family meeting"), or, with ``verbs`` (for a word that is no everyday
    word), something they do now to someone or something ("Shaz posts about her mum")."""
    written = rest.split()[:2]
    words = [w.strip('.,;:!?"”)').lower() for w in written]
    if not words:
        return False
    if words[0] in ("family", "household", "twins") or words == ["from", "the"]:
        return True
    if len(words) == 2 and words[0] in _APPOSITION and words[1] in KIN | ROLES:
        # "Tariq, the porter, rang me", "Ferdinand, my supervisor, said": a role set
        # between commas (not "Clocked the wife standing…", "Ay, the patient is…")
        return written[1].endswith(",")
    return (
        verbs
        and len(words) == 2
        and words[0].endswith("s")
        and _everyday(words[0], lex)
        and words[1] in _AFTER_VERB
    )


_PRONOUNS = frozenset(
    {"i", "me", "he", "him", "his", "she", "her", "they", "them", "their", "we", "my", "our"}
)


def _acts(rest: str, lex: Lexicon, word: str = "") -> bool:
    """The words after a capitalised word say a person did something: "Hope said", "Bill
    has", "Daisy and her twin". Not "Joy and relief" or "Groggy and late": what "and" joins
    is a person only when it is one ("and her", "and Bao"). After a word-name (``word``),
    a verb may still say what a word is: "Hope is hard to hold on to", "Dawn came before
    she slept", "June was a hard month"."""
    words = [w.strip('.,;:!?"”)') for w in rest.split()]
    after = words[0].lower() if words else ""
    following = " ".join(words[1:5]).lower() + " "
    if after == "and":
        joined = words[1] if len(words) > 1 else ""
        return joined.lower() in _PRONOUNS or (len(joined) > 1 and _capitalised(joined))
    if word and after in ("is", "was", "isn't", "wasn't"):
        if following.startswith(tuple(w + " " for w in lex.word_sense_is)):
            return False
        if word in MONTH_NAMES and lex.word_sense_month.intersection(_WORDS.findall(following)):
            return False
    if (
        word
        and after in ("came", "comes", "broke", "breaks", "went")
        and following.startswith(tuple(w + " " for w in lex.word_sense_came))
    ):
        return False
    return after in lex.cues_after or after in SPEECH or (after.endswith("ed") and len(after) > 3)


def find(text: str, people: Iterable[str] = (), seen: Iterable[Finding] = ()) -> list[Finding]:
    """Every identifying detail in ``text``; ``people`` (the writer's list) always wins. A
    name or place found once is found again wherever its words come back in ``text``
    ("Call me Funmi. Funmi, that sounds frightening."), and so is each one in ``seen``:
    what was found in the other texts of the same packet or transcript."""
    lex = lexicon()
    listed: list[Finding] = []
    for name in sorted({n.strip() for n in people if n.strip()}, key=len, reverse=True):
        for variant in {name, *name.split()}:
            if len(variant) < 2 or variant in lex.connectors or variant in lex.honorifics:
                continue
            # A listed name that is also an everyday word ("Will", "Rose", "Hope") is the
            # name only with its capital: "I will ask Will" keeps the verb.
            everyday = variant.lower() in lex.common
            for m in _whole_word(variant).finditer(text):
                if everyday and not m.group(0)[0].isupper():
                    continue
                listed.append(Finding("name", m.start(), m.end(), m.group(0), 0.99))
    structured = _structured(text, lex)
    found = listed + structured
    for f in _outside_named_things(text, _proper_nouns(text, lex, _merge(structured))):
        found += _outside(text, f, listed)
    return also_seen(text, _joined(text, _merge(found), lex), seen)


@lru_cache(maxsize=1)
def _named_things_of_words() -> re.Pattern[str] | None:
    """The names of things written in several words ("Abide with Me", "Coronation
    Street"), longest first, as whole words."""
    phrases = sorted((n for n in lexicon().not_names if " " in n), key=len, reverse=True)
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")


def _outside_named_things(text: str, found: list[Finding]) -> list[Finding]:
    """The names and places guessed from capitals, less any inside or across the name of a
    thing written in several words ("Sang Abide with Me": the hymn, not a person called
    "Sang Abide"). The writer's own list still wins."""
    pattern = _named_things_of_words()
    things = [m.span() for m in pattern.finditer(text)] if pattern else []
    if not things:
        return found
    return [
        f
        for f in found
        if f.type not in ("name", "place") or all(f.end <= a or f.start >= b for a, b in things)
    ]


def also_seen(text: str, found: list[Finding], seen: Iterable[Finding]) -> list[Finding]:
    """``found`` (what ``find`` found in ``text`` alone) with the details of ``seen`` that
    come back in ``text``: what ``find(text, people, seen)`` gives, without reading the
    text again (a transcript's turns are each read once, then checked for the others')."""
    return _merge(found + _repeats(text, found, seen, lexicon()))


def _joined(text: str, found: list[Finding], lex: Lexicon) -> list[Finding]:
    """Names that only a particle keeps apart are one person: "Dafydd ap Gruffydd", when
    "Dafydd" and "Gruffydd" are each on the writer's list, is one name, not two."""
    out: list[Finding] = []
    for f in found:
        before = out[-1] if out else None
        if before is not None and before.type == f.type == "name":
            gap = text[before.end : f.start]
            words = gap.split()
            if words and gap[0] == gap[-1] == " " and all(w in lex.connectors for w in words):
                whole = text[before.start : f.end]
                confidence = max(before.confidence, f.confidence)
                out[-1] = Finding("name", before.start, f.end, whole, confidence)
                continue
        out.append(f)
    return out


@lru_cache(maxsize=4096)
def _variants(kind: str, found: str) -> tuple[tuple[str, str, bool], ...]:
    """The words a name or a place found is looked for again as: the whole of it, and a
    name's own parts ("Kaur" after "Ms A. Kaur"; not "ap", "Mrs" or an initial), each with
    its folded form and whether it is also an everyday word."""
    lex = lexicon()
    whole = _bare(found)
    if whole in lex.not_names or tuple(whole.lower().split()) in lex.role_titles:
        return ()
    variants = {whole}
    if kind == "name":
        variants |= {
            w
            for w in (_bare(part) for part in whole.split())
            if len(w) > 1
            and "." not in w
            and w not in lex.connectors
            and w not in lex.honorifics
            and w not in lex.not_names
            and (w.lower(),) not in lex.role_titles
        }
    return tuple(
        (v, _folded(v), v in lex.word_names or _everyday(v.lower(), lex)) for v in sorted(variants)
    )


def _repeats(
    text: str, found: list[Finding], seen: Iterable[Finding], lex: Lexicon
) -> list[Finding]:
    """Each name or place found, wherever the same whole words come back in ``text``, with
    or without a possessive. A word that is also an everyday word is taken only with its
    capital and not where a sentence begins ("Will Thomas" leaves "Will you come?" and "I
    will" alone); in lower case a name is taken only when it is no everyday word or was
    itself found in lower case ("the kowalczyk family" after "Mrs Kowalczyk")."""
    # What was found here must come back at least once more; what was found elsewhere, once.
    wanted = dict.fromkeys(((f.type, f.text) for f in seen), 1)
    wanted.update(dict.fromkeys(((f.type, f.text) for f in found), 2))
    out: list[Finding] = []
    done: set[tuple[str, str]] = set()
    folded = _folded(text)
    for (kind, name), least in wanted.items():
        if kind not in ("name", "place"):
            continue
        for variant, folded_variant, everyday in _variants(kind, name):
            if (kind, variant) in done or folded.count(folded_variant) < least:
                continue
            done.add((kind, variant))
            for m in _whole_word(variant).finditer(text):
                if _next_word(text, m.end()) in lex.eponym_after:
                    continue  # "Dr Whipple did the Whipple procedure"
                if m.group(0)[:1].isupper():
                    if everyday and _sentence_start(text, m.start()):
                        continue
                elif everyday and not name[:1].islower():
                    continue
                out.append(Finding(kind, m.start(), m.end(), m.group(0), 0.55))
    return out


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


@lru_cache(maxsize=1024)
def _whole_word(name: str) -> re.Pattern[str]:
    """``name`` as whole words, in any case, with or without its accents."""
    return re.compile(rf"(?<!\w){_any_accents(name)}(?!\w)", re.IGNORECASE)


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


_WORDS = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _same_person(name: str, known: list[str]) -> str | None:
    """A name already labelled that this one is part of ("Okafor" after "Amara Okafor"),
    or that is this one's first name ("Amara Okafor" after "Amara"), or that follows an
    everyday word opening a sentence ("Will David" after "David"): one person. "Chidi
    Okafor" after "Amara Okafor" is another."""
    lex = lexicon()
    words = [w for w in _WORDS.findall(_folded(name)) if w not in lex.connectors]
    opening = len(words) > 1 and words[0] in lex.common  # "Will David visit?"
    for other in known:
        other_words = [w for w in _WORDS.findall(other) if w not in lex.connectors]
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
        start = f.start
        if f.type == "name" and start > cursor and text[start - 1] in "@#":
            if start < 2 or not (text[start - 2].isalnum() or text[start - 2] in "@#_"):
                start -= 1  # a name written as a tag ("@Tomasz") is replaced with its sign
        key = (f.type, _folded(f.text))
        if key not in labels and f.type == "name":
            same = _same_person(f.text, [k[1] for k in labels if k[0] == "name"])
            if same is not None:
                labels[key] = labels[("name", same)]
        if key not in labels:
            labels[key] = _next_label(counters, f.type)
        out.append(text[cursor:start])
        out.append(labels[key])
        cursor = f.end
    out.append(text[cursor:])
    return "".join(out)


def find_in_tag(
    tag: str, people: Iterable[str] = (), seen: Iterable[Finding] = ()
) -> list[Finding]:
    """The details in a tag ("agnieszka-kowalczyk", "flat-3-wellington-rd", "tomasz"), read
    as words: its hyphens and underscores as spaces, once as written (a name in lower case,
    a name on the writer's list or found in the text the tag goes with) and once with each
    word's capital, where only a detail with a shape of its own counts (a known first name,
    a title and a name, an address, a date); a capital is no sign of a name in a tag. Each
    finding's text is its words as read, so "agnieszka-kowalczyk" is the same person as
    "Agnieszka" in the text."""
    lex = lexicon()
    words = re.sub(r"(?<=[^\W\d_])[-_+]|[-_+](?=[^\W\d_])", " ", tag)  # "12-03-2024" stays
    words = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", words)  # "ward7" is "ward 7"
    capitalised = " ".join(w[:1].upper() + w[1:] for w in words.split(" "))
    found = find(words, people, seen)
    if len(capitalised) == len(words):
        found += [
            f
            for f in find(capitalised, people, seen)
            if f.type != "place"
            and f.confidence >= 0.7
            and not all(_everyday(w.lower(), lex) for w in _WORDS.findall(f.text))
        ]
    return _merge(found)  # each with its words as read ("agnieszka kowalczyk"): one person
