"""What every command shares: the data folder, the open journal, and terminal facts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attunement.core.journal import Journal


class AppContext:
    def __init__(self, data_dir: str | None) -> None:
        self._explicit = data_dir
        self._journal: Journal | None = None

    @property
    def data_dir(self) -> Path:
        from attunement.paths import resolve_data_dir

        return resolve_data_dir(self._explicit)

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            from attunement.core.journal import Journal

            self._journal = Journal.open(self.data_dir)
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
