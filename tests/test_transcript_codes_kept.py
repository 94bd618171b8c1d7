"""A transcript is coded once: its codes are kept in the journal, so that opening it again
after the app was closed (a lock, a restart) reads them instead of coding every turn again
(16 to 25 s for a 5,000-turn session). They are coded again when the analysis changes,
never shown for other words, and deleted with the transcript."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attunement.core.journal import Journal
from attunement.transcripts import service

SESSION = """Counsellor: What brings you here today?
Client: I have not been sleeping since my mother died. I feel so guilty.
Counsellor: The nights have been hard, and the guilt comes with them.
Client: Yes. I go over the last week again and again.
Counsellor: What do you go over most?
Client: Whether I should have stayed that night.
"""


def imported(journal: Journal, tmp_path: Path) -> str:
    path = tmp_path / "session.txt"
    path.write_text(SESSION, encoding="utf-8")
    return service.import_file(journal, path, title="Thursday").id


def as_seen(stored: service.Stored) -> tuple[object, ...]:
    session = stored.session
    return (
        [c.to_dict() for c in session.coded],
        session.summary.to_dict(),
        session.notes,
        session.title,
    )


def no_coding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("coded again")

    monkeypatch.setattr(service, "code_turns", refuse)


def kept_rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "journal.sqlite3") as conn:
        return int(conn.execute("SELECT count(*) FROM transcript_codes").fetchone()[0])


def test_a_session_opened_after_a_restart_reads_its_kept_codes(data_dir, tmp_path, monkeypatch):
    with Journal.open(data_dir) as journal:
        transcript = imported(journal, tmp_path)
        first = as_seen(service.open_coded(journal, transcript))
    assert kept_rows(data_dir) == 1

    no_coding(monkeypatch)
    with Journal.open(data_dir) as journal:  # the app started again
        again = as_seen(service.open_coded(journal, transcript))

    assert again == first, "the same codes, summary and notes as when it was coded"


def test_a_new_analysis_codes_the_session_again(data_dir, tmp_path, monkeypatch):
    with Journal.open(data_dir) as journal:
        transcript = imported(journal, tmp_path)
        first = as_seen(service.open_coded(journal, transcript))

    monkeypatch.setattr(service, "coding_version", lambda: "c-a-retrained-model")
    coded = []
    real = service.code_turns
    monkeypatch.setattr(service, "code_turns", lambda *a, **k: coded.append(1) or real(*a, **k))
    with Journal.open(data_dir) as journal:
        assert as_seen(service.open_coded(journal, transcript)) == first
    assert coded == [1], "coded again by the new analysis"
    assert kept_rows(data_dir) == 1, "its codes replace the old ones"

    no_coding(monkeypatch)
    with Journal.open(data_dir) as journal:
        assert as_seen(service.open_coded(journal, transcript)) == first


def test_codes_are_never_read_for_other_words(data_dir, tmp_path, monkeypatch):
    """Codes are keyed by the caregiver and the turns they were made from: a transcript
    whose stored words differ (restored from another copy, say) is coded afresh."""
    with Journal.open(data_dir) as journal:
        transcript = imported(journal, tmp_path)
        service.open_coded(journal, transcript)
    with sqlite3.connect(data_dir / "journal.sqlite3") as conn:
        conn.execute(
            "UPDATE transcripts SET turns = json_set(turns, '$[1].text', "
            "'I am fine, really. Work is busy.')"
        )
    coded = []
    real = service.code_turns
    monkeypatch.setattr(service, "code_turns", lambda *a, **k: coded.append(1) or real(*a, **k))
    with Journal.open(data_dir) as journal:
        stored = service.open_coded(journal, transcript)
    assert coded == [1]
    assert stored.session.coded[1].turn.text == "I am fine, really. Work is busy."


def test_deleting_a_transcript_deletes_its_kept_codes(data_dir, tmp_path):
    with Journal.open(data_dir) as journal:
        transcript = imported(journal, tmp_path)
        service.open_coded(journal, transcript)
        assert kept_rows(data_dir) == 1
        service.delete(journal, transcript)
    assert kept_rows(data_dir) == 0
