"""Sam's inbox page and Lee's home page are drawn once and kept between looks, and drawn
again the moment anything they show changes, whatever made the change: a new share, a
new version, a comment, a request for changes, a sign-off, an open, a notice read, a
deadline set or removed, a membership, a name, a suspension, an expiry, a new day.
Nobody ever sees what was kept for someone else, nor another session's CSRF token.

Runs on SQLite, and on PostgreSQL when ATTUNE_TEST_POSTGRES is set.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, update

from attunement.server import deadlines, notices, overview, sharing
from attunement.server.db import now, writing
from attunement.server.schema import memberships, shares, users

from .server_world import build_world, form_csrf

TODAY = date.today()


@pytest.fixture
def world(tmp_path, monkeypatch):
    world = build_world(tmp_path)
    drawn: list[str] = []
    view = overview._view
    monkeypatch.setattr(
        overview, "_view", lambda conn, actor, *a: drawn.append(actor.name) or view(conn, actor, *a)
    )
    world.drawn = drawn  # type: ignore[attr-defined]
    world.browsers = {}  # type: ignore[attr-defined]
    return world


def home(world, name: str) -> str:
    """The member's home page, in their one browser (one session)."""
    if name not in world.browsers:
        world.browsers[name] = world.client(name)
    response = world.browsers[name].get("/")
    assert response.status_code == 200, response.text
    return response.text


def drawn_again(world, name: str) -> str:
    """The page, which must have been drawn afresh for this look."""
    before = len(world.drawn)
    page = home(world, name)
    assert world.drawn[before:] == [name], f"{name}'s page was not drawn again"
    return page


def kept(world, name: str) -> str:
    """The page, which must have been kept from the last look."""
    before = len(world.drawn)
    page = home(world, name)
    assert len(world.drawn) == before, f"{name}'s page was drawn again with nothing changed"
    return page


def row_of(page: str, title: str) -> str:
    """The inbox table's row of the item with this title."""
    found = re.search(
        r"<tr>\s*<td><a href=\"/shares/[^\"]+\">" + re.escape(title) + r"</a>.*?</tr>", page, re.S
    )
    assert found, f"{title!r} is not listed"
    return found.group(0)


def test_the_inbox_is_kept_until_something_on_it_changes(world):
    sam, tom = world.api("Sam"), world.api("Tom")
    first = world.share("Tom", "Sam", "Week one", "What I noticed.")
    page = drawn_again(world, "Sam")
    assert "not opened yet" in row_of(page, "Week one")
    assert kept(world, "Sam") == page
    assert kept(world, "Sam") == page

    # A new share.
    second = world.share("Tom", "Sam", "Week two", "More.")
    assert "Week two" in drawn_again(world, "Sam")
    kept(world, "Sam")
    # A new version of it.
    assert (
        tom.put(
            f"/api/v1/shares/{second}",
            json={
                "kind": "entry",
                "reader": world.ids["Sam"],
                "title": "Week two, again",
                "body": "Less.",
            },
        ).status_code
        == 200
    )
    page = drawn_again(world, "Sam")
    assert ">2</td>" in row_of(page, "Week two, again")
    kept(world, "Sam")
    # Sam opens it (an open is written by nothing but the look itself).
    shown = sam.get(f"/api/v1/shares/{first}").json()["shown"]
    assert "opened" in row_of(drawn_again(world, "Sam"), "Week one")
    kept(world, "Sam")
    sam.get(f"/api/v1/shares/{first}")  # a second look changes nothing shown
    kept(world, "Sam")
    # A comment from Tom: a notice for Sam, and the count.
    tom.post(f"/api/v1/shares/{first}/comments", json={"body": "A question."})
    page = drawn_again(world, "Sam")
    assert "You have a new comment on “Week one”" in page
    assert "1 comment" in row_of(page, "Week one")
    kept(world, "Sam")
    tom.post(f"/api/v1/shares/{first}/comments", json={"body": "And another."})
    assert "You have 2 new comments on “Week one”" in drawn_again(world, "Sam")
    kept(world, "Sam")
    # Sam reads them: the notice goes.
    sam.get(f"/api/v1/shares/{first}")
    assert "new comment" not in drawn_again(world, "Sam")
    kept(world, "Sam")
    # A request for changes, then a sign-off.
    sam.post(f"/api/v1/shares/{first}/comments", json={"body": "Redo.", "kind": "changes"})
    assert "changes requested" in row_of(drawn_again(world, "Sam"), "Week one")
    kept(world, "Sam")
    done = sam.post(
        f"/api/v1/shares/{first}/signoff",
        json={"revision": shown["number"], "sha256": shown["sha256"]},
    )
    assert done.status_code == 201, done.text
    assert "signed off" in row_of(drawn_again(world, "Sam"), "Week one")
    kept(world, "Sam")
    # Tom renamed, straight in the database.
    with writing(world.engine) as conn:
        conn.execute(update(users).where(users.c.id == world.ids["Tom"]).values(name="Thomas"))
    assert "<td>Thomas</td>" in drawn_again(world, "Sam")
    kept(world, "Sam")
    # Tom revokes an item.
    assert tom.delete(f"/api/v1/shares/{second}").status_code == 200
    assert "Week two" not in drawn_again(world, "Sam")
    kept(world, "Sam")


def test_comment_notices_dismissed_and_mine_listed_are_never_kept_stale(world):
    sam, tom = world.api("Sam"), world.api("Tom")
    item = world.share("Tom", "Sam", "Week one", "What I noticed.")
    page = drawn_again(world, "Tom")
    assert "not opened yet" in row_of(page, "Week one")
    kept(world, "Tom")
    sam.get(f"/api/v1/shares/{item}")  # Sam's open shows on Tom's list
    assert "opened" in row_of(drawn_again(world, "Tom"), "Week one")
    kept(world, "Tom")
    sam.post(f"/api/v1/shares/{item}/comments", json={"body": "Good."})
    page = drawn_again(world, "Tom")
    assert "You have a new comment on “Week one”" in page
    kept(world, "Tom")
    notice = world.api("Tom").get("/api/v1/notices").json()[0]["id"]
    assert tom.post(f"/api/v1/notices/{notice}/dismiss").status_code == 200
    assert "new comment" not in drawn_again(world, "Tom")
    kept(world, "Tom")


def test_deadlines_memberships_and_suspensions_show_at_once(world, monkeypatch):
    lee = world.api("Lee")
    course = world.courses["A"]
    world.share("Tom", "Sam", "Week one", "What I noticed.")
    world.share("Tess", "Lee", "Tess's week", "Words.")
    drawn_again(world, "Sam")
    lee_page = drawn_again(world, "Lee")
    assert "Cohort A: cohort overview" in lee_page
    kept(world, "Lee")

    # A deadline: the items that would meet it await a sign-off.
    made = lee.post(
        f"/api/v1/courses/{course}/deadlines",
        json={
            "title": "First reflection signed off",
            "kind": "entry",
            "due_on": (TODAY + timedelta(days=3)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    waiting = "awaits your sign-off for “First reflection signed off”"
    assert waiting in drawn_again(world, "Sam")
    assert waiting in drawn_again(world, "Lee")
    assert "First reflection signed off" in drawn_again(world, "Tom")  # Your deadlines
    kept(world, "Sam"), kept(world, "Lee"), kept(world, "Tom")
    # Days pass: overdue.
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=5))
    assert "which was due on" in drawn_again(world, "Sam")
    kept(world, "Sam")
    monkeypatch.setattr(deadlines, "today", lambda: TODAY)
    # The deadline removed.
    gone = lee.delete(f"/api/v1/courses/{course}/deadlines/{made.json()['id']}")
    assert gone.status_code == 200, gone.text
    assert waiting not in drawn_again(world, "Sam")
    assert waiting not in drawn_again(world, "Lee")
    kept(world, "Sam")

    # Sam leaves the course: nothing of it is his to read any more; then comes back.
    with writing(world.engine) as conn:
        conn.execute(
            delete(memberships).where(
                memberships.c.user_id == world.ids["Sam"], memberships.c.course_id == course
            )
        )
    assert "Week one" not in drawn_again(world, "Sam")
    kept(world, "Sam")
    with writing(world.engine) as conn:
        conn.execute(
            memberships.insert().values(
                course_id=course, user_id=world.ids["Sam"], role="supervisor", created_at=now()
            )
        )
    assert "Week one" in drawn_again(world, "Sam")
    kept(world, "Sam")
    # Lee comes to lead cohort B too.
    with writing(world.engine) as conn:
        conn.execute(
            memberships.insert().values(
                course_id=world.courses["B"],
                user_id=world.ids["Lee"],
                role="lead",
                created_at=now(),
            )
        )
    assert "Cohort B: cohort overview" in drawn_again(world, "Lee")
    kept(world, "Lee")
    # Tess suspended: her item leaves Lee's inbox.
    from attunement.server import accounts

    accounts.set_suspended(world.engine, world.actor("Ada")[0], world.ids["Tess"], True)
    assert "Tess&#39;s week" not in drawn_again(world, "Lee")
    kept(world, "Lee")


def test_an_expiry_ends_what_was_kept(world, monkeypatch):
    item = world.share("Tom", "Sam", "Soon gone", "Words.")
    soon = now() + timedelta(minutes=5)
    with writing(world.engine) as conn:
        conn.execute(update(shares).where(shares.c.id == item).values(expires_at=soon))
    assert "Soon gone" in drawn_again(world, "Sam")
    kept(world, "Sam")
    later = soon + timedelta(seconds=1)
    for module in (overview, sharing, notices):
        monkeypatch.setattr(module, "now", lambda: later)
    assert "Soon gone" not in drawn_again(world, "Sam")
    kept(world, "Sam")


def test_no_one_sees_what_was_kept_for_someone_else(world):
    world.share("Tom", "Sam", "For Sam", "Words.")
    world.share("Tess", "Sue", "For Sue", "Words.")
    sam = drawn_again(world, "Sam")
    sue = drawn_again(world, "Sue")
    assert "For Sam" in sam and "For Sue" not in sam
    assert "For Sue" in sue and "For Sam" not in sue
    assert kept(world, "Sam") == sam and kept(world, "Sue") == sue
    # Another session of Sam's gets the kept page with its own CSRF token.
    other = world.client("Sam")
    before = len(world.drawn)
    page = other.get("/").text
    assert len(world.drawn) == before
    assert form_csrf(page) == other.headers["X-CSRF-Token"] != form_csrf(sam)
    assert overview.CSRF not in page
    assert "Sign out Sam" in page


def test_an_admins_home_page_is_drawn_every_time(world):
    """An admin's page lists every course, and a new course is not a change in any."""
    from attunement.server import accounts

    drawn_again(world, "Ada")
    drawn_again(world, "Ada")
    accounts.create_course(world.engine, world.actor("Ada")[0], "Cohort C")
    assert "Cohort C: cohort overview" in drawn_again(world, "Ada")
