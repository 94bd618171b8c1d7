"""A request to the team server holds at most one database connection at a time. A page
that reads and then records something (a supervisor opening a share, a lead loading the
cohort page) gives its reading connection back before it writes: were each request to
hold one connection while waiting for a second, a busy server would empty its pool with
requests all waiting on each other.

Runs on SQLite, and on PostgreSQL (where a request's reads share one connection) when
ATTUNE_TEST_POSTGRES is set."""

from __future__ import annotations

import threading

from sqlalchemy import event

from .server_world import build_world


class Held:
    """How many connections are checked out of the pool at most, while watching."""

    def __init__(self, engine) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()
        event.listen(engine.pool, "checkout", self.out)
        event.listen(engine.pool, "checkin", self.back)

    def out(self, *_args) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def back(self, *_args) -> None:
        with self.lock:
            self.now -= 1

    def during(self, send) -> int:
        self.most = self.now
        response = send()
        assert response.status_code < 400, response.text
        return self.most - self.now


def test_reading_then_writing_holds_one_connection_at_a_time(tmp_path):
    world = build_world(tmp_path)
    share_id = world.share("Tom", "Sam", "After the ward round", "What I noticed.")
    world.api("Sam").post(f"/api/v1/shares/{share_id}/comments", json={"body": "Say more."})
    sam, tom, lee = world.client("Sam"), world.client("Tom"), world.client("Lee")
    tom_api = world.api("Tom")
    for who, path in [(sam, "/"), (tom, "/"), (lee, "/"), (tom_api, "/api/v1/shares")]:
        who.get(path)  # each signed in and seen once: no session touch below
    held = Held(world.engine)

    cases = {
        "a supervisor opens the share": lambda: sam.get(f"/shares/{share_id}"),
        "the owner reads it with its comment notice": lambda: tom.get(f"/shares/{share_id}"),
        "the owner's computer fetches it": lambda: tom_api.get(f"/api/v1/shares/{share_id}"),
        "the supervisor's home page": lambda: sam.get("/"),
        "the lead's cohort page": lambda: lee.get(f"/courses/{world.courses['A']}/cohort"),
        "a sync": lambda: tom_api.get("/api/v1/sync"),
        "a comment": lambda: sam.post(
            f"/shares/{share_id}/comments", data={"body": "Thank you."}, follow_redirects=False
        ),
    }
    most = {what: held.during(send) for what, send in cases.items()}
    assert most == {what: 1 for what in cases}


def test_connections_the_database_dropped_while_idle_are_replaced_unseen(tmp_path, monkeypatch):
    """A database restart (or a firewall closing idle connections) while the server sat
    idle: the next requests are answered as usual, the dead connections replaced."""
    import pytest
    from sqlalchemy import create_engine, text

    from attunement.server import db

    world = build_world(tmp_path)
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no connections to lose")
    tom = world.api("Tom")
    for _ in range(3):
        assert tom.get("/api/v1/shares").status_code == 200
    killer = create_engine(world.config.database_url)
    with killer.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    killer.dispose()
    assert ended >= 1
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if ten idle seconds had passed
    for _ in range(3):
        assert tom.get("/api/v1/shares").status_code == 200


def test_statements_are_never_compiled_just_in_time(tmp_path):
    """PostgreSQL compiles a statement whose estimate passes ``jit_above_cost``, which for
    a short statement costs far more than running it (20 ms for a 1 ms answer): the
    server's connections have it off."""
    import pytest
    from sqlalchemy import text

    world = build_world(tmp_path)
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite compiles nothing just in time")
    with world.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"
