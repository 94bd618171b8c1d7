"""The words a page shows for the framework's ids: a theme, a setting, a body region, a
scale, a practice dimension or a prompt is always called by its name, never by its id.
Ids stay in URLs, form values and the JSON API."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

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
    return found | EXTRA | DIMENSION_NAMES


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
