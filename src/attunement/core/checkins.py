"""Check-ins from what a form sends (each scale as text, "" for a scale left out), and
the check-ins between two dates as the API and ``attune checkins`` list them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import CheckIn
from attunement.errors import InvalidInput
from attunement.framework import concepts


def scale_value(scale_id: str, raw: str) -> int | None:
    """A scale's value as typed or tapped: a whole number, or None when left out."""
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        name = next((s.name for s in concepts().scales if s.id == scale_id), scale_id)
        raise InvalidInput(f"{name} must be a whole number from 0 to 10.", field=scale_id)
    return int(raw)


def from_form(
    journal: Journal,
    values: Mapping[str, str],
    *,
    body: Iterable[str] = (),
    note: str = "",
    moment: str = "other",
) -> CheckIn:
    scales: dict[str, int | None] = {
        s.id: scale_value(s.id, values.get(s.id, "")) for s in concepts().scales
    }
    return journal.checkin(body=list(body), note=note, moment=moment, **scales)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckInList:
    checkins: list[CheckIn]  # newest first

    def to_dict(self) -> dict[str, Any]:
        return {"checkins": [c.to_dict() for c in self.checkins]}


def between(
    journal: Journal, since: str | None, until: str | None, *, limit: int | None
) -> CheckInList:
    """Check-ins from the day ``since`` through the whole day ``until`` (either as typed,
    either left out)."""
    from attunement.core.dates import parse_when

    return CheckInList(
        journal.checkins(
            since=parse_when(since) if since else None,
            until=parse_when(until, end_of_day=True) if until else None,
            limit=limit,
        )
    )
