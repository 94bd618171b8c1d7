"""The web app on an encrypted journal: it opens on an unlock page, keeps the key only in
memory, and locks again when idle or asked to."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.web import Settings, create_app

from .conftest import free_port

PASS = "correct horse battery staple"


@pytest.fixture
def encrypted(tmp_path):
    data = tmp_path / "data"
    with Journal.create_encrypted(data, PASS) as journal:
        journal.write("A private reflection")
    return data


def client_for(data, **settings):
    return TestClient(create_app(Settings(data_dir=data, extra_hosts=("testserver",), **settings)))


def test_it_opens_locked_and_unlocks_with_the_passphrase(encrypted):
    with client_for(encrypted) as client:
        page = client.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/unlock"
        locked = client.get("/api/v1/today")
        assert locked.status_code == 423 and locked.json()["error"]["code"] == "locked"
        form = client.get("/unlock")
        assert 'type="password"' in form.text and "<script>" not in form.text
        wrong = client.post("/unlock", data={"passphrase": "not it"})
        assert wrong.status_code == 422 and "does not open" in wrong.text
        assert client.get("/api/v1/today").status_code == 423
        done = client.post("/unlock", data={"passphrase": PASS}, follow_redirects=False)
        assert done.status_code == 303
        entries = client.get("/api/v1/entries").json()["entries"]
        assert [e["body"] for e in entries] == ["A private reflection"]
        assert 'action="/lock"' in client.get("/").text
        assert client.post("/api/v1/lock").json() == {"locked": True}
        assert client.get("/api/v1/entries").status_code == 423


def test_it_locks_itself_after_the_idle_time(encrypted):
    # The idle time is long enough that a busy machine (the unlock starts the reading of
    # unread entries beside it) still answers the next request within it.
    with client_for(encrypted, idle_lock_s=1.5) as client:
        assert client.post("/api/v1/unlock", json={"passphrase": PASS}).json() == {"locked": False}
        assert client.get("/api/v1/today").status_code == 200
        time.sleep(2.0)
        assert client.get("/api/v1/today").status_code == 423


def test_a_plain_journal_never_locks(tmp_path):
    with client_for(tmp_path / "plain") as client:
        assert client.post("/api/v1/lock").json() == {"locked": False}
        assert client.get("/api/v1/today").status_code == 200
        assert client.get("/unlock", follow_redirects=False).status_code == 303
        assert 'action="/lock"' not in client.get("/").text


def test_attune_lock_says_when_no_server_answers(attune):

    port = free_port()
    result = attune("lock", "--port", str(port), ok=False)
    assert result.exit_code == 3 and "No Attunement web app answered" in result.stderr


def test_unlocking_returns_to_the_page_asked_for(encrypted):
    with client_for(encrypted) as client:
        asked = client.get("/journal?q=chest", follow_redirects=False)
        assert asked.status_code == 303
        assert asked.headers["location"] == "/unlock?next=%2Fjournal%3Fq%3Dchest"
        # A form sent while locked comes back to its own page, not to Today.
        sent = client.post("/checkin", data={"note": "tight chest"}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/unlock?next=%2Fcheckin"
        form = client.get(asked.headers["location"])
        assert 'name="next" value="/journal?q=chest"' in form.text
        wrong = client.post("/unlock", data={"passphrase": "not it", "next": "/journal?q=chest"})
        assert wrong.status_code == 422 and 'value="/journal?q=chest"' in wrong.text
        done = client.post(
            "/unlock",
            data={"passphrase": PASS, "next": "/journal?q=chest"},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == "/journal?q=chest"
        again = client.get("/unlock?next=/checkin", follow_redirects=False)
        assert again.headers["location"] == "/checkin"


OFF_SITE = [
    "https://elsewhere.example/journal",
    "http:/elsewhere.example",
    "//elsewhere.example/journal",
    "/\\elsewhere.example",
    "\\\\elsewhere.example",
    "javascript:alert(1)",
    "journal",
    "/journal\r\nSet-Cookie: x=1",
    "/unlock?next=/journal",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_unlock_only_goes_on_to_a_path_on_this_site(encrypted, target):
    with client_for(encrypted) as client:
        form = client.get("/unlock", params={"next": target})
        assert 'name="next" value="/"' in form.text
        done = client.post(
            "/unlock", data={"passphrase": PASS, "next": target}, follow_redirects=False
        )
        assert done.status_code == 303 and done.headers["location"] == "/"
        opened = client.get("/unlock", params={"next": target}, follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/"
