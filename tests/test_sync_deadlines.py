"""Deadlines come home. Lee, the course lead, sets Tom's deadlines on the team server; Tom
never visits it. `attune server sync` tells him which are overdue or due this week (as
his home page on the server works them out), `attune today` mentions the overdue one in
one line, and the local app's Team server page lists them, offline too. The sync's
summary says what came home in this sync, counting entries as entries, and `attune
show` tells the server's versions apart from the entry's own.

Runs on SQLite, and on PostgreSQL when ATTUNE_TEST_POSTGRES is set."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta

import pytest
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.server import deadlines
from attunement.storage import shared

from .sync_world import serving, signed_in, write

TODAY = date.today()


@pytest.fixture
def team(tmp_path):
    with serving(tmp_path / "server") as running:
        yield running


def lead_sets(team, title: str, kind: str, due: date, signoff: bool = True) -> str:
    lee, _ = team.world.actor("Lee")
    made = deadlines.create(
        team.world.engine,
        lee,
        team.world.courses["A"],
        title=title,
        kind=kind,
        due_on=due,
        signoff=signoff,
    )
    return made.id


def short(day: date) -> str:
    return f"{day.day} {day:%b}" if day.year == TODAY.year else f"{day.day} {day:%b %Y}"


def local_app(data_dir):
    from attunement.web import Settings, create_app

    return TestClient(
        create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), sync_interval_s=3600))
    )


def test_tom_hears_of_his_overdue_deadline_without_visiting_the_server(team, data_dir, monkeypatch):
    first_due = TODAY + timedelta(days=2)
    lead_sets(team, "First reflection signed off", "entry", first_due)
    lead_sets(team, "Practice progress shared", "practice", TODAY + timedelta(days=5), False)
    lead_sets(team, "Final packet", "packet", TODAY + timedelta(days=60))  # not yet pressing
    # Three days on, on the server: the reflection is overdue, the practice due this week.
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=3))
    attune = signed_in(data_dir, team.url)

    said = attune("server", "sync").output
    assert (
        f"1 deadline overdue: First reflection signed off (was due {short(first_due)}); "
        f"1 due this week: Practice progress shared (due {short(TODAY + timedelta(days=5))})."
    ) in said
    assert "Final packet" not in said
    told = attune.json("server", "sync")["deadlines"]
    assert [(d["title"], d["status"]) for d in told] == [
        ("First reflection signed off", "overdue"),
        ("Practice progress shared", "due_soon"),
    ]
    assert told[0]["course"] == "Cohort A" and told[0]["counts"] == "a reflection, signed off"

    today = attune("today").output
    overdue = [line for line in today.splitlines() if "Overdue" in line]
    assert overdue == [
        f"Overdue on the team server: “First reflection signed off” (was due {short(first_due)})."
    ]
    assert attune.json("today")["deadlines"][0]["title"] == "First reflection signed off"

    with local_app(data_dir) as local:
        page = local.get("/server").text
        assert "Your deadlines" in page
        assert "<strong>Overdue:</strong> First reflection signed off" in page
        assert "<strong>Due this week:</strong> Practice progress shared" in page
        assert f"It was due on {first_due.day} {first_due:%b %Y}" in page
        assert "Final packet" not in page
        assert local.get("/api/v1/server").json()["deadlines"][0]["overdue"] is True

    # Tom shares a reflection; Sam signs it off: met (late), so no longer told.
    entry = write(data_dir, "I stayed with the silence.", "Silence")
    one = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    sam = team.world.api("Sam")
    digest = sam.get(f"/api/v1/shares/{one['id']}").json()["shown"]["sha256"]
    sam.post(f"/api/v1/shares/{one['id']}/signoff", json={"revision": 1, "sha256": digest})
    said = attune("server", "sync").output
    assert "overdue" not in said
    assert "1 deadline due this week: Practice progress shared" in said
    assert "Overdue on the team server" not in attune("today").output


def test_the_deadlines_stay_on_this_computer_while_the_server_is_away(team, data_dir, monkeypatch):
    due = TODAY + timedelta(days=1)
    lead_sets(team, "First reflection signed off", "entry", due)
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=2))
    attune = signed_in(data_dir, team.url)
    attune("server", "sync")
    team.stop()

    assert "Overdue on the team server: “First reflection signed off”" in attune("today").output
    with local_app(data_dir) as local:
        page = local.get("/server").text
    assert "First reflection signed off" in page
    # C10: offline the page names Tom, and says what is wrong once, cleanly.
    assert "as Tom (tom@example.org)" in page
    assert page.count("Cannot reach the team server") == 1
    assert "(nothing was sent)" not in page and ".." not in page


def test_a_trainee_with_nothing_pressing_is_told_so_and_a_supervisor_gets_no_list(team, data_dir):
    lead_sets(team, "Final packet", "packet", TODAY + timedelta(days=60))
    attune = signed_in(data_dir, team.url)
    report = attune.json("server", "sync")
    assert report["deadlines"] == [] and "deadline" not in report["summary"]
    with local_app(data_dir) as local:
        assert "No deadline is overdue or due this week." in local.get("/server").text
    sam = team.world.api("Sam").get("/api/v1/sync", params={"deadlines": "1"}).json()
    assert sam["protocol"] == 1 and sam["deadlines"] == []  # no course of Sam's trainee's
    assert sam["member"]["name"] == "Sam"


def test_deadlines_come_only_when_asked_and_with_the_last_page(team, data_dir):
    """A delta sync (the local app's, every five minutes) does not pay for the deadlines:
    a client asks for them when it will show them, and gets them once per sync."""
    lead_sets(team, "First reflection signed off", "entry", TODAY + timedelta(days=2))
    tom = team.world.api("Tom")
    plain = tom.get("/api/v1/sync").json()
    assert "deadlines" not in plain and "member" not in plain
    asked = tom.get("/api/v1/sync", params={"deadlines": "1"}).json()
    assert [d["title"] for d in asked["deadlines"]] == ["First reflection signed off"]
    paged = tom.get("/api/v1/sync", params={"deadlines": "1", "since": plain["cursor"]}).json()
    assert paged["more"] is False and "deadlines" in paged


def test_the_background_sync_asks_for_deadlines_at_first_and_hourly(team, data_dir, monkeypatch):
    from attunement.server import syncing

    signed_in(data_dir, team.url)
    asked: list[bool] = []
    real = syncing.sync
    monkeypatch.setattr(
        syncing, "sync", lambda *a, deadlines=True, **k: asked.append(deadlines) or real(*a, **k)
    )
    clock = [1000.0]
    monkeypatch.setattr(syncing.time, "monotonic", lambda: clock[0])
    with Journal.open(data_dir) as journal:
        syncer = syncing.Syncer(lambda: journal, data_dir)
        syncer.once()
        clock[0] += 300
        syncer.once()
        clock[0] += syncing.DEADLINES_EVERY_S
        syncer.once()
        syncer.now()  # "Sync now", or just signed in: with the deadlines
        syncer.once()
    assert asked == [True, False, True, True]


def test_an_older_server_that_says_no_deadlines_keeps_what_was_said(data_dir):
    """The field is optional within protocol 1: a batch without it changes nothing kept."""
    told = [
        {
            "id": "d1",
            "title": "First reflection signed off",
            "course": "Cohort A",
            "kind": "entry",
            "counts": "a reflection, signed off",
            "due_on": (TODAY - timedelta(days=1)).isoformat(),
            "status": "overdue",
            "waiting": True,
        }
    ]
    url = "http://127.0.0.1:1"
    with Journal.open(data_dir) as journal:
        assert shared.sync_state(journal.reader, url).deadlines is None  # never said
        shared.apply(journal.reader, url, "1.0.1", [], member_name="Tom", deadlines=told)
        shared.apply(journal.reader, url, "1.0.2", [])  # an answer without the fields
        state = shared.sync_state(journal.reader, url)
        assert state.cursor == "1.0.2" and state.member_name == "Tom"
        assert [d.title for d in state.deadlines or []] == ["First reflection signed off"]
        assert state.deadlines and state.deadlines[0].waiting
        shared.apply(journal.reader, url, "1.0.3", [], deadlines=[])  # now none matters
        assert shared.sync_state(journal.reader, url).deadlines == []


def test_a_journal_from_before_deadlines_came_home_upgrades_with_its_sync_kept(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from attunement.storage.engine import MIGRATIONS_DIR, writer

    path = tmp_path / "journal.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with writer(engine).begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
    engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO sync_state (owner, server_url, cursor, synced_at, tried_at, problem) "
        "VALUES ('local', 'https://team.example.org', '1.0.42', '2026-12-01 09:00:00', "
        "'2026-12-01 09:00:00', NULL)"
    )
    raw.commit()
    raw.close()

    with Journal.open(tmp_path) as journal:
        state = shared.sync_state(journal.reader, "https://team.example.org")
        assert state.cursor == "1.0.42" and state.synced_at is not None
        assert state.deadlines is None and state.member_name is None
        assert journal.today().deadlines == ()
    revision = sqlite3.connect(path).execute("SELECT version_num FROM alembic_version")
    assert revision.fetchone()[0] == "0010"


def test_the_summary_counts_entries_and_says_what_came_in_this_sync(team, data_dir):
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "Sat with the family after the news.", "After the news")
    other = write(data_dir, "A short visit.", "Visit")
    to_sam = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    to_sue = attune.json("share", "entry", entry, "--to", "Sue", "--yes")
    gone = attune.json("share", "entry", other, "--to", "Sue", "--yes")
    attune("server", "sync")
    sam, sue = team.world.api("Sam"), team.world.api("Sue")
    digest = sam.get(f"/api/v1/shares/{to_sam['id']}").json()["shown"]["sha256"]
    sam.post(f"/api/v1/shares/{to_sam['id']}/signoff", json={"revision": 1, "sha256": digest})
    sue.post(f"/api/v1/shares/{to_sue['id']}/comments", json={"body": "Stay with it."})
    team.world.api("Tom").delete(f"/api/v1/shares/{gone['id']}")  # from another computer

    said = attune("server", "sync").output
    # One entry, shared with two readers; the revoked share is not an entry spoken of.
    assert re.search(
        r"New since the last sync \(\d+ \w{3} \d{4}, \d\d:\d\d\): 1 comment and 1 sign-off "
        r"from Sam and Sue on 1 entry\.",
        said,
    ), said
    assert "1 share deleted on the server" in said

    # The comments came home already (the web app's background sync, say): this sync
    # says only what is new since then, never "nothing said yet".
    sam.get(f"/api/v1/shares/{to_sam['id']}")
    said = attune("server", "sync").output
    assert re.search(r"Opened 1 time by your readers since the last sync \(", said), said
    assert "nothing said yet" not in said


def test_show_names_the_servers_versions_apart_from_the_entrys(team, data_dir):
    attune = signed_in(data_dir, team.url)
    entry = write(data_dir, "First words.", "Night shift")
    attune("share", "entry", entry, "--to", "Sam", "--yes")
    attune("edit", entry, "--text", "Second words.")
    made = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    attune("edit", entry, "--text", "Third words.")
    sam = team.world.api("Sam")
    shown = sam.get(f"/api/v1/shares/{made['id']}").json()["shown"]
    sam.post(
        f"/api/v1/shares/{made['id']}/signoff",
        json={"revision": 2, "sha256": shown["sha256"]},
    )
    sam.post(f"/api/v1/shares/{made['id']}/comments", json={"body": "Well held."})
    attune("server", "sync")

    out = attune("show", entry).output
    assert "(version 3)" in out  # the entry's own
    assert "Shared with Sam: 2 versions shared" in out
    assert (
        "Signed off by Sam" in out
        and ": the second version you shared (your version 2 of the entry)" in out
    )
    assert "Sam wrote" in out and "on the second version you shared" in out

    # C13: the entry page writes what came home as it writes the entry's own dates.
    with local_app(data_dir) as local:
        page = local.get(f"/entries/{entry}").text
    section = page.split("From your supervisor", 1)[1]
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", section)
    written = r"Sam</strong> wrote <span class=\"muted\">\d+ \w{3} \d{4}, \d\d:\d\d"
    assert re.search(written, section)
