"""A small OpenID Connect provider for the tests, served over HTTP on loopback.

It plays the organisation's identity provider: discovery, an authorization endpoint that
signs in whoever the test says (no form), a token endpoint that checks the client's
secret and the PKCE verifier, and a JWKS with the key it signs ID tokens with (RS256,
joserfc). ``spoil`` makes the next ID token wrong in one way, as a broken or hostile
provider might: another nonce, another signing key, long expired, another audience,
another issuer.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "attune-team-server"
CLIENT_SECRET = "a client secret the provider gave"


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host  # the name in its URLs ("localhost": another site than 127.0.0.1)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-key-1"})
        self.impostor = RSAKey.generate_key(2048, parameters={"kid": "signing-key-1"})
        self.person: dict[str, Any] = {}
        self.spoil: str | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- who signs in next -------------------------------------------------------------

    def signs_in(self, email: str, *, verified: bool = True, **claims: Any) -> None:
        self.person = {
            "sub": hashlib.sha256(email.encode()).hexdigest()[:20],
            "email": email,
            "email_verified": verified,
            **claims,
        }

    # -- the HTTP side ------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        problems = [
            name
            for name, good in [
                ("client_id", q.get("client_id") == CLIENT_ID),
                ("response_type", q.get("response_type") == "code"),
                ("scope", "openid" in q.get("scope", "").split()),
                ("code_challenge_method", q.get("code_challenge_method") == "S256"),
                ("code_challenge", bool(q.get("code_challenge"))),
                ("state", bool(q.get("state"))),
                ("nonce", bool(q.get("nonce"))),
            ]
            if not good
        ]
        if problems:
            return JSONResponse({"error": "invalid_request", "bad": problems}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": q["nonce"],
            "challenge": q["code_challenge"],
            "redirect_uri": q["redirect_uri"],
            "person": dict(self.person),
        }
        answer = urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(f"{q['redirect_uri']}?{answer}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        auth = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or challenge != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            }
        )

    def id_token(self, grant: dict[str, Any]) -> str:
        moment = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": moment,
            "exp": moment + 300,
            "nonce": grant["nonce"],
            **grant["person"],
        }
        key = self.key
        if self.spoil == "nonce":
            claims["nonce"] = "a nonce from some other sign-in"
        elif self.spoil == "signature":
            key = self.impostor
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = moment - 7200, moment - 3600
        elif self.spoil == "audience":
            claims["aud"] = "some-other-application"
        elif self.spoil == "issuer":
            claims["iss"] = "https://impostor.example.org"
        return jwt.encode({"alg": "RS256", "kid": "signing-key-1"}, claims, key)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    # -- running it on loopback ---------------------------------------------------------

    def __enter__(self) -> TestProvider:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://{self.host}:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test identity provider did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
