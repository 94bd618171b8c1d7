"""Comments come home to the local journal. Tom shares an entry with Sam; Sam comments
on a passage, asks for changes and signs off on the team server; Tom runs `attune server
sync` and reads it all under the entry in `attune show`, its --json, the web app's entry
page and the JSON export (and his backup keeps it). Shares made while the server cannot
be reached wait on Tom's computer and go first next time; a server speaking another
protocol is refused before anything changes; an entry edited after it was shared is
reported, never sent by itself."""

from __future__ import annotations

import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.storage import shared

from .sync_world import serving, signed_in, write


@pytest.fixture
def team(tmp_path):
    with serving(tmp_path / "server") as running:
        yield running


def local_state(data_dir: Path):
    """Everything the journal holds about sharing, to compare before and after."""
    with Journal.open(data_dir) as journal:
        return (
            [i.to_dict() for i in shared.items(journal.reader)],
            shared.queue(journal.reader),
            shared.sync_state(journal.reader, "").cursor,
            [
                shared.sync_state(journal.reader, i.server_url).cursor
                for i in shared.items(journal.reader)
            ],
        )


def test_tom_reads_what_sam_said_beside_his_entry_everywhere(team, data_dir, tmp_path):
    sam = team.world.api("Sam")
    attune = signed_in(data_dir, team.url)
    first = write(data_dir, "Sat with Amara Okafor; I wanted to fix it.", "After the scan")
    second = write(data_dir, "A long silence; I stayed.", "Silence")
    third = write(data_dir, "Not shared at all.", "Private")
    one = attune.json("share", "entry", first, "--to", "Sam", "--yes")
    two = attune.json("share", "entry", second, "--to", "Sam", "--yes")

    assert "Nothing new from the team server." in attune("server", "sync").output

    sam.get(f"/api/v1/shares/{one['id']}")
    sam.post(
        f"/api/v1/shares/{one['id']}/comments",
        json={"body": "What did the urge feel like?", "quote": "I wanted to fix it"},
    )
    sam.post(
        f"/api/v1/shares/{two['id']}/comments",
        json={"body": "Say more about staying.", "kind": "changes"},
    )
    sam.post(f"/api/v1/shares/{two['id']}/comments", json={"body": "Lovely work."})
    digest = sam.get(f"/api/v1/shares/{one['id']}").json()["shown"]["sha256"]
    sam.post(f"/api/v1/shares/{one['id']}/signoff", json={"revision": 1, "sha256": digest})

    said = attune("server", "sync").output
    assert "2 comments, 1 change request and 1 sign-off from Sam on 2 entries." in said
    again = attune.json("server", "sync")
    assert again["came"]["comments"] == 0 and again["summary"].startswith(
        "Nothing new from the team server since the last sync"
    )

    shown = attune("show", first).output
    assert "From your supervisor" in shown
    assert "Sam wrote" in shown and "> I wanted to fix it" in shown
    assert "What did the urge feel like?" in shown
    assert "Signed off by Sam" in shown and "Last opened" in shown
    assert "Sam asked for changes" in attune("show", second).output
    assert "From your supervisor" not in attune("show", third).output

    as_json = attune.json("show", first)
    [record] = as_json["shared"]
    assert record["share_id"] == one["id"] and record["state"] == "shared"
    assert record["reader"]["name"] == "Sam" and record["revision"] == 1
    kinds = [f["kind"] for f in record["feedback"]]
    assert kinds == ["comment", "signoff"]
    assert record["feedback"][0]["quote"] == "I wanted to fix it"
    assert record["feedback"][1]["sha256"] == digest
    assert attune.json("show", third)["shared"] == []

    # The web app's entry page shows it too.
    from attunement.web import Settings, create_app

    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), sync_interval_s=3600))
    with TestClient(app) as local:
        page = local.get(f"/entries/{first}").text
        assert "From your supervisor" in page and "What did the urge feel like?" in page
        assert "Signed off by Sam" in page
        assert "Say more about staying." in local.get(f"/entries/{second}").text
        assert "From your supervisor" not in local.get(f"/entries/{third}").text

    # The JSON export carries it; the backup keeps it.
    out = tmp_path / "journal.json"
    attune("export", "--format", "json", "--out", str(out))
    exported = json.loads(out.read_text())
    by_id = {s["share_id"]: s for s in exported["shared"]}
    assert by_id[one["id"]]["item"] == first
    assert [f["body"] for f in by_id[two["id"]]["feedback"]] == [
        "Say more about staying.",
        "Lovely work.",
    ]
    backup = tmp_path / "backup.zip"
    attune("backup", "--out", str(backup))
    restored = tmp_path / "restored"
    restored.mkdir()
    with zipfile.ZipFile(backup) as archive:
        archive.extractall(restored)
    from attunement.storage.reader import Reader

    name = json.loads((restored / "manifest.json").read_text())["database"]
    with Reader.open_sqlite(restored / name) as copy:
        assert {i.share_id for i in shared.items(copy)} == {one["id"], two["id"]}
        assert sum(len(i.said) for i in shared.items(copy)) == 4


def test_a_share_made_offline_waits_and_goes_first_next_time(team, data_dir):
    world = team.world
    attune = signed_in(data_dir, team.url)
    attune("share", "readers")  # the readers are remembered for working offline
    entry = write(data_dir, "Amara Okafor asked me to stay.", "Staying")
    later = write(data_dir, "I went back the next day.", "Back")

    team.stop()
    queued = attune("share", "entry", entry, "--to", "Sam", "--yes").output
    assert "cannot be reached" in queued and "kept on this computer" in queued
    attune("share", "entry", later, "--to", "Sam", "--yes")
    listed = attune("share", "list").output
    assert "Showing what this computer knows" in listed
    assert listed.count("waiting to be sent") == 2
    shown = attune("show", entry).output
    assert "waiting to be sent" in shown
    failed = attune("server", "sync", ok=False)
    assert failed.exit_code != 0 and "Cannot reach the team server" in failed.output
    assert "Traceback" not in failed.output

    team.start()
    synced = attune.json("server", "sync")
    assert [s["title"] for s in synced["sent"]] == ["Staying", "Back"]  # in order
    on_server = world.api("Tom").get("/api/v1/shares").json()
    assert sorted(s["title"] for s in on_server) == ["Back", "Staying"]
    assert all(s["revision"] == 1 for s in on_server)
    body = world.api("Sam").get(f"/api/v1/shares/{on_server[0]['id']}").json()["shown"]["body"]
    assert "Amara" not in body  # exactly what Tom confirmed: redacted
    assert attune.json("server", "sync")["sent"] == []  # sent once
    assert "waiting" not in attune("share", "list").output


def test_a_server_speaking_another_protocol_is_refused_before_anything_changes(team, data_dir):
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "Sat with the silence.", "Silence")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    team.world.api("Sam").post(f"/api/v1/shares/{sent['id']}/comments", json={"body": "Hm."})
    before = local_state(data_dir)

    # A newer Attunement on the server: it says protocol 2, offering changes.
    offered = {
        "protocol": 2,
        "cursor": "9.9.9",
        "more": False,
        "shares": {},
        "changes": [{"type": "comment", "share": sent["id"], "id": "x", "body": "Hm.",
                     "revision": 1, "author": {"name": "Sam"}, "at": "2026-12-02T10:00:00+00:00"}],
    }  # fmt: skip

    class Newer(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps({"status": "ok"} if "health" in self.path else offered).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Attune-Protocol", "2")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    newer = ThreadingHTTPServer(("127.0.0.1", 0), Newer)
    threading.Thread(target=newer.serve_forever, daemon=True).start()
    credentials = json.loads((data_dir / "server.json").read_text())
    (data_dir / "server.json").write_text(
        json.dumps({**credentials, "url": f"http://127.0.0.1:{newer.server_port}"})
    )
    try:
        refused = attune("server", "sync", ok=False)
    finally:
        newer.shutdown()
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "protocol 1" in refused.output and "protocol 2" in refused.output
    assert "update Attunement" in refused.output and "Nothing was changed" in refused.output
    assert local_state(data_dir) == before

    # And this computer saying another version to the real server is refused there.
    (data_dir / "server.json").write_text(json.dumps(credentials))
    from attunement.server import client

    try:
        client.PROTOCOL = 2
        old = attune("server", "sync", ok=False)
    finally:
        client.PROTOCOL = 1
    assert "This team server speaks Attunement protocol 1" in old.output
    assert "sent protocol 2" in old.output
    assert local_state(data_dir) == before
    assert "1 comment from Sam on 1 entry." in attune("server", "sync").output


def test_an_entry_edited_after_sharing_is_reported_and_resent_only_when_asked(team, data_dir):
    world = team.world
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "I sat with her.", "Sitting")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    world.api("Sam").post(f"/api/v1/shares/{sent['id']}/comments", json={"body": "Good."})
    attune("server", "sync")
    assert "changed since you shared it" not in attune("share", "list").output

    with Journal.open(data_dir) as journal:
        journal.edit(entry, body="I sat with her, and then I wanted to leave.")
    synced = attune("server", "sync").output
    assert "“Sitting” changed since you shared it with Sam" in synced
    assert f"attune share entry {entry} --to Sam" in synced
    assert "changed since you shared it" in attune("share", "list").output
    assert "Changed since you shared it" in attune("show", entry).output
    assert attune.json("show", entry)["shared"][0]["changed_since_shared"] is True
    # Nothing was sent by itself: the server still has version 1, Sam's comment on it.
    [on_server] = world.api("Tom").get("/api/v1/shares").json()
    assert on_server["revision"] == 1

    again = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    assert again["revision"] == 2 and again["id"] == sent["id"]
    assert "changed since you shared it" not in attune("share", "list").output
    shown = attune("show", entry).output
    assert "Good." in shown and "version 2" in shown  # the old comment is kept


def test_revoking_takes_back_what_waits_too(team, data_dir):
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "Words I may not want to send.", "Unsure")
    kept = write(data_dir, "Shared, then a new version waits.", "Kept")
    team.stop()
    waiting = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    assert waiting["queued"] is True
    team.start()
    sent = attune.json("share", "entry", kept, "--to", "Sam", "--yes")  # sends the queue first
    assert [s["title"] for s in sent["sent_from_queue"]] == ["Unsure"]

    team.stop()
    with Journal.open(data_dir) as journal:
        journal.edit(kept, body="A second version, waiting.")
    attune("share", "entry", kept, "--to", "Sam", "--yes")
    fresh = write(data_dir, "Never sent.", "Never")
    never = attune.json("share", "entry", fresh, "--to", "Sam", "--yes")
    team.start()

    attune("share", "revoke", never["id"])  # still waiting: taken back, never sent
    attune("share", "revoke", sent["id"])  # sent: deleted there, and its waiting version too
    assert attune.json("server", "sync")["sent"] == []
    titles = [s["title"] for s in team.world.api("Tom").get("/api/v1/shares").json()]
    assert titles == ["Unsure"]
    listed = attune("share", "list").output
    assert "Never" not in listed and "deleted on the server (revoked)" in listed


def test_a_journal_from_before_sharing_was_kept_opens_with_nothing_shared(tmp_path):
    import shutil

    from .conftest import DATA

    shutil.copy(DATA / "journal-schema-0005.sqlite3", tmp_path / "journal.sqlite3")
    with Journal.open(tmp_path) as journal:
        assert shared.items(journal.reader) == [] and shared.queue(journal.reader) == []
        assert shared.sync_state(journal.reader, "https://team.example.org").cursor is None
        assert len(journal.list_entries()) == 3


def test_shared_again_after_revoking_it_is_shared_not_deleted(team, data_dir):
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "Second thoughts.", "Thoughts")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    attune("share", "revoke", sent["id"])
    again = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    assert again["id"] == sent["id"] and again["revision"] == 1
    attune("server", "sync")  # brings the revocation, then the new first version
    [record] = attune.json("show", entry)["shared"]
    assert (record["state"], record["revision"]) == ("shared", 1)
    assert "deleted" not in attune("share", "list").output


def test_a_sync_cut_off_halfway_says_what_was_sent(team, data_dir, monkeypatch):
    """The connection lost after the first of two waiting shares: the message says one
    went and the other still waits, never "nothing was sent"."""
    from attunement.server import client

    attune = signed_in(data_dir, team.url)
    attune("share", "readers")
    first = write(data_dir, "Amara Okafor asked me to stay.", "Staying")
    second = write(data_dir, "I went back the next day.", "Back")
    team.stop()
    attune("share", "entry", first, "--to", "Sam", "--yes")
    attune("share", "entry", second, "--to", "Sam", "--yes")
    team.start()

    real = client.Client.call
    puts = []

    def cut_after_one(self, method, path, body=None):
        if method == "PUT":
            puts.append(path)
            if len(puts) == 2:
                raise client.Unreachable(
                    f"Cannot reach the team server at {self.url} (connection reset); check "
                    "the address and your connection, then try again (nothing was sent)."
                )
        return real(self, method, path, body)

    monkeypatch.setattr(client.Client, "call", cut_after_one)
    failed = attune("server", "sync", ok=False)
    assert "1 of the 2 waiting shares were sent" in failed.output
    assert "nothing was sent" not in failed.output
    assert attune("share", "list").output.count("waiting to be sent") == 1
