"""Setting a team server up: `attune server init` makes the schema and the first admin
and prints a one-time link; the migrations give exactly the tables the code expects; a
database from a newer Attunement is refused; the link works once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from attunement.server.app import create_app
from attunement.server.db import ensure_schema, now, open_engine, reading, writing
from attunement.server.schema import HEAD_REVISION, VERSION_TABLE, invitations, metadata, users

from .server_world import (
    PASSWORD,
    build_world,
    form_csrf,
    fresh_database,
    invitation_path,
    server_config,
)


def test_migrations_make_exactly_the_schema_the_code_expects(tmp_path):
    engine = open_engine(fresh_database(tmp_path))
    ensure_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []
        assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == (
            HEAD_REVISION
        )
    ensure_schema(engine)  # a second start changes nothing


def test_a_database_from_a_newer_attunement_is_refused(tmp_path):
    from attunement.errors import StorageError

    engine = open_engine(fresh_database(tmp_path))
    ensure_schema(engine)
    with writing(engine) as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 's9999'"))
    with pytest.raises(StorageError, match="newer than this Attunement knows"):
        ensure_schema(engine)


def test_server_init_prints_a_one_time_link_for_the_first_admin(tmp_path, attune):
    url = fresh_database(tmp_path)
    made = attune.json(
        "server",
        "init",
        "--database",
        url,
        "--email",
        "Ada@Example.org",
        "--name",
        "Ada",
        "--organisation",
        "Hospice Training",
        "--url",
        "https://team.example.org",
    )
    link = made["sign_in_link"]
    assert link.startswith("https://team.example.org/welcome/")
    again = attune(
        "server", "init", "--database", url, "--email", "x@example.org", "--name", "X", ok=False
    )
    assert again.exit_code == 1 and "already has accounts" in again.output

    app = create_app(server_config(url))
    browser = TestClient(app)
    path = link.removeprefix("https://team.example.org")
    page = browser.get(path)
    assert "Choose a password for ada@example.org" in page.text
    short = browser.post(path, data={"csrf": form_csrf(page.text), "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    page = browser.get(path)
    done = browser.post(
        path, data={"csrf": form_csrf(page.text), "password": PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303
    assert browser.get(path).status_code == 404  # used once
    token = browser.post("/api/v1/token", json={"email": "ada@example.org", "password": PASSWORD})
    assert token.status_code == 200


def test_bad_database_urls_get_one_sentence(tmp_path, attune):
    wrong = attune(
        "server",
        "init",
        "--database",
        "mysql://x",
        "--email",
        "a@example.org",
        "--name",
        "A",
        ok=False,
    )
    assert wrong.exit_code == 2 and "postgresql://" in wrong.output
    assert "Traceback" not in wrong.output
    down = attune(
        "server",
        "init",
        "--database",
        "postgresql://nobody@127.0.0.1:1/none",
        "--email",
        "a@example.org",
        "--name",
        "A",
        ok=False,
    )
    assert down.exit_code == 3 and "Cannot reach the server's database" in down.output


def test_an_invitation_makes_an_account_in_the_course_with_its_role(tmp_path):
    world = build_world(tmp_path)
    path = invitation_path(world, "B", "supervisor")
    newcomer = TestClient(world.app)
    page = newcomer.get(path)
    assert "Cohort B" in page.text and "supervisor" in page.text
    done = newcomer.post(
        path,
        data={
            "csrf": form_csrf(page.text),
            "name": "Nia",
            "email": "nia@example.org",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    token = newcomer.post(
        "/api/v1/token", json={"email": "nia@example.org", "password": PASSWORD}
    ).json()["token"]
    me = TestClient(world.app, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me")
    assert me.json()["courses"] == [
        {"id": world.courses["B"], "name": "Cohort B", "role": "supervisor"}
    ]
    bea = world.api("Bea")  # a trainee of cohort B can now share with Nia
    assert "Nia" in json.dumps(bea.get("/api/v1/me").json()["readers"])
    assert newcomer.get(path).status_code == 404
    with reading(world.engine) as conn:
        stored = conn.execute(
            select(users.c.password_hash).where(users.c.email == "nia@example.org")
        ).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_invitation_link_expires(tmp_path):
    world = build_world(tmp_path)
    path = invitation_path(world)
    newcomer = TestClient(world.app)
    page = newcomer.get(path)
    assert page.status_code == 200
    with writing(world.engine) as conn:
        conn.execute(update(invitations).values(expires_at=now() - timedelta(minutes=1)))
    assert newcomer.get(path).status_code == 404
    late = newcomer.post(
        path,
        data={
            "csrf": form_csrf(page.text),
            "name": "Late",
            "email": "late@example.org",
            "password": PASSWORD,
        },
    )
    assert late.status_code == 404
    with reading(world.engine) as conn:
        assert (
            conn.execute(select(users.c.id).where(users.c.email == "late@example.org")).first()
            is None
        )
