"""The supervision packet: chosen entries, the trends around them and the writer's own
questions, as one Markdown or HTML document to take to a supervisor.

It is meant for someone else, so it is redacted by default: every name, date, place,
contact detail and record number the detector finds (and every name on the writer's own
list), in the words and in the tags, becomes a placeholder that stays the same across the
whole packet, so "[Client A]" in the first entry is the same person as in the last.
Entry dates are shown only as the week they fall in. Check-in notes and practice
responses stay out; only their figures go in. The CLI, the web app and the API all build
packets here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from html import escape
from typing import Any

from attunement.core.dates import day_text, now_local
from attunement.core.journal import Journal, label_of
from attunement.core.models import SCALES, EntryFilter
from attunement.errors import InvalidInput
from attunement.framework import concepts
from attunement.practice.dimensions import EMPATHY_NAMES
from attunement.wording import plural

MAX_ENTRIES = 50
MAX_QUESTIONS = 20
SCALE_NAMES = {
    "ease": "Ease",
    "presence": "Presence",
    "curiosity": "Curiosity",
    "urge_to_fix": "Urge to fix",
    "fatigue": "Fatigue",
}
PLURALS = {"address": "addresses", "email": "e-mails", "url": "URLs", "record": "record numbers"}


@dataclass(frozen=True)
class Selection:
    """What goes in: entries by id, or every entry matching a filter; questions."""

    entry_ids: tuple[str, ...] = ()
    filter: EntryFilter | None = None
    questions: tuple[str, ...] = ()
    redact: bool = True

    @classmethod
    def from_words(
        cls,
        *,
        entry_ids: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        tags: Sequence[str] = (),
        questions: Sequence[str] = (),
        redact: bool = True,
    ) -> Selection:
        """A selection from the words people type: dates like "2026-11-01" or "last
        week"."""
        tags = tuple(t for t in tags if t.strip())
        return cls(
            entry_ids=tuple(i.strip() for i in entry_ids if i.strip()),
            filter=EntryFilter.from_words(since, until, tags) if since or until or tags else None,
            questions=tuple(questions),
            redact=redact,
        )


@dataclass(frozen=True)
class PacketEntry:
    week: date
    title: str
    prompt: str | None
    tags: tuple[str, ...]
    body: str
    signs: tuple[str, ...]  # framework markers the writer showed, by name
    feelings: tuple[str, ...]


@dataclass(frozen=True)
class Packet:
    made: date
    start: date
    end: date
    basis: str  # why these days: "entries", "chosen" (From/To) or "recent" (questions only)
    entries: list[PacketEntry]
    questions: list[str]
    checkins: int
    # mean, then the first and the second half's (None with fewer than TREND_MIN values)
    scales: dict[str, tuple[float, float | None, float | None] | None]
    body_areas: list[tuple[str, int]]
    practice_attempts: int
    practice: dict[str, float]
    redacted: bool
    replaced: dict[str, int] = field(default_factory=dict)  # detail type -> count
    scale_counts: dict[str, int] = field(default_factory=dict)  # scale -> check-ins with it

    def to_dict(self) -> dict[str, Any]:
        return {
            "made": self.made.isoformat(),
            "period": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "basis": self.basis,
            },
            "redacted": self.redacted,
            "replaced": self.replaced,
            "entries": [
                {
                    "week": e.week.isoformat(),
                    "title": e.title,
                    "prompt": e.prompt,
                    "tags": list(e.tags),
                    "body": e.body,
                    "signs": list(e.signs),
                    "feelings": list(e.feelings),
                }
                for e in self.entries
            ],
            "questions": self.questions,
            "checkins": {
                "count": self.checkins,
                "scales": {
                    k: None
                    if v is None
                    else {"mean": v[0], "first_half": v[1], "second_half": v[2]}
                    for k, v in self.scales.items()
                },
                "body_areas": [{"area": a, "count": n} for a, n in self.body_areas],
            },
            "practice": {"attempts": self.practice_attempts, "mean_levels": self.practice},
        }


@lru_cache(maxsize=1)
def _placeholder() -> re.Pattern[str]:
    """A placeholder already in the words: put there when the writer chose "Replace with
    placeholders" on saving, or typed by hand ("[Client A]", "[Client 27]", "[Date 3]",
    "[Caregiver]"), in the labels analysis.deid gives each type."""
    from attunement.analysis.deid import TYPES

    kinds = "|".join(t.capitalize() for t in TYPES if t != "name")
    return re.compile(
        rf"\[(?:(Client) ([A-Z]|\d{{1,4}})|({kinds}) (\d{{1,4}})|Caregiver|Speaker \d{{1,4}})\]"
    )


def _placeholders(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _placeholder().finditer(text)]


def _numbered_after(texts: Sequence[str]) -> dict[str, int]:
    """The highest placeholder of each kind already in ``texts``, so that what the packet
    replaces is numbered after them: with "[Client A]" and "[Date 1]" in an entry, the
    next name found is "[Client B]" and the next date "[Date 2]", never a second meaning
    of "[Client A]"."""
    highest: dict[str, int] = {}
    for text in texts:
        for m in _placeholder().finditer(text):
            if m.group(1):  # [Client A] .. [Client Z], then [Client 27] ..
                mark = m.group(2)
                kind, n = "name", (ord(mark) - 64 if mark.isalpha() else int(mark))
            elif m.group(3):
                kind, n = m.group(3).lower(), int(m.group(4))
            else:
                continue
            highest[kind] = max(highest.get(kind, 0), n)
    return highest


class _Redactor:
    """One placeholder per detail across the whole packet. A name or place found in one
    text (or tag) is looked for in all of them, so "Amara" alone as a title is caught
    because "Sat with Amara Okafor" named her in the body (an everyday word like "Will"
    only with its capital, never where a sentence begins).

    Placeholders already in the words stay as they are, and new ones are numbered after
    them, so one placeholder never means two people (or two dates) in one packet."""

    def __init__(
        self, people: list[str], texts: list[str], active: bool, tags: Sequence[str] = ()
    ) -> None:
        from attunement.analysis.deid import find_in_tag

        self.active = active
        self.state: dict[str, Any] = {"counters": _numbered_after(texts)}
        self.replaced: Counter[str] = Counter()
        self.people = list(people)
        self.seen: list[Any] = []
        self.alone: dict[str, list[Any]] = {}  # each text's details found in it alone
        if active:
            found = [f for text in texts for f in self._find(text)]
            found += [f for tag in dict.fromkeys(tags) for f in find_in_tag(tag, self.people)]
            self.seen = [f for f in found if f.type in ("name", "place")]

    def _find(self, text: str) -> list[Any]:
        """The details in ``text``, less any inside a placeholder ("Url" in "[Url 1]"):
        found in it alone (once per text), then those of the other texts that come back
        in it."""
        from attunement.analysis.deid import also_seen, find

        if text not in self.alone:
            self.alone[text] = find(text, self.people)
        kept = _placeholders(text)
        return [
            f
            for f in also_seen(text, self.alone[text], self.seen)
            if all(f.end <= start or f.start >= end for start, end in kept)
        ]

    def __call__(self, text: str) -> str:
        if not self.active or not text:
            return text
        from attunement.analysis.deid import redact

        findings = self._find(text)
        self.replaced.update(f.type for f in findings)
        return redact(text, findings, self.state)

    def tags(self, tags: Sequence[str]) -> tuple[str, ...]:
        """An entry's tags as they may be shown: a tag that is or holds a name, a place or
        another detail has it replaced by the placeholder the words have for it, written
        in the tag ("agnieszka-kowalczyk" is "[Client A]", "flat-3-wellington-rd" is
        "flat-[Address 1]"), found by the same detector as the words."""
        if not self.active:
            return tuple(tags)
        from attunement.analysis.deid import find_in_tag, redact

        shown = []
        for tag in tags:
            findings = find_in_tag(tag, self.people, self.seen)
            self.replaced.update(f.type for f in findings)
            shown.append(redact(tag, findings, self.state))
        return tuple(dict.fromkeys(shown))


def _lines(text: str) -> str:
    """Every line end as one newline: an entry written or imported on Windows keeps its
    CRLFs in the journal, and a packet mixing them with its own LFs is one file with two
    kinds of line."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _chosen(journal: Journal, selection: Selection) -> list[Any]:
    if selection.entry_ids:
        entries = [journal.get(entry_id) for entry_id in dict.fromkeys(selection.entry_ids)]
    elif selection.filter is not None:
        entries = journal.list_entries(selection.filter, limit=MAX_ENTRIES + 1)
    else:
        entries = []
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(
            f"More than {MAX_ENTRIES} entries match; choose fewer, or a shorter period.",
            field="entries",
        )
    if not entries and not selection.questions:
        raise InvalidInput(
            "Nothing to put in the packet: choose some entries, a period or a tag, "
            "or add a question.",
            field="entries",
        )
    return sorted(entries, key=lambda e: e.created_at)


TREND_MIN = 4  # fewer values than this are too few to compare a first and a second half


def _halves(values: Sequence[int]) -> tuple[float, float | None, float | None] | None:
    """A scale's average over the period, and the averages of its first and second half
    (oldest first; the second half takes the odd one out), which are None with fewer
    than ``TREND_MIN`` values: "first half 3, second half 4" from three check-ins would
    be a trend read into one check-in against two."""
    if not values:
        return None
    mean = round(sum(values) / len(values), 1)
    if len(values) < TREND_MIN:
        return mean, None, None
    mid = len(values) // 2
    first, second = values[:mid], values[mid:]
    return mean, round(sum(first) / len(first), 1), round(sum(second) / len(second), 1)


RECENT_WEEKS = 4


def period(
    selection: Selection, entries: Sequence[Any], now: datetime
) -> tuple[datetime, datetime, str]:
    """The whole days a packet's figures cover, and why those days.

    A period chosen with From/To is used as chosen (a missing end is today). Otherwise it
    runs from the start of the first chosen entry's day to the end of the last one's, so a
    check-in made minutes before writing counts, and one made the next day does not. A
    packet of questions alone covers the last four weeks."""
    flt = selection.filter or EntryFilter()
    tz = now.tzinfo
    if flt.since is not None or flt.until is not None:
        first = flt.since or (entries[0].created_at if entries else now)
        last = flt.until or now
        basis = "chosen"
    elif entries:
        first, last, basis = entries[0].created_at, entries[-1].created_at, "entries"
    else:
        first, last, basis = now - timedelta(weeks=RECENT_WEEKS), now, "recent"
    start = datetime.combine(first.astimezone(tz).date(), time.min, tzinfo=tz)
    end = datetime.combine(last.astimezone(tz).date(), time.max, tzinfo=tz)
    return start, end, basis


def build(journal: Journal, selection: Selection, *, now: datetime | None = None) -> Packet:
    from attunement.analysis.markers import marker_info
    from attunement.core.readings import signs

    now = now or now_local()
    if len(selection.questions) > MAX_QUESTIONS:
        raise InvalidInput(f"At most {MAX_QUESTIONS} questions fit in a packet.", field="questions")
    questions = [_lines(q).strip() for q in selection.questions if q.strip()]
    entries = [
        replace(e, title=_lines(e.title or ""), body=_lines(e.body))
        for e in _chosen(journal, selection)
    ]
    start, end, basis = period(selection, entries, now)
    texts = [t for e in entries for t in (e.title or "", e.body)] + questions
    tags = [t for e in entries for t in e.tags]
    redactor = _Redactor(journal.store.people(), texts, selection.redact, tags)
    prompts = {p.id: p.text for p in journal.decks.prompts}

    read = signs(journal, entries, read_now=len(entries))
    packet_entries = []
    for entry in entries:
        day = entry.created_at.date()
        marker_ids, feelings = read[entry.id]  # the reading the entry page shows
        names = sorted({marker_info(marker_id).name for marker_id in marker_ids})
        redacted = replace(entry, title=redactor(entry.title or ""), body=redactor(entry.body))
        packet_entries.append(
            PacketEntry(
                week=day - timedelta(days=day.weekday()),
                title=label_of(redacted),  # the title, else its first words (redacted)
                prompt=prompts.get(entry.prompt_id or ""),
                tags=redactor.tags(entry.tags),
                body=redacted.body,
                signs=tuple(names),
                feelings=feelings,
            )
        )
    questions = [redactor(q) for q in questions]

    checkins = journal.checkin_figures(start, end)
    values = checkins.values
    scales = {name: _halves(values[name]) for name in SCALES}
    regions = {r.id: r.name for r in concepts().body_regions}
    areas: Counter[str] = Counter()
    for area, times in checkins.areas:  # most marked first: ties stay in that order
        areas[regions.get(area, area)] += times
    # the scores alone: the replies and their feedback are not in a packet
    attempts = [
        scores for _, scores, when in journal.store.attempt_scores() if start <= when <= end
    ]
    practice = (
        {d: round(sum(a[d] for a in attempts) / len(attempts), 2) for d in EMPATHY_NAMES}
        if attempts
        else {}
    )
    return Packet(
        made=now.date(),
        start=start.date(),
        end=end.date(),
        basis=basis,
        entries=packet_entries,
        questions=questions,
        checkins=checkins.count,
        scales=scales,
        body_areas=areas.most_common(5),
        practice_attempts=len(attempts),
        practice=practice,
        redacted=selection.redact,
        replaced=dict(sorted(redactor.replaced.items())),
        scale_counts={name: len(v) for name, v in values.items()},
    )


def _privacy_line(packet: Packet) -> str:
    if not packet.redacted:
        return "NOT REDACTED: this packet may name people in your care. Share it with care."
    total = sum(packet.replaced.values())
    kinds = ", ".join(
        f"{n} {PLURALS.get(kind, kind + 's') if n != 1 else kind}"
        for kind, n in packet.replaced.items()
    )
    return (
        f"Redacted on this computer: {total} identifying details replaced"
        f"{f' ({kinds})' if kinds else ''}. Read it through before you share it: "
        "the detector can miss things."
    )


def _day(day: date) -> str:
    return f"{day:%A} {day_text(day)}"


def period_line(packet: Packet) -> str:
    """The days the figures cover, said once, the same in every format."""
    days = (
        _day(packet.start)
        if packet.start == packet.end
        else f"{_day(packet.start)} to {_day(packet.end)}"
    )
    n = len(packet.entries)
    why = {
        "entries": f"the day{'s' if packet.start != packet.end else ''} of the "
        + ("chosen entry" if n == 1 else f"{n} chosen entries"),
        "chosen": "the period you chose",
        "recent": f"the last {RECENT_WEEKS} weeks",
    }[packet.basis]
    return f"The check-ins and practice below cover {days} ({why})."


def _scale_text(value: tuple[float, float | None, float | None], count: int) -> str:
    """A scale's figure: "8 out of 10 (1 check-in)", "average 3.7 out of 10 from 3
    check-ins", and from four on how the first half compares with the second: "average
    5.5 out of 10 from 6 check-ins (first 3: 4, last 3: 7)"."""
    mean, first, second = value
    if count <= 1:
        return f"{mean:g} out of 10" + (" (1 check-in)" if count else "")
    text = f"average {mean:g} out of 10 from {plural(count, 'check-in')}"
    if first is None or second is None:
        return text
    half = count // 2
    return f"{text} (first {half}: {first:g}, last {count - half}: {second:g})"


def _practice_text(packet: Packet) -> str:
    """The practice figures in the words the Practice page uses: "9 responses; on
    average, Showing you understood: weak (0.9 of 2); …"."""
    from attunement.practice.dimensions import LEVEL_KEY, level_text

    levels = "; ".join(f"{EMPATHY_NAMES[d]}: {level_text(v)}" for d, v in packet.practice.items())
    return (
        f"{plural(packet.practice_attempts, 'response')}; on average, {levels}. "
        f"The feedback reads each response as {LEVEL_KEY}."
    )


def _figure_rows(packet: Packet) -> list[tuple[str, str]]:
    rows = []
    for name, value in packet.scales.items():
        if value is not None:
            rows.append((SCALE_NAMES[name], _scale_text(value, packet.scale_counts.get(name, 0))))
    if packet.body_areas:
        rows.append(("Where in the body", ", ".join(f"{a} ({n})" for a, n in packet.body_areas)))
    if packet.practice_attempts:
        rows.append(("Practice", _practice_text(packet)))
    return rows


def _counts_line(packet: Packet) -> str:
    return f"{plural(packet.checkins, 'check-in')} in this period; scales run 0 to 10."


def _notes(e: PacketEntry) -> str:
    """What the analysis noticed in an entry, and its tags, as one line."""
    notes = []
    if e.signs:
        notes.append("Signs in my writing: " + ", ".join(e.signs))
    if e.feelings:
        notes.append("Kinds of feeling I name: " + ", ".join(e.feelings))
    if e.tags:
        notes.append("Tags: " + ", ".join(f"#{t}" for t in e.tags))
    return ". ".join(notes) + "." if notes else ""


_ATX = re.compile(
    r"^((?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?[ \t]{0,3})(#{1,6})(?=[ \t]|$)"
)
ENTRY_HEADINGS_BELOW = 3  # an entry sits under its ### title: its "#" becomes "####"


_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


def no_html(line: str) -> str:
    """A line of Markdown with any raw HTML made text (``<`` as ``&lt;``), outside its code
    spans: the packet is read in Markdown viewers that would run ``<script>`` or load an
    ``<img>`` written into an entry or a question."""
    out, at = [], 0
    for span in _CODE_SPAN.finditer(line):
        out += [line[at : span.start()].replace("<", "&lt;"), span.group(0)]
        at = span.end()
    return "".join(out) + line[at:].replace("<", "&lt;")


def nested(body: str) -> str:
    """An entry's Markdown as it sits in the packet, under its "###" title: its own
    headings three levels down ("## What happened" becomes "##### What happened", none
    deeper than six), a code fence it leaves open closed, so nothing in an entry reads as
    one of the packet's own sections or swallows the rest of the packet, and raw HTML
    made text (``no_html``)."""
    from markdown_it import MarkdownIt

    lines: list[str | None] = list(body.split("\n"))
    for token in MarkdownIt("commonmark").enable("table").parse(body):
        if token.map and (
            token.type == "html_block"
            or (
                token.type == "inline"
                and any(c.type == "html_inline" for c in token.children or ())
            )
        ):
            for i in range(*token.map):
                lines[i] = no_html(lines[i] or "")
        if token.type == "heading_open" and token.map:
            first, end = token.map
            level = min(6, int(token.tag[1]) + ENTRY_HEADINGS_BELOW)
            line = lines[first] or ""
            if token.markup.startswith("#"):  # "## What happened", also inside > or -
                lines[first] = _ATX.sub(r"\g<1>" + "#" * level, line, count=1)
            elif token.level == 0:  # "What happened" underlined with === or ---
                words = " ".join((lines[i] or "").strip() for i in range(first, end - 1))
                lines[first:end] = ["#" * level + " " + words] + [None] * (end - first - 1)
        elif token.type == "fence" and token.level == 0 and token.map:
            first, end = token.map
            fence = token.markup
            closing = (lines[end - 1] or "").strip() if end - 1 > first else ""
            if not (closing.startswith(fence) and closing.strip(fence[0]) == ""):
                while lines and not (lines[-1] or "").strip():
                    lines.pop()
                lines.append(fence)
    return "\n".join(line for line in lines if line is not None)


def markdown(packet: Packet) -> str:
    out = [
        "# Supervision packet",
        "",
        f"{period_line(packet)} {_privacy_line(packet)}",
        "",
    ]
    if packet.questions:
        out += ["## Questions I am bringing", ""]
        out += [f"{i}. {no_html(q)}" for i, q in enumerate(packet.questions, 1)] + [""]
    out += ["## Check-ins and practice in this period", ""]
    rows = _figure_rows(packet)
    if rows:
        out += ["| | |", "| --- | --- |"]
        out += [f"| {a} | {b} |" for a, b in rows]
        out += ["", _counts_line(packet)]
    else:
        out.append("No check-ins or practice in this period.")
    out.append("")
    out += [f"## Entries ({len(packet.entries)})", ""]
    for e in packet.entries:
        out.append(f"### {no_html(e.title)} (week of {day_text(e.week)})")
        out.append("")
        if e.prompt:
            out += [f"> {no_html(e.prompt)}", ""]
        out += [nested(e.body), ""]
        notes = _notes(e)
        out += [f"*{notes}*", ""] if notes else []
    out.append("Made with Attunement, on this computer; nothing was sent anywhere.")
    return "\n".join(out) + "\n"


STYLE = (
    "body{font:1rem/1.6 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d232a}main{overflow-wrap:anywhere}h1,h2,h3,h4,h5,h6{font-family:system-ui,"
    "sans-serif;line-height:1.25}h4,h5,h6{font-size:1rem}"
    "blockquote{margin:0 0 1rem;padding-left:1rem;border-left:3px solid #8a9aa8;color:#3b4650}"
    "table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.3rem .6rem;"
    "border-bottom:1px solid #c8d0d8;vertical-align:top}th[scope=row]{overflow-wrap:normal}"
    ".privacy{padding:.6rem .8rem;"
    "background:#eef3f6;border-radius:.3rem}pre{white-space:pre-wrap}.notes{color:#3b4650;"
    "font-style:italic}@media print{body{margin:0;max-width:none}h3{break-after:avoid}}"
)
# The file is opened outside the app, so it carries its own policy: it loads nothing
# (an image in an entry's Markdown is not fetched from anywhere) and runs nothing.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def html(packet: Packet) -> str:
    """A self-contained page; print it to PDF from the browser."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Supervision packet</title><style>{STYLE}</style></head><body><main>"
        f"<h1>Supervision packet</h1>{html_body(packet)}</main></body></html>\n"
    )


def _rendered(body: str) -> str:
    """An entry's Markdown as HTML, as the app shows entries: CommonMark with raw HTML
    off (anything typed as a tag shows as text), its headings nested as in ``nested``."""
    from attunement.web.markdown import render

    return str(render(nested(body)))


def html_body(packet: Packet) -> str:
    """The packet below its title, for the file and the app's preview: every text escaped,
    entries' Markdown rendered as the app renders entries (raw HTML off, so escaped too)."""
    parts = [
        f'<p class="period">{escape(period_line(packet))}</p>',
        f'<p class="privacy">{escape(_privacy_line(packet))}</p>',
    ]
    if packet.questions:
        parts.append("<h2>Questions I am bringing</h2><ol>")
        parts += [f"<li>{escape(q)}</li>" for q in packet.questions]
        parts.append("</ol>")
    parts.append("<h2>Check-ins and practice in this period</h2>")
    rows = _figure_rows(packet)
    if rows:
        parts.append("<table><tbody>")
        parts += [f'<tr><th scope="row">{escape(a)}</th><td>{escape(b)}</td></tr>' for a, b in rows]
        parts.append(f"</tbody></table><p>{escape(_counts_line(packet))}</p>")
    else:
        parts.append("<p>No check-ins or practice in this period.</p>")
    parts.append(f"<h2>Entries ({len(packet.entries)})</h2>")
    for e in packet.entries:
        parts.append(
            f"<article><h3>{escape(e.title)} <small>(week of {day_text(e.week)})</small></h3>"
        )
        if e.prompt:
            parts.append(f"<blockquote>{escape(e.prompt)}</blockquote>")
        parts.append(f'<div class="body markdown">{_rendered(e.body)}</div>')
        notes = _notes(e)
        if notes:
            parts.append(f'<p class="notes">{escape(notes)}</p>')
        parts.append("</article>")
    parts.append(
        "<p><small>Made with Attunement, on this computer; nothing was sent anywhere.</small></p>"
    )
    return "".join(parts)


FORMATS = {"md": "text/markdown", "html": "text/html"}
ACTIONS = ("preview", *FORMATS)


def prepare(journal: Journal, chosen: Selection, action: str) -> tuple[Packet, str | None]:
    """What the packet form asked for: ``preview`` builds the packet to show (nothing
    leaves the app); ``md`` or ``html`` also renders the file and notes the export."""
    if action not in ACTIONS:
        raise InvalidInput(f"Choose one of: {', '.join(ACTIONS)}.", field="action")
    if action == "preview":
        return build(journal, chosen), None
    return export(journal, chosen, action)


def export(journal: Journal, chosen: Selection, fmt: str) -> tuple[Packet, str]:
    """Build the packet, render it as ``md`` or ``html``, and note the export in the audit
    log (what kind, how many entries, whether redacted; never a word of it)."""
    from attunement.audit import record

    if fmt not in FORMATS:
        raise InvalidInput(f"The packet's format must be md or html, not {fmt!r}.", field="format")
    made = build(journal, chosen)
    document = markdown(made) if fmt == "md" else html(made)
    record(
        journal.data_dir,
        "export",
        format=f"packet-{fmt}",
        entries=len(made.entries),
        redacted=made.redacted,
    )
    return made, document
