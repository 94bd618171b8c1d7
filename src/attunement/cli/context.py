"""What every command shares: the data folder, the open journal, and terminal facts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attunement.core.journal import Journal


ENV_PASSPHRASE = "ATTUNE_PASSPHRASE"


class AppContext:
    def __init__(self, data_dir: str | None, passphrase_file: str | None = None) -> None:
        self._explicit = data_dir
        self._passphrase_file = passphrase_file
        self._journal: Journal | None = None

    def given_passphrase(self) -> str | None:
        """A passphrase from --passphrase-file (its first line) or ATTUNE_PASSPHRASE."""
        import os

        if self._passphrase_file:
            from attunement.errors import InvalidInput

            try:
                with open(self._passphrase_file, encoding="utf-8") as handle:
                    return handle.readline().rstrip("\r\n")
            except OSError as exc:
                raise InvalidInput(
                    f"Cannot read the passphrase file {self._passphrase_file} ({exc.strerror}).",
                    field="passphrase_file",
                ) from exc
        return os.environ.get(ENV_PASSPHRASE) or None

    def passphrase(self, *, new: bool = False) -> str:
        """The passphrase, asked at a terminal when it was not given (twice for a new one)."""
        import click

        from attunement.errors import InvalidInput

        given = self.given_passphrase()
        if given is not None:
            return given
        if not self.interactive():
            raise InvalidInput(
                f"A passphrase is needed; give it with --passphrase-file or {ENV_PASSPHRASE}.",
                field="passphrase",
            )
        prompt = "New passphrase" if new else "Passphrase"
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=new))

    @property
    def data_dir(self) -> Path:
        from attunement.paths import resolve_data_dir

        return resolve_data_dir(self._explicit)

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            from attunement.core.journal import Journal, NeedsPassphrase

            try:
                self._journal = Journal.open(self.data_dir, self.given_passphrase())
            except NeedsPassphrase:
                if not self.interactive():
                    raise
                self._journal = Journal.open(self.data_dir, self.passphrase())
            from attunement.cli.output import hint

            for notice in self._journal.notices:
                hint(notice)
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    @staticmethod
    def stdin_is_terminal() -> bool:
        """Text could be typed or edited, rather than piped in."""
        return sys.stdin.isatty()

    @staticmethod
    def interactive() -> bool:
        """A person at a terminal who can answer questions and use an editor."""
        return AppContext.stdin_is_terminal() and sys.stdout.isatty()
