"""Sign-in rate limiting, kept in the database so every worker sees the same counts.

Failures are counted per account and per client address within a sliding window; past
the limit, the next try is refused with the seconds until the oldest failure leaves the
window (sent as ``Retry-After``), and the password is not even checked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from attunement.server.config import ServerConfig
from attunement.server.db import now
from attunement.server.errors import TooManyTries
from attunement.server.schema import signin_failures


def keys(email: str, address: str | None) -> dict[str, str]:
    out = {"account": f"account:{email}"}
    if address:
        out["address"] = f"address:{address}"
    return out


def check(conn: Connection, config: ServerConfig, email: str, address: str | None) -> None:
    limits = {
        "account": config.signin_failures_per_account,
        "address": config.signin_failures_per_address,
    }
    for kind, key in keys(email, address).items():
        _refuse_past(conn, config, key, limits[kind])


def _refuse_past(conn: Connection, config: ServerConfig, key: str, limit: int) -> None:
    """Refuse (TooManyTries) when ``key`` has ``limit`` rows within the window."""
    moment = now()
    since = moment - timedelta(seconds=config.signin_window_s)
    count, oldest = conn.execute(
        select(func.count(), func.min(signin_failures.c.at)).where(
            signin_failures.c.key == key, signin_failures.c.at > since
        )
    ).one()
    if count >= limit:
        wait = (oldest + timedelta(seconds=config.signin_window_s) - moment).total_seconds()
        raise TooManyTries(max(1, int(wait) + 1))


def began_elsewhere(conn: Connection, config: ServerConfig, address: str | None) -> None:
    """Count a sign-in begun with the identity provider from this address, refusing past
    the limit: each one keeps a half-done sign-in for some minutes, which nobody may make
    the server store without bound."""
    if not address:
        return
    key = f"provider:{address}"
    _refuse_past(conn, config, key, config.provider_starts_per_address)
    conn.execute(signin_failures.insert().values(key=key, at=now()))


def failed(conn: Connection, email: str, address: str | None) -> None:
    moment = now()
    for key in keys(email, address).values():
        conn.execute(signin_failures.insert().values(key=key, at=moment))


def succeeded(conn: Connection, config: ServerConfig, email: str) -> None:
    conn.execute(delete(signin_failures).where(signin_failures.c.key == f"account:{email}"))
    old = now() - timedelta(seconds=config.signin_window_s)
    conn.execute(delete(signin_failures).where(signin_failures.c.at < old))
