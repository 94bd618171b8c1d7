"""Dates and times as people type them, and the time zone rules of the journal.

Everything is stored in UTC with the writer's UTC offset beside it, so an entry written at
23:30 in Melbourne still shows 23:30 and counts towards that day's streak.
Filters accept ISO dates (``2026-11-01``, ``2026-11-01T09:00+01:00``) or plain words
(``yesterday``, ``last week``, ``3 days ago``); words always look back, never forward.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from attunement.errors import InvalidInput

# Every date a person types is bounded: years far enough from 1 and 9999 that no time
# zone can push them out of range, and no count in a word date longer than six digits.
MIN_YEAR, MAX_YEAR = 1000, 9998
_NUMERIC_DATE = re.compile(r"^\s*[+-]?\d+\s*[-/.]\s*\d")
_LONG_NUMBER = re.compile(r"\d{7,}")


def day_text(value: date | str) -> str:
    """A day as every page, packet and report writes it: "2 Dec 2026" (from a date, a
    datetime or an ISO date), never "02 Dec 2026"."""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{day.day} {day:%b %Y}"


def moment_text(moment: datetime) -> str:
    """A moment as pages write it: "2 Dec 2026, 09:05"."""
    return f"{day_text(moment)}, {moment:%H:%M}"


def now_local() -> datetime:
    """The current moment as an aware datetime in the machine's local zone."""
    return datetime.now().astimezone()


def offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def with_offset(moment_utc: datetime, minutes: int) -> datetime:
    """Show a stored UTC moment in the zone it was written in."""
    return moment_utc.astimezone(timezone(timedelta(minutes=minutes)))


def local_day(moment_utc: datetime, minutes: int) -> date:
    return with_offset(moment_utc, minutes).date()


def _calendar():  # parsedatetime is imported only when someone types a word date
    import parsedatetime

    constants = parsedatetime.Constants()
    constants.YearParseStyle = 0  # "1 nov" means this year's, not next year's
    constants.DOWParseStyle = -1  # "monday" means the last one, not the next
    constants.CurrentDOWParseStyle = True
    return parsedatetime.Calendar(constants, version=parsedatetime.VERSION_CONTEXT_STYLE)


def parse_when(text: str, *, end_of_day: bool = False, now: datetime | None = None) -> datetime:
    """Turn what a person typed into an aware moment.

    A bare date means the start of that day, or its last instant when ``end_of_day`` is set
    (so ``--until 2026-11-01`` includes everything written on the first).
    """
    raw = text.strip()
    now = now or now_local()
    if not raw:
        raise InvalidInput("An empty date was given; use YYYY-MM-DD or words like 'yesterday'.")

    moment = _parse(raw, end_of_day, now)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InvalidInput(_out_of_range(raw))
    return moment


def _out_of_range(raw: str) -> str:
    return (
        f"The date '{raw}' is out of range; use a date between the years {MIN_YEAR} and "
        f"{MAX_YEAR}, as YYYY-MM-DD or words like 'yesterday'."
    )


def _parse(raw: str, end_of_day: bool, now: datetime) -> datetime:
    tz = now.tzinfo

    def day_bound(day: date) -> datetime:
        edge = time.max if end_of_day else time.min
        return datetime.combine(day, edge, tzinfo=tz)

    try:
        if len(raw) == 10:
            return day_bound(date.fromisoformat(raw))
        parsed = datetime.fromisoformat(raw)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    if _NUMERIC_DATE.match(raw):
        # Digits that are not an ISO date (99999-01-01, 2026-13-01) are refused, never
        # handed to the word parser, which reads them as some other day.
        raise InvalidInput(
            f"'{raw}' is not a date; use YYYY-MM-DD with a year from {MIN_YEAR} to "
            f"{MAX_YEAR}, or words like 'yesterday'."
        )
    if _LONG_NUMBER.search(raw):
        raise InvalidInput(_out_of_range(raw))

    lowered = raw.lower()
    if lowered == "today":
        return day_bound(now.date())
    if lowered == "now":
        return now
    try:
        result, context = _calendar().parseDT(raw, sourceTime=now.replace(tzinfo=None))
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(_out_of_range(raw)) from exc
    if not (context.hasDate or context.hasTime):
        raise InvalidInput(
            f"Could not understand the date '{raw}'; use YYYY-MM-DD or words like "
            "'yesterday', 'last week' or '3 days ago'."
        )
    if context.hasDate and not context.hasTime:
        return day_bound(result.date())
    return result.replace(tzinfo=tz)
