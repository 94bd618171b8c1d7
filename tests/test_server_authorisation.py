"""Authorisation, route by route, from the app's own route table.

Every route declares its access (``x-access``). For each route and method, another
course's member, another trainee, a supervisor the share was not named to, a suspended
account and an anonymous client each get the refusal; so does the named supervisor for a
revoked or an expired share. Content is refused with 404, exactly as for an id that never
existed, and no refusal carries a word of the content. A new route without a declared
access fails here.
"""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlencode

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from attunement.server import accounts
from attunement.server.app import ACCESS, route_table
from attunement.server.db import reading
from attunement.server.schema import (
    comments,
    deadlines,
    notices,
    revisions,
    sessions,
    shares,
    signoffs,
)

from .server_world import build_world, expire

SECRET_TITLE = "Tuesday with the family"
SECRET_BODY = "The daughter's grief filled the room; I wanted to fix it."
OUTSIDERS = ["Otto", "Tess", "Sue", "Sid", None]  # None: not signed in


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("authz"))
    target = world.share("Tom", "Sam", SECRET_TITLE, SECRET_BODY)
    to_sid = world.share("Tom", "Sid", SECRET_TITLE, SECRET_BODY)
    revoked = world.share("Tom", "Sam", SECRET_TITLE, SECRET_BODY)
    assert world.api("Tom").delete(f"/api/v1/shares/{revoked}").status_code == 200
    expired = world.share("Tom", "Sam", SECRET_TITLE, SECRET_BODY)
    expire(world, expired)
    sid_session = world.actor("Sid")  # a session made before the suspension
    admin, _ = world.actor("Ada")
    accounts.set_suspended(world.engine, admin, world.ids["Sid"], True)
    tom_session = world.actor("Tom")[0].session_id
    # Cohort A's lead sets a deadline, and Tom has a notice of a comment on another share.
    lee = world.api("Lee")
    deadline = lee.post(
        f"/api/v1/courses/{world.courses['A']}/deadlines",
        json={"title": "First reflection", "kind": "entry", "due_on": "2099-01-01"},
    )
    assert deadline.status_code == 422  # more than three years away: refused, as it should
    deadline = lee.post(
        f"/api/v1/courses/{world.courses['A']}/deadlines",
        json={"title": "First reflection", "kind": "entry", "due_on": str(date.today())},
    )
    other = world.share("Tom", "Sam", "Another", "Other words.")
    said = world.api("Sam").post(f"/api/v1/shares/{other}/comments", json={"body": "Noted."})
    assert said.status_code == 201
    notice = world.api("Tom").get("/api/v1/notices").json()[0]["id"]
    return {
        "course": world.courses["A"],
        "deadline": deadline.json()["id"],
        "notice": notice,
        "world": world,
        "target": target,
        "to_sid": to_sid,
        "revoked": revoked,
        "expired": expired,
        "sid_token": sid_session[1],
        "tom_session": tom_session,
    }


def routes(world):
    table = route_table()
    assert len(table) > 30
    for route in table:
        assert isinstance(route, APIRoute), route
        for method in sorted(route.methods):
            yield route, method


def test_the_route_table_is_what_the_server_answers(scene):
    """Each route in the table is really served (not a 404 from the router itself), and
    an address that is not in the table is not."""
    browser = scene["world"].client("Tom")
    assert browser.get("/api/v1/health").json() == {"status": "ok"}
    assert browser.get("/account").status_code == 200
    assert browser.get("/no-such-page").status_code == 404


def test_every_route_declares_who_may_call_it(scene):
    undeclared = [
        f"{m} {r.path}"
        for r, m in routes(scene["world"])
        if (r.openapi_extra or {}).get("x-access") not in ACCESS
    ]
    assert undeclared == []


def fill(path: str, scene, share: str) -> str:
    world = scene["world"]
    return (
        path.replace("{share_id}", share)
        .replace("{session_id}", scene["tom_session"])
        .replace("{user_id}", world.ids["Tom"])
        .replace("{token}", "not-a-real-invitation")
        .replace("{course_id}", scene["course"])
        .replace("{deadline_id}", scene["deadline"])
        .replace("{notice_id}", scene["notice"])
    )


def payload(route: APIRoute, scene) -> dict:
    world = scene["world"]
    if route.path.startswith("/api/"):
        bodies = {
            "/api/v1/shares/{share_id}": {
                "kind": "entry",
                "reader": world.ids["Sam"],
                "title": "Replaced",
                "body": "Replaced.",
            },
            "/api/v1/shares/{share_id}/comments": {"body": "A comment."},
            "/api/v1/shares/{share_id}/signoff": {"revision": 1, "sha256": "0" * 64},
            "/api/v1/account/erase": {"confirm": "nobody@example.org"},
            "/api/v1/token": {"email": "tom@example.org", "password": "wrong password"},
            "/api/v1/courses/{course_id}/deadlines": {
                "title": "Sneaky",
                "kind": "entry",
                "due_on": str(date.today()),
            },
        }
        return {"json": bodies.get(route.path, {})}
    forms = {
        "/shares/{share_id}/comments": {"body": "A comment.", "kind": "changes"},
        "/shares/{share_id}/signoff": {"revision": "1", "sha256": "0" * 64},
        "/admin/courses": {"name": "Sneaky course"},
        "/admin/invitations": {"course": world.courses["A"], "role": "supervisor"},
        "/account/erase": {"confirm": "nobody@example.org"},
        "/courses/{course_id}/deadlines": {
            "title": "Sneaky",
            "kind": "entry",
            "due_on": str(date.today()),
        },
    }
    return {"data": forms.get(route.path, {})}


def request_as(scene, who, route, method, share):
    world = scene["world"]
    if who == "Sid":
        client = world.client()
        client.cookies.set("attune_session", scene["sid_token"])
        client.headers["Authorization"] = f"Bearer {scene['sid_token']}"
    else:
        client = world.client(who)
    kwargs = payload(route, scene) if method in {"POST", "PUT", "DELETE", "PATCH"} else {}
    if method == "DELETE":
        kwargs = {}
    return client.request(method, fill(route.path, scene, share), follow_redirects=False, **kwargs)


def refused_as_content(response) -> bool:
    return response.status_code == 404


def no_content_in(response) -> bool:
    text = response.text
    return SECRET_BODY not in text and SECRET_TITLE not in text and "grief" not in text


def anonymous_refusal(route, response) -> bool:
    """401 from the API; a page goes to the sign-in page (a page opened, with the way
    back to it: the same for any id, so it says nothing about the item)."""
    if route.path.startswith("/api/"):
        return response.status_code == 401
    if response.status_code != 303:
        return False
    where = response.headers["location"]
    asked = response.request.url.path
    return where == "/signin" or where == "/signin?" + urlencode({"next": asked})


def opened_as_a_page(route, method) -> bool:
    return method == "GET" and not route.path.startswith("/api/")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_the_refusal_on_every_route(scene, who):
    world = scene["world"]
    share = scene["to_sid"] if who == "Sid" else scene["target"]
    failures = []
    for route, method in routes(world):
        kind = route.openapi_extra["x-access"]
        if kind == "public":
            continue
        response = request_as(scene, who, route, method, share)
        if kind == "content" and who in (None, "Sid") and opened_as_a_page(route, method):
            ok = anonymous_refusal(route, response)
        elif kind == "content":
            ok = refused_as_content(response)
        elif who in (None, "Sid"):
            ok = anonymous_refusal(route, response)
        elif kind == "admin":
            ok = response.status_code == 404
        else:  # "member": their own things only
            ok = response.status_code < 500
        if not (ok and no_content_in(response)):
            failures.append(f"{who}: {method} {route.path} -> {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("which", ["revoked", "expired"])
def test_the_named_supervisor_gets_nothing_of_a_revoked_or_expired_share(scene, which):
    world = scene["world"]
    failures = []
    for route, method in routes(world):
        if "{share_id}" not in route.path:
            continue
        response = request_as(scene, "Sam", route, method, scene[which])
        refused = refused_as_content(response)
        if method == "PUT":
            # The id is free again: a push to it is a new share, and Sam (a supervisor)
            # has nobody to share with, so it is refused as bad input.
            refused = response.status_code in (404, 422)
        if not (refused and no_content_in(response)):
            failures.append(f"{method} {route.path} -> {response.status_code}")
    assert failures == []


def test_refusals_look_exactly_like_an_id_that_never_existed(scene):
    world = scene["world"]
    tess = world.api("Tess")
    real = tess.get(f"/api/v1/shares/{scene['target']}")
    never = tess.get(f"/api/v1/shares/{uuid.uuid4()}")
    assert (real.status_code, real.json()) == (never.status_code, never.json())
    browser = world.client("Tess")
    page_real = browser.get(f"/shares/{scene['target']}")
    page_never = browser.get(f"/shares/{uuid.uuid4()}")
    assert page_real.status_code == page_never.status_code == 404
    assert page_real.text == page_never.text


def test_the_owner_and_the_named_supervisor_do_get_in(scene):
    """The same requests succeed for those allowed, so the refusals above mean something."""
    world = scene["world"]
    for who in ("Tom", "Sam"):
        response = world.api(who).get(f"/api/v1/shares/{scene['target']}")
        assert response.status_code == 200 and SECRET_BODY in response.text
        page = world.client(who).get(f"/shares/{scene['target']}")
        assert page.status_code == 200 and "fix it" in page.text


def test_nothing_was_changed_by_the_refused_requests(scene):
    world = scene["world"]
    with reading(world.engine) as conn:
        n = conn.execute(
            select(func.count())
            .select_from(revisions)
            .where(revisions.c.share_id == scene["target"])
        ).scalar()
        said = conn.execute(
            select(func.count())
            .select_from(comments)
            .where(comments.c.share_id.in_([scene["target"], scene["to_sid"]]))
        ).scalar()
        signed = conn.execute(select(func.count()).select_from(signoffs)).scalar()
        still = conn.execute(  # the expired share is the sweep's to delete, not theirs
            select(func.count()).select_from(shares).where(shares.c.id != scene["expired"])
        ).scalar()
        tom_sessions = conn.execute(
            select(func.count())
            .select_from(sessions)
            .where(sessions.c.public_id == scene["tom_session"])
        ).scalar()
        set_ = conn.execute(select(func.count()).select_from(deadlines)).scalar()
        unread = conn.execute(
            select(func.count()).select_from(notices).where(notices.c.seen_at.is_(None))
        ).scalar()
    assert (n, said, signed, still, tom_sessions) == (1, 0, 0, 3, 1)
    assert (set_, unread) == (1, 1)
