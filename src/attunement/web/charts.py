"""Small charts drawn on the server: no chart script, no network, readable without colour
and on a 320 px phone. Line charts are SVG with real axes, labelled in the data's own
units; bar charts are HTML lists, each bar with its name and its number printed beside it,
so the words stay at the page's own size on any screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from xml.sax.saxutils import escape

from markupsafe import Markup

from attunement.core.dates import day_text, moment_text

# A line chart's view box is about as wide as it is drawn on a phone, so its 14-unit
# words stay about 12 px there (see .chart.line in app.css, which caps its width).
WIDTH, HEIGHT = 300, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 14, 36


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _svg(width: int, height: int, label: str, body: str, kind: str = "") -> Markup:
    return Markup(  # noqa: S704 - every text piece below goes through escape()
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_attr(label)}" class="chart {kind}">{body}</svg>'
    )


def line(
    points: Sequence[tuple[str, float]],
    start: date,
    end: date,
    label: str,
    *,
    low: float = 0,
    high: float = 10,
    ticks: Sequence[tuple[float, str]] = ((0, "0"), (5, "5"), (10, "10")),
    value_text: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """Values over time on a fixed scale from ``low`` to ``high`` (never stretched to the
    data), one dot per value, the axis labelled with ``ticks`` in the data's own units."""
    return lines(
        [("", "", points)], start, end, label, low=low, high=high, ticks=ticks,
        value_text=value_text,
    )  # fmt: skip


def lines(
    groups: Sequence[tuple[str, str, Sequence[tuple[str, float]]]],
    start: date,
    end: date,
    label: str,
    *,
    low: float = 0,
    high: float = 10,
    ticks: Sequence[tuple[float, str]] = ((0, "0"), (5, "5"), (10, "10")),
    value_text: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """Several series on one scale, each ``(kind, name, points)`` drawn as its own line
    with its own dots (``kind`` is its CSS class), so values of different kinds (before
    and after a session) are never joined into one line."""
    span = max((end - start).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    body = ""
    for value, text in ticks:
        y = y_of(value)
        body += (
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 5:.1f}" text-anchor="end" class="label">'
            f"{escape(text)}</text>"
        )
    base = HEIGHT - BOTTOM
    body += f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" class="axis"/>'
    for at, anchor in ((start, "start"), (end, "end")):
        x = LEFT if anchor == "start" else WIDTH - RIGHT
        body += (
            f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 5}" class="axis"/>'
            f'<text x="{x}" y="{HEIGHT - 12}" text-anchor="{anchor}" class="label">'
            f"{escape(f'{at.day} {at:%b}')}</text>"
        )
    for kind, name, points in groups:
        coords = []
        for at_text, value in points:
            day = datetime.fromisoformat(at_text).date()
            x_at = LEFT + plot_w * min(max((day - start).days, 0), span) / span
            coords.append((x_at, y_of(value), at_text, value))
        css = f" {_attr(kind)}" if kind else ""
        said = f"{name}, " if name else ""
        if len(coords) > 1:
            body += (
                f'<polyline class="series{css}" points="'
                + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
                + '"/>'
            )
        body += "".join(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="dot{css}"><title>'
            f"{escape(said + _when(at))}: {escape(value_text(v))}</title></circle>"
            for x, y, at, v in coords
        )
    return _svg(WIDTH, HEIGHT, label, body, kind="line")


@lru_cache(maxsize=8192)  # a chart's hundreds of points are the same on every look
def _when(at: str) -> str:
    moment = datetime.fromisoformat(at)
    return moment_text(moment) if "T" in at else day_text(moment)


def bars(
    rows: Sequence[tuple[str, int]],
    label: str,
    href: Callable[[str], str] | None = None,
    unit: tuple[str, str] = ("entry", "entries"),
) -> Markup:
    """A list of named bars, longest first as given, each with its number and what it
    counts beside it ("3 entries", "1 answer")."""
    top = max((n for _, n in rows), default=0) or 1
    items = []
    for name, value in rows:
        what = escape(name)
        if href is not None:
            what = f'<a href="{_attr(href(name))}">{what}</a>'
        else:
            what = f"<span>{what}</span>"
        counted = f"{value} {unit[0] if value == 1 else unit[1]}"
        items.append(
            f'<li><span class="what">{what}<span class="count">{escape(counted)}</span></span>'
            f'<svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" '
            f'focusable="false"><rect class="track" width="100" height="4" rx="1"/>'
            f'<rect class="fill" width="{100 * value / top:.1f}" height="4" rx="1"/></svg></li>'
        )
    return Markup(  # noqa: S704 - names escaped above
        f'<ul class="barlist" aria-label="{_attr(label)}">{"".join(items)}</ul>'
    )


def calendar(days: dict[str, int], start: date, end: date, label: str) -> Markup:
    """One square per day from the Monday of ``start`` to ``end``, darker with more entries."""
    cell, gap, left, top = 15, 3, 34, 18
    first = start - timedelta(days=start.weekday())
    weeks = (end - first).days // 7 + 1
    width = left + weeks * (cell + gap) + 2
    height = top + 7 * (cell + gap) + 2
    body = "".join(
        f'<text x="0" y="{top + r * (cell + gap) + 12}" class="label">{d}</text>'
        for r, d in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun"))
    )
    for w in range(weeks):
        monday = first + timedelta(weeks=w)
        for d in range(7):
            day = monday + timedelta(days=d)
            if day > end:
                continue
            n = days.get(day.isoformat(), 0)
            level = 0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3
            body += (
                f'<rect x="{left + w * (cell + gap)}" y="{top + d * (cell + gap)}" '
                f'width="{cell}" height="{cell}" rx="2" class="day l{level}"><title>'
                f"{escape(f'{day:%a} {day_text(day)}')}: "
                f"{n} entr{'y' if n == 1 else 'ies'}</title></rect>"
            )
        if w == 0 or monday.month != (monday - timedelta(weeks=1)).month:
            body += (
                f'<text x="{left + w * (cell + gap)}" y="12" class="label">'
                f"{escape(f'{monday:%b}')}</text>"
            )
    return _svg(width, height, label, body, kind="calendar")
