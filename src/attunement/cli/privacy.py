"""Privacy commands: init, encrypt, decrypt."""

from __future__ import annotations

from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, hint, json_option, ok

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.option("--encrypt", is_flag=True, help="Encrypt the new journal with a passphrase.")
@pass_app
def init(app: AppContext, encrypt: bool) -> None:
    """Create a new journal (journals are also created on first use)."""
    from attunement.core.journal import Journal

    data_dir = app.data_dir
    if encrypt:
        Journal.create_encrypted(data_dir, app.passphrase(new=True)).close()
        ok(f"Created an encrypted journal in {data_dir}.")
        hint(
            "Keep the passphrase safe: without it, nobody (you included) can open the "
            "journal. See docs/security.md."
        )
        return
    app.journal  # noqa: B018 - opening creates it
    ok(f"The journal is in {data_dir}.")


@click.command()
@pass_app
def encrypt(app: AppContext) -> None:
    """Encrypt an existing journal with a passphrase (crash-safe)."""
    from attunement.paths import ensure_data_dir
    from attunement.storage import vault

    data_dir = ensure_data_dir(app.data_dir)
    vault.check_ready(data_dir, vault.ENCRYPT)
    vault.encrypt(data_dir, app.passphrase(new=True))
    ok("The journal is encrypted. You will be asked for the passphrase from now on.")
    hint(
        "The old unencrypted file was deleted, but an SSD may keep traces of it; see "
        "docs/security.md."
    )


@click.command()
@pass_app
def decrypt(app: AppContext) -> None:
    """Remove the encryption from a journal (crash-safe)."""
    from attunement.paths import ensure_data_dir
    from attunement.storage import vault

    data_dir = ensure_data_dir(app.data_dir)
    vault.check_ready(data_dir, vault.DECRYPT)
    vault.decrypt(data_dir, app.passphrase())
    ok("The journal is no longer encrypted.")


@click.group()
def passphrase() -> None:
    """An encrypted journal's passphrase."""


@passphrase.command(name="change")
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False),
    help="Read the new passphrase from the first line of this file (otherwise you "
    "are asked twice).",
)
@pass_app
def change(app: AppContext, new_passphrase_file: str | None) -> None:
    """Change the passphrase (crash-safe: at any moment exactly one of the two opens it)."""
    from attunement.cli.context import AppContext as Context
    from attunement.paths import ensure_data_dir
    from attunement.storage import vault

    data_dir = ensure_data_dir(app.data_dir)
    vault.check_ready(data_dir, vault.PASSPHRASE_CHANGE)
    old = app.passphrase()
    new = (
        Context(None, new_passphrase_file).given_passphrase()
        if new_passphrase_file
        else app.passphrase(new=True)
        if AppContext.interactive()
        else None
    )
    if new is None:
        from attunement.errors import InvalidInput

        raise InvalidInput(
            "Give the new passphrase with --new-passphrase-file, or run at a terminal to be asked.",
            field="new_passphrase_file",
        )
    vault.change_passphrase(data_dir, old, new)
    ok("The passphrase is changed. The old one no longer opens the journal.")


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (a new .zip).",
)
@pass_app
def backup(app: AppContext, out: Path) -> None:
    """Back up the whole journal into one file, consistently, even while the app runs.
    An encrypted journal stays encrypted in the backup."""
    from attunement.audit import record
    from attunement.storage import backup as backups

    manifest = backups.create(app.journal, out)
    record(
        app.data_dir,
        "backup",
        entries=manifest["counts"]["entries"],
        encrypted=manifest["encrypted"],
        file=str(out.resolve()),  # where it went, so a damaged journal can name it
    )
    ok(f"Backed up {manifest['counts']['entries']} entries to {out}.")


def restore_backup(app: AppContext, path: Path, yes: bool) -> None:
    """`attune restore FILE`: restore a backup into the data folder."""
    from attunement.audit import record
    from attunement.core.journal import Journal
    from attunement.errors import InvalidInput
    from attunement.paths import ensure_data_dir
    from attunement.storage import backup as backups
    from attunement.storage import replacing, swap

    data_dir = ensure_data_dir(app.data_dir)
    manifest = backups.read_manifest(path)
    for notice in Journal.prepare(data_dir):
        hint(notice)
    occupied = backups.has_journal(data_dir)
    # before anything is asked: refused while another program has the journal open, as
    # the restore itself would refuse, later, after the passphrase
    replacing.refuse_if_open(swap.journal_files(data_dir), backups.RESTORE)
    if occupied and not yes:
        if not AppContext.interactive():
            raise InvalidInput(
                "There is already a journal here; add --yes to replace it "
                "(it will be kept aside in the data folder)."
            )
        click.confirm("Replace the journal here? It will be kept aside, not deleted.", abort=True)
    passphrase = app.passphrase() if manifest["encrypted"] else None
    result = backups.restore(path, data_dir, passphrase, replace=occupied)
    record(data_dir, "restore", entries=result["counts"]["entries"])
    for notice in result["notices"]:
        hint(notice)
    ok(f"Restored {result['counts']['entries']} entries from {path}.")
    if result["replaced"]:
        hint(f"The journal that was here is kept in {result['replaced']}.")


@click.command()
@json_option
@pass_app
def check(app: AppContext, as_json: bool) -> None:
    """Check the whole journal for damage: every page (and its checksum, when encrypted),
    every index, every entry. Says what it found and, if damaged, which backup to restore."""
    from attunement.cli.context import AppContext as Context
    from attunement.core.journal import NeedsPassphrase
    from attunement.storage import health, vault
    from attunement.storage.health import what_to_do

    data_dir = app.data_dir
    try:
        report = health.check(data_dir, app.given_passphrase())
    except NeedsPassphrase:
        if not Context.interactive() or not vault.is_encrypted(data_dir):
            raise
        report = health.check(data_dir, app.passphrase())
    if as_json:
        emit_json(report.to_dict())
    elif report.intact:
        ok(
            f"The journal is intact: {report.pages} pages and {report.entries} entries "
            f"checked{', every page checksum included' if report.encrypted else ''}."
        )
    if not report.intact:
        raise health.Damaged(
            f"The journal at {report.path} is damaged ({health.summary(report.problems)}). "
            f"{what_to_do(data_dir)}",
            report.problems,
        )


@click.command()
@json_option
@pass_app
def audit(app: AppContext, as_json: bool) -> None:
    """When exports, imports, backups, restores and encryption changes happened (never
    what they contained)."""
    from attunement.audit import read

    events = read(app.data_dir)
    if as_json:
        emit_json({"events": events})
        return
    if not events:
        ok("Nothing recorded yet.")
    for event in events:
        details = ", ".join(f"{k} {v}" for k, v in event.items() if k not in ("at", "action"))
        click.echo(f"{event['at']}  {event['action']}" + (f"  ({details})" if details else ""))


COMMANDS = [init, encrypt, decrypt, passphrase, backup, check, audit]
