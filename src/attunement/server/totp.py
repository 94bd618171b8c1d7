"""TOTP as a second factor (RFC 6238, with pyotp): setting it up, checking a code,
recovery codes, and the organisation's rule that everyone must have one.

- A member turns it on from **My account**: a new secret is made (shown as a QR code,
  an ``otpauth://`` link and the secret itself), and it counts only once the member has
  typed a code from their app. Then ten one-time recovery codes are shown, once, and
  the member's other sessions end (one signed in with the password alone is signed out).
- A code is accepted within one time step either side of now (about 30 seconds of
  clock drift), and never twice: the time step of the last accepted code is kept, and
  a code from that step or an earlier one is refused (a replayed code).
- The secret is sealed with the server's key file (``sealing``); recovery codes are
  random 80-bit strings kept only as SHA-256 digests and marked used when used.
- Turning it off, or new recovery codes, needs a current code (or a recovery code).
  An admin can turn off a member's second factor when they have lost their phone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pyotp
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from attunement.errors import Conflict, InvalidInput, NotFound
from attunement.server import audit, ratelimit, sealing, sessions
from attunement.server.config import ServerConfig
from attunement.server.db import now, reading, writing
from attunement.server.schema import recovery_codes, second_factors, settings, users
from attunement.server.sessions import Actor

REQUIRED_KEY = "signin.require_totp"
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters, none easily confused
RECOVERY_LENGTH = 16  # 80 bits
DRIFT_STEPS = 1
WRONG_CODE = (
    "That code is not right (or was already used); type the 6-digit code your app shows "
    "now, or one of your recovery codes."
)


@dataclass(frozen=True)
class Setup:
    """What a member needs to add the account to their authenticator app."""

    secret: str  # base32, to type in by hand
    uri: str  # otpauth://totp/...
    qr_svg: str  # the same link as an inline SVG QR code


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()[:64]


def recovery_digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode("ascii", "replace")).hexdigest()


def state(conn: Connection, user_id: str) -> str:
    """``off``, ``pending`` (made, not yet confirmed with a code) or ``on``."""
    row = conn.execute(
        select(second_factors.c.confirmed_at).where(second_factors.c.user_id == user_id)
    ).first()
    if row is None:
        return "off"
    return "pending" if row.confirmed_at is None else "on"


def required(conn: Connection) -> bool:
    value = conn.execute(select(settings.c.value).where(settings.c.key == REQUIRED_KEY)).scalar()
    return value == "1"


def set_required(engine: Engine, actor: Actor, on: bool) -> None:
    from attunement.server.accounts import require_admin

    require_admin(actor)
    with writing(engine) as conn:
        conn.execute(delete(settings).where(settings.c.key == REQUIRED_KEY))
        conn.execute(settings.insert().values(key=REQUIRED_KEY, value="1" if on else "0"))
        audit.record(
            conn, actor.id, "signin.require_totp", "settings", detail="on" if on else "off"
        )


# ---- setting it up -----------------------------------------------------------------------


def setup(conn: Connection, config: ServerConfig, user_id: str, issuer: str) -> Setup:
    """The pending secret to confirm (made now if there is none); refused when a
    confirmed one exists (turn that off first)."""
    row = conn.execute(
        select(second_factors, users.c.email)
        .join(users, users.c.id == second_factors.c.user_id)
        .where(second_factors.c.user_id == user_id)
    ).first()
    if row is not None and row.confirmed_at is not None:
        raise Conflict("Your second factor is on already; turn it off first to set up another.")
    if row is None:
        secret = pyotp.random_base32()
        conn.execute(
            second_factors.insert().values(
                user_id=user_id,
                secret=sealing.seal(config, secret),
                confirmed_at=None,
                last_step=0,
                created_at=now(),
            )
        )
        email = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one()
    else:
        secret = sealing.unseal(config, row.secret)
        email = row.email
    return _shown(secret, email, issuer)


def _shown(secret: str, email: str, issuer: str) -> Setup:
    import segno

    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your app")
    return Setup(secret=secret, uri=uri, qr_svg=svg)


def confirm(
    conn: Connection, config: ServerConfig, user_id: str, code: str, keep: str | None = None
) -> list[str]:
    """Turn the pending secret on with a code from the app; returns the recovery codes
    (shown once). Every other session of the member ends (all but ``keep``, the session
    that turned it on): one signed in with the password alone must now give a code. A
    wrong code changes nothing."""
    row = conn.execute(
        select(second_factors).where(
            second_factors.c.user_id == user_id, second_factors.c.confirmed_at.is_(None)
        )
    ).first()
    if row is None:
        raise NotFound("There is no second factor being set up; start again from My account.")
    step = _matching_step(sealing.unseal(config, row.secret), code)
    if step is None:
        raise InvalidInput(
            "That code does not match; type the 6-digit code your app shows now for this "
            "account (check the phone's clock is right).",
            field="code",
        )
    conn.execute(
        update(second_factors)
        .where(second_factors.c.user_id == user_id)
        .values(confirmed_at=now(), last_step=step)
    )
    codes = _new_recovery_codes(conn, user_id)
    ended = sessions.revoke_others(conn, user_id, keep)
    audit.record(
        conn, user_id, "totp.on", "user", user_id, owner_id=user_id, detail=f"{ended} ended"
    )
    return codes


def _new_recovery_codes(conn: Connection, user_id: str) -> list[str]:
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
        conn.execute(
            recovery_codes.insert().values(code_hash=recovery_digest(raw), user_id=user_id)
        )
    return codes


def _matching_step(secret: str, code: str) -> int | None:
    given = _normal(code)
    if not (given.isdigit() and len(given) == 6):
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(given, valid_window=DRIFT_STEPS)
    except OTPVerificationError:
        return None


# ---- checking a code at sign-in ------------------------------------------------------------


def check(conn: Connection, config: ServerConfig, user_id: str, code: str) -> str | None:
    """``"code"`` or ``"recovery"`` when the code is good (and now used up), else None.
    Run in a write transaction: a code from the app is claimed by raising the last
    accepted time step only if it is still lower, so two sign-ins with one code cannot
    both win, and a recovery code is marked used the same way."""
    row = conn.execute(
        select(second_factors).where(
            second_factors.c.user_id == user_id, second_factors.c.confirmed_at.is_not(None)
        )
    ).first()
    if row is None:
        return None
    given = _normal(code)
    if given.isdigit():
        step = _matching_step(sealing.unseal(config, row.secret), given)
        if step is None or step <= row.last_step:
            return None
        claimed = conn.execute(
            update(second_factors)
            .where(second_factors.c.user_id == user_id, second_factors.c.last_step < step)
            .values(last_step=step)
        ).rowcount
        return "code" if claimed else None
    if len(given) != RECOVERY_LENGTH:
        return None
    used = conn.execute(
        update(recovery_codes)
        .where(
            recovery_codes.c.code_hash == recovery_digest(given),
            recovery_codes.c.user_id == user_id,
            recovery_codes.c.used_at.is_(None),
        )
        .values(used_at=now())
    ).rowcount
    return "recovery" if used else None


def recovery_left(conn: Connection, user_id: str) -> int:
    rows = conn.execute(
        select(recovery_codes.c.code_hash).where(
            recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
        )
    ).all()
    return len(rows)


# ---- from My account -------------------------------------------------------------------------


def overview(engine: Engine, config: ServerConfig, actor: Actor, issuer: str) -> dict[str, object]:
    """What the account page shows: the state, and when pending, the setup to confirm."""
    with reading(engine) as conn:
        now_state = state(conn, actor.id)
        shown = None
        if now_state == "pending":
            row = conn.execute(
                select(second_factors.c.secret).where(second_factors.c.user_id == actor.id)
            ).scalar_one()
            shown = _shown(sealing.unseal(config, row), actor.email, issuer)
        return {
            "state": now_state,
            "setup": shown,
            "required": required(conn),
            "recovery_left": recovery_left(conn, actor.id) if now_state == "on" else 0,
        }


def begin(engine: Engine, config: ServerConfig, actor: Actor, issuer: str) -> Setup:
    with writing(engine) as conn:
        return setup(conn, config, actor.id, issuer)


def confirm_mine(engine: Engine, config: ServerConfig, actor: Actor, code: str) -> list[str]:
    with writing(engine) as conn:
        return confirm(conn, config, actor.id, code, keep=actor.session_id)


def _with_code(
    engine: Engine, config: ServerConfig, actor: Actor, code: str, address: str | None
) -> None:
    """Check a current code for a change to the factor itself (rate limited like
    sign-in; a wrong code is counted and refused)."""
    with reading(engine) as conn:
        ratelimit.check(conn, config, actor.email, address)
    with writing(engine) as conn:
        good = check(conn, config, actor.id, code)
        if good is None:
            ratelimit.failed(conn, actor.email, address)
    if good is None:
        raise InvalidInput(WRONG_CODE, field="code")


def turn_off(
    engine: Engine, config: ServerConfig, actor: Actor, code: str, address: str | None
) -> None:
    """Turn the member's second factor off (a current code needed), or abandon one
    being set up (no code needed: it never counted)."""
    with reading(engine) as conn:
        if required(conn):
            raise InvalidInput(
                "Your organisation requires a second factor, so it cannot be turned off; "
                "for a new phone, ask your admin to reset it.",
                field="code",
            )
        was = state(conn, actor.id)
    if was == "off":
        return
    if was == "on":
        _with_code(engine, config, actor, code, address)
    with writing(engine) as conn:
        _remove(conn, actor.id)
        if was == "on":
            audit.record(conn, actor.id, "totp.off", "user", actor.id, owner_id=actor.id)


def state_of(engine: Engine, user_id: str) -> str:
    with reading(engine) as conn:
        return state(conn, user_id)


def renew_recovery_codes(
    engine: Engine, config: ServerConfig, actor: Actor, code: str, address: str | None
) -> list[str]:
    if state_of(engine, actor.id) != "on":
        raise NotFound("Your second factor is not on; set it up first.")
    _with_code(engine, config, actor, code, address)
    with writing(engine) as conn:
        codes = _new_recovery_codes(conn, actor.id)
        audit.record(conn, actor.id, "totp.recovery", "user", actor.id, owner_id=actor.id)
    return codes


def reset(engine: Engine, actor: Actor, user_id: str) -> None:
    """An admin turns off a member's second factor (a lost phone); they set it up again."""
    from attunement.server.accounts import require_admin

    require_admin(actor)
    with writing(engine) as conn:
        if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
            raise NotFound("There is no such member.")
        _remove(conn, user_id)
        audit.record(conn, actor.id, "totp.reset", "user", user_id, owner_id=user_id)


def remove(conn: Connection, user_id: str) -> None:
    """Turn a member's second factor off (for `attune server admin-link`)."""
    _remove(conn, user_id)


def _remove(conn: Connection, user_id: str) -> None:
    conn.execute(delete(second_factors).where(second_factors.c.user_id == user_id))
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
