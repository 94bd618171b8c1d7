"""Writing in one's own editor: the prompt is shown, the guide is removed, and words
survive a crashed or killed editor as a draft."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attunement.cli.editor import guide, strip_guide
from attunement.core.journal import Journal


def fake_editor(tmp_path: Path, script: str) -> str:
    path = tmp_path / "editor.py"
    path.write_text(f"import sys, pathlib\np = pathlib.Path(sys.argv[1])\n{script}\n")
    return f"{sys.executable} {path}"


@pytest.fixture
def terminal(monkeypatch):
    """Pretend a person is at a terminal (CliRunner has none)."""
    from attunement.cli.context import AppContext

    monkeypatch.setattr(AppContext, "stdin_is_terminal", staticmethod(lambda: True))
    monkeypatch.setattr(AppContext, "interactive", staticmethod(lambda: True))


def test_the_guide_block_is_removed_but_the_rest_is_kept_exactly():
    text = guide(["Prompt aoa-1: How did it feel?"]) + "<!-- my own comment -->\n# Heading\n"
    assert strip_guide(text) == "<!-- my own comment -->\n# Heading\n"
    assert strip_guide("no guide here") == "no guide here"


def test_write_opens_the_editor_with_the_prompt(attune, tmp_path, terminal):
    seen = tmp_path / "seen.txt"
    editor = fake_editor(
        tmp_path,
        f"pathlib.Path({str(seen)!r}).write_text(p.read_text())\n"
        "p.write_text(p.read_text() + 'My shoulders dropped.\\n')",
    )
    result = attune("write", "--prompt", "aoa-7", env={"EDITOR": editor, "VISUAL": ""})
    entry = attune.json("show", result.stdout.strip())
    assert entry["body"] == "My shoulders dropped.\n"
    assert "being at ease in your chair" in seen.read_text()
    temp = attune.data_dir / "tmp"
    assert list(temp.iterdir()) == [], "no editor file is left behind"
    assert stat.S_IMODE(temp.stat().st_mode) == 0o700


def test_a_failing_editor_keeps_the_words_for_the_next_write(attune, tmp_path, terminal):
    editor = fake_editor(tmp_path, "p.write_text('Words I must not lose'); sys.exit(3)")
    result = attune("write", env={"EDITOR": editor, "VISUAL": ""}, ok=False)
    assert result.exit_code == 2 and "kept as draft" in result.stderr
    drafts = attune.json("drafts")["drafts"]
    assert [d["body"] for d in drafts] == ["Words I must not lose"]
    assert list((attune.data_dir / "tmp").iterdir()) == []


def test_words_in_a_killed_editor_session_are_recovered_as_a_draft(tmp_path):
    """`attune write` itself is killed while the editor is open (kill -9): the editor's
    file is in the private temp folder, and the next write turns it into a draft."""
    data_dir = tmp_path / "data"
    editor = fake_editor(tmp_path, "p.write_text('Half a reflection')\nimport time\ntime.sleep(60)")
    script = (
        "import sys; from attunement.cli import main; "
        "sys.stdin.isatty = lambda: True; sys.argv = ['attune', '--data-dir', "
        f"{str(data_dir)!r}, 'write']; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "EDITOR": editor, "VISUAL": ""},
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    temp = data_dir / "tmp"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        files = list(temp.glob("edit-*.md")) if temp.exists() else []
        if files and files[0].read_text() == "Half a reflection":
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with Journal.open(data_dir) as journal:
        recovered = journal.recover_editor_files(temp)
        assert [d.body for d in recovered] == ["Half a reflection"]
        assert [d.body for d in journal.drafts()] == ["Half a reflection"]
    assert list(temp.iterdir()) == []


def test_continuing_a_draft_publishes_it_once(attune, journal):
    draft = journal.save_draft("Started on the bus", title="Bus thoughts", prompt_id="aoa-6")
    entry_id = attune("write", "--draft", draft.id, "Finished at home").stdout.strip()
    entry = attune.json("show", entry_id)
    assert (entry["title"], entry["body"], entry["prompt_id"]) == (
        "Bus thoughts",
        "Finished at home",
        "aoa-6",
    )
    assert attune.json("drafts")["drafts"] == []
    assert attune("write", "--draft", draft.id, "again", ok=False).exit_code == 1


def test_a_draft_of_an_edit_saves_a_new_version(journal):
    entry = journal.write("Original words")
    draft = journal.save_draft("Better words", entry_id=entry.id)
    updated = journal.publish_draft(draft.id)
    assert updated.body == "Better words" and updated.revision == 2
    assert journal.history(entry.id)[1][0].body == "Original words"
