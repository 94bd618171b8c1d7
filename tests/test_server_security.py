"""The team server against the usual attacks: session fixation, cross-site requests,
password guessing, script injected through comments or shared Markdown, SQL injection,
and forged forwarding headers."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from attunement.server.db import reading
from attunement.server.schema import comments, users

from .server_world import PASSWORD, build_world, form_csrf, invitation_path


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    client.cookies.clear()  # the test says which cookies travel
    page = client.get("/signin")
    presign = page.cookies.get("attune_signin")
    return client.post(
        "/signin",
        data={"csrf": form_csrf(page.text), "email": email, "password": password},
        headers={"Cookie": f"attune_signin={presign}; {session_cookie_of(client)}"},
        follow_redirects=False,
    )


def session_cookie_of(client: TestClient) -> str:
    value = client.headers.get("x-test-session")
    return f"attune_session={value}" if value else ""


def session_of(response) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("attune_session="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError("no session cookie was set")


def carrying(client: TestClient, session: str) -> TestClient:
    """The same browser, holding this session cookie."""
    client.headers["x-test-session"] = session
    return client


def test_sign_in_sets_a_safe_cookie_and_a_new_session_id_every_time(world):
    browser = TestClient(world.app)
    done = sign_in(browser, "tom@example.org")
    assert done.status_code == 303
    cookie = [c for c in done.headers.get_list("set-cookie") if "attune_session" in c][0]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http on loopback; see the proxy test for https
    first = session_of(done)
    second = session_of(sign_in(carrying(browser, first), "tom@example.org"))
    assert first != second
    me = TestClient(world.app, headers={"Authorization": f"Bearer {second}"})
    assert me.get("/api/v1/me").status_code == 200
    stale = TestClient(world.app, headers={"Authorization": f"Bearer {first}"})
    assert stale.get("/api/v1/me").status_code == 401  # the old session ended


def test_a_session_id_planted_before_sign_in_is_worthless(world):
    planted = "attacker-chose-this-value-0123456789"
    victim = carrying(TestClient(world.app), planted)
    assert session_of(sign_in(victim, "tom@example.org")) != planted
    attacker = TestClient(world.app, headers={"Authorization": f"Bearer {planted}"})
    assert attacker.get("/api/v1/me").status_code == 401
    # Nor does a real session of the attacker's survive the victim signing in over it.
    _, attackers_own = world.actor("Tess")
    victim = carrying(TestClient(world.app), attackers_own)
    assert session_of(sign_in(victim, "tom@example.org")) != attackers_own
    attacker = TestClient(world.app, headers={"Authorization": f"Bearer {attackers_own}"})
    assert attacker.get("/api/v1/me").status_code == 401


def test_every_form_needs_its_csrf_token(world):
    share_id = world.share("Tom", "Sam", "Title", "Body text.")
    sam = world.client("Sam")
    good = sam.headers.pop("X-CSRF-Token")
    for token in (None, "", "forged", good[:-1] + ("A" if good[-1] != "A" else "B")):
        data = {"body": "Injected comment"}
        if token is not None:
            data["csrf"] = token
        response = sam.post(f"/shares/{share_id}/comments", data=data)
        assert response.status_code == 403, token
    with reading(world.engine) as conn:
        assert conn.execute(select(func.count()).select_from(comments)).scalar() == 0
    # The sign-in form has its own (double-submit) token.
    browser = TestClient(world.app)
    browser.get("/signin")
    forged = browser.post(
        "/signin", data={"csrf": "x", "email": "tom@example.org", "password": PASSWORD}
    )
    assert forged.status_code == 403
    ok = sam.post(
        f"/shares/{share_id}/comments", data={"body": "Fine", "csrf": good}, follow_redirects=False
    )
    assert ok.status_code == 303
    # So has the welcome page of an invitation link.
    path = invitation_path(world)
    newcomer = TestClient(world.app)
    newcomer.get(path)
    joined = {"name": "Mal", "email": "mal@example.org", "password": PASSWORD}
    assert newcomer.post(path, data={**joined, "csrf": "forged"}).status_code == 403
    with reading(world.engine) as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 9


def table_sizes(world) -> dict[str, int]:
    from attunement.server.schema import metadata

    skip = {"audit", "signin_failures"}  # refusals are logged and counted
    with reading(world.engine) as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in metadata.sorted_tables
            if t.name not in skip
        }


def test_every_change_with_a_session_cookie_needs_the_token_on_every_route(world):
    """From the route table: each POST, PUT and DELETE that a signed-in browser may send
    is refused without the session's CSRF token (as a form or as JSON), even to an
    admin and to the owner, before anything is looked up or changed."""
    from attunement.server.app import route_table

    share_id = world.share("Tom", "Sam", "Title", "Body text.")
    browsers = {who: world.client(who) for who in ("Tom", "Ada")}
    for browser in browsers.values():
        browser.headers.pop("X-CSRF-Token")
    before = table_sizes(world)
    failures = []
    for route in route_table():
        if route.openapi_extra["x-access"] == "public":
            continue
        for method in sorted(route.methods & {"POST", "PUT", "DELETE", "PATCH"}):
            for who, browser in browsers.items():
                path = (
                    route.path.replace("{share_id}", share_id)
                    .replace("{user_id}", world.ids["Tess"])
                    .replace("{course_id}", world.courses["A"])
                    .replace("{session_id}", "x")
                    .replace("{deadline_id}", "x")
                    .replace("{notice_id}", "x")
                )
                body = {"body": "Injected", "name": "Injected", "confirm": f"{who}@example.org"}
                sent = {"json": body} if route.path.startswith("/api/") else {"data": body}
                if method == "DELETE":
                    sent = {}
                answer = browser.request(method, path, follow_redirects=False, **sent)
                if answer.status_code != 403 or "came from another site" not in answer.text:
                    failures.append(f"{who}: {method} {route.path} -> {answer.status_code}")
    assert failures == []
    assert table_sizes(world) == before


def test_cross_site_requests_are_refused_even_with_a_token(world):
    share_id = world.share("Tom", "Sam", "Title", "Body text.")
    sam = world.client("Sam")
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = sam.post(f"/shares/{share_id}/comments", data={"body": "x"}, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "cross_site"


def test_password_guessing_is_slowed_with_retry_after(world):
    browser = TestClient(world.app)
    for _ in range(world.config.signin_failures_per_account):
        assert sign_in(browser, "tom@example.org", "wrong guess 123").status_code == 422
    blocked = sign_in(browser, "tom@example.org", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= world.config.signin_window_s
    api = world.client().post(
        "/api/v1/token", json={"email": "tom@example.org", "password": PASSWORD}
    )
    assert api.status_code == 429 and "Retry-After" in api.headers
    assert api.json()["error"]["code"] == "too_many_tries"
    # Another account is not locked by Tom's guesser (the address limit is higher).
    assert sign_in(TestClient(world.app), "tess@example.org").status_code == 303


def test_unknown_accounts_and_wrong_passwords_get_the_same_answer(world):
    browser = TestClient(world.app)
    wrong = sign_in(browser, "tom@example.org", "not the password")
    nobody = sign_in(browser, "nobody@example.org", "not the password")
    assert wrong.status_code == nobody.status_code == 422
    assert "do not match" in wrong.text and "do not match" in nobody.text


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]


def test_script_in_shared_markdown_or_comments_is_never_run(world):
    body = "Reflection.\n\n" + "\n\n".join(XSS)
    share_id = world.share("Tom", "Sam", "<b>Title</b><script>x()</script>", body)
    sam = world.api("Sam")
    for attack in XSS:
        r = sam.post(f"/api/v1/shares/{share_id}/comments", json={"body": attack})
        assert r.status_code == 201
    for who in ("Sam", "Tom"):
        page = world.client(who).get(f"/shares/{share_id}").text
        assert "<script" not in page.lower()
        assert "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
        assert 'href="javascript:' not in page and 'src="javascript:' not in page
        assert "<svg" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    csp = world.client("Sam").get(f"/shares/{share_id}").headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp


SQLI = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "1; SELECT pg_sleep(5)",
    "%' UNION SELECT password_hash FROM users --",
]


def test_sql_injection_probes_find_nothing(world):
    share_id = world.share("Tom", "Sam", "Title", "Body text.")
    anyone = TestClient(world.app)
    tess = world.api("Tess")
    for probe in SQLI:
        assert sign_in(TestClient(world.app), probe, probe).status_code in (422, 429)
        assert anyone.post(
            "/api/v1/token", json={"email": probe, "password": probe}
        ).status_code in (422, 429)
        assert tess.get(f"/api/v1/shares/{probe}").status_code == 404
        assert tess.get(f"/api/v1/shares/{share_id}", params={"revision": probe}).status_code in (
            404,
            422,
        )
        r = tess.put(
            f"/api/v1/shares/{uuid.uuid4()}",
            json={"kind": probe, "reader": probe, "title": probe, "body": probe},
        )
        assert r.status_code == 422
        assert world.client().get(f"/welcome/{probe}").status_code == 404
    with reading(world.engine) as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 9
    assert world.api("Sam").get(f"/api/v1/shares/{share_id}").status_code == 200


def test_forwarded_headers_are_believed_only_from_the_configured_proxy(tmp_path):
    world = build_world(tmp_path, trusted_proxies=("10.0.0.5",))
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    # From the proxy: https, so the cookie is Secure, and the client's address is believed.
    proxy = TestClient(world.app, client=("10.0.0.5", 5000), headers=headers)
    done = sign_in(proxy, "tom@example.org")
    assert "Secure" in [c for c in done.headers.get_list("set-cookie") if "attune_session=" in c][0]
    assert "strict-transport-security" in done.headers
    # From anyone else, the same headers are ignored.
    direct = TestClient(world.app, client=("198.51.100.7", 5000), headers=headers)
    done = sign_in(direct, "tom@example.org")
    assert (
        "Secure"
        not in [c for c in done.headers.get_list("set-cookie") if "attune_session=" in c][0]
    )
    from attunement.server.schema import signin_failures

    sign_in(proxy, "tess@example.org", "a wrong password")
    sign_in(direct, "tess@example.org", "a wrong password")
    with reading(world.engine) as conn:
        keys = {r.key for r in conn.execute(select(signin_failures.c.key))}
    assert keys == {"account:tess@example.org", "address:203.0.113.9", "address:198.51.100.7"}


def test_large_bodies_are_refused(world):
    share_id = str(uuid.uuid4())
    huge = "x" * (world.config.max_body + 10)
    r = world.api("Tom").put(
        f"/api/v1/shares/{share_id}",
        json={"kind": "entry", "reader": world.ids["Sam"], "body": huge},
    )
    assert r.status_code == 413


def test_text_the_database_cannot_hold_is_refused_in_one_sentence(world):
    """A NUL character (PostgreSQL cannot store one) or a lone surrogate in a comment, a
    quote, a shared title or text: a 422 naming the field, never a 500, nothing stored."""
    share_id = world.share("Tom", "Sam", "The scan", "I sat with her.")
    sam, tom = world.api("Sam"), world.api("Tom")

    def said() -> int:
        with reading(world.engine) as conn:
            return conn.execute(select(func.count()).select_from(comments)).scalar()

    before = said()
    for field, sent in (
        ("body", {"body": "Well done\x00"}),
        ("quote", {"body": "Good.", "quote": "sat\x00 with"}),
    ):
        r = sam.post(f"/api/v1/shares/{share_id}/comments", json=sent)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field and "NUL" in r.json()["error"]["message"]
    assert said() == before
    push = {"kind": "entry", "reader": world.ids["Sam"], "title": "The scan", "body": "Hi"}
    for field, bad in (("title", "A\x00B"), ("body", "Bad \x00 text")):
        r = tom.put(f"/api/v1/shares/{uuid.uuid4()}", json={**push, field: bad})
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
