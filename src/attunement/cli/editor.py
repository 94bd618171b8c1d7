"""Writing in the person's own editor ($VISUAL or $EDITOR).

The file lives in a private folder inside the data folder (never a shared /tmp) and is
named after this process, so if Attunement or the editor is killed, the next
``attune write`` recovers the words as a draft. A guidance block at the top, written as
an HTML comment, is removed again before saving.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
from pathlib import Path

from attunement.errors import InvalidInput

GUIDE_START = "<!-- attune:"
GUIDE_END = "-->"


def guide(lines: list[str]) -> str:
    body = "\n".join(f"  {line}" for line in lines)
    return f"{GUIDE_START}\n{body}\n  Lines inside this comment are not saved.\n{GUIDE_END}\n\n"


def strip_guide(text: str) -> str:
    if text.startswith(GUIDE_START):
        end = text.find(GUIDE_END)
        if end != -1:
            return text[end + len(GUIDE_END) :].lstrip("\n")
    return text


def editor_command() -> list[str]:
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not raw:
        for candidate in ("nano", "vi"):
            for folder in os.environ.get("PATH", "").split(os.pathsep):
                if folder and os.access(os.path.join(folder, candidate), os.X_OK):
                    return [candidate]
        raise InvalidInput(
            "No editor is set; set $EDITOR (for example `export EDITOR=nano`) "
            "or give the text as an argument."
        )
    return shlex.split(raw)


def edit_text(initial: str, temp_dir: Path) -> tuple[str, Path, int]:
    """Open the editor on ``initial``; return what was written, the file (which the
    caller removes once the words are safely stored) and the editor's exit status."""
    path = temp_dir / f"edit-{os.getpid()}-{secrets.token_hex(4)}.md"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(initial)
    command = editor_command()
    try:
        done = subprocess.run([*command, str(path)], check=False)
    except FileNotFoundError as exc:
        path.unlink(missing_ok=True)  # it held only the guide and text already stored
        raise InvalidInput(f"The editor '{command[0]}' was not found; check $EDITOR.") from exc
    text = path.read_text(encoding="utf-8", errors="replace")
    return strip_guide(text), path, done.returncode
