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

from attunement.core.dates import day_text, moment_text, now_local

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
    and after a session) are never joined into one line. The time axis never runs into
    the future: it ends at ``end``, today or the last day with a value, whichever comes
    first of ``end`` and the later of the other two."""
    end = _axis_end(start, end, [at for _, _, points in groups for at, _ in points])
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
    for at, anchor in ((start, "start"), (end, "end")) if end > start else ((start, "start"),):
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


def _axis_end(start: date, end: date, times: Sequence[str]) -> date:
    """The last day a time axis shows: ``end``, but never after today unless a value lies
    later (a week still going on ends today, not on its Sunday), and never before
    ``start``."""
    days = [at[:10] for at in times]  # ISO days compare as their text does
    last = date.fromisoformat(max(days)) if days else start
    return max(start, min(end, max(now_local().date(), last)))


@lru_cache(maxsize=8192)  # a chart's hundreds of points are the same on every look
def _when(at: str) -> str:
    moment = datetime.fromisoformat(at)
    return moment_text(moment) if "T" in at else day_text(moment)


def bars(
    rows: Sequence[tuple[str, int] | tuple[str, int, tuple[str, str]]],
    label: str,
    href: Callable[[str], str] | None = None,
    unit: tuple[str, str] = ("entry", "entries"),
) -> Markup:
    """A list of named bars, longest first as given, each with its number and what it
    counts beside it ("3 entries", "1 answer"); a row may name its own unit."""
    top = max((row[1] for row in rows), default=0) or 1
    items = []
    for name, value, *own in rows:
        counted = f"{value} {(own[0] if own else unit)[0 if value == 1 else 1]}"
        what = escape(name)
        if href is not None:
            what = f'<a href="{_attr(href(name))}">{what}</a>'
        else:
            what = f"<span>{what}</span>"
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
    """One square per day from the Monday of ``start`` to ``end``, darker with more
    entries; each month named over the week its first day falls in (the current month's
    too, though its first week started in the month before)."""
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
    months = _month_columns(first, end, weeks)
    for w, month in months:
        body += (
            f'<text x="{left + w * (cell + gap)}" y="12" class="label">'
            f"{escape(f'{month:%b}')}</text>"
        )
    if months:  # room for the last month's name, over the last week or two
        width = max(width, left + months[-1][0] * (cell + gap) + MONTH_LABEL_WIDTH)
    return _svg(width, height, label, body, kind="calendar")


MONTH_LABEL_WIDTH = 30  # "Sep" at the labels' 14 units, and a little room


def _month_columns(first: date, end: date, weeks: int) -> list[tuple[int, date]]:
    """Which week column names which month: the column holding a month's first day (up
    to ``end``), and the first column its own month while no month begins within the
    next column (two names closer than two columns would overlap)."""
    found = []
    for w in range(weeks):
        monday = first + timedelta(weeks=w)
        shown = [monday + timedelta(days=d) for d in range(7)]
        firsts = [day for day in shown if day.day == 1 and day <= end]
        if firsts:
            found.append((w, firsts[0]))
        elif w == 0:
            found.append((0, monday))
    if len(found) > 1 and found[0][0] == 0 and found[0][1].day != 1 and found[1][0] < 2:
        found.pop(0)
    return found
