"""A trainee shares a reflection with her supervisor, who reads it, comments on a passage,
asks for changes, and signs off the next version; the trainee sees all of it, and who
opened what. Then she revokes it and it is gone from the server."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import func, select

from attunement.server import sharing
from attunement.server.db import reading
from attunement.server.schema import audit, comments, opens, revisions, shares, signoffs

from .server_world import build_world, expire, form_csrf


def in_a_week() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=7)).isoformat()


BODY = "Sat with [Client A] after the scan.\n\nI noticed the urge to fix rising in me."


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def count(world, table, **where):
    with reading(world.engine) as conn:
        query = select(func.count()).select_from(table)
        for key, value in where.items():
            query = query.where(table.c[key] == value)
        return conn.execute(query).scalar()


def test_share_comment_request_changes_sign_off(world):
    tom = world.api("Tom")
    me = tom.get("/api/v1/me").json()
    assert {r["name"] for r in me["readers"]} == {"Sam", "Sue", "Lee", "Sid"}

    share_id = str(uuid.uuid4())
    push = {"kind": "entry", "reader": world.ids["Sam"], "title": "The scan", "body": BODY}
    first = tom.put(f"/api/v1/shares/{share_id}", json=push).json()
    assert first["revision"] == 1 and first["created"] is True
    again = tom.put(f"/api/v1/shares/{share_id}", json=push).json()
    assert again == {**first, "created": False}  # the same push twice: one revision

    sam = world.client("Sam")
    home = sam.get("/")
    assert "The scan" in home.text and "Tom" in home.text
    page = sam.get(f"/shares/{share_id}")
    assert page.status_code == 200
    assert "the urge to fix rising in me" in page.text
    csrf = form_csrf(page.text)
    done = sam.post(
        f"/shares/{share_id}/comments",
        data={
            "csrf": csrf,
            "quote": "the urge to fix",
            "body": "What did it feel like?",
            "kind": "changes",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text

    status = tom.get("/api/v1/shares").json()[0]
    assert status["status"] == "changes requested" and status["comments"] == 1

    changed = {**push, "body": BODY + "\n\nIt felt like tightness in my chest."}
    second = tom.put(f"/api/v1/shares/{share_id}", json=changed).json()
    assert second["revision"] == 2 and second["created"] is True
    assert count(world, revisions, share_id=share_id) == 2  # the old version is kept

    # Signing what one read: the page carries the digest of version 2.
    page = sam.get(f"/shares/{share_id}")
    expected = hashlib.sha256(
        json.dumps(
            ["The scan", changed["body"]], ensure_ascii=False, separators=(",", ":")
        ).encode()
    ).hexdigest()
    assert expected in page.text
    signed = sam.post(
        f"/shares/{share_id}/signoff",
        data={"csrf": form_csrf(page.text), "revision": "2", "sha256": expected},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text

    seen = tom.get(f"/api/v1/shares/{share_id}").json()
    assert seen["status"] == "signed off"
    assert seen["signoffs"] == [
        {
            "revision": 2,
            "sha256": expected,
            "signer": {"id": world.ids["Sam"], "name": "Sam"},
            "signed_at": seen["signoffs"][0]["signed_at"],
        }
    ]
    assert [o["reader"] for o in seen["opens"]] == ["Sam", "Sam"]
    assert seen["comments"][0]["quote"] == "the urge to fix"
    assert "Signed off by Sam" in world.client("Tom").get(f"/shares/{share_id}").text

    # The audit log names actions and objects, never words.
    with reading(world.engine) as conn:
        rows = conn.execute(select(audit)).all()
    assert {"share.create", "share.push", "share.read", "changes.request", "signoff"} <= {
        r.action for r in rows
    }
    assert not any("urge" in str(tuple(r)) or "chest" in str(tuple(r)) for r in rows)

    assert tom.delete(f"/api/v1/shares/{share_id}").json() == {"revoked": True}
    for table in (shares, revisions, comments, opens, signoffs):
        key = "id" if table is shares else "share_id"
        assert count(world, table, **{key: share_id}) == 0, table.name
    assert sam.get(f"/shares/{share_id}").status_code == 404


def test_a_signed_off_version_cannot_be_changed_and_a_newer_one_is_not_signed_blindly(world):
    share_id = world.share("Tom", "Sam", "One", "First words.")
    sam = world.api("Sam")
    shown = sam.get(f"/api/v1/shares/{share_id}").json()["shown"]
    world.api("Tom").put(
        f"/api/v1/shares/{share_id}",
        json={"kind": "entry", "reader": world.ids["Sam"], "title": "One", "body": "Second."},
    )
    late = sam.post(
        f"/api/v1/shares/{share_id}/signoff",
        json={"revision": shown["number"], "sha256": shown["sha256"]},
    )
    assert late.status_code == 409
    assert "newer version" in late.json()["error"]["message"]
    latest = sam.get(f"/api/v1/shares/{share_id}").json()["shown"]
    ok = sam.post(
        f"/api/v1/shares/{share_id}/signoff",
        json={"revision": latest["number"], "sha256": latest["sha256"]},
    )
    assert ok.status_code == 201
    from sqlalchemy import update

    from attunement.server.db import writing

    with pytest.raises(Exception, match="(?i)sign-off cannot be changed|append-only"):
        with writing(world.engine) as conn:
            conn.execute(update(signoffs).values(sha256="0" * 64))
    with pytest.raises(Exception, match="(?i)append-only"):
        with writing(world.engine) as conn:
            conn.execute(audit.delete())
    trainee_signs = world.api("Tom").post(
        f"/api/v1/shares/{share_id}/signoff",
        json={"revision": latest["number"], "sha256": latest["sha256"]},
    )
    assert trainee_signs.status_code == 403


def test_expired_shares_are_deleted_not_hidden(world):
    share_id = world.share("Tom", "Sam", "Brief", "Words for a week.", expires_at=in_a_week())
    expire(world, share_id)
    sam = world.api("Sam")
    # From its expiry on, nobody can read it and no listing shows it...
    assert sam.get(f"/api/v1/shares/{share_id}").status_code == 404
    assert sam.get("/api/v1/inbox").json() == []
    assert world.api("Tom").get("/api/v1/shares").json() == []
    # ...and the server's next sweep (every minute) deletes it.
    assert sharing.purge_expired_now(world.engine) == 1
    assert count(world, shares, id=share_id) == 0
    assert count(world, revisions, share_id=share_id) == 0
    actions = [r["action"] for r in world.api("Tom").get("/api/v1/audit").json()]
    assert "share.expire" in actions


def test_expired_shares_are_deleted_while_nobody_uses_the_server(tmp_path):
    import time

    from fastapi.testclient import TestClient

    world = build_world(tmp_path, expiry_sweep_s=1)
    share_id = world.share("Tom", "Sam", "Brief", "Words for a week.", expires_at=in_a_week())
    with TestClient(world.app):  # the server runs; nobody sends it a request
        expire(world, share_id)
        deadline = time.monotonic() + 30
        while count(world, shares, id=share_id):
            assert time.monotonic() < deadline, "the expired share is still in the database"
            time.sleep(0.2)
        assert count(world, revisions, share_id=share_id) == 0
        time.sleep(1.5)  # a later sweep finds nothing more to log
    assert count(world, audit, action="share.expire", object_id=share_id) == 1


def test_owner_sees_refused_looks_at_their_share(world):
    share_id = world.share("Tom", "Sam", "Mine", "Private words.")
    assert world.api("Tess").get(f"/api/v1/shares/{share_id}").status_code == 404
    mine = world.api("Tom").get("/api/v1/audit").json()
    refused = [r for r in mine if r["outcome"] == "refused"]
    assert refused and refused[0]["actor"] == world.ids["Tess"]
    assert refused[0]["object"] == {"type": "share", "id": share_id}


def test_export_and_erase_everything_of_mine(world):
    share_id = world.share("Tom", "Sam", "Mine", "Private words.")
    world.api("Sam").post(f"/api/v1/shares/{share_id}/comments", json={"body": "Thank you."})
    tom = world.api("Tom")
    exported = tom.get("/api/v1/account/export").json()
    assert exported["shares"][0]["shown"]["body"] == "Private words."
    assert exported["shares"][0]["comments"][0]["body"] == "Thank you."
    wrong = tom.post("/api/v1/account/erase", json={"confirm": "someone@example.org"})
    assert wrong.status_code == 422 and count(world, shares) == 1
    gone = tom.post("/api/v1/account/erase", json={"confirm": "tom@example.org"})
    assert gone.json()["shares"] == 1
    assert count(world, shares) == 0 and count(world, revisions) == 0
    assert tom.get("/api/v1/me").status_code == 401  # the account and its sessions are gone


def test_suspending_ends_sessions_and_reinstating_allows_sign_in_again(world):
    sam = world.api("Sam")
    ada = world.client("Ada")
    csrf = ada.headers["X-CSRF-Token"]
    done = ada.post(
        f"/admin/members/{world.ids['Sam']}/suspend", data={"csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert sam.get("/api/v1/me").status_code == 401
    refused = world.client().post(
        "/api/v1/token", json={"email": "sam@example.org", "password": "a long enough password"}
    )
    assert refused.status_code == 422
    ada.post(f"/admin/members/{world.ids['Sam']}/reinstate", data={"csrf": csrf})
    back = world.client().post(
        "/api/v1/token", json={"email": "sam@example.org", "password": "a long enough password"}
    )
    assert back.status_code == 200


def test_sessions_can_be_seen_and_ended_and_idle_ones_end_themselves(world):
    from datetime import timedelta

    from sqlalchemy import update

    from attunement.server.db import now, writing
    from attunement.server.schema import sessions

    laptop = world.api("Tom")
    browser = world.client("Tom")
    mine = browser.get("/api/v1/me").json()
    assert len(mine["sessions"]) == 2
    other = next(s for s in mine["sessions"] if s["id"] != mine["current_session"])
    page = browser.get("/account")
    assert "the app on a computer" in page.text
    ended = browser.post(
        f"/account/sessions/{other['id']}/revoke",
        data={"csrf": form_csrf(page.text)},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert laptop.get("/api/v1/me").status_code == 401

    with writing(world.engine) as conn:
        conn.execute(
            update(sessions).values(
                seen_at=now() - timedelta(minutes=world.config.idle_minutes + 1)
            )
        )
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_admins_read_the_whole_audit_log_and_members_their_part(world):
    share_id = world.share("Tom", "Sam", "Mine", "Private words.")
    sam = world.api("Sam")
    assert sam.get(f"/api/v1/shares/{share_id}").status_code == 200
    sam.post(f"/api/v1/shares/{share_id}/comments", json={"body": "Thank you."})
    other = world.share("Tess", "Sue", "Hers", "Her words.")

    def about(rows, share):
        return {r["action"] for r in rows if r["object"] == {"type": "share", "id": share}}

    everything = world.api("Ada").get("/api/v1/admin/audit").json()
    assert {"share.create", "share.read", "comment"} <= about(everything, share_id)
    assert "share.create" in about(everything, other)

    toms = world.api("Tom").get("/api/v1/audit").json()
    assert {"share.create", "share.read", "comment"} <= about(toms, share_id)  # Sam's acts too
    assert about(toms, other) == set()
    assert about(world.api("Tess").get("/api/v1/audit").json(), share_id) == set()
    assert world.api("Tom").get("/api/v1/admin/audit").status_code == 404
    assert not any("Private words" in str(r) or "Thank you" in str(r) for r in everything)
