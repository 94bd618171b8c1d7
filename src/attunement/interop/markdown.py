"""Markdown export: one file per entry with YAML front matter, readable anywhere and
ready to open as an Obsidian vault. Entries in the trash are left out; the JSON export
is the complete backup.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.errors import Conflict

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, width: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.lower()).strip("-")[:width].strip("-") or "entry"


def filename(entry: Entry) -> str:
    return f"{entry.created_at:%Y-%m-%d}-{slug(entry.title or entry.body[:60])}-{entry.id}.md"


def render(entry: Entry, prompt_text: str | None = None) -> str:
    front: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "created": entry.created_at.isoformat(),
        "updated": entry.updated_at.isoformat(),
        "prompt": entry.prompt_id,
        "tags": list(entry.tags),
        "starred": entry.starred,
    }
    if prompt_text:
        front["prompt_text"] = prompt_text
    if entry.meta:
        front["meta"] = entry.meta  # where and in what weather it was recorded
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{entry.body}\n"


def _files(journal: Journal) -> Iterator[tuple[str, str]]:
    prompts = {p.id: p.text for p in journal.decks.prompts}
    for entry in journal.store.iter_entries(include_trash=False):
        yield filename(entry), render(entry, prompts.get(entry.prompt_id or ""))


def write(journal: Journal, out: Path) -> int:
    """Write to a folder (new or empty) or, when ``out`` ends in .zip, a zip file."""
    count = 0
    if out.suffix.lower() == ".zip":
        from attunement.paths import new_file

        with new_file(out) as part:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, text in _files(journal):
                    archive.writestr(name, text)
                    count += 1
        return count
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Conflict(f"{out} exists and is not an empty folder; choose a new folder.")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in _files(journal):
        (out / name).write_text(text, encoding="utf-8")
        count += 1
    return count
