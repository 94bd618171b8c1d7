"""Sharing from the local web app: Tom signs his computer in to his programme's team
server from the Server page, shares an entry (redacted, exactly as he read it) with Sam
from the entry's Share button, sees when Sam opened it, and revokes it; a packet and the
command line's practice progress and transcript report go through the same service."""

from __future__ import annotations

import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.web import Settings, create_app

from .conftest import DATA, Attune, free_port
from .server_world import PASSWORD, build_world


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """A team server listening on loopback, as the local app reaches it."""
    import uvicorn

    world = build_world(tmp_path_factory.mktemp("team"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(world.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield world, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def local(data_dir: Path):
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as client:
        yield client


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def sign_in(local, url: str) -> None:
    done = local.post(
        "/server/login",
        data={"url": url, "email": "tom@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def test_tom_signs_in_shares_an_entry_sees_it_opened_and_revokes_it(team, local, data_dir):
    world, url = team
    assert 'href="/server"' in local.get("/settings").text
    page = local.get("/server")
    assert "Sign in to your programme" in page.text and "What you have shared" not in page.text

    wrong = local.post(
        "/server/login",
        data={"url": url, "email": "tom@example.org", "password": "not it"},
    )
    assert wrong.status_code >= 400 and 'role="alert"' in wrong.text
    assert "not it" not in wrong.text and f'value="{url}"' in wrong.text
    assert not (data_dir / "server.json").exists()
    assert local.post("/server/login", data={"url": "team.example.org"}).status_code == 422

    sign_in(local, url)
    page = local.get("/server")
    assert f'signed in to <a href="{url}">' in page.text and "Tom (tom@example.org)" in page.text
    assert "You have not shared anything yet." in page.text

    with Journal.open(data_dir) as journal:
        entry = journal.write(
            "Sat with Amara Okafor on ward 7 after her scan; I wanted to fix it.",
            title="After the scan",
        )
    shown = local.get(f"/entries/{entry.id}")
    assert f'href="/share?kind=entry&amp;id={entry.id}"' in shown.text
    form = local.get(f"/share?kind=entry&id={entry.id}")
    assert form.status_code == 200
    assert "Amara" not in form.text and "[Client A]" in form.text  # redacted by default
    assert "I wanted to fix it" in form.text
    assert f'<option value="{world.ids["Sam"]}"' in form.text
    assert f'<option value="{world.ids["Bea"]}"' not in form.text  # another course
    seen = hidden(form.text, "seen")

    unredacted = local.get(f"/share?kind=entry&id={entry.id}&redact=0")
    assert "Amara Okafor" in unredacted.text and "Not redacted" in unredacted.text
    assert hidden(unredacted.text, "seen") != seen

    # Sent from another site: refused before it reaches the team server.
    forged = local.post(
        "/share",
        data={"kind": "entry", "id": entry.id, "to": world.ids["Sam"], "seen": seen},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    assert world.api("Tom").get("/api/v1/shares").json() == []

    in_a_month = (date.today() + timedelta(days=30)).isoformat()
    sent = local.post(
        "/share",
        data={
            "kind": "entry",
            "id": entry.id,
            "redact": "1",
            "seen": seen,
            "to": world.ids["Sam"],
            "expires": in_a_month,
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/server?done=")
    result = local.get(sent.headers["location"])
    assert "Shared “After the scan” with Sam (version 1)." in result.text
    expiry = date.fromisoformat(in_a_month)
    assert "not opened yet" in result.text and f"{expiry.day} {expiry:%b %Y}" in result.text
    again = local.get(sent.headers["location"])  # reloading repeats nothing
    assert again.text.count("Shared “After the scan”") == 1
    [share] = world.api("Tom").get("/api/v1/shares").json()
    assert share["revision"] == 1
    body = world.api("Sam").get(f"/api/v1/shares/{share['id']}").json()["shown"]["body"]
    assert "Amara" not in body and "I wanted to fix it" in body

    # The entry changed after Tom read the text: nothing is sent until he reads it again.
    with Journal.open(data_dir) as journal:
        journal.edit(entry.id, body=entry.body + " Amara Okafor said thank you.")
    stale = local.post(
        "/share",
        data={"kind": "entry", "id": entry.id, "redact": "1", "seen": seen, "to": "Sam"},
    )
    assert stale.status_code == 422 and "nothing was sent" in stale.text
    assert "said thank you" in stale.text  # the new text, to read
    assert world.api("Tom").get("/api/v1/shares").json()[0]["revision"] == 1

    page = local.get("/server")
    assert "by Sam" in page.text  # Sam opened it above
    revoked = local.post(f"/server/shares/{share['id']}/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert "Revoked" in local.get(revoked.headers["location"]).text
    assert world.api("Sam").get(f"/api/v1/shares/{share['id']}").status_code == 404

    gone = local.post(f"/server/shares/{share['id']}/revoke")
    assert gone.status_code == 404 and 'role="alert"' in gone.text

    out = local.post("/server/logout", follow_redirects=False)
    assert out.status_code == 303 and not (data_dir / "server.json").exists()
    form = local.get(f"/share?kind=entry&id={entry.id}")
    assert "not signed in to a team server" in form.text and 'method="post"' not in form.text


def test_a_packet_is_shared_from_the_supervision_page(team, local, data_dir):
    world, url = team
    with Journal.open(data_dir) as journal:
        first = journal.write("Amara Okafor cried; I stayed with her.", title="Staying")
        journal.write("A quiet shift.", title="Quiet")
    sign_in(local, url)
    preview = local.post(
        "/supervision",
        data={"entry_ids": first.id, "questions": "How do I stay with silence?", "redact": "1"},
    )
    assert 'action="/share"' in preview.text and 'name="kind" value="packet"' in preview.text
    query = {
        "kind": "packet",
        "entry_ids": first.id,
        "questions": "How do I stay with silence?",
        "redact": "1",
    }
    form = local.get("/share", params=query)
    assert "How do I stay with silence?" in form.text and "Amara" not in form.text
    assert "A quiet shift" not in form.text
    sent = local.post(
        "/share",
        data={**query, "seen": hidden(form.text, "seen"), "to": world.ids["Lee"]},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    [share] = [s for s in world.api("Tom").get("/api/v1/shares").json() if s["kind"] == "packet"]
    assert share["reader"]["name"] == "Lee"
    assert local.get("/share?kind=nothing").status_code == 422


def test_practice_progress_and_a_transcript_report_from_the_command_line(team, data_dir):
    from attunement.practice import service as practice
    from attunement.practice.vignettes import vignettes
    from attunement.transcripts import service as transcripts

    world, url = team
    attune = Attune(data_dir)
    attune("server", "login", url, "--email", "tom@example.org", input=PASSWORD + "\n")
    assert "no practice to share yet" in attune("share", "practice", "--to", "Sam", ok=False).output
    with Journal.open(data_dir) as journal:
        practice.respond(journal, vignettes()[0].id, "It sounds like you are frightened.")
        stored = transcripts.import_file(journal, DATA / "transcripts" / "zoom-recording.vtt")

    sent = attune.json("share", "practice", "--to", "Sam", "--yes")
    assert sent["created"] and sent["revision"] == 1
    again = attune.json("share", "practice", "--to", "Sam", "--yes")
    assert again["id"] == sent["id"] and not again["created"]
    progress = world.api("Sam").get(f"/api/v1/shares/{sent['id']}").json()["shown"]
    assert progress["title"] == "Practice progress"
    assert "1 practice response over" in progress["body"]

    shown = attune("share", "transcript", stored.id, "--to", "sam@example.org", ok=False)
    assert shown.exit_code == 2 and "add --yes" in shown.output
    assert "John Hale" not in shown.output and "Nurse Amara" not in shown.output
    report = attune.json("share", "transcript", stored.id, "--to", "Sam", "--yes")
    body = world.api("Sam").get(f"/api/v1/shares/{report['id']}").json()["shown"]["body"]
    assert "**Caregiver** [Q (closed)]" in body and "Hale" not in body
    assert "| Open questions | 50% |" in body
    missing = attune("share", "transcript", "nosuch", "--to", "Sam", "--yes", ok=False)
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_practice_progress_and_a_transcript_report_from_their_own_pages(team, local, data_dir):
    from attunement.practice import service as practice
    from attunement.practice.vignettes import vignettes
    from attunement.transcripts import service as transcripts

    world, url = team
    with Journal.open(data_dir) as journal:
        practice.respond(journal, vignettes()[0].id, "It sounds like you are frightened.")
        stored = transcripts.import_file(journal, DATA / "transcripts" / "zoom-recording.vtt")
    sign_in(local, url)
    before = {s["id"] for s in world.api("Tom").get("/api/v1/shares").json()}

    assert 'href="/share?kind=practice"' in local.get("/practice").text
    form = local.get("/share?kind=practice")
    assert form.status_code == 200 and "Practice progress" in form.text
    assert "1 practice response over" in form.text
    sent = local.post(
        "/share",
        data={"kind": "practice", "seen": hidden(form.text, "seen"), "to": world.ids["Sue"]},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "Shared “Practice progress” with Sue" in local.get(sent.headers["location"]).text
    page = local.get(f"/transcripts/{stored.id}")
    assert f'href="/share?kind=transcript&amp;id={stored.id}"' in page.text
    form = local.get(f"/share?kind=transcript&id={stored.id}")
    assert form.status_code == 200
    assert "Hale" not in form.text and "Caregiver" in form.text  # redacted, speakers named
    sent = local.post(
        "/share",
        data={
            "kind": "transcript",
            "id": stored.id,
            "redact": "1",
            "seen": hidden(form.text, "seen"),
            "to": world.ids["Sue"],
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text

    now = world.api("Tom").get("/api/v1/shares").json()
    made = [s for s in now if s["id"] not in before]
    assert sorted(s["kind"] for s in made) == ["practice", "transcript"]
    for share in made:
        shown = world.api("Sue").get(f"/api/v1/shares/{share['id']}").json()["shown"]
        assert "Hale" not in shown["body"] and "Nurse Amara" not in shown["body"]
