"""Discarding a practice response: a trainee trying the app out types an emoji and a
test string, and wants them gone, so that progress, the statements chosen next and the
supervision packet count only real answers. One service discards, for the feedback page
and the API alike; the response is deleted for good (no schema change: a journal from an
older Attunement discards the same way)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from attunement.core.dates import now_local
from attunement.core.journal import Journal
from attunement.errors import NotFound
from attunement.practice import service
from attunement.supervision import packet as supervision

from .conftest import DATA

REAL = "It sounds frightening to wait alone all night. What has the night been like?"
JUNK = "🙏🙏 test Okonkwo-Abernathy"  # a try-out, with a name that must not linger
CANARY = b"Okonkwo-Abernathy"


def answered(journal: Journal) -> tuple[str, str]:
    _, real = service.respond(journal, "v02", REAL)
    _, junk = service.respond(journal, "v01", JUNK)
    return real, junk


# -- the service ---------------------------------------------------------------------------


def test_a_discarded_response_no_longer_counts_anywhere(journal):
    real, junk = answered(journal)
    assert service.progress(journal).attempts == 2

    gone = service.discard(journal, junk)

    assert (gone.id, gone.vignette_id, gone.response) == (junk, "v01", JUNK)
    assert gone.to_dict()["created_at"] == gone.at.isoformat()
    progress = service.progress(journal)
    assert progress.attempts == 1
    assert progress.per_week["no_power_signs"] == [1.0], "only the real answer is averaged"
    assert [a["id"] for a in journal.store.attempts()] == [real]
    assert [a["id"] for a in journal.store.recent_attempts(10)] == [real]
    assert "v01" not in {v for v, _, _ in journal.store.attempt_scores()}
    with pytest.raises(NotFound):
        service.attempt(journal, junk)
    # A second discard of the same response is NotFound for the API, said plainly on a page.
    with pytest.raises(NotFound, match="discarded already"):
        service.discard(journal, junk)
    assert service.discard_said(journal, junk) == (
        "That response is gone already: it was discarded earlier."
    )


def test_the_packet_counts_only_the_responses_kept(journal):
    real, junk = answered(journal)
    entry = journal.write("After practice I noticed how fast I reach for advice.")
    chosen = supervision.Selection.from_words(entry_ids=[entry.id])
    assert supervision.build(journal, chosen).practice_attempts == 2
    service.discard(journal, junk)
    made = supervision.build(journal, chosen)
    assert made.practice_attempts == 1
    assert "| Practice | 1 response;" in supervision.markdown(made)


def test_the_page_says_which_response_was_discarded_in_a_few_words(journal):
    long = "I hear you. " * 20
    _, attempt_id = service.respond(journal, "v02", long)
    said = service.discard_said(journal, attempt_id)
    assert said.startswith("Discarded your response “I hear you. I hear you.")
    assert "…”. It no longer counts in your progress or in a supervision packet." in said
    assert len(said) < 160


def test_the_discarded_words_are_overwritten_in_the_journal_file(data_dir, monkeypatch):
    """A response can hold a name: once discarded it must not linger in the database
    file's free pages, whatever the SQLite build's default."""
    from attunement.storage import engine

    settings = engine._apply_settings

    def as_most_builds(conn):
        conn.execute("PRAGMA secure_delete = OFF")
        return settings(conn)

    monkeypatch.setattr(engine, "_apply_settings", as_most_builds)
    with Journal.open(data_dir) as journal:
        _, junk = answered(journal)
        service.discard(journal, junk)
    database = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    assert CANARY not in database


def test_a_journal_from_schema_0003_discards_its_practice_without_a_migration(tmp_path: Path):
    """Discarding deletes the row: no new column, so a journal written by an older
    Attunement (the golden file at schema 0003, with one practice response) opens,
    upgrades as before and discards its response."""
    shutil.copy(DATA / "journal-schema-0003.sqlite3", tmp_path / "journal.sqlite3")
    with Journal.open(tmp_path) as journal:
        (attempt,) = journal.store.attempts()
        assert service.progress(journal).attempts == 1
        assert service.discard(journal, attempt["id"].upper()).vignette_id == "v01"
        assert journal.store.attempts() == [] and service.progress(journal).attempts == 0
        assert journal.store.integrity_check() == "ok"
        assert len(journal.list_entries()) + len(journal.trash()) == 3, "entries untouched"


# -- the web app -----------------------------------------------------------------------------


def _respond(client, vignette_id: str, words: str) -> str:
    done = client.post(f"/practice/{vignette_id}", data={"response": words}, follow_redirects=False)
    assert done.status_code == 303
    return done.headers["location"]


def test_discarding_from_the_feedback_page(client):
    _respond(client, "v02", REAL)
    junk_url = _respond(client, "v01", "🙏🙏")
    junk_id = junk_url.rsplit("/", 1)[1]

    # The feedback page offers it, asking first (a <details>, no script).
    feedback = client.get(junk_url).text
    assert "Discard this response…" in feedback
    assert f'method="post" action="/practice/feedback/{junk_id}/discard"' in feedback
    assert "deletes the response for good" in feedback
    # Practice lists the latest responses, to find a try-out again.
    home = client.get("/practice").text
    assert "2 responses over 1 week" in home and "Your latest responses" in home
    assert f'href="/practice/feedback/{junk_id}"' in home and "“🙏🙏”" in home

    forged = client.post(f"{junk_url}/discard", headers={"sec-fetch-site": "cross-site"})
    assert forged.status_code == 403 and client.get(junk_url).status_code == 200

    done = client.post(f"{junk_url}/discard", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/practice?discarded=")
    after = client.get(done.headers["location"]).text
    assert "Discarded your response “🙏🙏”. It no longer counts in your progress" in after
    assert "1 response over 1 week" in after and f"/practice/feedback/{junk_id}" not in after
    assert client.get(junk_url).status_code == 404
    assert client.get("/api/v1/practice/progress").json()["attempts"] == 1
    # The notice is said once: a reload, or a made-up key, says nothing.
    assert "Discarded your response" not in client.get(done.headers["location"]).text
    assert "Discarded" not in client.get("/practice?discarded=made-up").text
    # Discarding again (another tab) is said plainly, not an error page.
    again = client.post(f"{junk_url}/discard")
    assert again.status_code == 200 and "That response is gone already" in again.text


def test_discarding_through_the_api(client):
    from .test_web import error_of

    made = client.post("/api/v1/practice/respond", json={"vignette_id": "v01", "response": "x"})
    attempt_id = made.json()["attempt_id"]
    gone = client.delete(f"/api/v1/practice/attempts/{attempt_id}")
    assert gone.status_code == 200
    body = gone.json()
    assert (body["id"], body["vignette_id"], body["response"]) == (attempt_id, "v01", "x")
    assert set(body) == {"id", "vignette_id", "response", "created_at"}
    assert client.get("/api/v1/practice/progress").json()["attempts"] == 0
    missing = client.delete(f"/api/v1/practice/attempts/{attempt_id}")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    forged = client.delete(
        "/api/v1/practice/attempts/abcdefg", headers={"origin": "http://evil.example"}
    )
    assert forged.status_code == 403 and error_of(forged)["code"] == "cross_site"


def test_an_older_response_stays_when_a_newer_one_is_discarded(journal):
    """Discarding takes exactly one response: one given a week earlier keeps its week."""
    earlier = now_local() - timedelta(days=7)
    kept = journal.store.add_attempt(
        vignette_id="v03",
        response="That sounds so heavy.",
        scores={d: 0.5 for d in ("emotional_reactions", "interpretations", "explorations")}
        | {"reflection": 1.0, "no_power_signs": 1.0},
        feedback={},
        now=earlier,
    )
    _, junk = service.respond(journal, "v01", JUNK)
    service.discard(journal, junk)
    assert [a["id"] for a in journal.store.attempts()] == [kept]
    assert len(service.progress(journal).weeks) == 1
