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
    # Two check-ins: their average and how many, no first-half/second-half trend.
    assert "| Ease | average 5.5 out of 10 from 2 check-ins |" in text and "half" not in text
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


# -- what the outside probe found ----------------------------------------------------------

RUPTURE = (
    "On 14 March 2026 I met Sarah Whitfield at 22 Elm Road, Leeds, for our sixth session. "
    "Halfway through, she said I sounded just like her mother."
)
WARD = (
    "## What happened\r\n\r\nWhen the consultant talked *over* the daughter, I felt it land "
    "in my **chest**.\r\n\r\n- My shoulders rose.\r\n- I wanted to *fix it*.\r\n\r\n"
    "> Nobody is listening to her.\r\n\r\n<script>alert(1)</script>\r\n\r\n"
    "Edited later: I talked this through with Dr Amelia Okafor on 2 December."
)


def test_a_placeholder_already_in_the_journal_keeps_its_one_meaning(attune):
    """Sarah was replaced by [Client A] and 14 March by [Date 1] when the rupture entry was
    saved. Weeks later a colleague and another date are found in another entry, and
    Sarah is named again in a question: each new find gets a placeholder of its own, so
    the supervisor never reads two people as [Client A] or two days as [Date 1]."""
    attune("write", "--title", "Rupture with a client", "--redact", RUPTURE)
    rupture = attune.json("list")["entries"][0]
    assert "[Client A]" in rupture["body"] and "[Date 1]" in rupture["body"]
    attune("write", "--title", "After the ward round", WARD.replace("\r\n", "\n"))  # as written
    ward = attune.json("list")["entries"][0]["id"]

    text = attune(
        "packet", rupture["id"], ward, "--question", "What did Sarah mean by her mother?"
    ).stdout
    assert "On [Date 1] I met [Client A] at [Address 1], [Place 1]" in text  # as saved
    assert "with Dr [Client B] on [Date 2]." in text  # numbered after what was there
    assert "What did [Client C] mean by her mother?" in text
    for secret in ("Sarah", "Amelia", "Okafor", "2 December", "14 March"):
        assert secret not in text, secret
    # Each placeholder stands for one thing: [Client A] only where the journal had it.
    assert text.count("[Client A]") == 1 and text.count("[Date 1]") == 1
    data = attune.json("packet", rupture["id"], ward)
    assert data["replaced"] == {"date": 1, "name": 1}  # the placeholders are not re-counted


def test_placeholders_inside_an_entry_are_never_replaced_again(attune):
    """A link replaced on saving reads [Url 1]; the packet leaves it whole rather than
    finding a person called "Url" in it."""
    attune("write", "--tag", "links", "Read [Url 1] with [Client A] and [Caregiver] today.")
    text = attune("packet", "--tag", "links").stdout
    assert "Read [Url 1] with [Client A] and [Caregiver] today." in text


def test_an_entrys_markdown_reads_as_formatting_in_the_packet(attune, tmp_path):
    """An entry written in Markdown is formatted in the HTML packet (never shown as ##, *
    and >), raw HTML in it stays text, and in the Markdown packet its own headings sit
    under its title instead of passing for the packet's sections."""
    body = WARD.replace("\r\n", "\n") + "\n\n```\nleft open"
    attune("write", "--title", "Ward round", "--tag", "ward", body)
    attune("write", "--title", "The next day", "--tag", "ward", "Quieter.")

    md = attune("packet", "--tag", "ward").stdout
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections == ["## Check-ins and practice in this period", "## Entries (2)"]
    assert "##### What happened" in md  # under "### Ward round"
    assert "```\nleft open\n```\n" in md and "### The next day" in md  # the fence is closed
    # a Markdown viewer that renders HTML runs nothing written into an entry or a question
    assert "<script>" not in md and "&lt;script>alert(1)&lt;/script>" in md
    asked = attune("packet", "--tag", "ward", "--question", "<img src=x onerror=alert(2)>").stdout
    assert "<img" not in asked and "&lt;img src=x" in asked

    out = tmp_path / "packet.html"
    attune("packet", "--tag", "ward", "--format", "html", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<h5>What happened</h5>" in page and "<em>over</em>" in page
    assert "<strong>chest</strong>" in page and "<li>My shoulders rose.</li>" in page
    assert "<blockquote>\n<p>Nobody is listening to her.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "## What" not in page and "**chest**" not in page
    assert "Content-Security-Policy" in page  # opened anywhere, it loads nothing


def test_the_downloaded_packet_has_one_kind_of_line_end(client):
    """Words typed in a browser arrive with CRLF line ends; the packet the caregiver
    downloads uses one kind of line end throughout."""
    made = client.post("/api/v1/entries", json={"body": WARD, "tags": ["crlf"]})
    assert made.status_code == 201 and "\r\n" in made.json()["body"]
    for action in ("md", "html"):
        download = client.post(
            "/supervision",
            data={"tag": "crlf", "questions": "One\r\nTwo", "redact": "1", "action": action},
        )
        assert download.status_code == 200 and b"\r" not in download.content, action
    preview = client.post(
        "/supervision", data={"tag": "crlf", "redact": "1", "action": "preview"}
    ).text
    packet = preview.split('id="packet-title"')[1]
    assert "<h5>What happened</h5>" in packet and "<strong>chest</strong>" in packet
    assert "## What happened" not in packet
