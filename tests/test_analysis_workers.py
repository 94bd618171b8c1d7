"""Readings run on the analysis threads (as many as the cores); many asked at once each
get exactly their own reading, and a reading asked for inside another never waits on
the threads it is already on."""

from __future__ import annotations

import threading

import pytest

from attunement.analysis import workers
from attunement.analysis.report import analyze_response, analyze_text

TEXTS = [
    "My chest tightened when she cried and I wanted to fix it.",
    "I felt calm and stayed with the silence.",
    "I was exhausted after the shift and snapped at my colleague.",
    "She said nobody visits any more; I just listened.",
]


def test_readings_asked_at_once_are_each_their_own():
    alone = {t: analyze_text(t).to_dict() for t in TEXTS}
    got: dict[int, dict] = {}
    asked = TEXTS * 4

    def read(n: int, text: str) -> None:
        got[n] = analyze_text(text).to_dict()

    threads = [threading.Thread(target=read, args=(n, t)) for n, t in enumerate(asked)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [got[n] for n in range(len(asked))] == [alone[t] for t in asked]


def test_a_reading_inside_a_reading_runs_where_it_is(monkeypatch):
    monkeypatch.setattr(workers, "ANALYSIS_THREADS", 1)
    monkeypatch.setattr(workers, "_pool", None)  # a pool of one thread, made afresh

    def outer() -> tuple[str, dict]:
        return threading.current_thread().name, analyze_text(TEXTS[0]).to_dict()

    name, reading = workers.on_analysis_threads(outer)
    assert name.startswith("attune-analysis")
    assert reading == analyze_text(TEXTS[0]).to_dict()
    replied = analyze_response("It sounds lonely.", "Nobody visits any more.")
    assert replied.to_dict()["moves"]


def test_an_error_in_a_reading_reaches_whoever_asked():
    def broken() -> None:
        raise ValueError("the model file is damaged")

    with pytest.raises(ValueError, match="damaged"):
        workers.on_analysis_threads(broken)
