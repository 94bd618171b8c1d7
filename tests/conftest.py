"""Shared fixtures: a fresh journal in a temporary data folder, and ways to run the CLI
in-process (fast) or as a real process (for crash and concurrency stories)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attunement.cli import cli
from attunement.core.journal import Journal

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "journal-data"


@pytest.fixture
def journal(data_dir: Path) -> Iterator[Journal]:
    with Journal.open(data_dir) as opened:
        yield opened


class Attune:
    """Runs `attune` against one data folder, as a person would type it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(
        self,
        *args: str,
        input: str | bytes | None = None,
        ok: bool = True,
        env: dict[str, str] | None = None,
    ) -> Result:
        runner = CliRunner()
        result = runner.invoke(
            cli,
            ["--data-dir", str(self.data_dir), *args],
            input=input,
            env=env,
            catch_exceptions=False,
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"attune {' '.join(args)} exited {result.exit_code}:\n{result.output}"
            )
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self(*args, "--json", **kwargs).stdout)


@pytest.fixture
def client(data_dir: Path) -> Iterator[Any]:
    """The web app on a fresh journal, through Starlette's test client."""
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def attune(data_dir: Path) -> Attune:
    return Attune(data_dir)


def run_process(
    *args: str,
    data_dir: Path,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess:
    """`attune` in a real child process (no terminal attached)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "attunement", "--data-dir", str(data_dir), *args],
        input=input if input is not None else b"",
        capture_output=True,
        env=full_env,
        timeout=timeout,
    )


def free_port() -> int:
    """A port on loopback that nothing is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for a module's browser stories (tests/browsing.py)."""
    from .browsing import CHROMIUM

    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()
