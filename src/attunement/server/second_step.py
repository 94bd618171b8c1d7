"""The second step of a password sign-in in the browser: the code from the member's
authenticator app (or a recovery code), or, when the organisation requires a second
factor the member has not set up, setting it up there and then.

Until this step is done there is no session: the browser holds only the step's cookie
(``steps``), which reaches nothing but this page. Wrong codes count against the same
limits as wrong passwords (per account and per address, ``ratelimit``); the step itself
stays usable until it expires, so a mistyped code can be typed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from attunement.errors import AttuneError, InvalidInput, NotFound
from attunement.server import accounts, audit, ratelimit, sessions, steps, totp
from attunement.server.config import ServerConfig
from attunement.server.db import reading, writing
from attunement.server.schema import users


@dataclass(frozen=True)
class Asked:
    """What the code page shows."""

    enrol: bool
    setup: totp.Setup | None  # when enrolling: the new secret to add to the app


@dataclass(frozen=True)
class Done:
    token: str
    csrf: str
    recovery_codes: list[str]  # when the factor was set up in this step: shown once


def _member(conn: Connection, step: steps.Step) -> tuple[str, str]:
    row = conn.execute(
        select(users.c.id, users.c.email, users.c.suspended_at).where(users.c.id == step.user_id)
    ).first()
    if row is None or row.suspended_at is not None:
        raise NotFound(steps.GONE)
    return row.id, row.email


def asked(engine: Engine, config: ServerConfig, step_token: str | None) -> Asked:
    with writing(engine) as conn:
        step = steps.peek(conn, step_token, "code")
        user_id, _email = _member(conn, step)
        if totp.state(conn, user_id) == "on":
            return Asked(enrol=False, setup=None)
        issuer = accounts.organisation(conn)
        return Asked(enrol=True, setup=totp.setup(conn, config, user_id, issuer))


def finish(
    engine: Engine,
    config: ServerConfig,
    step_token: str | None,
    code: str,
    *,
    address: str | None,
    previous: str | None = None,
) -> Done:
    """Check the code (or, enrolling, confirm the new factor with it) and start the
    session. A wrong code is counted and refused; the step stays for another try."""
    with reading(engine) as conn:
        step = steps.peek(conn, step_token, "code")
        user_id, email = _member(conn, step)
        ratelimit.check(conn, config, email, address)
    refusal: AttuneError | None = None
    with writing(engine) as conn:
        step = steps.peek(conn, step_token, "code")
        codes: list[str] = []
        if totp.state(conn, user_id) == "on":
            used = totp.check(conn, config, user_id, code)
            if used is None:
                refusal = InvalidInput(totp.WRONG_CODE, field="code")
        else:
            try:
                codes = totp.confirm(conn, config, user_id, code)
                used = "code"
            except InvalidInput as exc:
                refusal = exc
        if refusal is None:
            steps.take(conn, step_token, "code")
            sessions.end(conn, previous)
            ratelimit.succeeded(conn, config, email)
            token, csrf = sessions.start(conn, config, user_id, "web", step.label or "web")
            audit.record(
                conn, user_id, "signin", "user", user_id, owner_id=user_id, detail=f"web+{used}"
            )
    if refusal is not None:
        with writing(engine) as conn:
            ratelimit.failed(conn, email, address)
            audit.record(conn, None, "signin", "user", user_id, owner_id=user_id, outcome="refused")
        raise refusal
    return Done(token, csrf, codes)


def cancel(engine: Engine, step_token: str | None) -> None:
    with writing(engine) as conn:
        steps.end(conn, step_token)
