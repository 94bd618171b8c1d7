"""The words Attunement says to people, the same on its pages and at the command line.

A page (``web.words``) wraps these in HTML, with a technical term as a tooltip; the command
line prints them as text, with the term in brackets the first time (``cli.output.Terms``).
Ids, the JSON API and the exports keep the ids and the terms; nothing here changes them.
Nothing here imports the web app, so the command line starts without it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 entry", "2 entries" (give ``many`` where adding an s is wrong)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


# -- Names for the framework's ids ------------------------------------------------------
# A theme, a setting, a body region, a scale, a practice dimension or a prompt is always
# called by its name, never by its id. Ids stay in URLs, form values, options and the JSON.

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
    from attunement.analysis.markers import lexicon
    from attunement.framework import concepts
    from attunement.practice.dimensions import DIMENSION_NAMES

    f = concepts()
    found: dict[str, str] = {}
    for group in (f.subskills, f.posture, f.adaptations, f.continuum_poles, f.body_regions):
        found |= {c.id: c.name for c in group}
    found |= {s.id: s.name for s in f.scales}
    found[f.continuum.id] = f.continuum.name
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


# -- Feedback in plain words ------------------------------------------------------------
# The article and motivational interviewing (MI) have their own terms: a power-centred
# encounter, a complex reflection, change talk. Attunement says what they mean in words a
# nurse, a chaplain or a trainee counsellor reads at first sight, and keeps the term beside
# them for those who know it: a page in a tooltip (``title``) or a small note, the command
# line in brackets. Ids, the JSON API and the exports keep the terms.

# Framework ids called by plain words, with the term each stands for.
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


def short_term(term: str) -> str:
    """A term as brackets hold it: its first sentence, without the stop ("The article's
    word: intrusive. Others took over…" is "the article's word: intrusive"), and an MI
    term or code said "MI: …" ("MI: input, advice")."""
    first = term.split(". ", 1)[0].strip().rstrip(".")
    first = re.sub(r" \(([^()]*)\)", r", \1", first)  # "input (advice)": no brackets in brackets
    for long in ("MI term: ", "MI code: "):
        if first.startswith(long):
            return "MI: " + first[len(long) :]
    return first if first.startswith("MI") else first[:1].lower() + first[1:]


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


def reply_said(code: str, subtype: str | None) -> tuple[str, str]:
    """What a whole reply does (its MI code and subtype): plain words and the MI term
    ("complex reflection"; "" for a code with none)."""
    return REPLIES.get(_reply_key(code, subtype), (code.capitalize(), ""))


def part_said(code: str) -> tuple[str, str]:
    """What one part of a reply does: plain words and its tooltip ("" for none)."""
    return PARTS.get(code, (code.replace("-", " "), ""))


def turn_said(code: str, subtype: str | None, role: str, about_change: bool) -> tuple[str, str]:
    """A transcript turn's code, short, and the MI code it stands for ("MI code: …");
    ``("", "")`` for a client's turn unless the session is about a change the client is
    weighing (change and sustain talk are MI's measures of that, nothing else's)."""
    if role == "client":
        if not about_change:
            return "", ""
        return TURN_WORDS.get((code, None), code), f"MI code: {CLIENT_TERMS.get(code, code)}"
    key = (code, subtype) if (code, subtype) in TURN_WORDS else (code, None)
    term = REPLIES.get(_reply_key(code, subtype), ("", code))[1]
    return TURN_WORDS.get(key, code), f"MI code: {term}"
