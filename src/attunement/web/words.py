"""The words a page shows: the framework's ids by name (a theme, a setting, a body region,
a scale, a practice dimension or a prompt, never its id; ids stay in URLs, form values and
the JSON API), an error's sentence said the page's way, and feedback in plain words with
the technical term as a tooltip. The words themselves are ``attunement.wording``'s, which
the command line says too; this module adds what only a page needs."""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

from markupsafe import Markup

from attunement.core.dates import day_text
from attunement.wording import (  # noqa: F401 - the pages' words, for the templates
    FAMILIES,
    HEDGED,
    LOSING_EASE,
    PARTS,
    REPLIES,
    TURN_WORDS,
    name_of,
    names_of,
    noticed,
    part_said,
    reply_said,
    term_of,
    turn_said,
    why_not_counted,
)


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


# -- Feedback in plain words, as a page shows it -----------------------------------------
# The words and terms are ``attunement.wording``'s; a page keeps the term in a tooltip.


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


def reply_words(mi: dict[str, Any]) -> Markup:
    """What a whole reply does (its MI code and subtype), in plain words with the MI term
    as a tooltip."""
    words, term = reply_said(str(mi.get("code", "")), mi.get("subtype"))
    return with_term(words, f"MI term: {term}" if term else "")


def reply_term(mi: dict[str, Any]) -> str:
    """The MI term for a whole reply ("complex reflection"), for a small note."""
    return reply_said(str(mi.get("code", "")), mi.get("subtype"))[1]


def part_words(code: str) -> Markup:
    """What one part of a reply does, in plain words with the MI term as a tooltip."""
    return with_term(*part_said(code))


def turn_code(code: str, subtype: str | None, role: str, about_change: bool) -> Markup:
    """A transcript turn's code, in plain words with the MI code as a tooltip; a client's
    turn is coded only where the session is about change (see ``transcripts.views``)."""
    if role == "client" and not about_change:
        return Markup("")
    words, term = turn_said(code, subtype, role, about_change)
    return with_term(f"[{words}]", term, css="code")
