"""Privacy commands: init, encrypt, decrypt."""

from __future__ import annotations

import click

from attunement.cli.context import AppContext
from attunement.cli.output import hint, ok

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
    if vault.is_encrypted(data_dir):
        from attunement.errors import InvalidInput

        raise InvalidInput("This journal is already encrypted.")
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


COMMANDS = [init, encrypt, decrypt, passphrase]
