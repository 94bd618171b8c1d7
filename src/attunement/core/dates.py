"""Dates and times as people type them, and the time zone rules of the journal.

Everything is stored in UTC with the writer's UTC offset beside it, so an entry written at
23:30 in Melbourne still shows 23:30 and counts towards that day's streak.
Filters accept ISO dates (``2026-11-01``, ``2026-11-01T09:00+01:00``), a year (``2025``)
or plain words (``yesterday``, ``last week``, ``3 days ago``, ``1 nov``). Words always look
back, never forward: a month and day without a year is the last one that has come
(``1 dec``, typed in November, is last December's), and words that name a day still to
come (``tomorrow``, ``next week``) are refused, never read as some future date (only an
expiry, read with ``ahead``, looks forward: ``in 3 months``).

Words that name a stretch of time up to now are read as that stretch: as the start of a
filter, ``this week``, ``this month`` and ``this year`` are their first day (Monday, the
1st, 1 January), and ``last 7 days`` (``past 2 weeks``, ``the last month``, ``last year``)
is the day that long ago; as its end, ``this …`` is the end of today, and ``last …`` the end
of the day that long ago (as ``until last week`` always was).
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
_YEAR = re.compile(r"^\d{4}$")

# The sentence every refused word date ends with: what is accepted.
ACCEPTED = (
    "use a date as YYYY-MM-DD, or words like 'today', 'yesterday', '3 days ago', "
    "'last 7 days', 'this month' or 'last year'"
)

_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNTS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_COUNT = r"(?P<count>\d+|" + "|".join(_COUNTS) + r")"
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"
_LEAD = r"(?:(?:since|from)\s+)?"
# "last 7 days", "the past 2 weeks", "in the last month", "over the past year"
_LAST = re.compile(
    _LEAD + r"(?:(?:in|over|during|within)\s+)?(?:the\s+)?(?:last|past|previous)\s+"
    rf"(?:{_COUNT}\s+)?{_UNIT}"
)
# "3 days ago", "a month ago", "2 weeks back"
_AGO = re.compile(_LEAD + rf"{_COUNT}\s+{_UNIT}\s+(?:ago|back|before)")
# "this month", "since the start of this year"
_THIS = re.compile(
    _LEAD + r"(?:the\s+(?:start|beginning)\s+of\s+)?(?:this|the\s+current)\s+"
    r"(?P<unit>week|month|year)"
)
# Parts of today or yesterday: the whole day (the word parser reads some of them from the
# machine's clock rather than from ``now``).
_PART_OF_DAY = {
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tonight": 0,
    "last night": 1,
    "yesterday morning": 1,
    "yesterday afternoon": 1,
    "yesterday evening": 1,
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LAST_WEEKDAY = re.compile(
    _LEAD + r"last\s+(?P<day>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|"
    r"fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_MONTH_NAME = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
_ANY_YEAR = re.compile(r"\b\d{4}\b")


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


def parse_when(
    text: str, *, end_of_day: bool = False, now: datetime | None = None, ahead: bool = False
) -> datetime:
    """Turn what a person typed into an aware moment.

    A bare date means the start of that day, or its last instant when ``end_of_day`` is set
    (so ``--until 2026-11-01`` includes everything written on the first). Words look back
    (see above) unless ``ahead`` is set, for a day still to come such as an expiry
    ("in 3 months").
    """
    raw = text.strip()
    now = now or now_local()
    if not raw:
        raise InvalidInput(f"An empty date was given; {ACCEPTED}.")

    moment = _parse(raw, end_of_day, now, ahead)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InvalidInput(_out_of_range(raw))
    return moment


def _out_of_range(raw: str) -> str:
    return (
        f"The date '{raw}' is out of range; use a date between the years {MIN_YEAR} and "
        f"{MAX_YEAR}, as YYYY-MM-DD or words like 'yesterday'."
    )


def _parse(raw: str, end_of_day: bool, now: datetime, ahead: bool) -> datetime:
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

    if _YEAR.match(raw):  # "2025": that year, from 1 January to 31 December
        year = int(raw)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput(_out_of_range(raw))
        return day_bound(date(year, 12, 31) if end_of_day else date(year, 1, 1))

    lowered = " ".join(raw.lower().split())
    if lowered == "today":
        return day_bound(now.date())
    if lowered == "now":
        return now
    try:
        words = None if ahead else _stretch(lowered, now.date(), end_of_day)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(_out_of_range(raw)) from exc
    if words is not None:
        return day_bound(words)
    try:
        result, context = _calendar().parseDT(raw, sourceTime=now.replace(tzinfo=None))
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(_out_of_range(raw)) from exc
    if not (context.hasDate or context.hasTime):
        raise InvalidInput(f"Could not understand the date '{raw}'; {ACCEPTED}.")
    # "1 dec 2026" is that day, as 2026-12-01 is; an expiry may be any day to come
    named_year = ahead or _ANY_YEAR.search(raw) is not None
    if result.date() > now.date() and _MONTH_NAME.search(raw) and not named_year:
        # "1 dec" typed in November: the last 1 December, not the coming one
        result = _years_back(result, 1)
    if result.date() > now.date() and not named_year:
        raise InvalidInput(
            f"The date '{raw}' reads as {day_text(result)}, which is still to come; words "
            f"look back, so {ACCEPTED}."
        )
    if context.hasDate and not context.hasTime:
        return day_bound(result.date())
    return result.replace(tzinfo=tz)


def _stretch(words: str, today: date, end_of_day: bool) -> date | None:
    """The day that words naming a stretch of time up to today stand for (see the module's
    docstring), or None when they name no stretch."""
    if words in _PART_OF_DAY:
        return today - timedelta(days=_PART_OF_DAY[words])
    if found := _LAST_WEEKDAY.fullmatch(words):  # the latest one before today
        back = (today.weekday() - _WEEKDAYS.index(found["day"][:3])) % 7
        return today - timedelta(days=back or 7)
    if found := _THIS.fullmatch(words):
        if end_of_day:
            return today
        unit = found["unit"]
        if unit == "week":
            return today - timedelta(days=today.weekday())
        return today.replace(day=1) if unit == "month" else today.replace(month=1, day=1)
    found = _LAST.fullmatch(words) or _AGO.fullmatch(words)
    if found is None:
        return None
    count = found["count"]
    number = 1 if count is None else _COUNTS.get(count) or int(count)
    unit = found["unit"]
    if unit in ("day", "week", "fortnight"):
        return today - timedelta(days=number * {"day": 1, "week": 7, "fortnight": 14}[unit])
    return _months_back(today, number * (12 if unit == "year" else 1))


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` earlier; the 31st becomes the last day of a shorter month."""
    from dateutil.relativedelta import relativedelta

    return day - relativedelta(months=months)


def _years_back(moment: datetime, years: int) -> datetime:
    day = _months_back(moment.date(), 12 * years)
    return datetime.combine(day, moment.time(), tzinfo=moment.tzinfo)
