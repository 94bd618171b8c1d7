"""Which analysis produced a stored reading: ``READING_VERSION``.

Readings of entries are kept in the journal (``core.readings``) so that they are computed
once. A reading is valid only for the analysis that made it, so its key holds this
version: a digest of everything the reading of a text depends on, namely the analysis
code, the shipped model files and the framework's marker definitions. Change any of them
(a retrained model, a new marker, a new field in a finding) and the version changes, so
old readings are simply not used and the journal is read again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ANALYSIS_DIR = Path(__file__).resolve().parent
FRAMEWORK_DIR = ANALYSIS_DIR.parent / "framework"
_SUFFIXES = {".py", ".npz", ".json", ".onnx", ".toml", ".txt"}


def _files() -> list[Path]:
    found = []
    for folder in (ANALYSIS_DIR, FRAMEWORK_DIR):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in _SUFFIXES and "__pycache__" not in path.parts:
                found.append(path)
    return sorted(found)


@cache
def reading_version() -> str:
    """A short digest of the analysis code, models and marker definitions (computed once
    per process: hashing the shipped files takes tens of milliseconds)."""
    digest = hashlib.blake2b(digest_size=8)
    root = ANALYSIS_DIR.parent
    for path in _files():
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        digest.update(b"\0")
    return "r-" + digest.hexdigest()
