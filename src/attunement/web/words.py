"""The words a page shows for the framework's ids: a theme, a setting, a body region, a
scale, a practice dimension or a prompt is always called by its name, never by its id.
Ids stay in URLs, form values and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from html import escape
from typing import Any

from markupsafe import Markup

from attunement.core.dates import day_text
from attunement.framework import concepts
from attunement.practice.dimensions import DIMENSION_NAMES

# Ids the framework uses that have no name in concepts.toml.
EXTRA = {
    "loss-and-life-change": "Loss and life change",
    "counselling-room": "Counselling room",
    "hospital-ward": "Hospital ward",
    "hospice": "Hospice",
    "chaplaincy": "Chaplaincy",
    "peer-support": "Peer support",
}


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Every framework id with the name a person reads."""
    f = concepts()
    found: dict[str, str] = {}
    for group in (f.subskills, f.posture, f.adaptations, f.continuum_poles, f.body_regions):
        found |= {c.id: c.name for c in group}
    found |= {s.id: s.name for s in f.scales}
    found[f.continuum.id] = f.continuum.name
    from attunement.analysis.markers import lexicon

    found |= {m.id: m.name for m in lexicon().markers}
    plain = {item: words for item, (words, _) in PLAIN_NAMES.items()}
    return found | EXTRA | DIMENSION_NAMES | plain


def name_of(item_id: str) -> str:
    """The name of a framework id; an unknown one is made readable rather than shown raw."""
    known = names().get(item_id)
    if known:
        return known
    plain = item_id.replace("_", " ").replace("-", " ").strip()
    return plain[:1].upper() + plain[1:]


def names_of(ids: object) -> str:
    """Several ids as one readable list: "Throat, Chest"."""
    return ", ".join(name_of(str(i)) for i in ids or ())  # type: ignore[attr-defined]


def day_of(value: date | str) -> str:
    """A day as people write it: "3 Nov 2026" (from a date, a datetime or an ISO date)."""
    return day_text(value)


_TERMINAL = re.compile(r"`attune\b")
_NAMED = re.compile(r"There is no ([a-z][a-z ]*?) '[^']*'")
_CODE = re.compile(r"`([^`]+)`")
_IDS = re.compile(r"valid [a-z ]+ ids are: ")  # a list of ids, for the command line

# The transcript formats a person chooses from, by name.
TRANSCRIPT_FORMATS = {
    "text": "Plain text (Speaker: words)",
    "vtt": "WebVTT captions (.vtt)",
    "srt": "SubRip subtitles (.srt)",
    "csv": "CSV (speaker, text)",
    "annomi": "AnnoMI CSV",
}


# The kinds of file Settings imports, by name, and how a jrnl journal's dates are read.
IMPORT_KINDS_LEGEND = "What kind of file is it?"
IMPORT_KINDS = {
    "attune-json": "Attunement JSON export",
    "jrnl": "jrnl journal (plain text)",
    "jrnl-json": "jrnl JSON export",
    "dayone": "Day One export (JSON or zip)",
}
DATE_ORDERS_LEGEND = "In a jrnl journal, dates such as 04/03/2024 are"
DATE_ORDERS = {
    "": "Decided from the file's other dates",
    "day-first": "Day first: 4 March",
    "month-first": "Month first: 3 April",
}

# A command-line option a message names for what to do next, "(`--replace` at the command
# line)", said as what does the same on the page; an option with no such control is left
# out rather than asked of someone in a browser.
_OPTION = re.compile(r" ?\(`(--[a-z-]+)(?: ([^`]*))?` at the command line\)")


def _on_the_page(found: re.Match[str]) -> str:
    option, value = found[1], found[2] or ""
    if option == "--from" and value in IMPORT_KINDS:
        words = f"choose “{IMPORT_KINDS[value]}” under “{IMPORT_KINDS_LEGEND}”"
    elif option == "--dates" and value in DATE_ORDERS:
        words = f"choose “{DATE_ORDERS[value]}” under “{DATE_ORDERS_LEGEND}”"
    else:
        words = {
            "--replace": "tick “Replace my deck with the same id”",
            "--title": "in the Title field",
            "--caregiver": "under “Caregiver's speaker name” when you import it",
        }.get(option, "")
    return f" ({words})" if words else ""


def for_browser(message: str) -> str:
    """An error's sentence as the page says it: no terminal commands to type (the page
    itself offers the next step), the page's control named where the command line's
    option is, no ids that came from the address bar, and words quoted rather than marked
    with backticks."""
    message = _OPTION.sub(_on_the_page, message)
    clauses = [c for c in message.split("; ") if not _TERMINAL.search(c) and not _IDS.match(c)]
    text = "; ".join(clauses).strip() or message
    text = re.sub(r",? (?:restore it )?with\s*$", "", text)
    text = _NAMED.sub(r"There is no such \1", text)
    text = _CODE.sub(r"“\1”", text)  # a terminal's `code` marks, as a page quotes words
    return text if text.endswith((".", "?", "!")) else text + "."


# -- Feedback in plain words ------------------------------------------------------------
# The article and motivational interviewing (MI) have their own terms: a power-centred
# encounter, a complex reflection, change talk. A page says what they mean in words a
# nurse, a chaplain or a trainee counsellor reads at first sight, and keeps the term in a
# tooltip (``title``) or a small note for those who know it. Ids, the JSON API, exports and
# the command line keep the terms; these are only what a page shows.

# Framework ids a page calls by plain words, with the term each stands for.
PLAIN_NAMES = {
    "intrusive": (
        "Being overridden",
        "The article's word: intrusive. Others took over, overrode or crossed the person's "
        "boundaries (relational betrayal runs from intrusive to neglectful).",
    ),
    "neglectful": (
        "Being overlooked",
        "The article's word: neglectful. Others did not see or answer the person's needs "
        "(relational betrayal runs from intrusive to neglectful).",
    ),
    "somatisation": ("Distress felt in the body", "The article's word: somatisation."),
    "somatic-awareness": ("Noticing your body", "Also called somatic awareness."),
    "efforting": ("Straining", "The article's word: efforting."),
}
# Names that are plain already but stand for a research term, for their tooltip.
TERMS = {
    "emotional_reactions": "Empathy term: emotional reactions.",
    "interpretations": "Empathy term: interpretations.",
    "explorations": "Empathy term: explorations.",
} | {item: term for item, (_, term) in PLAIN_NAMES.items()}


def term_of(item_id: str) -> str:
    """The technical term behind a plain name, for its tooltip ("" for none)."""
    return TERMS.get(item_id, "")


def with_term(words: str, term: str, tag: str = "span", css: str = "") -> Markup:
    """Words with their term as a tooltip (the words alone where there is no term)."""
    classes = f' class="{escape(css)}"' if css else ""
    if not term and not css:
        return Markup(escape(words))
    titled = f' title="{escape(term)}"' if term else ""
    return Markup(f"<{tag}{classes}{titled}>{escape(words)}</{tag}>")  # noqa: S704 - escaped


def named(item_id: str) -> Markup:
    """A framework id's name, with the term it stands for as a tooltip."""
    return with_term(name_of(item_id), term_of(item_id))


# The kinds of sign an entry's reading finds: what a sign of each is called in the entry's
# legend, and the group's name in the sentence that sums up what showed up.
FAMILIES = {
    "subskill": ("a sub-skill of attunement", "sub-skills of attunement"),
    "ease": ("ease and curiosity", "signs of ease"),
    "power-centred": ("a sign of losing ease", "signs of losing ease"),
    "self": ("your body and how you treat yourself", "your body and how you treat yourself"),
}
LOSING_EASE = (
    "“Losing ease” is what the article calls a power-centred encounter: without attunement "
    "to ourselves and the other, curiosity narrows, we assume and fix, sympathy takes the "
    "place of empathy, and our own nervous system is unsettled into problem-solving, "
    "straining and fatigue. It is a signal to notice, not a verdict."
)
HEDGED = (
    "(said lightly, with a word such as “a bit” or “maybe”)",
    "A softening word such as “maybe”, “a bit” or “slightly” comes just before it; "
    "it still counts.",
)
NOT_COUNTED = {"negated": "you said it was not so"}
NOTHING_NOTICED = "None of the signs Attunement looks for showed up in this text."


def why_not_counted(reason: str) -> str:
    """Why a sign found does not count, in plain words."""
    return NOT_COUNTED.get(reason, reason)


def noticed(markers: Sequence[Any], summary: str) -> str:
    """What showed up in an entry, sign by sign in plain words, grouped as the legend
    groups them; ``summary`` (the reading's own sentence) where nothing counted, as it
    says why when the entry was too long to read."""
    counted: dict[str, set[str]] = {}
    for finding in markers:
        if finding.counts:
            counted.setdefault(finding.family, set()).add(name_of(finding.id).lower())
    if not counted:
        from attunement.analysis.report import summary_of

        return NOTHING_NOTICED if summary == summary_of([]) else summary
    parts = [
        f"{FAMILIES[family][1]}: {', '.join(sorted(counted[family]))}"
        for family in ("ease", "subskill", "power-centred", "self")
        if family in counted
    ]
    return "Showed up: " + "; ".join(parts) + "."


# What a caregiver's words do, as the MI codes say it: (code, subtype) -> plain words and
# the MI term. The practice feedback names the whole reply so; a transcript each turn.
REPLIES = {
    ("reflection", "simple"): ("Saying back what they said", "simple reflection"),
    ("reflection", "complex"): (
        "Saying back what they said, with meaning added",
        "complex reflection",
    ),
    ("reflection", None): ("Saying back what they said", "reflection"),
    ("question", "open"): ("An open question, inviting more than yes or no", "open question"),
    ("question", "closed"): (
        "A closed question, answered with yes, no or a word",
        "closed question",
    ),
    ("question", None): ("A question", "question"),
    ("input", "advice"): ("Advice", "input (advice)"),
    ("input", "information"): ("Giving information", "input (information)"),
    ("input", "negotiation"): ("Agreeing what to do next", "input (negotiation)"),
    ("input", "options"): ("Offering options", "input (options)"),
    ("input", None): ("Advice or information", "input"),
    ("other", None): (
        "Something else: not saying back, asking or advising (a greeting, thanks or "
        "condolence, say)",
        "other",
    ),
}
# A turn's code in a transcript, short: (code, subtype) -> words.
TURN_WORDS = {
    ("reflection", "simple"): "says back",
    ("reflection", "complex"): "says back, adds meaning",
    ("reflection", None): "says back",
    ("question", "open"): "open question",
    ("question", "closed"): "closed question",
    ("question", None): "question",
    ("input", "advice"): "advice",
    ("input", "information"): "information",
    ("input", "negotiation"): "next steps",
    ("input", "options"): "options",
    ("input", None): "advice or information",
    ("other", None): "something else",
    ("change", None): "for change",
    ("sustain", None): "for keeping things as they are",
    ("neutral", None): "neither",
}
CLIENT_TERMS = {"change": "change talk", "sustain": "sustain talk", "neutral": "neutral"}
# Each part of a practice reply (``analysis.replies.PART_CODES``): words and MI term.
PARTS = {
    "reflection-simple": ("says back what they said", "MI term: simple reflection"),
    "reflection-complex": (
        "says back what they said, with meaning added",
        "MI term: complex reflection",
    ),
    "question-open": ("an open question, inviting more than yes or no", "MI term: open question"),
    "question-closed": (
        "a closed question, answered with yes, no or a word",
        "MI term: closed question",
    ),
    "advice": ("advice", "MI term: input (advice)"),
    "reassurance": ("reassurance", ""),
    "information": ("giving information", "MI term: input (information)"),
    "sympathy": ("sympathy or minimising", ""),
    "other": ("something else: not saying back, asking or advising", "MI term: other"),
}


def _reply_key(code: str, subtype: str | None) -> tuple[str, str | None]:
    return (code, subtype) if (code, subtype) in REPLIES else (code, None)


def reply_words(mi: dict[str, Any]) -> Markup:
    """What a whole reply does (its MI code and subtype), in plain words with the MI term
    as a tooltip."""
    key = _reply_key(str(mi.get("code")), mi.get("subtype"))
    words, term = REPLIES.get(key, (str(mi.get("code", "")).capitalize(), ""))
    return with_term(words, f"MI term: {term}" if term else "")


def reply_term(mi: dict[str, Any]) -> str:
    """The MI term for a whole reply ("complex reflection"), for a small note."""
    return REPLIES.get(_reply_key(str(mi.get("code")), mi.get("subtype")), ("", ""))[1]


def part_words(code: str) -> Markup:
    """What one part of a reply does, in plain words with the MI term as a tooltip."""
    words, term = PARTS.get(code, (code.replace("-", " "), ""))
    return with_term(words, term)


def turn_code(code: str, subtype: str | None, role: str, about_change: bool) -> Markup:
    """A transcript turn's code, in plain words with the MI code as a tooltip; a client's
    turn is coded only where the session is about change (see ``transcripts.views``)."""
    if role == "client":
        if not about_change:
            return Markup("")
        words = TURN_WORDS.get((code, None), code)
        term = f"MI code: {CLIENT_TERMS.get(code, code)}"
    else:
        key = (code, subtype) if (code, subtype) in TURN_WORDS else (code, None)
        words = TURN_WORDS.get(key, code)
        term = f"MI code: {REPLIES.get(_reply_key(code, subtype), ('', code))[1]}"
    return with_term(f"[{words}]", term, css="code")
