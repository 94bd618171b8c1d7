"""A small training programme on a fresh team server, for the server's tests.

Hospice Training has two cohorts. In cohort A: Tom and Tess are trainees, Sam and Sue
supervisors, Lee the course lead, Sid a supervisor who gets suspended. Otto supervises
cohort B only. Ada is the admin. The database is SQLite in a temporary folder, or a
real PostgreSQL when ATTUNE_TEST_POSTGRES names one (its public schema is emptied first).
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from attunement.server import accounts, passwords, sessions
from attunement.server.app import create_app
from attunement.server.config import ServerConfig, database_url
from attunement.server.db import now, writing
from attunement.server.schema import memberships
from attunement.server.sessions import Actor

PASSWORD = "a long enough password"
ENV_POSTGRES = "ATTUNE_TEST_POSTGRES"


def fresh_database(tmp_path: Path) -> str:
    """A database URL with nothing in it."""
    url = os.environ.get(ENV_POSTGRES)
    if not url:
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    url = database_url(url, tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def server_config(url: str, **overrides: Any) -> ServerConfig:
    return ServerConfig(database_url=url, argon2_memory_kib=1024, argon2_time_cost=1, **overrides)


@dataclass
class World:
    config: ServerConfig
    app: Any
    ids: dict[str, str] = field(default_factory=dict)  # name -> user id
    courses: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.state.engine

    def actor(self, name: str, kind: str = "web") -> tuple[Actor, str]:
        """A fresh session for a member, made directly: (actor, token)."""
        with writing(self.engine) as conn:
            token, _csrf = sessions.start(conn, self.config, self.ids[name], kind, "test")
            actor = sessions.resolve(conn, self.config, token)
        assert actor is not None, name
        return actor, token

    def client(self, name: str | None = None) -> TestClient:
        """A browser signed in as `name` (None: nobody), sending its CSRF token."""
        client = TestClient(self.app, base_url="http://testserver")
        if name is not None:
            actor, token = self.actor(name)
            client.cookies.set("attune_session", token)
            client.headers["X-CSRF-Token"] = actor.csrf
        return client

    def api(self, name: str) -> TestClient:
        """The local app's client for `name`: a bearer token, no cookie."""
        _actor, token = self.actor(name, "token")
        client = TestClient(self.app, base_url="http://testserver")
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    def member(self, name: str, course: str | None, role: str, admin: bool = False) -> str:
        ph = passwords.hasher(self.config.argon2_memory_kib, self.config.argon2_time_cost)
        email = f"{name.lower()}@example.org"
        with writing(self.engine) as conn:
            user_id = accounts.create_user(
                conn, email, name, passwords.hash_password(ph, PASSWORD), admin=admin
            )
            if course is not None:
                conn.execute(
                    memberships.insert().values(
                        course_id=self.courses[course],
                        user_id=user_id,
                        role=role,
                        created_at=now(),
                    )
                )
        self.ids[name] = user_id
        return user_id

    def share(self, owner: str, reader: str, title: str, body: str, **extra: Any) -> str:
        share_id = str(uuid.uuid4())
        response = self.api(owner).put(
            f"/api/v1/shares/{share_id}",
            json={
                "kind": "entry",
                "reader": self.ids[reader],
                "title": title,
                "body": body,
                **extra,
            },
        )
        assert response.status_code == 200, response.text
        return share_id


def build_world(tmp_path: Path, **overrides: Any) -> World:
    overrides.setdefault("key_file", str(tmp_path / "server.key"))  # sealing's key, not in the db
    config = server_config(fresh_database(tmp_path), **overrides)
    world = World(config, create_app(config))
    link = accounts.initialise(world.engine, config, "ada@example.org", "Ada", "Hospice Training")
    admin, _ = _admin(world, link)
    world.courses["A"] = accounts.create_course(world.engine, admin, "Cohort A")
    world.courses["B"] = accounts.create_course(world.engine, admin, "Cohort B")
    for name, course, role in [
        ("Tom", "A", "trainee"),
        ("Tess", "A", "trainee"),
        ("Sam", "A", "supervisor"),
        ("Sue", "A", "supervisor"),
        ("Lee", "A", "lead"),
        ("Sid", "A", "supervisor"),
        ("Otto", "B", "supervisor"),
        ("Bea", "B", "trainee"),
    ]:
        world.member(name, course, role)
    return world


def _admin(world: World, link: str) -> tuple[Actor, str]:
    client = TestClient(world.app)
    path = link.split(world.config.public_url, 1)[1]
    page = client.get(path)
    csrf = form_csrf(page.text)
    done = client.post(path, data={"csrf": csrf, "password": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303, done.text
    from sqlalchemy import select

    from attunement.server.schema import users

    with writing(world.engine) as conn:
        world.ids["Ada"] = conn.execute(
            select(users.c.id).where(users.c.email == "ada@example.org")
        ).scalar_one()
    return world.actor("Ada")


def invitation_path(world: World, course: str = "A", role: str = "trainee") -> str:
    """Ada invites someone to a course from the admin page: the welcome link's path."""
    ada = world.client("Ada")
    made = ada.post(
        "/admin/invitations",
        data={"csrf": ada.headers["X-CSRF-Token"], "course": world.courses[course], "role": role},
    )
    link = made.text.split('<code class="link">')[1].split("<")[0]
    return link.removeprefix(world.config.public_url)


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def expire(world: World, share_id: str) -> None:
    from sqlalchemy import update

    from attunement.server.schema import shares

    with writing(world.engine) as conn:
        conn.execute(
            update(shares)
            .where(shares.c.id == share_id)
            .values(expires_at=now() - timedelta(seconds=1))
        )
