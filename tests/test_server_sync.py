"""Comments come home: Tom's computer asks the server what changed about his shares
since it last asked, and gets exactly that, once: Sam's opening, comments (a change
request among them), a sign-off, a new revision, and shares that were revoked or expired.
Nobody else's, and nothing twice, even while others are writing at the same moment."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from attunement.server import changes, sharing
from attunement.server.db import reading
from attunement.server.protocol import HEADER, PROTOCOL
from attunement.server.schema import changes as change_log
from attunement.server.schema import comments, shares

from .server_world import build_world, expire

BODY = "Sat with [Client A] after the scan.\n\nI noticed the urge to fix rising in me."


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def sync(client, cursor=None):
    params = {} if cursor is None else {"since": cursor}
    answer = client.get("/api/v1/sync", params=params, headers={HEADER: "1"})
    assert answer.status_code == 200, answer.text
    assert answer.headers[HEADER] == "1"
    data = answer.json()
    assert data["protocol"] == PROTOCOL
    return data


def everything(client, cursor=None):
    """Ask until the server says there is no more; (changes, cursor)."""
    got = []
    while True:
        data = sync(client, cursor)
        got += data["changes"]
        cursor = data["cursor"]
        if not data["more"]:
            return got, cursor


def test_tom_hears_what_sam_did_with_his_share_once_and_only_his(world):
    tom, sam = world.api("Tom"), world.api("Sam")
    share = world.share("Tom", "Sam", "The scan", BODY)
    got, cursor = everything(tom)
    assert [(c["type"], c["revision"]) for c in got] == [("revision", 1)]

    sam.get(f"/api/v1/shares/{share}")  # Sam opens it
    sam.post(
        f"/api/v1/shares/{share}/comments",
        json={"body": "What did you do with the urge?", "quote": "the urge to fix"},
    )
    sam.post(
        f"/api/v1/shares/{share}/comments",
        json={"body": "Say more about the silence.", "kind": "changes"},
    )
    got, cursor = everything(tom, cursor)
    assert [c["type"] for c in got] == ["open", "comment", "comment"]
    opened, asked, changes_asked = got
    assert opened["reader"]["name"] == "Sam" and opened["revision"] == 1
    assert asked["author"]["name"] == "Sam" and asked["quote"] == "the urge to fix"
    assert asked["body"] == "What did you do with the urge?" and asked["kind"] == "comment"
    assert changes_asked["kind"] == "changes" and changes_asked["id"] != asked["id"]
    assert all(c["share"] == share and c["at"] for c in got)

    # Nothing new: nothing again (a sync asks only for what changed).
    assert everything(tom, cursor)[0] == []

    world.api("Tom").put(
        f"/api/v1/shares/{share}",
        json={"kind": "entry", "reader": world.ids["Sam"], "title": "The scan", "body": BODY + "!"},
    )
    seen = sam.get(f"/api/v1/shares/{share}").json()["shown"]
    sam.post(f"/api/v1/shares/{share}/signoff", json={"revision": 2, "sha256": seen["sha256"]})
    got, cursor = everything(tom, cursor)
    assert [c["type"] for c in got] == ["revision", "open", "signoff"]
    signed = got[-1]
    assert signed["signer"]["name"] == "Sam" and signed["revision"] == 2
    assert signed["sha256"] == seen["sha256"]
    data = sync(tom, None)
    assert data["shares"][share]["kind"] == "entry"
    assert data["shares"][share]["reader"]["id"] == world.ids["Sam"]

    # Tess, Sam and Otto hear nothing of Tom's share.
    for other in ("Tess", "Sam", "Otto"):
        assert everything(world.api(other))[0] == []


def test_a_revoked_or_expired_share_comes_home_as_deleted(world):
    tom, sam = world.api("Tom"), world.api("Sam")
    gone = world.share("Tom", "Sam", "Revoked", BODY)
    lapsed = world.share("Tom", "Sam", "Lapsed", BODY)
    sam.post(f"/api/v1/shares/{gone}/comments", json={"body": "A thought."})
    _, cursor = everything(tom)

    assert tom.delete(f"/api/v1/shares/{gone}").status_code == 200
    expire(world, lapsed)
    got, cursor = everything(tom, cursor)
    # Until the sweep deletes it, an expired share gives nothing (its deletion comes next).
    assert [(c["share"], c["type"]) for c in got] == [(gone, "deleted")]
    sharing.purge_expired_now(world.engine)  # the server's sweep, every minute
    more, cursor = everything(tom, cursor)
    got += more
    assert sorted((c["share"], c["type"], c["reason"]) for c in got) == sorted(
        [(gone, "deleted", "revoked"), (lapsed, "deleted", "expired")]
    )
    # From the beginning, the comment on a deleted share is no longer there to give.
    from_start, _ = everything(tom)
    assert not [c for c in from_start if c["type"] == "comment"]
    assert {c["share"] for c in from_start if c["type"] == "deleted"} == {gone, lapsed}


def test_a_long_history_comes_in_pages_without_a_gap(world):
    tom, sam = world.api("Tom"), world.api("Sam")
    share = world.share("Tom", "Sam", "Many", BODY)
    for n in range(12):
        sam.post(f"/api/v1/shares/{share}/comments", json={"body": f"Comment {n}."})
    tom_actor, _token = world.actor("Tom")
    seen, cursor, pages = [], None, 0
    while True:
        page = changes.since(world.engine, tom_actor, cursor, limit=5)
        pages += 1
        seen += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert pages == 3
    assert [c["body"] for c in seen if c["type"] == "comment"] == [
        f"Comment {n}." for n in range(12)
    ]
    assert everything(tom, cursor)[0] == []


def test_a_cursor_this_server_did_not_give_is_refused_in_one_sentence(world):
    tom = world.api("Tom")
    for bad in ("yesterday", "2.1.1", "1.-1.2", "1.2"):
        answer = tom.get("/api/v1/sync", params={"since": bad})
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "since"
        assert "from the beginning" in answer.json()["error"]["message"]


def test_every_answer_says_its_protocol_and_another_version_is_refused_unchanged(world):
    tom = world.api("Tom")
    assert tom.get("/api/v1/health").headers[HEADER] == str(PROTOCOL)
    assert world.client().get("/signin").headers[HEADER] == str(PROTOCOL)
    share_id = str(uuid.uuid4())
    push = {"kind": "entry", "reader": world.ids["Sam"], "title": "T", "body": BODY}
    refused = tom.put(f"/api/v1/shares/{share_id}", json=push, headers={HEADER: "2"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "protocol_mismatch" and error["field"] == HEADER
    assert "protocol 1" in error["message"] and "protocol 2" in error["message"]
    assert "update Attunement" in error["message"]
    assert refused.headers[HEADER] == "1"
    assert tom.get("/api/v1/sync", headers={HEADER: "two"}).status_code == 400
    with reading(world.engine) as conn:
        assert conn.execute(select(shares.c.id).where(shares.c.id == share_id)).first() is None
    # Saying the same version, or none (a browser, a script), is served.
    assert (
        tom.put(f"/api/v1/shares/{share_id}", json=push, headers={HEADER: "1"}).status_code == 200
    )


def test_the_sync_cursor_never_skips_a_change_that_commits_late(world):
    """Two writers at once: the one that started first commits last. A sync that runs
    in between must not hand out a cursor past the first writer's change."""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: a change commits in the order it is numbered")
    share = world.share("Tom", "Sam", "Racing", BODY)
    tom_actor, _ = world.actor("Tom")
    _, cursor = everything(world.api("Tom"))

    def add_comment(conn, text):
        from attunement.server.db import now

        conn.execute(
            comments.insert().values(
                id=str(uuid.uuid4()),
                share_id=share,
                revision=1,
                author_id=world.ids["Sam"],
                kind="comment",
                body=text,
                created_at=now(),
            )
        )

    slow = world.engine.connect()
    slow_tx = slow.begin()
    add_comment(slow, "Written first, committed last.")  # takes the lower sequence number
    with world.engine.begin() as fast:
        add_comment(fast, "Written second, committed first.")
    with reading(world.engine) as conn:
        visible = conn.execute(select(change_log.c.seq).where(change_log.c.kind == "comment"))
        assert len(visible.all()) == 1  # the slow writer's row is not visible yet

    between = changes.since(world.engine, tom_actor, cursor)
    assert between["changes"] == []  # held back: an older transaction is still running
    slow_tx.commit()
    slow.close()
    after = changes.since(world.engine, tom_actor, between["cursor"])
    assert sorted(c["body"] for c in after["changes"]) == [
        "Written first, committed last.",
        "Written second, committed first.",
    ]
    assert changes.since(world.engine, tom_actor, after["cursor"])["changes"] == []


def test_syncing_while_many_write_at_once_misses_nothing_and_repeats_nothing(world):
    share = world.share("Tom", "Sam", "Busy", BODY)
    tom_actor, _ = world.actor("Tom")
    writers = [world.api(name) for name in ("Sam", "Sue", "Lee", "Tom")]
    shares_of = {
        "Sam": share,
        "Sue": world.share("Tom", "Sue", "Busy for Sue", BODY),
        "Lee": world.share("Tom", "Lee", "Busy for Lee", BODY),
        "Tom": share,
    }
    _, cursor = everything(world.api("Tom"))
    stop = threading.Event()
    sent: list[str] = []
    lock = threading.Lock()

    def write(client, name):
        for n in range(15):
            body = f"{name} {n}"
            answer = client.post(f"/api/v1/shares/{shares_of[name]}/comments", json={"body": body})
            assert answer.status_code == 201, answer.text
            with lock:
                sent.append(body)

    received: list[str] = []

    def read():
        nonlocal cursor
        while True:
            done = stop.is_set()
            page = changes.since(world.engine, tom_actor, cursor, limit=7)
            received.extend(c["body"] for c in page["changes"] if c["type"] == "comment")
            cursor = page["cursor"]
            if done and not page["more"]:
                return

    threads = [
        threading.Thread(target=write, args=(c, n))
        for c, n in zip(writers, ("Sam", "Sue", "Lee", "Tom"), strict=True)
    ]
    reader = threading.Thread(target=read)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join(timeout=60)
    assert sorted(received) == sorted(sent) and len(sent) == 60


def test_erasing_an_account_leaves_nothing_of_it_in_the_change_log(world):
    tom, sam = world.api("Tom"), world.api("Sam")
    mine = world.share("Tom", "Sam", "Tom's", BODY)
    to_tess = world.share("Tess", "Sam", "Tess's", BODY)
    sam.post(f"/api/v1/shares/{mine}/comments", json={"body": "Noted."})
    _, tess_cursor = everything(world.api("Tess"))

    assert tom.post("/api/v1/account/erase", json={"confirm": "tom@example.org"}).status_code == 200
    with reading(world.engine) as conn:
        left = conn.execute(select(change_log).where(change_log.c.owner_id == world.ids["Tom"]))
        assert left.all() == []

    # Sam erases his account: Tess hears that her share to him is gone.
    assert sam.post("/api/v1/account/erase", json={"confirm": "sam@example.org"}).status_code == 200
    got, _ = everything(world.api("Tess"), tess_cursor)
    assert [(c["share"], c["type"]) for c in got] == [(to_tess, "deleted")]
