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
from attunement.transcripts.coding import MITI, CodedTurn

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
class Figure:
    """One of a session's figures as its page says it: what is measured, in plain words,
    the value, the guide beside it where MITI has one, and the MI term (for a tooltip)."""

    label: str
    value: str
    guide: str  # "" where MITI gives no fair and good marks
    term: str


# The page's figures, in plain words, each with the MI term it stands for. Reflections,
# questions and the rest are what a caregiver does in any conversation; change talk and
# sustain talk (``CHANGE_FIGURE``) describe a client weighing a change, as in motivational
# interviewing (MI), and are shown only for such a session (``TranscriptPage.about_change``).
PLAIN_FIGURES = {
    "rq_ratio": (
        "Times the caregiver said back what they heard, for each question asked",
        "MI: reflection-to-question ratio",
    ),
    "pct_complex_reflections": (
        "Of those, said back with meaning added (a feeling, what it means to them)",
        "MI: percent complex reflections",
    ),
    "pct_open_questions": (
        "Questions that invite more than yes or no",
        "MI: percent open questions",
    ),
    "caregiver_word_share": ("Caregiver's share of the words", ""),
    "caregiver_time_share": ("Caregiver's share of the time", ""),
    "feelings_acknowledged": ("Feelings the client named that the next reply met", ""),
}
RATINGS = {
    "good": "Good",
    "fair": "Fair",
    "below fair": "Below fair",
    "not enough data": "Not enough to tell",
}
MITI_NOTE = (
    "Fair and good are the marks of MITI 4.2.1, a coding manual for motivational "
    "interviewing (MI); in other care, such as grief or spiritual care, read them loosely."
)
CHANGE_FIGURE = (
    "How often the client spoke for a change / for keeping things as they are",
    "MI: client change talk / sustain talk",
)


def _said(name: str, value: float | None) -> str:
    """A figure's value as the report writes it: a ratio to two places, else a share."""
    if value is None:
        return "–"
    return f"{value:.2f}" if name == "rq_ratio" else f"{value:.0%}"


def plain_figures(session: service.Session, about_change: bool = False) -> list[Figure]:
    """The session's figures as its page says them (the report file and the API keep
    MI's own names): change and sustain talk only for a session about change."""
    s = session.summary.to_dict()
    rows = []
    for name, (label, term) in PLAIN_FIGURES.items():
        guide = ""
        if name in MITI:
            fair, good = (f"{v:g}" if name == "rq_ratio" else _said(name, v) for v in MITI[name])
            rated = s["miti"][name]["rating"]
            guide = f"{RATINGS.get(rated, rated)} (fair is {fair}, good {good})"
        rows.append(Figure(label, _said(name, s[name]), guide, term))
    rows.append(
        Figure(
            "Longest stretch of caregiver talk",
            f"{s['longest_monologue_words']} words",
            "",
            "MI: longest caregiver monologue",
        )
    )
    rows.append(
        Figure(
            "Said back / questions / advice or information",
            f"{s['reflections']} / {s['questions']} / {s['inputs']}",
            "",
            "MI: reflections / questions / inputs",
        )
    )
    if about_change:
        rows.append(
            Figure(
                CHANGE_FIGURE[0], f"{s['change_talk']} / {s['sustain_talk']}", "", CHANGE_FIGURE[1]
            )
        )
    return rows


@dataclass(frozen=True)
class TranscriptPage:
    stored: service.Stored  # every turn coded
    figures: list[Figure]  # in plain words
    timeline: str  # an SVG of the turns shown, every text escaped
    page: int = 1  # which page of turns, from 1
    pages: int = 1
    first: int = 1  # the first and last turn shown, numbered from 1 (last 0: none)
    last: int = 0
    parts: list[Part] = field(default_factory=list)  # a long session's, else none
    # Whether the person chose to see how the client spoke about change (MI's change and
    # sustain talk): only a session about a change the client is weighing has any, so a
    # grief or spiritual-care session is shown without it unless they choose it.
    about_change: bool = False

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
    journal: Journal,
    transcript_id: str,
    page: int = 1,
    turn: int | None = None,
    *,
    about_change: bool = False,
) -> TranscriptPage | service.Coding:
    """One transcript coded, with its figures, and the turns of one page of it (a page
    past the last is the last; with ``turn``, the page that holds that turn, numbered
    from 1) with their timeline; a session longer than a page has its whole timeline
    summarised part by part beside. The client's turns are coded for change and sustain
    talk only ``about_change``: where the person says the session is about a change. A
    long session not coded yet is coded in the background: how far it is, meanwhile."""
    stored = service.open_for_page(journal, transcript_id)
    if isinstance(stored, service.Coding):
        return stored
    session = stored.session
    if turn is not None:
        page = page_of_turn(len(session.coded), turn)
    pages = pages_of(len(session.coded))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_TURNS
    last = min(first + PAGE_TURNS, len(session.coded))
    return TranscriptPage(
        stored,
        plain_figures(session, about_change),
        report.timeline_svg(session, first, last, client_codes=about_change),
        page=page,
        pages=pages,
        first=first + 1,
        last=last,
        parts=parts(session.coded, page) if pages > 1 else [],
        about_change=about_change,
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
