"""What each practice page and answer shows, one service each: the practice home
(statements to come, progress week by week), an answer with its feedback, and a stored
answer's feedback with the statement to go on to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from attunement.core.dates import now_local
from attunement.core.journal import Journal
from attunement.errors import AttuneError
from attunement.practice import service
from attunement.practice.feedback import Feedback
from attunement.practice.vignettes import Vignette, themes, vignette

RECENT = 10  # responses listed on the practice home, to open or discard again


@dataclass(frozen=True)
class Home:
    progress: service.Progress
    upcoming: list[Vignette]  # the next statements (none when the theme is unknown)
    themes: tuple[str, ...]  # every theme, to choose from
    error: str | None  # the sentence saying what was wrong with the theme asked for
    series: dict[str, list[tuple[str, float]]]  # dimension -> (mid-week time, average)
    start: date  # the first week's Monday (today with no answers yet)
    end: date  # the last week's Sunday, or today while that week is still going on
    recent: list[dict[str, Any]]  # the newest responses (id, statement, words, when)


def home(journal: Journal, theme: str = "") -> Home:
    error = None
    try:
        upcoming = service.choose(journal, n=3, theme=theme or None)
    except AttuneError as exc:
        upcoming, error = [], exc.message
    progress = service.progress(journal)
    series = {
        d: [(f"{w}T12:00:00", v) for w, v in zip(progress.weeks, values, strict=True)]
        for d, values in progress.per_week.items()
    }
    weeks = [date.fromisoformat(w) for w in progress.weeks]
    today = now_local().date()
    start = weeks[0] if weeks else today
    # An axis ends at the last week's Sunday, or today while that week is going on: never
    # at a day still to come.
    end = max(start, min(weeks[-1] + timedelta(days=6), today)) if weeks else today
    recent = journal.store.recent_attempts(RECENT) if progress.attempts else []
    return Home(progress, upcoming, themes(), error, series, start, end, recent)


@dataclass(frozen=True)
class Answer:
    """A response with its feedback, as kept."""

    vignette: Vignette
    feedback: Feedback
    attempt_id: str

    def to_dict(self, *, examples: bool = True) -> dict[str, Any]:
        """The feedback under the attempt's id, and the statement's example responses
        (shown only after responding)."""
        found = {"attempt_id": self.attempt_id, **self.feedback.to_dict()}
        return {**found, "examples": list(self.vignette.responses)} if examples else found


def answer(
    journal: Journal, vignette_id: str, response: str, checkin_id: str | None = None
) -> Answer:
    fb, attempt_id = service.respond(journal, vignette_id, response, checkin_id=checkin_id)
    return Answer(vignette(vignette_id), fb, attempt_id)


@dataclass(frozen=True)
class Kept:
    """A stored answer with its feedback, and the statement to go on to."""

    vignette: Vignette
    response: str
    feedback: dict[str, Any]
    next_id: str | None  # None when there is nothing on the theme to go on to


def kept(journal: Journal, attempt_id: str, theme: str = "") -> Kept:
    stored = service.attempt(journal, attempt_id)
    upcoming = service.choose(journal, n=1, theme=theme or None)
    return Kept(
        vignette(stored["vignette_id"]),
        stored["response"],
        stored["feedback"],
        upcoming[0].id if upcoming else None,
    )
