"""A very long session's first view: a counsellor who imports a transcript of thousands
of turns is not left looking at a blank page while every turn is coded (16 to 25 s on a
slow machine). The page says how far the coding has come and looks again by itself; the
session shows when it is ready, and from then on at once, also after a restart. A session
of an ordinary length is coded while its page waits, as before."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from attunement.core.journal import Journal
from attunement.transcripts import service

SAID = [
    ("Counsellor", "What was the night like?"),
    ("Client", "Long. I could not sleep and I kept thinking about my mum."),
    ("Counsellor", "It sounds like the nights are when you miss her most."),
    ("Client", "I want to sleep properly again, I really do."),
]


def imported(data_dir: Path, tmp_path: Path, turns: int) -> str:
    path = tmp_path / f"session-{turns}.txt"
    path.write_text(
        "".join(f"{SAID[i % 4][0]}: {SAID[i % 4][1]} (turn {i + 1})\n" for i in range(turns)),
        encoding="utf-8",
    )
    with Journal.open(data_dir) as journal:
        return service.import_file(journal, path, title="A long night").id


def app_client(data_dir: Path) -> Any:
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    return TestClient(create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",))))


@pytest.fixture
def slow_coding(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Sessions of more than 20 turns count as long, and coding waits for the event."""
    monkeypatch.setattr(service, "CODE_NOW", 20)
    go = threading.Event()
    real = service.code_turns

    def waiting(turns: Any, caregiver: str, progress: Any = None) -> Any:
        assert go.wait(30), "the test never let the coding go on"
        return real(turns, caregiver, progress)

    monkeypatch.setattr(service, "code_turns", waiting)
    return go


def ready(client: Any, url: str) -> str:
    for _ in range(300):
        page = client.get(url).text
        if "Coding the session" not in page:
            return page
        time.sleep(0.05)
    raise AssertionError("the session was never ready")


def test_a_long_session_shows_how_far_its_coding_is_then_the_session(
    data_dir, tmp_path, slow_coding
):
    tid = imported(data_dir, tmp_path, 60)
    with app_client(data_dir) as client:
        first = client.get(f"/transcripts/{tid}")
        assert first.status_code == 200
        assert "Coding the session" in first.text
        assert "This session has 60 turns" in first.text
        assert '<meta http-equiv="refresh" content="2">' in first.text
        assert "Coding the session" in client.get(f"/transcripts/{tid}").text, "still going"

        slow_coding.set()
        page = ready(client, f"/transcripts/{tid}")
        assert "A long night" in page and "60 turns" in page
        assert 'http-equiv="refresh"' not in page

    with app_client(data_dir) as client:  # the app started again: the codes were kept
        assert "Coding the session" not in client.get(f"/transcripts/{tid}").text


def test_the_api_waits_for_the_coding_instead_of_coding_a_second_time(
    data_dir, tmp_path, slow_coding, monkeypatch
):
    tid = imported(data_dir, tmp_path, 60)
    started = []
    waiting = service.code_turns
    monkeypatch.setattr(
        service, "code_turns", lambda *a, **k: started.append(1) or waiting(*a, **k)
    )
    with app_client(data_dir) as client:
        assert "Coding the session" in client.get(f"/transcripts/{tid}").text
        threading.Timer(0.3, slow_coding.set).start()
        answer = client.get(f"/api/v1/transcripts/{tid}")
        assert answer.status_code == 200 and len(answer.json()["turns"]) == 60
        assert started == [1], "coded once, in the background"


def test_a_session_of_an_ordinary_length_is_coded_while_its_page_waits(data_dir, tmp_path):
    tid = imported(data_dir, tmp_path, 12)
    with app_client(data_dir) as client:
        page = client.get(f"/transcripts/{tid}").text
    assert "Coding the session" not in page and "12 turns" in page


def test_coding_that_fails_says_so_and_the_next_look_tries_again(data_dir, tmp_path, monkeypatch):
    from attunement.errors import StorageError

    monkeypatch.setattr(service, "CODE_NOW", 20)
    real = service.code_turns
    calls = []

    def failing_once(turns: Any, caregiver: str, progress: Any = None) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise StorageError("The analysis model is missing from this installation.")
        return real(turns, caregiver, progress)

    monkeypatch.setattr(service, "code_turns", failing_once)
    tid = imported(data_dir, tmp_path, 60)
    with app_client(data_dir) as client:
        for _ in range(300):
            page = client.get(f"/transcripts/{tid}").text
            if "Try again" in page:
                break
            time.sleep(0.05)
        assert "The analysis model is missing from this installation." in page
        assert 'http-equiv="refresh"' not in page, "no looking again at a failure"
        assert "60 turns" in ready(client, f"/transcripts/{tid}"), "the next look codes it"
    assert len(calls) == 2
