"""Deleting a transcript: a session imported with its real names, or imported twice, can
be taken out of the journal for good, from the command line, the web page and the API,
all through one service function; the entry written about it stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from attunement.cli.context import AppContext
from attunement.core.journal import Journal
from attunement.errors import NotFound
from attunement.transcripts import service

# A session kept without replacing names: what a person wants gone.
SESSION = """Counsellor: What brings you here today, Margaret?
Client: Since my mum died at St Anne's I can't sleep, Dr Okonkwo-Abernathy says.
Counsellor: It sounds like the nights are when you miss her most.
"""
CANARY = b"Okonkwo-Abernathy"


def imported(journal: Journal, tmp_path: Path, *, entry_id: str | None = None) -> str:
    path = tmp_path / "monday.txt"
    path.write_text(SESSION, encoding="utf-8")
    return service.import_file(journal, path, title="Monday", entry_id=entry_id).id


# -- the service ---------------------------------------------------------------------------


def test_deleting_removes_the_session_and_its_turns_and_keeps_the_entry(journal, tmp_path):
    entry = journal.write("About Monday's session: I rushed to reassure.")
    kept = imported(journal, tmp_path)
    doomed = imported(journal, tmp_path, entry_id=entry.id)
    assert [t["id"] for t in journal.reader.transcripts_of(entry.id)] == [doomed]

    gone = service.delete(journal, doomed)

    assert gone.to_dict() == {"id": doomed, "title": "Monday", "turns": 3, "entry_id": entry.id}
    assert [t["id"] for t in journal.store.list_transcripts()] == [kept], "only that one goes"
    with pytest.raises(NotFound):
        service.open_coded(journal, doomed)
    assert journal.get(entry.id).body == entry.body, "the entry stays as it was"
    assert journal.reader.transcripts_of(entry.id) == [], "and no longer links to it"
    with pytest.raises(NotFound, match="no transcript"):
        service.delete(journal, doomed)


def test_the_deleted_words_are_overwritten_in_the_journal_file(data_dir, tmp_path, monkeypatch):
    """A transcript kept with its real names must not linger in the free pages of the
    database file after it is deleted, whatever the SQLite build's default (some build
    with secure_delete on, most without: here it is off, as most have it)."""
    from attunement.storage import engine

    settings = engine._apply_settings

    def as_most_builds(conn):
        conn.execute("PRAGMA secure_delete = OFF")
        return settings(conn)

    monkeypatch.setattr(engine, "_apply_settings", as_most_builds)
    with Journal.open(data_dir) as journal:
        journal.write("Something else to keep.")
        service.delete(journal, imported(journal, tmp_path))
    database = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    assert CANARY not in database


# -- the command line ------------------------------------------------------------------------


def test_deleting_a_transcript_at_the_command_line(attune, tmp_path, monkeypatch):
    session = tmp_path / "monday.txt"
    session.write_text(SESSION, encoding="utf-8")
    entry = attune("write", "About Monday.").stdout.strip()
    first = attune(
        "transcript", "import", str(session), "--caregiver", "Counsellor", "--entry", entry
    ).stdout.strip()
    again = attune("transcript", "import", str(session), "--caregiver", "Counsellor")
    second = again.stdout.strip()
    assert len(attune.json("transcript", "list")["transcripts"]) == 2, "imported twice"

    # In a script, nothing is deleted without --yes.
    refused = attune("transcript", "delete", second, ok=False)
    assert refused.exit_code == 2 and "add --yes" in refused.stderr
    assert len(attune.json("transcript", "list")["transcripts"]) == 2

    # At a terminal it asks, naming what goes; answering no keeps it.
    monkeypatch.setattr(AppContext, "interactive", staticmethod(lambda: True))
    kept = attune("transcript", "delete", second, input="n\n", ok=False)
    assert "Delete the transcript 'monday' (3 turns) for good?" in kept.output
    assert len(attune.json("transcript", "list")["transcripts"]) == 2
    done = attune("transcript", "delete", second, input="y\n")
    assert "Deleted the transcript 'monday' (3 turns) for good." in done.stdout
    monkeypatch.undo()

    # --yes for scripts; the linked entry stays and is no longer linked.
    gone = attune.json("transcript", "delete", first, "--yes")
    assert gone == {"id": first, "title": "monday", "turns": 3, "entry_id": entry}
    assert attune.json("transcript", "list")["transcripts"] == []
    assert attune.json("show", entry)["transcripts"] == []
    missing = attune("transcript", "delete", first, "--yes", ok=False)
    assert missing.exit_code == 1 and f"There is no transcript '{first}'" in missing.stderr


def test_the_terminal_question_names_the_entry_that_stays(attune, tmp_path, monkeypatch):
    session = tmp_path / "s.txt"
    session.write_text(SESSION, encoding="utf-8")
    entry = attune("write", "About it.").stdout.strip()
    made = attune("transcript", "import", str(session), "--caregiver", "Counsellor")
    made_id = made.stdout.strip()
    attune("transcript", "import", str(session), "--caregiver", "Counsellor", "--entry", entry)
    linked = attune.json("show", entry)["transcripts"][0]["id"]
    monkeypatch.setattr(AppContext, "interactive", staticmethod(lambda: True))
    asked = attune("transcript", "delete", linked, input="y\n")
    assert f"entry {entry} stays" in asked.output
    assert f"Entry {entry} stays; it no longer links to this session." in asked.stderr
    assert [t["id"] for t in attune.json("transcript", "list")["transcripts"]] == [made_id]


# -- the web app and the API -------------------------------------------------------------------


def _import_on_the_page(client, **data: str) -> str:
    made = client.post(
        "/transcripts",
        data={"redact": "", **data},  # "Replace names…" unticked
        files={"file": ("sample.txt", SESSION.encode())},
        follow_redirects=False,
    )
    assert made.status_code == 303
    return made.headers["location"]


def test_deleting_a_transcript_from_its_page(client):
    entry = client.post("/api/v1/entries", json={"body": "About Monday's session"}).json()
    page_url = _import_on_the_page(client, entry_id=entry["id"], title="Monday")
    copy_url = _import_on_the_page(client, title="Monday again")
    page = client.get(page_url).text
    assert "Okonkwo-Abernathy" in page, "kept with the real names"

    # The page's Delete button asks first, saying what goes and what stays.
    assert f'action="{page_url}/delete"' in page and "Delete this transcript" in page
    question = client.get(f"{page_url}/delete")
    assert question.status_code == 200
    assert "Delete “Monday”?" in question.text and "3 turns" in question.text
    assert "cannot be restored" in question.text
    assert "About Monday" in question.text and "stays" in question.text
    assert f'method="post" action="{page_url}/delete"' in question.text
    assert len(client.get("/api/v1/transcripts").json()["transcripts"]) == 2, (
        "asking deletes nothing"
    )

    # Another site cannot delete it (CSRF), only the person's own page.
    forged = client.post(f"{page_url}/delete", headers={"sec-fetch-site": "cross-site"})
    assert forged.status_code == 403
    assert client.get(page_url).status_code == 200

    done = client.post(f"{page_url}/delete", headers={"sec-fetch-site": "same-origin"})
    assert done.status_code == 200 and str(done.url).split("?")[0].endswith("/transcripts")
    assert "Deleted “Monday” and its 3 turns for good." in done.text
    assert "Okonkwo-Abernathy" not in done.text
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}/delete").status_code == 404
    assert [t["title"] for t in client.get("/api/v1/transcripts").json()["transcripts"]] == [
        "Monday again"
    ]
    entry_page = client.get(f"/entries/{entry['id']}")
    assert entry_page.status_code == 200 and page_url not in entry_page.text
    assert client.get(copy_url).status_code == 200, "the other copy stays"
    again = client.post(f"{page_url}/delete")
    assert again.status_code == 404 and "no such transcript" in again.text


def test_deleting_a_transcript_through_the_api(client):
    from .test_web import error_of

    entry = client.post("/api/v1/entries", json={"body": "About the session"}).json()
    made = client.post(
        "/api/v1/transcripts",
        data={"title": "Tuesday", "entry_id": entry["id"]},
        files={"file": ("t.txt", SESSION.encode())},
    ).json()
    gone = client.delete(f"/api/v1/transcripts/{made['id']}")
    assert gone.status_code == 200
    assert gone.json() == {
        "id": made["id"],
        "title": "Tuesday",
        "turns": 3,
        "entry_id": entry["id"],
    }
    assert client.get("/api/v1/transcripts").json()["transcripts"] == []
    assert client.get(f"/api/v1/entries/{entry['id']}").status_code == 200
    missing = client.delete(f"/api/v1/transcripts/{made['id']}")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    forged = client.delete("/api/v1/transcripts/abcdefg", headers={"origin": "http://evil.example"})
    assert forged.status_code == 403 and error_of(forged)["code"] == "cross_site"
    schema = client.get("/api/openapi.json").json()
    assert "delete" in schema["paths"]["/api/v1/transcripts/{transcript_id}"]
