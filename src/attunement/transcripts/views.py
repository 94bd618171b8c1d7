"""What the transcript pages and the report download show, one service each: the stored
transcripts with the entries one can be linked to, one transcript coded with its figures
and timeline, its report as a file (what `attune transcript report` writes), and what
deleting one takes away and leaves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.errors import NotFound
from attunement.transcripts import report, service

RECENT = 30  # entries offered to link a transcript to


@dataclass(frozen=True)
class TranscriptsPage:
    items: list[dict[str, Any]]  # the stored transcripts
    entries: list[Entry]  # the most recent entries, to link a new one to


def transcripts_page(journal: Journal) -> TranscriptsPage:
    return TranscriptsPage(journal.store.list_transcripts(), journal.list_entries(limit=RECENT))


@dataclass(frozen=True)
class TranscriptPage:
    stored: service.Stored  # every turn coded
    figures: list[tuple[str, str, str]]  # name, value, what it means
    timeline: str  # an SVG, every text escaped


def transcript_page(journal: Journal, transcript_id: str) -> TranscriptPage:
    stored = service.open_coded(journal, transcript_id)
    return TranscriptPage(
        stored, report.figures(stored.session), report.timeline_svg(stored.session)
    )


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
