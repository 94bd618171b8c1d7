"""The exceptions Attunement raises on purpose.

Every expected failure is an :class:`AttuneError` carrying one sentence for the user that
says what was wrong and what to do. The CLI prints that sentence and exits with
``exit_code``; the web API answers ``{"error": {"code", "message", "field"}}`` with
``http_status``. Anything else escaping to the user is a bug.

    AttuneError
    ├── InvalidInput   bad text, id, date, file or option (exit 2, HTTP 422)
    │   └── FormatError    a file that cannot be read, naming the file and line
    ├── NotFound       no such entry, prompt, deck or draft (exit 1, HTTP 404)
    ├── Conflict       the thing exists already (exit 1, HTTP 409)
    │   └── ChangedMeanwhile  an edit started from a version that is no longer current
    ├── Locked         the web app's journal is encrypted and locked (HTTP 423)
    └── StorageError   the data folder cannot be used: read-only, full, locked (exit 3, HTTP 503)
"""

from __future__ import annotations


class AttuneError(Exception):
    code = "error"
    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class InvalidInput(AttuneError):
    code = "invalid_input"
    exit_code = 2
    http_status = 422


class FormatError(InvalidInput):
    """A file we were asked to read is malformed; the message names the file and line."""

    code = "bad_format"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message, field=field)
        self.path = path
        self.line = line


class NotFound(AttuneError):
    code = "not_found"
    exit_code = 1
    http_status = 404


class Conflict(AttuneError):
    code = "conflict"
    exit_code = 1
    http_status = 409


class ChangedMeanwhile(Conflict):
    """An edit made from an earlier version than the current one (another tab, window or
    device saved in between): nothing is overwritten; ``current`` is the entry as it is
    now, so both texts can be shown."""

    def __init__(self, message: str, *, current: object, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.current = current


class Locked(AttuneError):
    code = "locked"
    exit_code = 2
    http_status = 423


class StorageError(AttuneError):
    code = "storage_unavailable"
    exit_code = 3
    http_status = 503


# What every JSON-lines batch command (`analyze --batch`, `deid --batch`) asks of a line.
BATCH_LINE = 'Each line must be a JSON object with "text" (and an "id" to tell the answers apart).'
