"""Files sent to the web app: read into a file the app names itself, never a path built
from the name the browser sent.

A client's filename can be anything: ``..``, ``a/b/../c``, a NUL byte, 300 bytes of CJK,
a right-to-left override. It is kept only as a display string (:func:`display_name`) for
messages and default titles; the bytes go to ``upload<.suffix>`` inside a private
temporary folder in the data folder (never the shared /tmp), removed afterwards. The
suffix is kept when it is a plain extension (``.toml``, ``.vtt``), because services read
the kind of file from it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attunement.errors import AttuneError, FormatError

MAX_SHOWN = 80  # characters of a client's filename kept for messages
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,12}$")
_CHUNK = 1 << 20


_FORM_ESCAPES = (("%22", '"'), ("%0A", " "), ("%0D", " "))


def display_name(filename: str | None, default: str) -> str:
    """The last part of a client's filename, without control or invisible formatting
    characters, shortened to :data:`MAX_SHOWN` characters (its extension kept); ``default``
    when nothing usable is left (``""``, ``..``, ``/``). The three characters browsers
    escape in a form's filename (a double quote as ``%22``, line breaks as ``%0A`` and
    ``%0D``) are shown as the person named them, the breaks as spaces."""
    for escaped, shown in _FORM_ESCAPES:
        filename = (filename or "").replace(escaped, shown)
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if not name.strip("."):
        return default
    if len(name) > MAX_SHOWN:
        match = _SUFFIX.search(name)
        suffix = match.group(0) if match else ""
        name = name[: MAX_SHOWN - len(suffix) - 1].rstrip() + "…" + suffix
    return name


@dataclass(frozen=True)
class Received:
    path: Path  # where the bytes are, named by the app
    name: str  # what the person called the file: for messages and titles only

    @property
    def stem(self) -> str:
        match = _SUFFIX.search(self.name)
        return self.name[: match.start()] if match and match.start() else self.name


@contextmanager
def received(data_dir: Path | None, upload: Any, default_name: str) -> Iterator[Received]:
    """An uploaded file (a Starlette ``UploadFile``) on disk for a service to read.

    Errors raised inside name the person's file, not the temporary one."""
    from attunement.paths import private_temp_dir

    name = display_name(getattr(upload, "filename", None), default_name)
    match = _SUFFIX.search(name)
    parent = private_temp_dir(data_dir) if data_dir else None
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        path = Path(tmp) / f"upload{match.group(0).lower() if match else ''}"
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, _CHUNK)
        try:
            yield Received(path, name)
        except AttuneError as exc:
            _name_the_persons_file(exc, path, name)
            raise


def _name_the_persons_file(exc: AttuneError, path: Path, name: str) -> None:
    for private in (str(path), path.name):
        if private in exc.message:
            exc.message = exc.message.replace(private, name)
            exc.args = (exc.message,)
            break
    if isinstance(exc, FormatError) and exc.path in (str(path), path.name):
        exc.path = name
