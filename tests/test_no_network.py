"""Nothing leaves the machine: the CLI and the analysis run with every non-loopback
connection recorded and refused, under a fresh HOME, and write nowhere but the data
folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GUARD = """
import os, socket
_log = os.environ["ATTUNE_NET_LOG"]
def _note(what):
    with open(_log, "a") as handle:
        handle.write(repr(what) + "\\n")
def _is_loopback(address):
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost"))
_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        _note(("connect", address))
        raise OSError("network use is not allowed in this test")
    return _connect(self, address)
socket.socket.connect = connect
socket.socket.connect_ex = lambda self, address: connect(self, address) or 0
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if not _is_loopback((host,)):
        _note(("getaddrinfo", host))
        raise OSError("name lookups are not allowed in this test")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
"""


def test_cli_and_analysis_make_no_connections_and_write_only_the_data_folder(tmp_path: Path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    home = tmp_path / "home"
    home.mkdir()
    data_dir = tmp_path / "data"
    log = tmp_path / "net.log"
    env = {
        **os.environ,
        "HOME": str(home),
        "PYTHONPATH": str(guard),
        "ATTUNE_NET_LOG": str(log),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    env.pop("ATTUNE_HOME", None)
    commands = [
        ["today"],
        ["write", "My chest tightened; I wanted to fix it. #ward"],
        ["checkin", "--ease", "5", "--body", "chest"],
        ["search", "chest"],
        ["analyze", "--text", "I was exhausted but I stayed with her."],
        ["analyze", "--response", "How are you feeling now?", "--to", "I lost my job."],
        ["export"],
    ]
    for args in commands:
        done = subprocess.run(
            [sys.executable, "-m", "attunement", "--data-dir", str(data_dir), *args],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert done.returncode == 0, (args, done.stderr)
    assert not log.exists(), f"network use attempted: {log.read_text()}"
    assert list(home.iterdir()) == [], "nothing may be written outside the data folder"
