"""The local web app brings comments home by itself while it is open: Tom leaves
`attune serve` running, Sam comments on the team server, and the comment appears under
Tom's entry without Tom doing anything. When the server cannot be reached the pages
stay quick, the Team server page says when it last synced and what went wrong, and a
share confirmed on the Share page waits on Tom's computer until the server is back."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.server import client, syncing, team
from attunement.storage import shared
from attunement.web import Settings, create_app

from .sync_world import serving, signed_in, write


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path / "server") as running:
        yield running


def local_app(data_dir: Path, interval: float) -> TestClient:
    app = create_app(
        Settings(data_dir=data_dir, extra_hosts=("testserver",), sync_interval_s=interval)
    )
    return TestClient(app)


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def test_comments_arrive_while_the_app_is_open(served, data_dir):
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "I stayed in the silence.", "Silence")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    with local_app(data_dir, interval=0.3) as local:
        assert "Nothing said yet." in local.get(f"/entries/{entry}").text
        served.world.api("Sam").post(
            f"/api/v1/shares/{sent['id']}/comments",
            json={"body": "How long did the silence last?", "quote": "the silence"},
        )
        assert wait_for(
            lambda: "How long did the silence last?" in local.get(f"/entries/{entry}").text
        )
        page = local.get("/server").text
        assert "Last synced" in page and "could not reach" not in page
        status = local.get("/api/v1/server").json()
        assert status["synced_at"] and status["sync_problem"] is None
        served.world.api("Sam").post(
            f"/api/v1/shares/{sent['id']}/comments", json={"body": "More?"}
        )
        now = local.post("/api/v1/server/sync").json()
        assert now["came"]["comments"] <= 1 and "summary" in now
        assert "More?" in local.get(f"/entries/{entry}").text


def test_an_unreachable_server_is_quiet_quick_and_told_on_the_team_server_page(served, data_dir):
    signed_in(data_dir, served.url)
    entry = write(data_dir, "A quiet shift.", "Quiet")
    served.stop()
    with local_app(data_dir, interval=0.3) as local:
        with Journal.open(data_dir) as journal:
            assert wait_for(
                lambda: shared.sync_state(journal.reader, served.url).problem is not None
            )
        started = time.monotonic()
        assert local.get(f"/entries/{entry}").status_code == 200
        assert time.monotonic() - started < 2
        page = local.get("/server").text
        assert "Not synced yet." in page
        assert page.count("Cannot reach the team server") == 1  # said once, cleanly
        assert "(nothing was sent)" not in page and ".." not in page


def test_a_background_sync_never_holds_up_a_page(data_dir, tmp_path):
    """The server answers, but only after a long wait: pages answer meanwhile."""
    arrived = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            arrived.set()
            time.sleep(3)
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args):
            pass

    slow = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{slow.server_port}"
    client.save(data_dir, client.Login(url, "a-token", "tom@example.org"))
    entry = write(data_dir, "Waiting.", "Wait")
    try:
        with local_app(data_dir, interval=60) as local:
            assert arrived.wait(10)  # the background sync is waiting on the server
            started = time.monotonic()
            assert local.get(f"/entries/{entry}").status_code == 200
            assert local.get("/journal").status_code == 200
            assert time.monotonic() - started < 1.5
    finally:
        slow.shutdown()


def test_a_share_confirmed_offline_waits_and_is_sent_when_the_server_is_back(served, data_dir):
    world = served.world
    signed_in(data_dir, served.url)
    entry = write(data_dir, "Amara Okafor thanked me.", "Thanks")
    with local_app(data_dir, interval=3600) as local:
        form = local.get(f"/share?kind=entry&id={entry}")  # readers come from the server
        seen = hidden(form.text, "seen")
        served.stop()
        sent = local.post(
            "/share",
            data={
                "kind": "entry",
                "id": entry,
                "redact": "1",
                "seen": seen,
                "to": world.ids["Sam"],
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303
        told = local.get(sent.headers["location"]).text
        assert "cannot be reached" in told and "kept on this computer" in told
        assert "waiting to be sent" in told  # listed from this computer's record
        assert "waiting to be sent" in local.get(f"/entries/{entry}").text

        served.start()
        done = local.post("/server/sync", follow_redirects=False)
        assert done.status_code == 303
        assert "Sent 1 share that waited to be sent." in local.get(done.headers["location"]).text
    [on_server] = world.api("Tom").get("/api/v1/shares").json()
    assert on_server["title"] == "Thanks" and on_server["revision"] == 1
    body = world.api("Sam").get(f"/api/v1/shares/{on_server['id']}").json()["shown"]["body"]
    assert "Amara" not in body


def test_a_changed_entry_offers_its_new_version_and_sends_it_only_when_asked(served, data_dir):
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "I held her hand.", "Holding")
    attune("share", "entry", entry, "--to", "Sam", "--yes")
    with Journal.open(data_dir) as journal:
        journal.edit(entry, body="I held her hand, and then I let go.")
    with local_app(data_dir, interval=3600) as local:
        page = local.get(f"/entries/{entry}").text
        assert "Changed since you shared it" in page
        sam = served.world.ids["Sam"]
        assert f'href="/share?kind=entry&amp;id={entry}&amp;to={sam}">Share the new version' in page
        assert "Changed since you shared it" in local.get("/server").text
    [on_server] = served.world.api("Tom").get("/api/v1/shares").json()
    assert on_server["revision"] == 1


def test_shares_made_before_the_journal_kept_them_are_recognised(served, data_dir):
    """Part 1 sent shares without recording them here; the first sync places them."""
    signed_in(data_dir, served.url)
    entry = write(data_dir, "An older reflection.", "Older")
    with Journal.open(data_dir) as journal:
        from attunement.server import outgoing

        out = outgoing.entry(journal, entry)
        to = team.reader(team.readers(data_dir), "Sam")
        made = team.send(data_dir, out, to, None)  # without the journal: nothing recorded
        assert shared.items(journal.reader) == []
    served.world.api("Sam").post(f"/api/v1/shares/{made['id']}/comments", json={"body": "Yes."})
    with Journal.open(data_dir) as journal:
        report = syncing.sync(journal, data_dir)
        assert report.came.comments == 1
        [item] = shared.items(journal.reader, kind="entry", item=entry)
        assert item.share_id == made["id"] and item.reader_name == "Sam"
        assert not syncing.is_changed(journal, item)


def test_a_lost_answer_or_a_lost_cursor_adds_nothing_twice(served, data_dir):
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "First words.", "Words")
    served.stop()
    attune("share", "entry", entry, "--to", "Sam", "--yes")
    with Journal.open(data_dir) as journal:
        journal.edit(entry, body="Second words.")
    attune("share", "entry", entry, "--to", "Sam", "--yes")
    served.start()
    with Journal.open(data_dir) as journal:
        queued = shared.queue(journal.reader)
        assert len(queued) == 2
        # The first queued version reached the server, but the answer was lost.
        login = client.saved(data_dir)
        _pk, share_id, first = queued[0]
        client.Client(login.url, login.token).call(
            "PUT", f"/api/v1/shares/{share_id}", first["payload"]
        )
    attune("server", "sync")
    [on_server] = served.world.api("Tom").get("/api/v1/shares").json()
    assert on_server["revision"] == 2  # not 3: the retry of version 1 added nothing

    served.world.api("Sam").post(f"/api/v1/shares/{share_id}/comments", json={"body": "Once."})
    attune("server", "sync")
    with Journal.open(data_dir) as journal:
        with journal.reader._writing() as conn:  # the cursor is lost (a restored backup)
            conn.execute("UPDATE sync_state SET cursor = NULL")
        report = syncing.sync(journal, data_dir)
        assert (report.came.comments, report.came.opens) == (0, 0)
        [item] = shared.items(journal.reader)
        assert [f.body for f in item.said] == ["Once."]
    assert json.loads((data_dir / "server.json").read_text())["url"] == served.url
