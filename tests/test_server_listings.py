"""Sam's inbox and Tom's list of what he shared stay a few queries however much is in them:
a programme of a thousand trainees does not make a supervisor's home page slower with
every item (it took seven queries per item before). And the inbox still shows only what
Sam may read: not a share whose owner was suspended, nor anything once Sam has left the
course."""

from __future__ import annotations

from sqlalchemy import event, update

from attunement.server import accounts
from attunement.server.db import writing
from attunement.server.schema import memberships

from .server_world import build_world


def statements(world, path: str, client) -> tuple[int, list]:
    seen: list[str] = []

    def count(conn, cursor, statement, *rest) -> None:
        seen.append(statement)

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return len(seen), response.json()


def share_some(world, how_many: int, start: int = 0) -> list[str]:
    ids = []
    for n in range(start, start + how_many):
        share_id = world.share("Tom", "Sam", f"Reflection {n}", f"What I noticed, part {n}.")
        ids.append(share_id)
    return ids


def test_inbox_and_my_shares_cost_the_same_queries_for_twenty_items_as_for_two(tmp_path):
    world = build_world(tmp_path)
    tom, sam = world.api("Tom"), world.api("Sam")
    first = share_some(world, 2)
    sam.post(f"/api/v1/shares/{first[0]}/comments", json={"body": "Say more here."})
    few_inbox, _ = statements(world, "/api/v1/inbox", sam)
    few_mine, _ = statements(world, "/api/v1/shares", tom)

    more = share_some(world, 18, start=2)
    shown = sam.get(f"/api/v1/shares/{more[0]}").json()
    sam.post(
        f"/api/v1/shares/{more[0]}/signoff",
        json={"revision": shown["shown"]["number"], "sha256": shown["shown"]["sha256"]},
    )
    sam.post(
        f"/api/v1/shares/{more[1]}/comments", json={"body": "Please redo this.", "kind": "changes"}
    )
    many_inbox, inbox = statements(world, "/api/v1/inbox", sam)
    many_mine, mine = statements(world, "/api/v1/shares", tom)

    assert many_inbox == few_inbox
    assert many_mine == few_mine
    assert len(inbox) == len(mine) == 20
    by_id = {item["id"]: item for item in mine}
    assert by_id[more[0]]["status"] == "signed off"
    assert by_id[more[0]]["last_opened"] is not None
    assert by_id[more[1]]["status"] == "changes requested"
    assert by_id[first[0]]["comments"] == 1
    assert by_id[first[1]]["status"] == "not opened yet"
    assert by_id[first[1]]["reader"] == {"id": world.ids["Sam"], "name": "Sam"}
    assert {item["owner"]["name"] for item in inbox} == {"Tom"}
    assert [item["title"] for item in inbox][:2] == ["Reflection 19", "Reflection 18"]


def test_the_inbox_leaves_out_what_sam_may_no_longer_read(tmp_path):
    world = build_world(tmp_path)
    sam = world.api("Sam")
    world.share("Tom", "Sam", "From Tom", "Tom's words.")
    world.share("Tess", "Sam", "From Tess", "Tess's words.")
    assert {i["title"] for i in sam.get("/api/v1/inbox").json()} == {"From Tom", "From Tess"}

    admin, _ = world.actor("Ada")
    accounts.set_suspended(world.engine, admin, world.ids["Tess"], True)
    assert [i["title"] for i in sam.get("/api/v1/inbox").json()] == ["From Tom"]

    with writing(world.engine) as conn:
        conn.execute(
            update(memberships)
            .where(memberships.c.user_id == world.ids["Sam"])
            .values(role="trainee")
        )
    assert sam.get("/api/v1/inbox").json() == []


def test_a_long_inbox_comes_in_pages_of_twenty_five_newest_first(tmp_path):
    import re

    world = build_world(tmp_path)
    sam, tom = world.client("Sam"), world.client("Tom")
    share_some(world, 30)

    first = sam.get("/").text
    assert "Items 1 to 25 of 30." in first
    assert "Reflection 29" in first and "Reflection 5<" in first
    assert "Reflection 4<" not in first
    assert 'href="/?inbox=2#inbox-h">Older</a>' in first

    second = sam.get("/?inbox=2").text
    assert "Items 26 to 30 of 30." in second
    shown = set(re.findall(r"Reflection (\d+)<", second))
    assert shown == {"0", "1", "2", "3", "4"}
    assert 'href="/?inbox=1#inbox-h">Newer</a>' in second
    assert "past the last" in sam.get("/?inbox=9").text
    assert sam.get("/?inbox=0").status_code == 422

    # Tom's own list pages the same way, apart from Sam's.
    assert "Items 1 to 25 of 30." in tom.get("/").text
    assert "Items 26 to 30 of 30." in tom.get("/?mine=2").text
