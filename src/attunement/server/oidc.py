"""Signing in with the organisation's identity provider (OpenID Connect), with Authlib's
OAuth 2 client and joserfc.

The admin names the provider (its issuer URL), the client id and secret the provider
gave this server, and who may come in: an e-mail domain and, optionally, a claim that
must hold a value (``groups=attune``). Then the sign-in page offers **Sign in with ...**:

1. The browser is sent to the provider's authorization endpoint (the authorization code
   flow with PKCE S256), carrying a random ``state`` and ``nonce``; they and the PKCE
   verifier are kept in a half-done sign-in (``steps``) behind a short-lived cookie.
2. The provider sends the browser back to ``/signin/oidc/callback``; the step is taken
   (it works once), the ``state`` must match, and the code is exchanged, with the
   verifier and the client secret, at the token endpoint.
3. The ID token's signature is checked against the provider's published keys (JWKS,
   asymmetric algorithms only), and its issuer, audience (this client), expiry and
   ``nonce``. Its e-mail address must be verified by the provider (``email_verified``),
   in the allowed domain, with the claim if one is required.
4. The address must be that of an existing member who is not suspended: nobody signs
   themselves up this way; a new person joins through an invitation link as ever.

Each refusal is one sentence on a page, is written to the audit log, and signs nobody
in. The provider is reached only from the server, with a timeout; its discovery
document must name the configured issuer exactly.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from attunement.errors import AttuneError, InvalidInput, NotFound
from attunement.server import audit, ratelimit, sealing, sessions, steps
from attunement.server.config import ServerConfig
from attunement.server.db import now, reading, writing
from attunement.server.schema import provider_subjects, settings, users
from attunement.server.sessions import Actor

KEY = "signin.oidc"
SCOPE = "openid email profile"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
TIMEOUT_S = 10
LEEWAY_S = 60
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CALLBACK = "/signin/oidc/callback"


class Refused(AttuneError):
    """The identity provider's answer did not sign anyone in."""

    code = "oidc_refused"
    http_status = 403


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    domain: str  # the e-mail domain allowed in ("" : any)
    claim: str  # "name=value" a claim must hold ("" : none)
    label: str  # the button: "Sign in with <label>"


def _stored(conn: Connection) -> dict[str, str] | None:
    value = conn.execute(select(settings.c.value).where(settings.c.key == KEY)).scalar()
    return json.loads(value) if value else None


def provider(conn: Connection, config: ServerConfig) -> Provider | None:
    data = _stored(conn)
    if data is None:
        return None
    secret = sealing.unseal(config, data["client_secret"]) if data["client_secret"] else ""
    return Provider(
        data["issuer"], data["client_id"], secret, data["domain"], data["claim"], data["label"]
    )


def shown(conn: Connection) -> dict[str, Any] | None:
    """The settings for the admin page and the sign-in button: never the secret."""
    data = _stored(conn)
    if data is None:
        return None
    return {**{k: v for k, v in data.items() if k != "client_secret"}, "has_secret": True}


def redirect_uri(config: ServerConfig) -> str:
    return config.public_url + CALLBACK


def _issuer_of(text: str) -> str:
    issuer = text.strip().rstrip("/")
    parts = urlsplit(issuer)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise InvalidInput(
            "Give the identity provider's issuer URL, starting with https:// (for example "
            "https://login.example.org/realms/staff).",
            field="issuer",
        )
    return issuer


def configure(
    engine: Engine,
    config: ServerConfig,
    actor: Actor,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    domain: str,
    claim: str,
    label: str,
) -> None:
    """Set (or change) the identity provider. A blank secret keeps the one stored."""
    from attunement.server.accounts import require_admin

    require_admin(actor)
    issuer = _issuer_of(issuer)
    client_id = client_id.strip()
    if not 1 <= len(client_id) <= 200:
        raise InvalidInput("Give the client id the identity provider gave you.", field="client_id")
    domain = domain.strip().lower().lstrip("@")
    if domain and ("." not in domain or "@" in domain or " " in domain):
        raise InvalidInput(
            "Give the allowed e-mail domain like example.org, or leave it empty.", field="domain"
        )
    claim = claim.strip()
    if claim and ("=" not in claim or not claim.split("=", 1)[0].strip()):
        raise InvalidInput(
            "Give the required claim as name=value (for example groups=attune), or leave it empty.",
            field="claim",
        )
    label = " ".join(label.split())[:60] or "your organisation"
    with writing(engine) as conn:
        old = _stored(conn)
        if client_secret:
            sealed = sealing.seal(config, client_secret)
        elif old is not None and old["issuer"] == issuer and old["client_id"] == client_id:
            sealed = old["client_secret"]
        else:
            sealed = ""
        data = {
            "issuer": issuer,
            "client_id": client_id,
            "client_secret": sealed,
            "domain": domain,
            "claim": claim,
            "label": label,
        }
        conn.execute(delete(settings).where(settings.c.key == KEY))
        conn.execute(settings.insert().values(key=KEY, value=json.dumps(data)))
        audit.record(conn, actor.id, "signin.oidc.set", "settings", detail=issuer)


def remove(engine: Engine, actor: Actor) -> None:
    from attunement.server.accounts import require_admin

    require_admin(actor)
    with writing(engine) as conn:
        conn.execute(delete(settings).where(settings.c.key == KEY))
        audit.record(conn, actor.id, "signin.oidc.off", "settings")


# ---- talking to the provider -------------------------------------------------------------


def _client(p: Provider, config: ServerConfig) -> Any:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        p.client_id,
        p.client_secret or None,
        scope=SCOPE,
        redirect_uri=redirect_uri(config),
        code_challenge_method="S256",
        default_timeout=TIMEOUT_S,
    )


def _get_json(client: Any, url: str, what: str) -> dict[str, Any]:
    import requests

    try:
        response = client.get(url, withhold_token=True)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Refused(
            f"The identity provider's {what} could not be read ({type(exc).__name__}); try "
            "again later, or sign in with your password."
        ) from None
    if not isinstance(data, dict):
        raise Refused(f"The identity provider's {what} is not what OpenID Connect describes.")
    return data


def _discover(client: Any, p: Provider) -> dict[str, Any]:
    meta = _get_json(client, p.issuer + "/.well-known/openid-configuration", "settings")
    if meta.get("issuer", "").rstrip("/") != p.issuer:
        raise Refused(
            "The identity provider names another issuer than the one this server was given; "
            "ask your admin to check the issuer URL."
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(meta.get(field), str):
            raise Refused(f"The identity provider does not publish its {field}.")
    return meta


def begin(
    engine: Engine,
    config: ServerConfig,
    invitation: str | None = None,
    *,
    address: str | None = None,
) -> tuple[str, str]:
    """Start a sign-in (or, with a welcome link's token, joining a course through the
    provider) from the client at ``address``: (the step's cookie token, the provider's
    address to go to)."""
    from attunement.server import accounts

    with reading(engine) as conn:
        p = provider(conn, config)
        if p is None:
            raise NotFound("Signing in with your organisation is not set up on this server.")
        if invitation is not None:
            invite = accounts.invitation(conn, invitation)  # NotFound when expired or used
            if invite.user_id is not None:
                raise NotFound(accounts.EXPIRED_LINK)
    client = _client(p, config)
    meta = _discover(client, p)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # 64 characters, as RFC 7636 allows
    url, _ = client.create_authorization_url(
        meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
    )
    with writing(engine) as conn:
        ratelimit.began_elsewhere(conn, config, address)
        token = steps.start(
            conn,
            config,
            "oidc",
            state=state,
            nonce=nonce,
            verifier=verifier,
            invitation=sessions.digest(invitation) if invitation else None,
            label=p.label,
        )
    return token, url


@dataclass(frozen=True)
class Claims:
    email: str
    subject: str
    name: str


def finish(
    engine: Engine,
    config: ServerConfig,
    step_token: str | None,
    answer: dict[str, str],
    *,
    label: str,
    previous: str | None = None,
) -> tuple[str, str]:
    """Finish a sign-in from the provider's answer (the callback's query): a new
    session's (token, csrf), or :class:`Refused` with the reason, written to the audit log."""
    try:
        with writing(engine) as conn:
            step = steps.take(conn, step_token, "oidc")
            p = provider(conn, config)
    except NotFound:
        raise Refused(
            "This sign-in did not start in this browser, or took too long; start again from "
            "the sign-in page."
        ) from None
    try:
        if p is None:
            raise Refused("Signing in with your organisation is no longer set up on this server.")
        claims = _check_answer(p, config, step, answer)
    except Refused as exc:
        with writing(engine) as conn:
            audit.record(
                conn, None, "signin.oidc", "user", outcome="refused", detail=exc.message[:200]
            )
        raise
    from attunement.server import accounts

    with writing(engine) as conn:
        row = conn.execute(
            select(users.c.id, users.c.suspended_at).where(users.c.email == claims.email)
        ).first()
        if step.invitation is not None:
            joined = accounts.join_verified(conn, step.invitation, claims.email, claims.name)
            row = (
                None
                if joined is None
                else conn.execute(
                    select(users.c.id, users.c.suspended_at).where(users.c.id == joined)
                ).first()
            )
        if row is None and step.invitation is not None:
            audit.record(
                conn, None, "signin.oidc", "user", outcome="refused", detail="invitation used"
            )
            refusal: Refused | None = Refused(
                "This invitation has expired or was already used (or your account is "
                "suspended); ask your programme's admin for a new one."
            )
        elif row is None or row.suspended_at is not None:
            audit.record(
                conn, None, "signin.oidc", "user", outcome="refused", detail="not a member"
            )
            refusal = Refused(
                f"{claims.email} is not a member of this server who can sign in; ask your "
                "programme's admin for an invitation."
            )
        else:
            refusal = _subject_refusal(conn, p, row.id, claims)
            if refusal is None:
                sessions.end(conn, previous)
                token, csrf = sessions.start(conn, config, row.id, "web", label or "web")
                audit.record(conn, row.id, "signin", "user", row.id, owner_id=row.id, detail="oidc")
    if refusal is not None:
        raise refusal
    return token, csrf


def _subject_refusal(conn: Connection, p: Provider, user_id: str, claims: Claims) -> Refused | None:
    """The provider's stable id for the person (``sub``) is bound to the member at their
    first sign-in with it; afterwards the same address with another ``sub`` (the address
    given to someone else at the provider), or this ``sub`` under another member's address,
    signs nobody in. None when the sign-in may go on (binding it the first time)."""
    if not claims.subject:
        return _refused_subject(conn, user_id, "The sign-in gave no subject (sub)")
    bound = conn.execute(
        select(provider_subjects.c.subject).where(
            provider_subjects.c.user_id == user_id, provider_subjects.c.issuer == p.issuer
        )
    ).scalar()
    holder = conn.execute(
        select(provider_subjects.c.user_id).where(
            provider_subjects.c.issuer == p.issuer, provider_subjects.c.subject == claims.subject
        )
    ).scalar()
    if (bound is not None and bound != claims.subject) or (
        holder is not None and holder != user_id
    ):
        return _refused_subject(conn, user_id, "another person at the provider")
    if bound is None:
        conn.execute(
            provider_subjects.insert().values(
                user_id=user_id, issuer=p.issuer, subject=claims.subject, bound_at=now()
            )
        )
    return None


def _refused_subject(conn: Connection, user_id: str, why: str) -> Refused:
    audit.record(
        conn, None, "signin.oidc", "user", user_id, owner_id=user_id, outcome="refused", detail=why
    )
    return Refused(
        "Your organisation's sign-in names someone other than the member with this e-mail "
        "address here; ask your programme's admin to check your account."
    )


def _check_answer(
    p: Provider, config: ServerConfig, step: steps.Step, answer: dict[str, str]
) -> Claims:
    if answer.get("error"):
        said = " ".join(answer.get("error_description", answer["error"]).split())[:160]
        raise Refused(f"Your organisation's sign-in did not complete: {said}.")
    if not step.state or not secrets.compare_digest(
        answer.get("state", "").encode(), step.state.encode()
    ):
        raise Refused(
            "This answer from the identity provider does not belong to the sign-in this "
            "browser started (its state does not match); start again from the sign-in page."
        )
    code = answer.get("code", "")
    if not code:
        raise Refused("The identity provider sent no authorization code; start again.")
    client = _client(p, config)
    meta = _discover(client, p)
    token = _exchange(client, meta, code, step.verifier or "")
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise Refused("The identity provider sent no ID token; ask your admin to check its setup.")
    keys = _get_json(client, meta["jwks_uri"], "signing keys")
    claims = verify_id_token(p, keys, id_token, step.nonce or "", token.get("access_token"))
    return _member_claims(p, claims)


def _exchange(client: Any, meta: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    import requests
    from authlib.integrations.base_client import OAuthError

    try:
        token = client.fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
        )
    except OAuthError as exc:
        raise Refused(
            f"The identity provider refused the sign-in code ({exc.error}); start again."
        ) from None
    except (requests.RequestException, ValueError) as exc:
        raise Refused(
            f"The identity provider could not be reached to finish signing in "
            f"({type(exc).__name__}); try again later."
        ) from None
    return dict(token)


def verify_id_token(
    p: Provider, jwks: dict[str, Any], id_token: str, nonce: str, access_token: str | None
) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's keys), issuer, audience,
    expiry and nonce are checked; :class:`Refused` saying which failed otherwise."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import (
        ClaimError,
        ExpiredTokenError,
        InvalidClaimError,
        JoseError,
        MissingClaimError,
    )
    from joserfc.jwk import KeySet

    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError):
        raise Refused(
            "The ID token's signature does not match the identity provider's keys; nobody "
            "was signed in."
        ) from None
    params: dict[str, Any] = {"nonce": nonce, "client_id": p.client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": p.issuer},
            "aud": {"essential": True, "value": p.client_id},
            "exp": {"essential": True},
        },
        params,
    )
    names = {
        "iss": "it was issued by another provider",
        "aud": "it was made for another application (its audience)",
        "nonce": "it belongs to another sign-in (its nonce does not match)",
        "azp": "it was made for another application (its authorized party)",
    }
    try:
        claims.validate(leeway=LEEWAY_S)
    except ExpiredTokenError:
        raise Refused("The ID token has expired; start again from the sign-in page.") from None
    except (InvalidClaimError, MissingClaimError) as exc:
        why = names.get(exc.claim, f"its {exc.claim} claim is wrong or missing")
        raise Refused(f"The ID token was refused: {why}.") from None
    except ClaimError as exc:
        raise Refused(f"The ID token was refused ({exc.claim}).") from None
    return dict(claims)


def _member_claims(p: Provider, claims: dict[str, Any]) -> Claims:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Refused(
            "The identity provider did not share your e-mail address; ask your admin to "
            "allow the 'email' scope."
        )
    email = email.strip().lower()
    if claims.get("email_verified") not in (True, "true"):
        raise Refused(
            f"The identity provider has not verified {email}; verify it there first, or "
            "sign in with your password."
        )
    if p.domain and email.rsplit("@", 1)[1] != p.domain:
        raise Refused(f"Only addresses at {p.domain} can sign in this way, not {email}.")
    if p.claim:
        name, value = (part.strip() for part in p.claim.split("=", 1))
        held = claims.get(name)
        if not (held == value or (isinstance(held, list) and value in held)):
            raise Refused(
                f"Your organisation's account is not allowed on this server ({name} does not "
                f"include {value}); ask your admin."
            )
    given = " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    name = str(claims.get("name") or given or "")
    return Claims(email=email, subject=str(claims.get("sub", "")), name=name)
