"""Check-ins from what a form sends: each scale as text, "" for a scale left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
