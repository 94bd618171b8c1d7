"""A trainee takes a week of practice to supervision: chosen entries, the figures around
them and their questions, redacted by default because the packet is meant for someone
else, from the CLI, the JSON API and the web app alike."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attunement.web import Settings, create_app

AMARA = (
    "Sat with Amara Okafor at St Luke's Hospice. My chest tightened when she spoke of her "
    "son Chidi, and I wanted to fix it. Her number is 07700 900461."
)


@pytest.fixture
def week(attune):
    """Two entries about one client, one private entry, a check-in and a name on the list."""
    first = attune("write", "--title", "Amara", "--tag", "supervision", AMARA).stdout.strip()
    second = attune(
        "write", "--tag", "supervision", "Amara rang on 3 March. I stayed curious this time."
    ).stdout.strip()
    private = attune("write", "A private note about my own grief.").stdout.strip()
    attune("checkin", "--ease", "4", "--fatigue", "8", "--body", "chest")
    attune("checkin", "--ease", "7", "--fatigue", "5", "--body", "neck-shoulders")
    attune("people", "add", "Chidi")
    return first.split()[-1], second.split()[-1], private.split()[-1]


def test_the_packet_is_redacted_with_one_placeholder_per_person(attune, week):
    out = attune("packet", "--tag", "supervision", "--question", "Why do I rush with Amara?")
    text = out.stdout
    for secret in ("Amara", "Okafor", "Chidi", "07700", "St Luke", "3 March"):
        assert secret not in text, secret
    # The same person keeps one placeholder across entries, title and question.
    assert "Why do I rush with [Client A]?" in text
    assert "### [Client A]" in text and "[Client A] rang on [Date 1]" in text
    assert "son [Client B]" in text and "[Phone 1]" in text
    assert "A private note" not in text
    assert "| Ease | average 5.5 out of 10 (first half 4, second half 7) |" in text
    assert "Chest (1)" in text and "Redacted on this computer" in text


def test_choosing_entries_by_id_and_writing_html(attune, week, tmp_path):
    first, _, private = week
    out = tmp_path / "packet.html"
    done = attune("packet", first, private, "--format", "html", "--out", str(out))
    assert "Wrote a supervision packet of 2 entries" in done.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "[Client A]" in page
    assert "Amara" not in page and "A private note about my own grief." in page


def test_unredacted_only_when_asked_and_said_so(attune, week):
    result = attune("packet", "--tag", "supervision", "--no-redact")
    assert "Amara Okafor" in result.stdout and "NOT REDACTED" in result.stdout
    assert "Not redacted" in result.stderr


def test_json_and_the_audit_log_never_hold_content(attune, week, data_dir):
    data = attune.json("packet", "--tag", "supervision")
    assert data["redacted"] and data["replaced"]["name"] >= 3
    assert len(data["entries"]) == 2 and "Amara" not in json.dumps(data)
    log = (data_dir / "audit.log").read_text(encoding="utf-8")
    assert '"format": "packet-md"' in log and "Amara" not in log and "Client" not in log


def test_bad_choices_get_one_clear_sentence(attune, week, tmp_path):
    empty = attune("packet", ok=False)
    assert empty.exit_code == 2 and "Nothing to put in the packet" in empty.output
    missing = attune("packet", "nope123", ok=False)
    assert missing.exit_code == 1 and "nope123" in missing.output
    nothing = attune("packet", "--tag", "no-such-tag", ok=False)
    assert nothing.exit_code == 2
    existing = tmp_path / "p.md"
    existing.write_text("mine", encoding="utf-8")
    taken = attune("packet", "--tag", "supervision", "--out", str(existing), ok=False)
    assert taken.exit_code == 1 and existing.read_text(encoding="utf-8") == "mine"
    assert "Traceback" not in empty.output + missing.output + taken.output


@pytest.fixture
def client(data_dir: Path, week):
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as test_client:
        yield test_client


def test_the_api_gives_the_same_packet(client, attune):
    body = {"tags": ["supervision"], "questions": ["What is mine here?"]}
    data = client.post("/api/v1/packet", json=body).json()
    assert data["redacted"] and "[Client A]" in data["document"]
    assert (
        data["document"]
        == attune("packet", "--tag", "supervision", "--question", "What is mine here?").stdout
    )
    md = client.post("/api/v1/packet", params={"format": "md"}, json=body)
    assert md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"]
    bad = client.post("/api/v1/packet", json={"entry_ids": ["nope123"]})
    assert bad.status_code == 404 and set(bad.json()["error"]) == {"code", "message", "field"}
    empty = client.post("/api/v1/packet", json={})
    assert empty.status_code == 422


def test_the_web_page_previews_and_downloads(client, week):
    first, second, _ = week
    form = client.get("/supervision")
    assert form.status_code == 200 and 'name="entry_ids"' in form.text
    preview = client.post(
        "/supervision",
        data={
            "entry_ids": [first, second],
            "questions": "Why do I rush?",
            "redact": "1",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    assert "[Client A] rang on [Date 1]" in preview.text and "Why do I rush?" in preview.text
    assert "Okafor" not in preview.text.split('id="packet-title"')[1]
    download = client.post(
        "/supervision", data={"entry_ids": [first], "redact": "1", "action": "html"}
    )
    assert download.headers["content-type"].startswith("text/html")
    assert "Amara" not in download.text
    nothing = client.post("/supervision", data={"action": "preview", "redact": "1"})
    assert nothing.status_code == 422 and "Nothing to put in the packet" in nothing.text
    today = date.today().isoformat()
    by_period = client.post(
        "/supervision",
        data={
            "since": today,
            "until": today,
            "tag": "#supervision",
            "redact": "1",
            "action": "preview",
        },
    )
    assert by_period.status_code == 200 and "Entries (2)" in by_period.text
    backwards = client.post(
        "/supervision",
        data={"since": "2026-12-01", "until": "2026-11-01", "action": "preview"},
    )
    assert backwards.status_code == 422 and "swap them" in backwards.text
