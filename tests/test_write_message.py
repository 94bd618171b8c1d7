"""`attune write` tells a person at a terminal what it saved, and gives a script the id."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from .conftest import run_process


def test_at_a_terminal_write_says_what_it_saved(data_dir):
    main, child = pty.openpty()
    args = [sys.executable, "-m", "attunement", "--data-dir", str(data_dir)]
    done = subprocess.run(
        [*args, "write", "--title", "After the ward round", "I stayed."],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    os.close(child)
    out = os.read(main, 4096).decode()
    os.close(main)
    assert done.returncode == 0, done.stderr
    listed = run_process("list", "--json", data_dir=data_dir)
    import json

    entry_id = json.loads(listed.stdout)["entries"][0]["id"]
    assert out.strip() == f"Saved 'After the ward round' ({entry_id})"


def test_in_a_pipe_write_prints_the_bare_id(data_dir):
    done = run_process("write", "--title", "After the ward round", "I stayed.", data_dir=data_dir)
    assert done.returncode == 0
    assert done.stdout.decode().strip().isalnum()
