"""Small SVG charts drawn on the server: no chart script, no network, readable without
colour (every series is labelled in words and each chart has a table beside it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from markupsafe import Markup


def _svg(width: int, height: int, label: str, body: str, kind: str = "") -> Markup:
    return Markup(  # noqa: S704 - every text piece below goes through escape()
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label, {chr(34): "&quot;"})}" class="chart {kind}">{body}</svg>'
    )


def line(points: list[tuple[str, int]], start: date, end: date, label: str) -> Markup:
    width, height, pad = 320, 120, 24
    span = max((end - start).days, 1)
    coords = []
    for at, value in points:
        day = datetime.fromisoformat(at).date()
        x = pad + (width - 2 * pad) * (day - start).days / span
        y = height - pad - (height - 2 * pad) * value / 10
        coords.append((x, y, at, value))
    axis = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'class="axis"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" class="axis"/>'
        f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end" class="tick">10</text>'
        f'<text x="{pad - 4}" y="{height - pad}" text-anchor="end" class="tick">0</text>'
        f'<text x="{pad}" y="{height - 6}" class="tick">{escape(start.strftime("%d %b"))}</text>'
        f'<text x="{width - pad}" y="{height - 6}" text-anchor="end" class="tick">'
        f"{escape(end.strftime('%d %b'))}</text>"
    )
    if not coords:
        axis += (
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="tick">'
            "No values yet</text>"
        )
    path = ""
    if len(coords) > 1:
        path = (
            '<polyline class="series" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
            + '"/>'
        )
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"><title>'
        f"{escape(at[:16].replace('T', ' '))}: {v}</title></circle>"
        for x, y, at, v in coords
    )
    return _svg(width, height, label, axis + path + dots, kind="line")


def bars(rows: list[tuple[str, int]], label: str) -> Markup:
    width, row_h, left = 460, 22, 200
    height = max(row_h * len(rows) + 8, 30)
    top = max((n for _, n in rows), default=0) or 1
    body = ""
    for i, (name, value) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - left - 40) * value / top
        body += (
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" class="tick">'
            f"{escape(name if len(name) <= 30 else name[:29] + '…')}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" class="bar"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" class="tick">{value}</text>'
        )
    return _svg(width, height, label, body)


def calendar(days: dict[str, int], end: date, label: str, weeks: int = 26) -> Markup:
    cell, gap, left, top = 11, 2, 26, 14
    first = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    width = left + weeks * (cell + gap) + 4
    height = top + 7 * (cell + gap) + 4
    body = "".join(
        f'<text x="0" y="{top + r * (cell + gap) + 9}" class="tick">{d}</text>'
        for r, d in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    )
    for w in range(weeks):
        for d in range(7):
            day = first + timedelta(weeks=w, days=d)
            if day > end:
                continue
            n = days.get(day.isoformat(), 0)
            level = 0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3
            body += (
                f'<rect x="{left + w * (cell + gap)}" y="{top + d * (cell + gap)}" '
                f'width="{cell}" height="{cell}" class="day l{level}"><title>'
                f"{escape(day.strftime('%a %d %b %Y'))}: {n} entr{'y' if n == 1 else 'ies'}"
                f"</title></rect>"
            )
        month_day = first + timedelta(weeks=w)
        if w == 0 or month_day.month != (month_day - timedelta(weeks=1)).month:
            body += (
                f'<text x="{left + w * (cell + gap)}" y="10" class="tick">'
                f"{escape(month_day.strftime('%b'))}</text>"
            )
    return _svg(width, height, label, body)
