"""Moving the journal in and out: export, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, hint, json_option, ok

if TYPE_CHECKING:
    from attunement.interop import ImportReport

pass_app = click.make_pass_decorator(AppContext)


def _write_atomically(path: Path, journal) -> int:
    """Write the JSON export beside its target, fsync it, then rename into place, so a
    crash never leaves a half-written backup under the real name."""
    from attunement.interop import attune_json
    from attunement.paths import new_file

    with new_file(path) as part, open(part, "w", encoding="utf-8") as handle:
        return attune_json.write(journal, handle)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="json: the complete backup; markdown: one file per entry.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where to write: a file for json (default: standard output); a new folder, "
    "or a .zip, for markdown.",
)
@pass_app
def export(app: AppContext, fmt: str, out: Path | None) -> None:
    """Export your journal.

    JSON holds everything (entries with their history and trash, check-ins, drafts, your
    decks, transcripts and practice responses) and imports back exactly. Markdown writes
    one file per entry with YAML front matter, ready to open in Obsidian or any editor.
    """
    from attunement.errors import InvalidInput
    from attunement.interop import attune_json, markdown

    journal = app.journal
    if fmt == "json":
        if out is None:
            from attunement.audit import record

            count = attune_json.write(journal, sys.stdout)
            record(app.data_dir, "export", format=fmt, entries=count)
            return
        count = _write_atomically(out, journal)
    else:
        if out is None:
            raise InvalidInput(
                "Markdown export needs --out: a new folder or a .zip file.", field="out"
            )
        count = markdown.write(journal, out)
    from attunement.audit import record

    record(app.data_dir, "export", format=fmt, entries=count)
    ok(f"Exported {count} entries to {out}.")


class _ProgressBar:
    """A progress bar on stderr, drawn from the first report of progress on (an import
    that finishes at once shows none). Nothing at all when stderr is not a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def show(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label="Importing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "fmt",
    required=True,
    type=click.Choice(["attune-json", "jrnl", "jrnl-json", "dayone"]),
    help="The file's format: attune-json (our export), jrnl (its plain-text "
    "journal, or its folder journal), jrnl-json (jrnl --format json), dayone (Day One "
    "JSON or .zip).",
)
@click.option(
    "--dates",
    type=click.Choice(["day-first", "month-first"]),
    default=None,
    help="For a jrnl journal: whether dates such as 03/04/2024 put the day or the month "
    "first (by default decided from the file's dates, and the report says when it "
    "could not be).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; store nothing.")
@json_option
@pass_app
def import_(
    app: AppContext, path: Path, fmt: str, dates: str | None, dry_run: bool, as_json: bool
) -> None:
    """Import entries from another journal. Importing the same file twice adds nothing.
    When some entries are refused, the others are still imported, the refused ones are
    listed, and the command exits with status 2."""
    from attunement.interop import import_file

    with _ProgressBar(enabled=sys.stderr.isatty() and not as_json) as bar:
        report = import_file(
            app.journal,
            path,
            fmt,
            dry_run=dry_run,
            progress=bar.show,
            day_first=None if dates is None else dates == "day-first",
        )
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_report(report, dry_run)
    if report.refused:
        if not as_json:
            verb = "would be" if dry_run else "were"
            total = len(report.refused) + report.added + len(report.skipped)
            hint(
                f"{len(report.refused)} of {total} entries {verb} refused; fix them in "
                f"{path} and import it again (entries already imported are skipped)."
            )
        click.get_current_context().exit(2)


def _print_report(report: ImportReport, dry_run: bool) -> None:
    from attunement.wording import plural

    verb = "Would add" if dry_run else "Added"
    line = (
        f"{verb} {plural(report.added, 'entry', 'entries')}; skipped {len(report.skipped)}; "
        f"refused {len(report.refused)}."
    )
    if report.checkins_added or report.checkins_skipped:
        line += f" Check-ins: {report.checkins_added} added, {report.checkins_skipped} skipped."
    if report.transcripts_added or report.transcripts_skipped:
        line += (
            f" Transcripts: {report.transcripts_added} added, {report.transcripts_skipped} skipped."
        )
    if report.practice_added or report.practice_skipped:
        line += (
            f" Practice responses: {report.practice_added} added, "
            f"{report.practice_skipped} skipped."
        )
    ok(line)
    reasons: dict[str, int] = {}
    for _, why in report.skipped:
        reasons[why] = reasons.get(why, 0) + 1
    for why, count in reasons.items():
        hint(f"  skipped {count}: {why}")
    for what, why in report.refused:
        hint(f"  refused {what}: {why}")
    for note in report.notes:
        hint(f"  note: {note}")


COMMANDS = [export, import_]
