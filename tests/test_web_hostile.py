"""The web app against hostile input and other sites: odd upload names, cross-site
requests, oversized streamed bodies, methods it does not take, booleans for scales."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import UploadFile
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from attunement.web import Settings, create_app


def make_client(data_dir: Path, **settings) -> TestClient:
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), **settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(data_dir: Path):
    with make_client(data_dir) as test_client:
        yield test_client


def routes_of(routes):
    """Every route of the app, through included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes_of(inner.routes)
        else:
            yield route


def takes_a_file(route: APIRoute) -> bool:
    def is_file(annotation) -> bool:
        options = getattr(annotation, "__args__", None) or (annotation,)
        return any(isinstance(o, type) and issubclass(o, UploadFile) for o in options)

    return any(is_file(f.field_info.annotation) for f in route.dependant.body_params)


def upload_routes() -> list[str]:
    import atexit
    import shutil
    import tempfile

    # Only the route table is read; the app opens an empty journal in a folder of its own.
    folder = Path(tempfile.mkdtemp(prefix="attune-routes-"))
    atexit.register(shutil.rmtree, folder, True)
    app = create_app(Settings(data_dir=folder))
    return sorted(
        route.path
        for route in routes_of(app.app.routes)
        if isinstance(route, APIRoute) and "POST" in route.methods and takes_a_file(route)
    )


UPLOAD_ROUTES = upload_routes()


def test_every_upload_route_is_found():
    # the web UI's three forms and the API's three upload routes
    assert len(UPLOAD_ROUTES) >= 6, UPLOAD_ROUTES


def multipart(filename: bytes, content: bytes, **fields: str) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte by byte, so a filename can carry what an HTTP
    library would escape (a NUL, invalid UTF-8)."""
    boundary = b"hostile-boundary-7f3a"
    parts = [
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value.encode()
        for name, value in fields.items()
    ]
    parts.append(
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content
    )
    body = b"\r\n".join(parts) + b"\r\n--" + boundary + b"--\r\n"
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


ODD_NAMES = {
    "dot-dot": b"..",
    "dot": b".",
    "climbing": b"../../escaped.toml",
    "windows climbing": b"..\\..\\escaped.toml",
    "NUL byte": b"notes\x00.toml",
    "300 bytes": b"n" * 300 + b".toml",
    "88 CJK characters": ("悲" * 88 + ".txt").encode(),
    "empty": b"",
    "spaces": b"   ",
    "slash": b"/",
    "invalid UTF-8": b"\xff\xfe\xfd.toml",
    "right-to-left override": "\u202elmot.txt".encode(),
    "device name": b"CON",
}
DECK = b'id = "mine"\nname = "Mine"\n[[prompts]]\nid = "mine-1"\ntext = "Hello?"\n'


@pytest.mark.parametrize("name", list(ODD_NAMES))
@pytest.mark.parametrize("route", UPLOAD_ROUTES)
def test_an_odd_filename_never_crashes_an_upload(client, data_dir, route, name):
    body, headers = multipart(ODD_NAMES[name], DECK, **{"from": "jrnl"})
    response = client.post(route, content=body, headers=headers, follow_redirects=False)
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text
    assert not list(data_dir.parent.rglob("escaped.toml"))


def test_an_upload_keeps_the_persons_name_for_messages_only(client, data_dir):
    long_name = ("悲しみ" * 40 + ".toml").encode()
    body, headers = multipart(long_name, DECK)
    added = client.post("/api/v1/decks", content=body, headers=headers)
    assert added.status_code == 201 and added.json()["id"] == "mine"
    body, headers = multipart(b"../my \x00deck.toml", b'id = "x"\nname = 3\n')
    wrong = client.post("/api/v1/decks", content=body, headers=headers)
    message = wrong.json()["error"]["message"]
    assert wrong.status_code == 422 and message.startswith("my deck.toml, line 2")
    assert "tmp" not in message and "upload" not in message
    leftovers = [p for p in data_dir.rglob("*") if p.is_file() and "upload" in p.name]
    assert leftovers == []


def test_a_transcripts_default_title_is_the_persons_file_name(client):
    text = b"Nurse: How are you today?\nClient: Tired, mostly.\n"
    body, headers = multipart("面談の記録\u202e.txt".encode(), text)
    made = client.post("/api/v1/transcripts", content=body, headers=headers)
    assert made.status_code == 201, made.text
    listed = client.get("/api/v1/transcripts").json()["transcripts"]
    assert listed[0]["title"] == "面談の記録"
    # a browser sends a quote and a line break in a filename as %22 and %0A
    body, headers = multipart(b"session %22Ama%22%0Asecond.txt", text)
    client.post("/api/v1/transcripts", content=body, headers=headers)
    titles = {t["title"] for t in client.get("/api/v1/transcripts").json()["transcripts"]}
    assert 'session "Ama" second' in titles


# -- other sites: Fetch Metadata ---------------------------------------------------------

IMG = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image"}
NAVIGATION = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}


@pytest.mark.parametrize(
    "method,path,headers",
    [
        ("GET", "/api/v1/today", IMG),
        ("GET", "/api/v1/entries", {**IMG, "sec-fetch-dest": "script"}),
        ("GET", "/api/v1/entries", {"sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"}),
        ("GET", "/", {"sec-fetch-site": "cross-site", **NAVIGATION, "sec-fetch-dest": "iframe"}),
        ("GET", "/api/v1/today", {"sec-fetch-site": "same-site", **NAVIGATION}),  # another port
        ("GET", "/api/v1/transcripts", {"sec-fetch-site": "cross-site", **NAVIGATION}),
        ("POST", "/write", {"sec-fetch-site": "cross-site", **NAVIGATION}),
        ("POST", "/api/v1/export", {"sec-fetch-site": "cross-site", **NAVIGATION}),
        ("GET", "/static/app.js", {**IMG, "sec-fetch-dest": "script"}),
    ],
)
def test_requests_from_other_sites_are_refused(client, method, path, headers):
    response = client.request(method, path, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_site"
    assert response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", **NAVIGATION},  # a link to Attunement elsewhere
        {"sec-fetch-site": "none", **NAVIGATION},  # typed or bookmarked
        {"sec-fetch-site": "same-origin", **NAVIGATION},
        {},  # no browser at all
    ],
)
def test_a_link_from_anywhere_still_opens_a_page(client, headers):
    assert client.get("/journal", headers=headers).status_code == 200


def test_attunements_own_pages_and_scripts_on_this_machine_are_answered(client):
    own = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
    assert client.get("/api/v1/today", headers=own).status_code == 200
    assert client.post("/api/v1/entries", json={"body": "mine"}, headers=own).status_code == 201
    assert client.get("/api/v1/today").status_code == 200


PASS = "correct horse battery staple"


@pytest.fixture
def encrypted(tmp_path):
    from attunement.core.journal import Journal

    data = tmp_path / "locked"
    with Journal.create_encrypted(data, PASS) as journal:
        journal.write("A private reflection")
    return data


def ping_for(client, seconds: float, headers: dict[str, str], path="/api/v1/today") -> set[int]:
    import time

    statuses = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses.add(client.get(path, headers=headers).status_code)
        time.sleep(0.1)
    return statuses


@pytest.mark.parametrize(
    "headers,answered",
    [
        (IMG, {403}),  # <img src=http://127.0.0.1:PORT/api/v1/today> on another site
        ({"sec-fetch-site": "cross-site", **NAVIGATION}, {200, 303}),  # links followed
        ({"sec-fetch-site": "same-origin", "sec-fetch-dest": "image"}, {200}),  # background
    ],
    ids=["cross-site images", "cross-site navigations", "background loads"],
)
def test_only_the_persons_own_requests_keep_the_journal_unlocked(encrypted, headers, answered):
    with make_client(encrypted, idle_lock_s=1.5) as client:
        assert client.post("/api/v1/unlock", json={"passphrase": PASS}).status_code == 200
        path = "/journal" if headers.get("sec-fetch-mode") == "navigate" else "/api/v1/today"
        statuses = ping_for(client, 2.5, headers, path)
        assert client.get("/api/v1/today").status_code == 423  # locked on time
        assert statuses <= answered | {303, 423}


def test_the_persons_own_requests_do_keep_it_unlocked(encrypted):
    own = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
    with make_client(encrypted, idle_lock_s=1.5) as client:
        assert client.post("/api/v1/unlock", json={"passphrase": PASS}).status_code == 200
        assert ping_for(client, 2.5, own) == {200}


def audit_lines(data_dir: Path) -> list[str]:
    log = data_dir / "audit.log"
    return log.read_text("utf-8").splitlines() if log.exists() else []


def test_an_export_is_a_post_and_a_get_runs_none(client, data_dir):
    client.post("/api/v1/entries", json={"body": "Kept."})
    before = audit_lines(data_dir)
    for _ in range(2):
        refused = client.get("/api/v1/export")
        assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert audit_lines(data_dir) == before
    made = client.post("/api/v1/export", headers={"sec-fetch-site": "same-origin"})
    assert made.status_code == 200 and made.json()["entries"][0]["body"] == "Kept."
    assert len(audit_lines(data_dir)) == len(before) + 1
    settings = client.get("/settings").text
    assert 'method="post" action="/api/v1/export?format=json"' in settings
    assert 'action="/api/v1/export?format=markdown"' in settings


def snapshot(data_dir: Path) -> dict[str, str]:
    """Every file's bytes, except that the journal counts by its content: every table but
    ``readings`` and ``transcript_codes``, the stored analyses of entries and transcripts,
    which a GET may fill in (caches of what the analysis says of words already there,
    never the person's data)."""
    import hashlib
    import sqlite3

    def journal_content(path: Path) -> str:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT IN ('readings', 'transcript_codes') "
                    "ORDER BY name"
                )
            ]
            rows = [(t, conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()) for t in tables]
        finally:
            conn.close()
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    return {
        str(p.relative_to(data_dir)): (
            journal_content(p)
            if p.name == "journal.sqlite3"
            else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
        and not p.name.endswith("-shm")  # SQLite readers mark the index
        and not p.name.endswith("-wal")  # part of the journal's content, read above
    }


def filled(path: str, ids: dict[str, str]) -> str:
    import re

    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_no_get_changes_anything_or_writes_the_audit_log(client, data_dir):
    entry = client.post("/api/v1/entries", json={"body": "Sat with her. #ward"}).json()
    draft = client.post("/api/v1/drafts", json={"body": "half"}).json()
    client.post("/api/v1/checkins", json={"ease": 4, "note": "tired"})
    body, headers = multipart(b"t.txt", b"Nurse: How are you?\nClient: Tired.\n")
    transcript = client.post("/api/v1/transcripts", content=body, headers=headers).json()
    vignette = client.get("/api/v1/practice/vignettes").json()["vignettes"][0]["id"]
    attempt = client.post(
        "/api/v1/practice/respond", json={"vignette_id": vignette, "response": "That is hard."}
    ).json()
    ids = {
        "entry_id": entry["id"],
        "draft_id": draft["id"],
        "transcript_id": transcript["id"],
        "vignette_id": vignette,
        "attempt_id": attempt["attempt_id"],
    }
    app = client.app.app
    gets = sorted(
        {
            filled(route.path, ids)
            for route in routes_of(app.routes)
            if "GET" in (getattr(route, "methods", None) or ()) and "openapi" not in route.path
        }
    )
    assert len(gets) > 20
    before = snapshot(data_dir)
    for path in gets:
        for params in ({}, {"q": "ward", "format": "markdown"}):
            response = client.get(path, params=params)
            assert response.status_code < 500, (path, response.text[:200])
    assert snapshot(data_dir) == before


# -- methods, sizes, malformed requests ---------------------------------------------------


@pytest.mark.parametrize(
    "method,path,allow",
    [
        ("POST", "/api/v1/today", "GET"),
        ("PUT", "/api/v1/entries/e-0001", "DELETE, GET, PATCH"),
        ("POST", "/api/v1/trash", "DELETE, GET"),
        ("DELETE", "/settings", "GET"),
        ("GET", "/api/v1/lock", "POST"),
    ],
)
def test_a_405_says_which_methods_the_address_takes(client, method, path, allow):
    response = client.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_every_405_names_methods_that_are_then_accepted(client):
    paths = {
        filled(
            r.path,
            dict.fromkeys(
                (
                    "entry_id",
                    "draft_id",
                    "transcript_id",
                    "vignette_id",
                    "attempt_id",
                    "share_id",
                    "deck_id",
                ),
                "x",
            ),
        )
        for r in routes_of(client.app.app.routes)
        if getattr(r, "methods", None)
    }
    checked = 0
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            response = client.request(method, path)
            if response.status_code != 405:
                continue
            checked += 1
            allowed = response.headers["allow"].split(", ")
            assert method not in allowed and allowed, (path, method)
            for other in allowed:
                assert client.request(other, path).status_code != 405, (path, other)
    assert checked > 30


def chunks(total: int, size: int = 1 << 20):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize(
    "path,content_type",
    [
        ("/api/v1/entries", "application/json"),
        ("/api/v1/decks", "multipart/form-data; boundary=b"),
        ("/write", "application/x-www-form-urlencoded"),
        ("/checkin", "application/x-www-form-urlencoded"),
        ("/api/v1/unlock", "text/plain"),
    ],
)
def test_a_streamed_body_over_the_limit_is_a_413(client, data_dir, path, content_type):
    response = client.post(
        path, content=chunks(20 * 1024 * 1024), headers={"content-type": content_type}
    )
    assert response.status_code == 413, response.text[:200]
    assert response.json()["error"]["code"] == "too_large"
    assert response.headers["content-security-policy"]


def test_a_malformed_request_gets_the_security_headers(tmp_path):
    import socket
    import threading
    import time

    import uvicorn

    from attunement.web.security import safe_http_protocol

    from .conftest import free_port

    port = free_port()
    app = create_app(Settings(data_dir=tmp_path / "d", port=port))
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", http=safe_http_protocol()
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"NOT HTTP AT ALL\x00\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    lowered = head.lower()
    for name in (b"content-security-policy", b"x-content-type-options", b"cache-control"):
        assert name in lowered
    import json

    assert json.loads(body)["error"]["code"] == "bad_request"


def test_attune_serve_uses_the_safe_protocol(attune, monkeypatch):
    import uvicorn

    from attunement.web.security import safe_http_protocol

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    attune("serve", "--port", "8799")
    assert seen["http"] is safe_http_protocol()


# -- values of the wrong type, and text that is not writing ------------------------------


@pytest.mark.parametrize(
    "path,payload,field",
    [
        ("/api/v1/checkins", {"fatigue": True}, "fatigue"),
        ("/api/v1/checkins", {"ease": False}, "ease"),
        ("/api/v1/checkins", {"ease": "7"}, "ease"),
        ("/api/v1/checkins", {"ease": 7.5}, "ease"),
        ("/api/v1/entries", {"body": "x", "starred": "yes"}, "starred"),
        ("/api/v1/entries", {"body": 5}, "body"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_not_coerced(client, path, payload, field):
    response = client.post(path, json=payload)
    assert response.status_code == 422 and response.json()["error"]["field"] == field
    assert client.get("/api/v1/checkins").json()["checkins"] == []
    assert client.get("/api/v1/entries").json()["total"] == 0


def _write_title(j):
    j.write("body", title="a\x00b")


def _draft_body(j):
    j.save_draft("half\x00")


def _draft_title(j):
    j.save_draft("half", title="t\x00")


def _checkin_note(j):
    j.checkin(ease=3, note="tired\x00")


def _person(j):
    j.add_person("Ke\x00mi")


def _transcript(where):
    def store(j):
        from attunement.transcripts import service
        from attunement.transcripts.parse import Turn

        turns = [Turn(0, "Nurse", "How are you?"), Turn(1, "Client", "Tired.")]
        if where == "title":
            service.store(j, turns, title="t\x00", fmt="text", caregiver="Nurse")
            return
        turns[1] = Turn(1, "Cli\x00ent" if where == "speaker" else "Client", "Tired.\x00")
        service.store(j, turns, title="t", fmt="text", caregiver="Nurse")

    return store


@pytest.mark.parametrize(
    "store",
    [
        lambda j: j.write("a NUL \x00 inside"),
        _write_title,
        _draft_body,
        _draft_title,
        _checkin_note,
        _person,
        _transcript("text"),
        _transcript("speaker"),
        _transcript("title"),
    ],
    ids=[
        "entry",
        "title",
        "draft",
        "draft title",
        "check-in note",
        "person",
        "transcript turn",
        "transcript speaker",
        "transcript title",
    ],
)
def test_every_stored_text_refuses_a_nul_the_same_way(journal, store):
    from attunement.errors import InvalidInput

    with pytest.raises(InvalidInput, match="NUL characters"):
        store(journal)
    assert journal.list_entries() == [] and journal.drafts() == [] and journal.checkins() == []
    assert journal.store.people() == [] and journal.store.list_transcripts() == []


def test_a_nul_in_a_note_or_transcript_is_a_422_on_the_web(client):
    note = client.post("/api/v1/checkins", json={"ease": 3, "note": "tired\x00"})
    assert note.status_code == 422 and note.json()["error"]["field"] == "note"
    body, headers = multipart(b"t.txt", b"Nurse: How are you?\nClient: Tired.\x00\n")
    transcript = client.post("/api/v1/transcripts", content=body, headers=headers)
    assert transcript.status_code == 422 and "NUL" in transcript.json()["error"]["message"]
    assert client.get("/api/v1/transcripts").json()["transcripts"] == []


def test_a_nul_in_a_note_is_refused_by_the_cli(attune):
    result = attune("checkin", "--ease", "3", "--note", "tired\x00", ok=False)
    assert result.exit_code == 2 and "NUL" in result.output
