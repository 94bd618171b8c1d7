"""The settings page's account of your data: where the journal lives, how much it
holds and whether it is encrypted (with the commands that change that), with the report of
an import when there is one."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

from attunement.core.journal import Journal

if typing.TYPE_CHECKING:
    from attunement.interop import ImportReport


@dataclass(frozen=True)
class Locking:
    """Whether the journal is encrypted on disk, and the commands that encrypt it or
    change its passphrase, as typed in a terminal for this journal's folder. It holds
    nothing secret: never the passphrase, the key or the header's salt."""

    encrypted: bool
    encrypt_command: str  # `attune encrypt`, with --data-dir when not the usual folder
    passphrase_command: str  # `attune passphrase change`, the same way
    serve_command: str  # `attune serve`, to open the app again afterwards
    min_passphrase: int  # the fewest characters a passphrase may have
    idle_lock: str | None  # how long the web app stays unlocked unused ("15 minutes")


@dataclass(frozen=True)
class YourData:
    data_dir: Path | None  # None: a journal opened from a file given by path
    counts: dict[str, int]  # entries, check-ins and drafts kept
    report: ImportReport | None = None  # what an import added, or would add
    locking: Locking | None = None  # encryption at rest (None: a journal without a folder)


def your_data(
    journal: Journal, report: ImportReport | None = None, *, idle_lock_s: float | None = None
) -> YourData:
    """``idle_lock_s``: how long the web app keeps an encrypted journal unlocked unused."""
    return YourData(
        journal.data_dir,
        {
            "entries": journal.reader.count_entries(),
            "checkins": journal.reader.count_checkins(),
            "drafts": len(journal.drafts()),
        },
        report,
        locking(journal.data_dir, idle_lock_s) if journal.data_dir is not None else None,
    )


def locking(data_dir: Path, idle_lock_s: float | None = None) -> Locking:
    """Encryption at rest for the journal in ``data_dir``. The commands name the folder
    (``--data-dir``) unless it is the usual one, so they act on this journal whichever
    terminal they are typed in."""
    import shlex

    from attunement.paths import default_data_dir
    from attunement.storage import vault

    folder = data_dir.absolute()  # typed in a terminal that may be anywhere
    usual = folder.resolve() == default_data_dir().absolute().resolve()
    where = "" if usual else f" --data-dir {shlex.quote(str(folder))}"

    def typed(command: str) -> str:
        return "attune" + where + command.removeprefix("attune")

    return Locking(
        encrypted=vault.is_encrypted(data_dir),
        encrypt_command=typed(vault.ENCRYPT),
        passphrase_command=typed(vault.PASSPHRASE_CHANGE),
        serve_command=typed("attune serve"),
        min_passphrase=vault.MIN_PASSPHRASE,
        idle_lock=_duration(idle_lock_s) if idle_lock_s is not None else None,
    )


def _duration(seconds: float) -> str:
    """A time in the largest unit that says it in whole numbers: "15 minutes", "90 seconds"."""
    whole = max(1, round(seconds))
    size, unit = next(
        (size, unit)
        for size, unit in ((3600, "hour"), (60, "minute"), (1, "second"))
        if whole % size == 0
    )
    count = whole // size
    return f"{count} {unit}{'' if count == 1 else 's'}"


def import_into(
    journal: Journal,
    path: Path,
    fmt: str,
    *,
    dry_run: bool,
    source: str,
    day_first: bool | None = None,
    rereader: typing.Any = None,
    idle_lock_s: float | None = None,
) -> YourData:
    """Import the file at ``path`` (the person's ``source``); with ``dry_run`` nothing
    changes and the report says what would be added. ``day_first`` says how a jrnl
    journal's numeric dates are read (None: decided from the file). A ``rereader`` (the
    app's background reader) starts on a large import at once (the readings, and the
    search index it left in pieces merged) rather than at the app's next start; a few
    entries are read where they are first shown, as written ones are (Insights reads up
    to ``READ_NOW`` itself), without the reader's pass over the whole journal.
    ``idle_lock_s`` as for ``your_data``."""
    from attunement.core.insights import READ_NOW
    from attunement.interop import import_file

    report = import_file(journal, path, fmt, dry_run=dry_run, day_first=day_first)
    report.source = source
    if rereader is not None and not dry_run and report.added + report.redated > READ_NOW:
        rereader.start()
    return your_data(journal, report, idle_lock_s=idle_lock_s)
