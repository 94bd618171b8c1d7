"""An entry is read once: every place that shows its analysis shows the same stored
reading, a new version of the analysis reads the journal again, and a reading goes
when its entry goes."""

from __future__ import annotations

import time

from attunement.analysis.report import analyze_text
from attunement.core import readings
from attunement.core.insights import compute
from attunement.supervision.packet import Selection, build

BODY = (
    "I noticed my shoulders drop as I slowed down and stayed with her grief. "
    "I felt calm and curious, and I did not rush to fix it."
)


def stored_count(journal) -> int:
    conn = journal.reader._connection()
    return conn.execute("SELECT count(*) FROM readings").fetchone()[0]


def test_a_stored_reading_is_exactly_what_the_analysis_returned(journal):
    entry = journal.write(BODY, title="After the visit")
    first = readings.reading(journal, entry)
    assert first.to_dict() == analyze_text(BODY).to_dict()
    again = readings.reading(journal, journal.get(entry.id))
    assert again == first  # rebuilt from storage, field for field
    assert stored_count(journal) == 1


def test_every_view_reads_the_one_stored_reading(journal, attune, monkeypatch):
    entry = journal.write(BODY)
    made = readings.reading(journal, entry)
    signs = {m.id for m in made.markers if m.counts}
    monkeypatch.setattr(readings, "_analyse", _refuse)

    assert readings.reading(journal, journal.get(entry.id)).to_dict() == made.to_dict()
    found = compute(journal)
    assert found.analysed == 1 and found.unread == 0
    assert {m for m, weeks in found.markers_per_week.items() if sum(weeks)} == signs
    packet = build(journal, Selection(entry_ids=(entry.id,)))
    assert {s for e in packet.entries for s in e.signs} == {
        m.name for m in made.markers if m.counts
    }
    journal.close()
    assert attune.json("analyze", entry.id) == made.to_dict()


def _refuse(text):
    raise AssertionError("the analysis ran again instead of using the stored reading")


def test_an_edited_entry_is_read_again_and_its_first_version_kept(journal):
    entry = journal.write(BODY)
    readings.reading(journal, entry)
    edited, _ = journal.edit(entry.id, body=BODY + " Later I felt tired and heavy.")
    after = readings.reading(journal, edited)
    assert after.text == edited.body
    assert stored_count(journal) == 2


def test_a_new_analysis_reads_the_whole_journal_again(journal, monkeypatch):
    for n in range(3):
        readings.reading(journal, journal.write(f"{BODY} Entry {n}."))
    assert readings.unread(journal) == []
    monkeypatch.setattr(readings, "version", lambda: "r-a-newer-model")
    assert len(readings.unread(journal)) == 3
    seen = []
    assert readings.read_missing(journal, progress=lambda d, t: seen.append((d, t))) == 3
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert readings.unread(journal) == [] and stored_count(journal) == 3  # old ones dropped


def test_insights_count_only_read_entries_and_say_how_many_wait(journal, monkeypatch):
    for n in range(4):
        journal.write(f"{BODY} Entry {n}.")
    monkeypatch.setattr("attunement.core.insights.READ_NOW", 1)
    found = compute(journal)
    assert (found.analysed, found.unread) == (1, 3)
    assert found.to_dict()["unread_entries"] == 3
    readings.read_missing(journal)
    assert (compute(journal).analysed, compute(journal).unread) == (4, 0)


def test_insights_are_counted_once_until_the_journal_changes(journal, monkeypatch):
    from attunement.core import insights

    journal.write(BODY)
    readings.read_missing(journal)  # (a first look would read it, and so change the journal)
    counted = []
    figures = insights._figures
    monkeypatch.setattr(insights, "_figures", lambda *args: counted.append(1) or figures(*args))
    first, again = compute(journal), compute(journal)
    assert len(counted) == 1 and again.writing_days == first.writing_days
    journal.write(f"{BODY} Later the same day.")
    assert sum(compute(journal).writing_days.values()) == 2
    assert len(counted) >= 2


def test_a_reading_goes_with_its_entry(journal):
    entry = journal.write(BODY)
    readings.reading(journal, entry)
    journal.delete(entry.id)
    journal.purge_trash()
    assert stored_count(journal) == 0


def test_the_background_reader_reaches_every_entry_and_reports_progress(journal):
    for n in range(3):
        journal.write(f"{BODY} Entry {n}.")
    worker = readings.Rereader(lambda: journal)
    worker.start()
    deadline = time.monotonic() + 120
    while worker.state()["running"] or worker.state()["total"] == 0:
        assert time.monotonic() < deadline, worker.state()
        time.sleep(0.05)
    assert worker.state() == {"running": False, "done": 3, "total": 3, "error": None}
    assert readings.unread(journal) == []


def test_locking_stops_the_background_reader_and_leaves_the_journal_file_free(
    tmp_path, monkeypatch
):
    """Locking while the app is reading entries again: the reading stops after the entry
    in hand (what was read is kept), no connection stays open on the journal (so `attune
    decrypt` may replace it at once), no error is shown, and unlocking reads the rest."""
    import threading

    from attunement.core.journal import Journal
    from attunement.web.app import Settings, create_app

    data = tmp_path / "data"
    Journal.create_encrypted(data, "correct horse battery").close()
    with Journal.open(data, "correct horse battery") as journal:
        for n in range(5):
            journal.write(f"{BODY} Entry {n}.")
    reading, release = threading.Event(), threading.Event()

    def slow(text):
        reading.set()
        release.wait(10)
        return analyze_text(text)

    monkeypatch.setattr(readings, "_analyse", slow)
    app = create_app(Settings(data_dir=data, passphrase="correct horse battery"))
    state = app.app.state  # inside the local-safety layer
    holder, worker = state.holder, state.rereader
    worker.start()
    assert reading.wait(10)
    threading.Timer(0.2, release.set).start()  # the entry in hand finishes after the lock asks
    holder.lock()

    assert holder.locked and not worker.state()["running"]
    assert worker.state()["error"] is None
    assert not open_files_in(data), "no connection keeps the journal's files open"

    holder.unlock("correct horse battery")
    deadline = time.monotonic() + 120
    while worker.state()["running"]:
        assert time.monotonic() < deadline, worker.state()
        time.sleep(0.05)
    with Journal.open(data, "correct horse battery") as journal:
        assert readings.unread(journal) == []
    holder.close()


def test_a_closed_journal_never_opens_its_file_again(journal):
    """Work still holding a journal after it was closed (a request when the app locks)
    is refused, instead of quietly opening the file again and keeping it open."""
    import pytest

    from attunement.errors import Locked

    entry = journal.write(BODY)
    journal.close()
    with pytest.raises(Locked):
        journal.get(entry.id)
    with pytest.raises(Locked):
        journal.write("after the close")


def open_files_in(folder):
    """The files in ``folder`` this process has open (Linux's /proc/self/fd)."""
    import os
    from pathlib import Path

    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = Path(os.readlink(fd))
        except OSError:
            continue
        if target.parent == folder.resolve():
            found.append(target.name)
    return found


def test_entries_imported_in_the_app_are_read_in_the_background_at_once(tmp_path, monkeypatch):
    """An import through the web app (or its API) of more entries than Insights reads
    itself starts the background reader, which reads what came in, instead of leaving it
    to the app's next start; an import of fewer does not."""
    from starlette.testclient import TestClient

    from attunement.core import insights
    from attunement.core.journal import Journal
    from attunement.web.app import Settings, create_app

    monkeypatch.setattr(insights, "READ_NOW", 2)

    data = tmp_path / "data"
    Journal.open(data).close()
    jrnl = "".join(
        f"[2026-11-0{n} 09:00] Night shift {n}.\n{BODY}\n\n" for n in range(1, 4)
    ).encode()
    app = create_app(Settings(data_dir=data))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        worker = app.app.state.rereader
        deadline = time.monotonic() + 60
        while worker.state()["running"]:  # the start's own pass: nothing to read
            assert time.monotonic() < deadline
            time.sleep(0.02)
        one = b"[2026-10-01 09:00] Day shift.\nQuiet.\n"
        report = client.post(
            "/api/v1/import", data={"from": "jrnl"}, files={"file": ("one.txt", one)}
        ).json()
        assert report["added"] == 1
        assert worker.state()["total"] == 0, "a single entry is read where it is shown"
        report = client.post(
            "/api/v1/import", data={"from": "jrnl"}, files={"file": ("j.txt", jrnl)}
        ).json()
        assert report["added"] == 3
        while worker.state()["running"] or worker.state()["done"] < 3:
            assert time.monotonic() < deadline, worker.state()
            time.sleep(0.05)
    with Journal.open(data) as journal:
        assert readings.unread(journal) == []
