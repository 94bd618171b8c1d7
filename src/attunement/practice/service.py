"""Practice use cases: respond (feedback, stored), choose the next statements (weak
themes more often, recent ones less), and progress per dimension over time."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from attunement.core.dates import now_local
from attunement.core.journal import Journal
from attunement.errors import InvalidInput
from attunement.practice.dimensions import DIMENSIONS
from attunement.practice.feedback import Feedback, feedback
from attunement.practice.vignettes import Vignette, by_theme, vignette

MAX_SESSION = 30
Scored = list[tuple[str, dict[str, float], datetime]]  # (statement id, scores, when)


def respond(
    journal: Journal, vignette_id: str, response: str, checkin_id: str | None = None
) -> tuple[Feedback, str]:
    """Give feedback on a response and keep the attempt. Returns the feedback and its id."""
    v = vignette(vignette_id)
    result = feedback(v, response)
    attempt_id = journal.store.add_attempt(
        vignette_id=v.id,
        response=result.response,
        scores=result.scores,
        feedback=result.to_dict(),
        checkin_id=checkin_id,
    )
    return result, attempt_id


def attempt(journal: Journal, attempt_id: str) -> dict[str, Any]:
    """One stored attempt with the feedback it was given."""
    from attunement.errors import NotFound

    for stored in journal.store.attempts(attempt_id):
        return stored
    raise NotFound(f"There is no practice response '{attempt_id}'.", field="attempt_id")


@dataclass(frozen=True)
class Discarded:
    """A practice response discarded for good: its id, the statement it answered, the
    words and when."""

    id: str
    vignette_id: str
    response: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vignette_id": self.vignette_id,
            "response": self.response,
            "created_at": self.at.isoformat(),
        }

    def sentence(self) -> str:
        """What the Practice page says afterwards."""
        words = " ".join(self.response.split())
        shown = words if len(words) <= 60 else words[:59].rstrip() + "…"
        return (
            f"Discarded your response “{shown}”. It no longer counts in your progress "
            "or in a supervision packet."
        )


def discard(journal: Journal, attempt_id: str) -> Discarded:
    """Discard a practice response for good (one given by mistake, or to try the app out):
    it leaves progress, the choice of the next statements and supervision packets. The
    page, the API and the CLI all discard through here; an unknown id is NotFound."""
    gone = journal.store.delete_attempt(attempt_id)
    return Discarded(gone["id"], gone["vignette_id"], gone["response"], gone["created_at"])


def discard_said(journal: Journal, attempt_id: str) -> str:
    """Discard from the feedback page and say so; a response gone already (discarded in
    another tab) is said so, not refused."""
    from attunement.errors import NotFound

    try:
        return discard(journal, attempt_id).sentence()
    except NotFound:
        return "That response is gone already: it was discarded earlier."


def theme_strength(journal: Journal, scored: Scored | None = None) -> dict[str, float]:
    """Average overall score per theme over the attempts so far (missing: not practised);
    from ``scored`` (``store.attempt_scores()``) when the caller has read them already."""
    per_theme: dict[str, list[float]] = defaultdict(list)
    for vignette_id, scores, _ in journal.store.attempt_scores() if scored is None else scored:
        overall = sum(scores.values()) / max(len(scores), 1)
        for theme in vignette(vignette_id).themes:
            per_theme[theme].append(overall)
    return {theme: sum(v) / len(v) for theme, v in per_theme.items()}


def choose(
    journal: Journal,
    *,
    n: int = 5,
    theme: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> list[Vignette]:
    """A practice session of ``n`` statements. Statements never tried come first; then the
    weaker a statement's themes, the likelier it returns, and anything practised in the
    last two days waits (spaced repetition)."""
    if not 1 <= n <= MAX_SESSION:
        raise InvalidInput(f"A session has 1 to {MAX_SESSION} statements.", field="n")
    now = now or now_local()
    rng = rng or random.Random()
    pool = list(by_theme(theme))
    scored = journal.store.attempt_scores()
    last_seen = {vignette_id: at for vignette_id, _, at in scored}
    strength = theme_strength(journal, scored)
    unseen = [v for v in pool if v.id not in last_seen]
    rng.shuffle(unseen)
    unseen.sort(key=lambda v: v.difficulty)
    chosen = unseen[:n]
    seen = [v for v in pool if v.id in last_seen]
    while len(chosen) < n and seen:
        weights = []
        for v in seen:
            weakness = 1.0 - min(strength.get(t, 0.5) for t in v.themes)
            recent = now - last_seen[v.id] < timedelta(days=2)
            weights.append((0.2 if recent else 1.0) * (0.25 + 2 * weakness))
        pick = rng.choices(seen, weights=weights, k=1)[0]
        chosen.append(pick)
        seen.remove(pick)
    return chosen


@dataclass(frozen=True)
class Progress:
    attempts: int
    weeks: list[str]
    per_week: dict[str, list[float]]  # dimension -> average per week
    overall: dict[str, float]  # dimension -> average over everything
    themes: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "weeks": self.weeks,
            "per_week": self.per_week,
            "overall": self.overall,
            "themes": self.themes,
        }


def progress(journal: Journal) -> Progress:
    scored = journal.store.attempt_scores()
    by_week: dict[str, list[dict[str, float]]] = defaultdict(list)
    for _, scores, at in scored:
        day = at.date()
        by_week[(day - timedelta(days=day.weekday())).isoformat()].append(scores)
    weeks = sorted(by_week)
    per_week = {
        d: [round(sum(s[d] for s in by_week[w]) / len(by_week[w]), 3) for w in weeks]
        for d in DIMENSIONS
    }
    overall = (
        {d: round(sum(scores[d] for _, scores, _ in scored) / len(scored), 3) for d in DIMENSIONS}
        if scored
        else {}
    )
    return Progress(
        attempts=len(scored),
        weeks=weeks,
        per_week=per_week,
        overall=overall,
        themes={k: round(v, 3) for k, v in sorted(theme_strength(journal, scored).items())},
    )


def start(
    journal: Journal, *, theme: str | None = None, ease: str = ""
) -> tuple[Vignette, str | None]:
    """Begin a round: the ease the person tapped (if any) is kept as a check-in before
    practice, and the first statement is chosen. Returns it and the check-in's id."""
    from attunement.core.checkins import scale_value

    return choose(journal, n=1, theme=theme)[0], ease_before(journal, scale_value("ease", ease))


def ease_before(journal: Journal, value: int | None) -> str | None:
    """Keep the ease someone gave before practising as a check-in (its id, or None when
    they gave none). Its moment is "other": practice is not a session with someone, so it
    stays out of Insights' before/after-a-session comparison."""
    if value is None:
        return None
    return journal.checkin(ease=value, moment="other", note="before practice").id
