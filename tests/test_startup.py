"""Reading the journal starts fast: a command loads only what it uses.

Each story runs the command in a fresh Python process and looks at what it imported. The
figures (milliseconds) are in benchmarks/jrnl_comparison.py; here we check the behaviour
that makes them possible, so it cannot quietly regress.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attunement.core import journal as journal_module
from attunement.framework import DEFAULT_DECK

HEAVY = (
    "numpy",
    "onnxruntime",
    "alembic",
    "fastapi",
    "jinja2",
    "sqlalchemy",
    "tokenizers",
    "_hashlib",  # OpenSSL: ids and keys are made when writing, never to read
)

PROBE = """
import json, sys
from attunement.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="attune", standalone_mode=False)
finally:
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(HEAVY)))
    print("LOADED=" + json.dumps(loaded), file=sys.stderr)
"""


def loaded_by(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    watch: tuple[str, ...] = HEAVY,
) -> list[str]:
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.replace("HEAVY", repr(json.dumps(watch))),
            "--data-dir",
            str(data_dir),
            *args,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    return list(json.loads(line.removeprefix("LOADED=")))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A journal with an entry and a check-in, written by a real `attune`."""
    data_dir = tmp_path_factory.mktemp("startup") / "data"
    from attunement.core.journal import Journal

    with Journal.open(data_dir) as journal:
        entry = journal.write("Stayed with the silence at the bedside. #nights", title="Night")
        journal.checkin(ease=6, note="steady")
    return data_dir, entry.id


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--tag", "nights"),
        ("search", "silence"),
        ("today",),
        ("checkins",),
        ("list", "--json"),
    ],
    ids=lambda a: " ".join(a),
)
def test_reading_commands_load_no_database_toolkit_models_or_web_framework(written, args):
    data_dir, _ = written
    assert loaded_by(data_dir, *args) == []


def test_showing_an_entry_loads_nothing_heavy(written):
    data_dir, entry_id = written
    assert loaded_by(data_dir, "show", entry_id) == []


def test_a_write_still_works_after_a_fast_open_and_reads_see_it(written):
    data_dir, _ = written
    assert "sqlalchemy" in loaded_by(data_dir, "write", "A second entry about ease.")
    from attunement.core.journal import Journal

    with Journal.open(data_dir) as journal:
        assert [e.body for e in journal.list_entries()][0] == "A second entry about ease."


def test_today_reads_the_built_in_decks_compiled_not_their_toml(written):
    """The first run keeps the parsed decks beside the bytecode; the next parses nothing
    (as Python itself does, only where it may write bytecode)."""
    data_dir, _ = written
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    loaded_by(data_dir, "today", env=env)
    assert loaded_by(data_dir, "today", env=env, watch=("tomllib", "yaml")) == []


def test_the_journal_names_the_same_default_deck_as_the_framework():
    assert journal_module.DEFAULT_DECK == DEFAULT_DECK
