"""The settings page's account of your data: where the journal lives and how much it
holds, with the report of an import when there is one."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

from attunement.core.journal import Journal

if typing.TYPE_CHECKING:
    from attunement.interop import ImportReport


@dataclass(frozen=True)
class YourData:
    data_dir: Path | None  # None: a journal opened from a file given by path
    counts: dict[str, int]  # entries, check-ins and drafts kept
    report: ImportReport | None = None  # what an import added, or would add


def your_data(journal: Journal, report: ImportReport | None = None) -> YourData:
    return YourData(
        journal.data_dir,
        {
            "entries": journal.reader.count_entries(),
            "checkins": journal.reader.count_checkins(),
            "drafts": len(journal.drafts()),
        },
        report,
    )


def import_into(
    journal: Journal,
    path: Path,
    fmt: str,
    *,
    dry_run: bool,
    source: str,
    day_first: bool | None = None,
    rereader: typing.Any = None,
) -> YourData:
    """Import the file at ``path`` (the person's ``source``); with ``dry_run`` nothing
    changes and the report says what would be added. ``day_first`` says how a jrnl
    journal's numeric dates are read (None: decided from the file). A ``rereader`` (the
    app's background reader) starts on a large import at once (the readings, and the
    search index it left in pieces merged) rather than at the app's next start; a few
    entries are read where they are first shown, as written ones are (Insights reads up
    to ``READ_NOW`` itself), without the reader's pass over the whole journal."""
    from attunement.core.insights import READ_NOW
    from attunement.interop import import_file

    report = import_file(journal, path, fmt, dry_run=dry_run, day_first=day_first)
    report.source = source
    if rereader is not None and not dry_run and report.added + report.redated > READ_NOW:
        rereader.start()
    return your_data(journal, report)
