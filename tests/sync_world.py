"""A team server on loopback that can be stopped and started again at the same address
(a trainee's laptop losing and regaining its connection), and Tom's computer signed in
to it, for the stories of comments coming home."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attunement.core.journal import Journal

from .conftest import Attune, free_port
from .server_world import PASSWORD, build_world


class Served:
    """The team server on a loopback port that can be stopped and started again (the
    same address), as a trainee's laptop loses and regains its connection."""

    def __init__(self, world) -> None:
        self.world = world
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread = None

    def start(self) -> None:
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(self.world.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def serving(folder: Path) -> Iterator[Served]:
    """A team server world built in ``folder`` and served for one test, stopped after it
    (unless the test stopped it itself)."""
    running = Served(build_world(folder))
    running.start()
    try:
        yield running
    finally:
        if running.server is not None and not running.server.should_exit:
            running.stop()


def signed_in(data_dir: Path, url: str) -> Attune:
    attune = Attune(data_dir)
    attune("server", "login", url, "--email", "tom@example.org", input=PASSWORD + "\n")
    return attune


def write(data_dir: Path, body: str, title: str) -> str:
    with Journal.open(data_dir) as journal:
        return journal.write(body, title=title).id
