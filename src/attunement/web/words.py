"""The words a page shows for the framework's ids: a theme, a setting, a body region, a
scale, a practice dimension or a prompt is always called by its name, never by its id.
Ids stay in URLs, form values and the JSON API."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from attunement.core.dates import day_text
from attunement.framework import concepts

# Ids the framework uses that have no name in concepts.toml.
EXTRA = {
    "loss-and-life-change": "Loss and life change",
    "counselling-room": "Counselling room",
    "hospital-ward": "Hospital ward",
    "hospice": "Hospice",
    "chaplaincy": "Chaplaincy",
    "peer-support": "Peer support",
    "emotional_reactions": "Emotional reactions",
    "interpretations": "Interpretations",
    "explorations": "Explorations",
    "reflection": "Reflections",
    "no_power_signs": "Without fixing, sympathy or assuming",
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
    return found | EXTRA


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

# The transcript formats a person chooses from, by name.
TRANSCRIPT_FORMATS = {
    "text": "Plain text (Speaker: words)",
    "vtt": "WebVTT captions (.vtt)",
    "srt": "SubRip subtitles (.srt)",
    "csv": "CSV (speaker, text)",
    "annomi": "AnnoMI CSV",
}


def for_browser(message: str) -> str:
    """An error's sentence as the page says it: no terminal commands to type (the page
    itself offers the next step), no ids that came from the address bar, and words quoted
    rather than marked with backticks."""
    clauses = [c for c in message.split("; ") if not _TERMINAL.search(c)]
    text = "; ".join(clauses).strip() or message
    text = re.sub(r",? (?:restore it )?with\s*$", "", text)
    text = _NAMED.sub(r"There is no such \1", text)
    text = _CODE.sub(r"“\1”", text)  # a terminal's `code` marks, as a page quotes words
    return text if text.endswith((".", "?", "!")) else text + "."
