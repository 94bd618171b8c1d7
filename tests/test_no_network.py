"""Nothing leaves the machine: the CLI and the analysis run with every non-loopback
connection recorded and refused, under a fresh HOME, and write nowhere but the data
folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import free_port

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


def guarded(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """An environment where every outside connection is recorded and refused, with a
    fresh HOME: (env, home, log)."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "net.log"
    env = {
        **os.environ,
        "HOME": str(home),
        "PYTHONPATH": str(guard),
        "ATTUNE_NET_LOG": str(log),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    env.pop("ATTUNE_HOME", None)
    return env, home, log


def test_cli_and_analysis_make_no_connections_and_write_only_the_data_folder(tmp_path: Path):
    env, home, log = guarded(tmp_path)
    data_dir = tmp_path / "data"
    commands = [
        ["today"],
        ["write", "My chest tightened; I wanted to fix it. #ward"],
        ["checkin", "--ease", "5", "--body", "chest"],
        ["search", "chest"],
        ["analyze", "--text", "I was exhausted but I stayed with her."],
        ["analyze", "--response", "How are you feeling now?", "--to", "I lost my job."],
        ["export"],
        ["deid", "--text", "Amara rang on 07700 900461."],
        ["packet", "--since", "today", "--question", "What am I carrying?"],
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


def test_the_web_app_makes_no_connections_either(tmp_path: Path):
    import json
    import time
    import urllib.request

    env, home, log = guarded(tmp_path)
    data_dir = tmp_path / "data"
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "attunement",
            "--data-dir",
            str(data_dir),
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/v1/today", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(
            base + "/api/v1/entries",
            method="POST",
            data=json.dumps({"body": "My chest tightened #ward"}).encode(),
            headers={"content-type": "application/json"},
        )
        entry = json.load(urllib.request.urlopen(request, timeout=10))
        for path in (
            "/",
            "/journal?q=chest",
            f"/entries/{entry['id']}",
            "/insights",
            "/practice",
            "/static/app.css",
        ):
            assert urllib.request.urlopen(base + path, timeout=10).status == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert not log.exists(), f"network use attempted: {log.read_text()}"
    assert list(home.iterdir()) == [], "nothing may be written outside the data folder"
