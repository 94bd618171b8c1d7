"""Signing in with the organisation's identity provider (OpenID Connect).

Ada, the admin, registers the team server with Hospice Login (a small provider these
tests run on loopback: discovery, authorize, token, JWKS, ID tokens signed with its own
test key). Sam then signs in with his Hospice Login account: the authorization code
flow with PKCE, the state and the nonce checked, the ID token's signature, issuer,
audience and expiry verified against the provider's keys, and his verified e-mail
address matched to his membership. Everything that should fail does, with one sentence
on a page, a line in the audit log, and nobody signed in.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from attunement.server.db import reading
from attunement.server.schema import audit, sessions, settings, users

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from .server_world import build_world

PUBLIC = "http://testserver"


@pytest.fixture(scope="module")
def provider():
    with TestProvider() as running:
        yield running


@pytest.fixture
def world(tmp_path, provider):
    return organisation_signs_in_with(provider, tmp_path)


def organisation_signs_in_with(provider, tmp_path, **overrides) -> object:
    """A server whose admin has set up the provider (Sam is who it signs in)."""
    world = build_world(
        tmp_path, key_file=str(tmp_path / "server.key"), public_url=PUBLIC, **overrides
    )
    saved = world.client("Ada").post(
        "/admin/sign-in/oidc",
        data={
            "issuer": provider.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "domain": "example.org",
            "claim": "",
            "label": "Hospice Login",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    provider.spoil = None
    provider.signs_in("sam@example.org")
    return world


def browser(world) -> TestClient:
    return TestClient(world.app, base_url=PUBLIC)


def go_to_provider(client: TestClient):
    """Click "Sign in with Hospice Login": the server sends the browser to the provider,
    which signs its person in and sends the browser back with a code and the state."""
    start = client.get("/signin/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = requests.get(start.headers["location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC}/signin/oidc/callback"
    return start, back


def come_back(client: TestClient, back) -> object:
    return client.get(f"{back.path}?{back.query}")


def session_count(world) -> int:
    with reading(world.engine) as conn:
        return conn.execute(select(func.count()).select_from(sessions)).scalar_one()


def test_a_member_signs_in_with_the_organisations_provider(world, provider):
    client = browser(world)
    page = client.get("/signin")
    assert "Sign in with Hospice Login" in page.text

    start, back = go_to_provider(client)
    asked = parse_qs(urlsplit(start.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["redirect_uri"] == [f"{PUBLIC}/signin/oidc/callback"]
    assert {"openid", "email"} <= set(asked["scope"][0].split())
    assert asked["state"][0] and asked["nonce"][0] and asked["state"] != asked["nonce"]

    done = come_back(client, back)
    assert done.status_code == 200 and "Signed in" in done.text
    assert '<meta http-equiv="refresh" content="0; url=/">' in done.text
    assert client.cookies.get("attune_session")
    home = client.get("/")
    assert home.status_code == 200 and "Sign out Sam" in home.text

    # The code was exchanged with the PKCE verifier and the client's secret.
    sent = provider.token_requests[-1]
    assert sent["grant_type"] == "authorization_code" and len(sent["code_verifier"]) >= 43
    with reading(world.engine) as conn:
        detail = conn.execute(
            select(audit.c.detail).where(audit.c.action == "signin", audit.c.outcome == "ok")
        ).scalar_one()
    assert detail == "oidc"

    # The answer works once: the same callback again signs nobody in.
    again = browser(world)
    again.cookies.update(client.cookies)
    again.cookies.delete("attune_session")
    replay = come_back(again, back)
    assert replay.status_code == 403 and "attune_session" not in again.cookies


REFUSALS = {
    "state": "its state does not match",
    "nonce": "its nonce does not match",
    "signature": "signature does not match",
    "expired": "has expired",
    "audience": "another application",
    "issuer": "issued by another provider",
    "unverified": "has not verified sam@example.org",
    "unknown": "nobody@example.org is not a member of this server",
    "domain": "Only addresses at example.org",
    "suspended": "sid@example.org is not a member of this server who can sign in",
    "no-start": "did not start in this browser",
    "provider-error": "access_denied",
}


@pytest.mark.parametrize("what", sorted(REFUSALS))
def test_a_wrong_answer_signs_nobody_in(world, provider, what):
    if what in ("nonce", "signature", "expired", "audience", "issuer"):
        provider.spoil = what
    elif what == "unverified":
        provider.signs_in("sam@example.org", verified=False)
    elif what == "unknown":
        provider.signs_in("nobody@example.org")
    elif what == "domain":
        provider.signs_in("sam@elsewhere.example.net")
    elif what == "suspended":
        from attunement.server import accounts

        accounts.set_suspended(world.engine, world.actor("Ada")[0], world.ids["Sid"], True)
        provider.signs_in("sid@example.org")
    before = session_count(world)
    client = browser(world)
    _start, back = go_to_provider(client)
    query = back.query
    if what == "state":
        query = query.replace("state=", "state=forged")
    elif what == "provider-error":
        query = "error=access_denied&state=" + parse_qs(back.query)["state"][0]
    if what == "no-start":
        client = browser(world)  # another browser, without the cookie of the sign-in
    answer = client.get(f"{back.path}?{query}")

    assert answer.status_code == 403
    assert "<h1>Not signed in</h1>" in answer.text
    assert REFUSALS[what] in answer.text, answer.text
    assert 'href="/signin"' in answer.text and "Traceback" not in answer.text
    assert "attune_session" not in client.cookies
    assert session_count(world) == before
    with reading(world.engine) as conn:
        refused = conn.execute(
            select(func.count())
            .select_from(audit)
            .where(audit.c.action == "signin.oidc", audit.c.outcome == "refused")
        ).scalar_one()
    assert refused == (0 if what == "no-start" else 1)


def test_a_required_claim_decides_who_comes_in(world, provider):
    ada = world.client("Ada")
    ada.post(
        "/admin/sign-in/oidc",
        data={
            "issuer": provider.url,
            "client_id": CLIENT_ID,
            "client_secret": "",  # kept as it was
            "domain": "example.org",
            "claim": "groups=attune",
            "label": "Hospice Login",
        },
    )
    provider.signs_in("sam@example.org", groups=["staff"])
    client = browser(world)
    _start, back = go_to_provider(client)
    refused = come_back(client, back)
    assert refused.status_code == 403 and "groups does not include attune" in refused.text

    provider.signs_in("sam@example.org", groups=["staff", "attune"])
    client = browser(world)
    _start, back = go_to_provider(client)
    assert come_back(client, back).status_code == 200
    assert "Sign out Sam" in client.get("/").text


def test_the_admin_settings_keep_the_client_secret_sealed(world, provider):
    ada = world.client("Ada")
    page = ada.get("/admin/sign-in")
    assert provider.url in page.text and "/signin/oidc/callback" in page.text
    assert CLIENT_SECRET not in page.text
    with reading(world.engine) as conn:
        stored = conn.execute(select(settings.c.value).where(settings.c.key == "signin.oidc"))
        assert CLIENT_SECRET not in stored.scalar_one()

    # A provider over plain http elsewhere than this computer is refused, and nothing changes.
    refused = ada.post(
        "/admin/sign-in/oidc",
        data={"issuer": "http://login.example.org", "client_id": "x", "label": "X"},
    )
    assert refused.status_code == 422 and "https://" in refused.text
    assert provider.url in ada.get("/admin/sign-in").text

    # Only admins see or change it.
    tom = world.client("Tom")
    assert tom.get("/admin/sign-in").status_code == 404
    assert tom.post("/admin/sign-in/oidc/remove").status_code == 404

    # Switched off, the sign-in page no longer offers it.
    ada.post("/admin/sign-in/oidc/remove")
    assert "Sign in with" not in browser(world).get("/signin").text
    assert browser(world).get("/signin/oidc").status_code == 404


def test_an_unreachable_provider_gets_one_sentence(world, provider):
    ada = world.client("Ada")
    ada.post(
        "/admin/sign-in/oidc",
        data={
            "issuer": "http://127.0.0.1:9",  # nothing listens on the discard port
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Hospice Login",
        },
    )
    answer = browser(world).get("/signin/oidc", follow_redirects=False)
    assert answer.status_code == 403
    assert "could not be read" in answer.text and "Traceback" not in answer.text


def invitation_link(world) -> str:
    ada = world.client("Ada")
    page = ada.post("/admin/invitations", data={"course": world.courses["A"], "role": "trainee"})
    found = re.search(r'<code class="link">[^<]*(/welcome/[^<]+)</code>', page.text)
    assert found, "no invitation link on the admin page"
    return found.group(1)


def test_a_new_person_joins_through_an_invitation_with_the_provider(world, provider):
    path = invitation_link(world)
    client = browser(world)
    welcome = client.get(path)
    assert f'href="{path}/oidc"' in welcome.text and "Join with Hospice Login" in welcome.text

    # Without a verified address nobody joins, and the link still works afterwards.
    provider.signs_in("nia@example.org", verified=False, name="Nia Okoye")
    start = client.get(f"{path}/oidc", follow_redirects=False)
    back = urlsplit(
        requests.get(start.headers["location"], allow_redirects=False, timeout=10).headers[
            "location"
        ]
    )
    assert come_back(client, back).status_code == 403
    with reading(world.engine) as conn:
        assert (
            conn.execute(select(users.c.id).where(users.c.email == "nia@example.org")).first()
            is None
        )

    provider.signs_in("nia@example.org", name="Nia Okoye")
    start = client.get(f"{path}/oidc", follow_redirects=False)
    back = urlsplit(
        requests.get(start.headers["location"], allow_redirects=False, timeout=10).headers[
            "location"
        ]
    )
    done = come_back(client, back)
    assert done.status_code == 200 and "Signed in" in done.text
    assert "Sign out Nia Okoye" in client.get("/").text
    me = client.get("/account").text
    assert "Cohort A: trainee" in me

    # The link is used up; from now on Nia signs in with the provider alone.
    assert browser(world).get(path).status_code == 404
    later = browser(world)
    _start, back = go_to_provider(later)
    assert come_back(later, back).status_code == 200
    with reading(world.engine) as conn:
        password = conn.execute(
            select(users.c.password_hash).where(users.c.email == "nia@example.org")
        ).scalar_one()
    assert password is None  # she has no password here: it cannot be guessed


def test_sign_ins_begun_from_one_address_are_limited(tmp_path, provider):
    """Each "Sign in with …" keeps a half-done sign-in for some minutes: one address
    cannot make the server keep them without bound."""
    world = organisation_signs_in_with(provider, tmp_path, provider_starts_per_address=3)
    client = browser(world)
    for _ in range(3):
        assert client.get("/signin/oidc", follow_redirects=False).status_code == 303
    refused = client.get("/signin/oidc", follow_redirects=False)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "try again" in refused.text.lower() or "wait" in refused.text.lower()


def test_an_address_given_to_someone_else_at_the_provider_signs_nobody_in(world, provider):
    """Sam's first sign-in binds him to the provider's id for him. If the provider later
    gives sam@example.org to someone else (another `sub`), that person is not Sam here;
    nor does Sam's `sub` open Sue's account under her address."""
    first = browser(world)
    assert "Signed in" in come_back(first, go_to_provider(first)[1]).text

    provider.signs_in("sam@example.org", sub="someone-new")
    impostor = browser(world)
    refused = come_back(impostor, go_to_provider(impostor)[1])
    assert "names someone other than the member" in refused.text
    assert not impostor.cookies.get("attune_session")

    provider.signs_in("sue@example.org", sub=provider_sub("sam@example.org"))
    borrowed = browser(world)
    assert "names someone other than" in come_back(borrowed, go_to_provider(borrowed)[1]).text

    provider.signs_in("sam@example.org")  # Sam himself, again
    again = browser(world)
    assert "Signed in" in come_back(again, go_to_provider(again)[1]).text
    with reading(world.engine) as conn:
        refused = conn.execute(
            select(audit.c.object_id).where(
                audit.c.action == "signin.oidc", audit.c.outcome == "refused"
            )
        ).scalars()
        assert sorted(refused) == sorted([world.ids["Sam"], world.ids["Sue"]])


def provider_sub(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.encode()).hexdigest()[:20]
