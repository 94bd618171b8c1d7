"""Trends to take to supervision: check-in scales over time, markers and feelings per
week, prompt coverage and writing days. One computation feeds the Insights page, the API
(`/api/v1/insights`) and anything that exports it, so the pictures and the numbers agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from attunement.core.dates import now_local
from attunement.core.journal import Journal, start_of_day
from attunement.core.models import SCALES, EntryFilter

MAX_ANALYSED = 20_000  # entries whose readings are counted (the most recent)
READ_NOW = 50  # entries without a stored reading that Insights reads itself


@dataclass(frozen=True)
class Insights:
    start: date
    end: date
    weeks: list[date]  # Mondays
    scales: dict[str, list[tuple[str, int]]]  # scale -> [(ISO time, value)]
    markers_per_week: dict[str, list[int]]  # marker id -> count per week
    feelings_per_week: dict[str, list[int]]  # Ekman group -> count per week
    prompt_coverage: list[tuple[str, str, int]]  # (prompt id, title, answers)
    writing_days: dict[str, int]  # ISO date -> entries, in the same weeks
    analysed: int
    capped: bool
    unread: int = 0  # entries in the period without a reading yet (being read)
    # scale -> moment ("before", "after") -> (average, check-ins): "am I more at ease after?"
    by_moment: dict[str, dict[str, tuple[float, int]]] = field(default_factory=dict)
    # scale -> moment ("before", "after", "other") -> [(ISO time, value)]: one line each
    series: dict[str, dict[str, list[tuple[str, int]]]] = field(default_factory=dict)
    reading: dict[str, Any] | None = None  # how far the background reader is, when known

    @property
    def empty(self) -> bool:
        """Nothing written or checked in during the period: no picture to draw yet."""
        return not self.writing_days and not any(self.scales.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": [w.isoformat() for w in self.weeks],
            "scales": {
                k: [{"at": at, "value": v} for at, v in pts] for k, pts in self.scales.items()
            },
            "markers_per_week": self.markers_per_week,
            "feelings_per_week": self.feelings_per_week,
            "prompt_coverage": [
                {"prompt_id": p, "title": t, "answers": n} for p, t, n in self.prompt_coverage
            ],
            "writing_days": self.writing_days,
            "analysed_entries": self.analysed,
            "capped": self.capped,
            "unread_entries": self.unread,
            "by_moment": {
                scale: {m: {"mean": v[0], "count": v[1]} for m, v in moments.items()}
                for scale, moments in self.by_moment.items()
            },
            "series": {
                scale: {m: [{"at": at, "value": v} for at, v in pts] for m, pts in per.items()}
                for scale, per in self.series.items()
            },
            "reading": self.reading,
        }


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute(
    journal: Journal,
    *,
    weeks: int = 12,
    deck_id: str = "art-of-attunement",
    now: datetime | None = None,
    analyse: Any = None,
    rereader: Any = None,
) -> Insights:
    """Markers and feelings come from the entries' stored readings (``core.readings``):
    up to ``READ_NOW`` entries without one are read here, the rest are counted as
    ``unread`` until the background reader reaches them. ``analyse(entry) -> (marker ids
    that count, Ekman groups)`` replaces the readings (tests, other tools); a
    ``rereader`` (the app's background reader) adds how far it has got.

    The figures are kept until the journal changes (any commit, a reading stored by the
    background reader included) or the day turns: a page that is visited again, or by
    several people at once, counts them once."""
    now = now or now_local()
    if analyse is None:
        key = f"insights {weeks} {now.date().isoformat()} {now.utcoffset()}"
        figures = journal.reader.kept(key, lambda: _figures(journal, weeks, now, None))
    else:
        figures = _figures(journal, weeks, now, analyse)
    used = journal.reader.prompt_history()
    coverage = [
        (p.id, p.title, used[p.id].count if p.id in used else 0)
        for p in journal.decks.deck(deck_id).prompts
    ]
    return replace(
        figures,
        prompt_coverage=coverage,
        reading=rereader.state() if rereader is not None else None,
    )


def _figures(journal: Journal, weeks: int, now: datetime, analyse: Any) -> Insights:
    """Everything :func:`compute` shows but the prompt coverage and the reader's
    progress."""
    first_week = monday(now.date()) - timedelta(weeks=weeks - 1)
    week_starts = [first_week + timedelta(weeks=i) for i in range(weeks)]
    since = start_of_day(first_week, now.tzinfo)

    scales: dict[str, list[tuple[str, int]]] = {name: [] for name in SCALES}
    moments: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    series: dict[str, dict[str, list[tuple[str, int]]]] = {name: {} for name in SCALES}
    for checkin in reversed(journal.checkins(since=since)):
        moment = checkin.moment if checkin.moment in ("before", "after") else "other"
        for name, value in checkin.scales().items():
            if value is not None:
                scales[name].append((checkin.at.isoformat(), value))
                series[name].setdefault(moment, []).append((checkin.at.isoformat(), value))
                if moment != "other":
                    moments[name][moment].append(value)
    by_moment = {
        name: {m: (round(sum(v) / len(v), 1), len(v)) for m, v in sorted(per.items())}
        for name, per in moments.items()
    }

    if analyse is None:
        from attunement.core.readings import period_signs

        read, unread, total = period_signs(journal, since, limit=MAX_ANALYSED, read_now=READ_NOW)
    else:
        entries = journal.list_entries(EntryFilter(since=since), limit=MAX_ANALYSED + 1)
        total, unread = len(entries), 0
        read = [(e.created_at.date(), *analyse(e), 1) for e in entries[:MAX_ANALYSED]]
    capped = total > MAX_ANALYSED
    markers: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    feelings: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    for day, marker_ids, groups, count in read:
        index = (monday(day) - first_week).days // 7
        if not 0 <= index < weeks:
            continue
        for marker_id in marker_ids:
            markers[marker_id][index] += count
        for group in groups:
            feelings[group][index] += count

    days = {
        day: count
        for day, count in journal.reader.local_writing_days(since).items()
        if day >= first_week.isoformat()
    }
    return Insights(
        start=first_week,
        end=now.date(),
        weeks=week_starts,
        scales=scales,
        markers_per_week=dict(sorted(markers.items())),
        feelings_per_week=dict(sorted(feelings.items())),
        prompt_coverage=[],
        writing_days=dict(sorted(days.items())),
        analysed=sum(row[3] for row in read),
        capped=capped,
        unread=unread,
        by_moment=by_moment,
        series={name: per for name, per in series.items() if per},
    )


def analyse_entry(entry: Any) -> tuple[set[str], tuple[str, ...]]:
    from attunement.analysis.report import analyze_entry

    analysis = analyze_entry(entry.body)  # the same reading the entry page shows
    return {f.id for f in analysis.markers if f.counts}, analysis.feelings.groups
