"""What the transcript pages and the report download show, one service each: the stored
transcripts with the entries one can be linked to, one transcript coded with its figures
and timeline, its report as a file (what `attune transcript report` writes), and what
deleting one takes away and leaves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.errors import NotFound
from attunement.transcripts import report, service
from attunement.transcripts.coding import CodedTurn

RECENT = 30  # entries offered to link a transcript to


@dataclass(frozen=True)
class TranscriptsPage:
    items: list[dict[str, Any]]  # the stored transcripts
    entries: list[Entry]  # the most recent entries, to link a new one to


def transcripts_page(journal: Journal) -> TranscriptsPage:
    return TranscriptsPage(journal.store.list_transcripts(), journal.list_entries(limit=RECENT))


# A transcript's page shows its summary whole and its turns this many at a time: a
# session of an hour is one page, as before; one of 5,000 turns is 25, where its one page
# was 1.5 MB and took seconds to draw.
PAGE_TURNS = 200
# The most parts a long session's timeline is summarised in: one a page, until a session
# has more pages than this, then several pages a part.
MOST_PARTS = 50


@dataclass(frozen=True)
class Part:
    """A stretch of a long session, as its timeline sums it up: its turns (numbered from
    1), the page its first turn is on, when it starts and ends where the file has times,
    and what was done and said in it."""

    first: int
    last: int
    page: int
    current: bool  # holds the turns shown
    start: float | None
    end: float | None
    reflections: int
    questions: int
    inputs: int
    other: int  # the caregiver's other turns
    change: int
    sustain: int
    neutral: int

    @property
    def caregiver_turns(self) -> int:
        return self.reflections + self.questions + self.inputs + self.other

    @property
    def rq_ratio(self) -> str:
        """Reflections per question, as the summary writes it ("–" with no question)."""
        return f"{self.reflections / self.questions:.2f}" if self.questions else "–"

    @property
    def when(self) -> str:
        """When in the recording it runs ("12:05–24:10"), where the file has times."""
        if self.start is None or self.end is None:
            return ""
        return f"{_clock(self.start)}–{_clock(self.end)}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@dataclass(frozen=True)
class TranscriptPage:
    stored: service.Stored  # every turn coded
    figures: list[tuple[str, str, str]]  # name, value, what it means
    timeline: str  # an SVG of the turns shown, every text escaped
    page: int = 1  # which page of turns, from 1
    pages: int = 1
    first: int = 1  # the first and last turn shown, numbered from 1 (last 0: none)
    last: int = 0
    parts: list[Part] = field(default_factory=list)  # a long session's, else none

    @property
    def coded(self) -> list[CodedTurn]:
        """The turns shown."""
        return self.stored.session.coded[self.first - 1 : self.last]

    @property
    def total(self) -> int:
        return len(self.stored.session.coded)

    @property
    def earlier(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def later(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def pages_of(turns: int) -> int:
    return max(1, -(-turns // PAGE_TURNS))


def transcript_page(
    journal: Journal, transcript_id: str, page: int = 1, turn: int | None = None
) -> TranscriptPage:
    """One transcript coded, with its figures, and the turns of one page of it (a page
    past the last is the last; with ``turn``, the page that holds that turn, numbered
    from 1) with their timeline; a session longer than a page has its whole timeline
    summarised part by part beside."""
    stored = service.open_coded(journal, transcript_id)
    session = stored.session
    if turn is not None:
        page = page_of_turn(len(session.coded), turn)
    pages = pages_of(len(session.coded))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_TURNS
    last = min(first + PAGE_TURNS, len(session.coded))
    return TranscriptPage(
        stored,
        report.figures(session),
        report.timeline_svg(session, first, last),
        page=page,
        pages=pages,
        first=first + 1,
        last=last,
        parts=parts(session.coded, page) if pages > 1 else [],
    )


def page_of_turn(turns: int, turn: int) -> int:
    """The page that holds a turn (numbered from 1) of a transcript of ``turns``, for a
    link to it; a turn the transcript does not have is NotFound, saying how many it has."""
    if not 1 <= turn <= turns:
        raise NotFound(
            f"This transcript has {turns:,} {'turn' if turns == 1 else 'turns'}; "
            f"there is no turn {turn:,}.",
            field="turn",
        )
    return (turn - 1) // PAGE_TURNS + 1


def parts(coded: list[CodedTurn], page: int) -> list[Part]:
    """A long session summarised in parts of whole pages, at most ``MOST_PARTS`` of them:
    the codes in each, the one holding ``page`` marked."""
    per = PAGE_TURNS * -(-pages_of(len(coded)) // MOST_PARTS)
    shown = (page - 1) * PAGE_TURNS
    made = []
    for at in range(0, len(coded), per):
        part = coded[at : at + per]
        codes = Counter(c.code for c in part)
        made.append(
            Part(
                first=at + 1,
                last=at + len(part),
                page=at // PAGE_TURNS + 1,
                current=at <= shown < at + per,
                start=part[0].turn.start,
                end=part[-1].turn.end if part[-1].turn.end is not None else part[-1].turn.start,
                reflections=codes["reflection"],
                questions=codes["question"],
                inputs=codes["input"],
                other=codes["other"],
                change=codes["change"],
                sustain=codes["sustain"],
                neutral=codes["neutral"],
            )
        )
    return made


MEDIA = {"html": "text/html", "md": "text/markdown"}


@dataclass(frozen=True)
class ReportFile:
    text: str
    media_type: str
    filename: str


def report_file(journal: Journal, transcript_id: str, fmt: str) -> ReportFile:
    """The report as Markdown (``md``) or a self-contained HTML page (``html``)."""
    session = service.open_coded(journal, transcript_id).session
    text = report.html(session) if fmt == "html" else report.markdown(session)
    return ReportFile(text, MEDIA["html" if fmt == "html" else "md"], f"{transcript_id}.{fmt}")


@dataclass(frozen=True)
class Deletion:
    """What the question before deleting a transcript names."""

    title: str
    turns: int
    entry: Entry | None  # the entry linked to it, which stays


def deletion(journal: Journal, transcript_id: str) -> Deletion:
    data = journal.store.get_transcript(transcript_id)
    entry = None
    if data["entry_id"]:
        try:
            entry = journal.get(data["entry_id"])
        except NotFound:  # the entry was purged from the trash since
            entry = None
    return Deletion(data["title"], len(data["turns"]), entry)
