"""A session report in Markdown or HTML, with a turn-by-turn timeline: a row of marks,
one per turn, lettered as well as coloured so it reads without colour."""

from __future__ import annotations

from html import escape

from attunement.transcripts.coding import MITI
from attunement.transcripts.service import Session

LETTERS = {
    "reflection": "R",
    "question": "Q",
    "input": "I",
    "other": "O",
    "change": "C",
    "sustain": "S",
    "neutral": "N",
}
NAMES = {
    "rq_ratio": "Reflections per question",
    "pct_complex_reflections": "Complex reflections",
    "pct_open_questions": "Open questions",
    "caregiver_word_share": "Caregiver's share of words",
    "caregiver_time_share": "Caregiver's share of time",
    "feelings_acknowledged": "Named feelings acknowledged in the next turn",
}


def _value(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if name == "rq_ratio" else f"{value:.0%}"


def figures(session: Session) -> list[tuple[str, str, str]]:
    """(figure, value, MITI fair/good where MITI has one)."""
    s = session.summary.to_dict()
    rows = []
    for name, label in NAMES.items():
        threshold = ""
        if name in MITI:
            fair, good = MITI[name]
            threshold = (
                f"fair {_value(name, fair)}, good {_value(name, good)}: {s['miti'][name]['rating']}"
            )
        rows.append((label, _value(name, s[name]), threshold))
    rows.append(("Longest caregiver monologue", f"{s['longest_monologue_words']} words", ""))
    rows.append(
        (
            "Reflections / questions / inputs",
            f"{s['reflections']} / {s['questions']} / {s['inputs']}",
            "",
        )
    )
    rows.append(
        ("Client change talk / sustain talk", f"{s['change_talk']} / {s['sustain_talk']}", "")
    )
    return rows


# The timeline is drawn at a fixed size, 1.4 px to each unit (its letters 14 px), and
# scrolls sideways when it is wider than the page: stretched to the page's width, four
# turns drew 70 px letters and four hundred drew 3 px ones.
SCALE = 1.4


def timeline_svg(
    session: Session, first: int = 0, last: int | None = None, *, client_codes: bool = True
) -> str:
    """The timeline of the session's turns, or of those from ``first`` up to ``last``
    (counted from 0, as a slice), numbered as in the session; without ``client_codes``
    the client's turns are drawn unlettered (a session not about change: its page leaves
    out change and sustain talk)."""
    shown = session.coded[first:last]
    what = (
        f"{len(shown)} turns"
        if len(shown) == len(session.coded)
        else f"turns {first + 1:,} to {first + len(shown):,} of {len(session.coded):,}"
    )
    width = max(40, 14 * len(shown) + 60)
    parts = [
        f'<svg viewBox="0 0 {width} 70" width="{round(width * SCALE)}" '
        f'height="{round(70 * SCALE)}" role="img" aria-label="Timeline of '
        f'{what}, lettered by code" class="timeline">',
        '<text x="0" y="22" font-size="10">Caregiver</text>',
        '<text x="0" y="56" font-size="10">Client</text>',
    ]
    for i, item in enumerate(shown, start=first):
        x = 56 + (i - first) * 14
        y = 10 if item.role == "caregiver" else 44
        coded = client_codes or item.role == "caregiver"
        code = item.code if coded else "client"
        letter = LETTERS.get(item.code, "?") if coded else ""
        said = f": {escape(item.code)}" if coded else ""
        parts.append(
            f'<g class="code-{escape(code)}"><rect x="{x}" y="{y}" width="12" '
            f'height="16" rx="2"/><text x="{x + 6}" y="{y + 12}" font-size="10" '
            f'text-anchor="middle">{letter}</text><title>{i + 1}. '
            f"{escape(item.turn.speaker)}{said}"
            f"{' (' + escape(item.subtype) + ')' if item.subtype else ''}</title></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def markdown(session: Session) -> str:
    lines = [
        f"# {session.title}",
        "",
        f"Caregiver: {session.caregiver}. "
        f"{session.summary.turns} turns, coded on this computer by Attunement's models "
        "(see docs/model-cards/mi.md for what they can and cannot tell).",
        "",
        "| figure | value | MITI 4.2.1 |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in figures(session)]
    lines += [
        "",
        "## Turns",
        "",
        "Codes: R reflection, Q question, I input, O other; client C change, S sustain, N neutral.",
        "",
    ]
    for item in session.coded:
        code = LETTERS.get(item.code, "?") + (f" ({item.subtype})" if item.subtype else "")
        lines.append(f"{item.turn.index + 1}. **{item.turn.speaker}** [{code}]: {item.turn.text}")
    return "\n".join(lines) + "\n"


STYLE = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1f2328}table{border-collapse:collapse}td,th{padding:.3rem .6rem;
border-bottom:1px solid #d0d7de;text-align:left}.timeline-scroll{overflow-x:auto}
.timeline{display:block;max-width:none}
.timeline rect{fill:#eee;stroke:#555}.code-reflection rect{fill:#d7f0e3}
.code-question rect{fill:#dde7fb}.code-input rect{fill:#fde2d4}.code-change rect{fill:#d7f0e3}
.code-sustain rect{fill:#fde2d4}ol li{margin:.3rem 0}"""


def html(session: Session) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(a)}</th><td>{escape(b)}</td><td>{escape(c)}</td></tr>'
        for a, b, c in figures(session)
    )
    turns = "".join(
        f"<li><strong>{escape(c.turn.speaker)}</strong> "
        f"[{LETTERS.get(c.code, '?')}{' ' + escape(c.subtype) if c.subtype else ''}]: "
        f"{escape(c.turn.text)}</li>"
        for c in session.coded
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(session.title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(session.title)}</h1><p>Caregiver: {escape(session.caregiver)}. "
        f"{session.summary.turns} turns, coded on this computer.</p>"
        f'<table><thead><tr><th scope="col">Figure</th><th scope="col">Value</th>'
        f'<th scope="col">MITI 4.2.1</th></tr></thead><tbody>{rows}</tbody></table>'
        f'<h2>Timeline</h2><div class="timeline-scroll">{timeline_svg(session)}</div>'
        f"<p>R reflection, Q question, I input, "
        f"O other; client C change, S sustain, N neutral.</p>"
        f"<h2>Turns</h2><ol>{turns}</ol></body></html>\n"
    )
