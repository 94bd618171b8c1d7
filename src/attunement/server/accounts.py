"""People, courses and memberships: creating the first admin, inviting by link, joining,
choosing a password, signing in, suspending and reinstating.

Invitations are links (no mail server needed): a random token whose SHA-256 is stored,
usable once, until it expires. The first admin's sign-in link is an invitation to choose
a password. Nobody is deleted by an admin: a suspended account cannot sign in, its
sessions end, and its shares stop being readable; the person can still be reinstated.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from attunement.core.validation import clean_text
from attunement.errors import AttuneError, Conflict, InvalidInput, NotFound
from attunement.server import audit, passwords, ratelimit, sessions
from attunement.server.config import ServerConfig
from attunement.server.db import now, reading, writing
from attunement.server.schema import (
    READER_ROLES,
    ROLES,
    courses,
    invitations,
    memberships,
    second_factors,
    settings,
    users,
)
from attunement.server.sessions import Actor

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
ROLE_NAMES = {"trainee": "trainee", "supervisor": "supervisor", "lead": "course lead"}
EXPIRED_LINK = (
    "This link has expired or was already used; ask your programme's admin for a new one."
)


def email_of(text: str) -> str:
    email = text.strip().lower()
    if not EMAIL.match(email):
        raise InvalidInput(
            "Give an e-mail address like name@example.org (it is how you sign in).",
            field="email",
        )
    return email


def name_of(text: str) -> str:
    name = " ".join(clean_text(text, field="name", what="name").split())
    if not 1 <= len(name) <= 120:
        raise InvalidInput("Give a name of 1 to 120 characters.", field="name")
    return name


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, sessions.digest(token)


def create_user(
    conn: Connection, email: str, name: str, password_hash: str | None = None, admin: bool = False
) -> str:
    user_id = str(uuid.uuid4())
    try:
        with conn.begin_nested():
            conn.execute(
                users.insert().values(
                    id=user_id,
                    email=email_of(email),
                    name=name_of(name),
                    password_hash=password_hash,
                    is_admin=admin,
                    created_at=now(),
                )
            )
    except IntegrityError as exc:
        raise Conflict(
            "An account with that e-mail address exists already; sign in instead.",
            field="email",
        ) from exc
    return user_id


def initialise(engine: Engine, config: ServerConfig, email: str, name: str, org: str) -> str:
    """The first admin and a one-time link to choose their password. Refused once done."""
    with writing(engine) as conn:
        if conn.execute(select(users.c.id).limit(1)).first() is not None:
            raise Conflict("This server already has accounts; sign in, or ask an admin for a link.")
        conn.execute(settings.insert().values(key="organisation", value=name_of(org)))
        user_id = create_user(conn, email, name, admin=True)
        token = _password_link(conn, config, user_id, created_by=None)
        audit.record(conn, None, "server.init", "user", user_id)
    return f"{config.public_url}/welcome/{token}"


@dataclass(frozen=True)
class AdminLink:
    """What `attune server admin-link` made: the link, and whether the account is new."""

    link: str
    email: str
    made: bool
    second_factor_off: bool


def admin_link(
    engine: Engine,
    config: ServerConfig,
    email: str,
    *,
    name: str | None = None,
    turn_off_second_factor: bool = False,
) -> AdminLink:
    """A new one-time link for an admin to choose a password, given on the server's own
    machine (whoever runs it can read the database anyway): the way back for a lost first
    link or a locked-out admin. A new address makes a new admin account (``name`` needed);
    a member who is not an admin is refused. Using the link ends the account's sessions;
    ``turn_off_second_factor`` also turns off a second factor whose phone is lost."""
    from attunement.server import totp

    address = email_of(email)
    with writing(engine) as conn:
        if conn.execute(select(users.c.id).limit(1)).first() is None:
            raise NotFound(
                "This server has no accounts yet; run `attune server init` first.", field="email"
            )
        row = conn.execute(
            select(users.c.id, users.c.is_admin, users.c.suspended_at).where(
                users.c.email == address
            )
        ).first()
        made = row is None
        if row is None:
            if not name or not name.strip():
                raise InvalidInput(
                    f"No account has the address {address}; to make a new admin account "
                    "with it, give their name with --name.",
                    field="name",
                )
            user_id = create_user(conn, address, name, admin=True)
        elif not row.is_admin:
            raise InvalidInput(
                f"{address} is a member but not an admin; give the address of an admin "
                "(or a new address, with --name, for a new admin account).",
                field="email",
            )
        elif row.suspended_at is not None:
            raise InvalidInput(
                f"{address} is suspended; another admin can reinstate the account first.",
                field="email",
            )
        else:
            user_id = row.id
        off = False
        if turn_off_second_factor and totp.state(conn, user_id) != "off":
            totp.remove(conn, user_id)
            off = True
        token = _password_link(conn, config, user_id, created_by=None)
        detail = "new admin" if made else "existing admin"
        audit.record(
            conn,
            None,
            "admin.link",
            "user",
            user_id,
            owner_id=user_id,
            detail=f"{detail}, on the server" + (", second factor off" if off else ""),
        )
    return AdminLink(f"{config.public_url}/welcome/{token}", address, made, off)


def organisation(conn: Connection) -> str:
    value = conn.execute(select(settings.c.value).where(settings.c.key == "organisation")).scalar()
    return value or "Attunement"


def _password_link(
    conn: Connection, config: ServerConfig, user_id: str, created_by: str | None
) -> str:
    token, token_hash = _new_token()
    moment = now()
    conn.execute(
        invitations.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            created_by=created_by,
            created_at=moment,
            expires_at=moment + timedelta(days=config.invitation_days),
        )
    )
    return token


# ---- admin: courses, invitations, suspension -------------------------------------------


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotFound("There is no such page.")


def create_course(engine: Engine, actor: Actor, name: str) -> str:
    require_admin(actor)
    course_id = str(uuid.uuid4())
    with writing(engine) as conn:
        exists = conn.execute(select(courses.c.id).where(courses.c.name == name_of(name))).first()
        if exists:
            raise Conflict("A course of that name exists already; choose another.", field="name")
        conn.execute(courses.insert().values(id=course_id, name=name_of(name), created_at=now()))
        audit.record(conn, actor.id, "course.create", "course", course_id)
    return course_id


def invite(engine: Engine, config: ServerConfig, actor: Actor, course_id: str, role: str) -> str:
    """A link that makes a new account (or adds a signed-in one) to a course with a role."""
    require_admin(actor)
    if role not in ROLES:
        raise InvalidInput("The role must be trainee, supervisor or lead.", field="role")
    token, token_hash = _new_token()
    with writing(engine) as conn:
        if conn.execute(select(courses.c.id).where(courses.c.id == course_id)).first() is None:
            raise NotFound("There is no such course.", field="course")
        moment = now()
        conn.execute(
            invitations.insert().values(
                token_hash=token_hash,
                course_id=course_id,
                role=role,
                created_by=actor.id,
                created_at=moment,
                expires_at=moment + timedelta(days=config.invitation_days),
            )
        )
        audit.record(conn, actor.id, "invitation.create", "course", course_id, detail=role)
    return f"{config.public_url}/welcome/{token}"


def password_link(engine: Engine, config: ServerConfig, actor: Actor, user_id: str) -> str:
    """A new one-time link for a member who lost their password (admins give it)."""
    require_admin(actor)
    with writing(engine) as conn:
        if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
            raise NotFound("There is no such member.")
        token = _password_link(conn, config, user_id, actor.id)
        audit.record(conn, actor.id, "password.link", "user", user_id)
    return f"{config.public_url}/welcome/{token}"


def set_suspended(engine: Engine, actor: Actor, user_id: str, suspended: bool) -> None:
    require_admin(actor)
    if user_id == actor.id:
        raise InvalidInput("You cannot suspend your own account.", field="user")
    with writing(engine) as conn:
        changed = conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(suspended_at=now() if suspended else None)
        ).rowcount
        if not changed:
            raise NotFound("There is no such member.")
        if suspended:
            sessions.revoke_all(conn, user_id)
        action = "member.suspend" if suspended else "member.reinstate"
        audit.record(conn, actor.id, action, "user", user_id)


def overview(engine: Engine, actor: Actor) -> dict[str, Any]:
    """Every course with its members, and every account (admins)."""
    require_admin(actor)
    with reading(engine) as conn:
        with_factor = set(conn.execute(select(second_factors.c.user_id)).scalars())
        people = {
            r.id: {
                "id": r.id,
                "name": r.name,
                "email": r.email,
                "admin": bool(r.is_admin),
                "suspended": r.suspended_at is not None,
                "second_factor": r.id in with_factor,
            }
            for r in conn.execute(select(users).order_by(users.c.name, users.c.email))
        }
        out = []
        for c in conn.execute(select(courses).order_by(courses.c.name)):
            members = conn.execute(  # leads, supervisors, then trainees; by name in each
                select(memberships.c.user_id, memberships.c.role)
                .join(users, users.c.id == memberships.c.user_id)
                .where(memberships.c.course_id == c.id)
                .order_by(
                    case(
                        (memberships.c.role == "lead", 0),
                        (memberships.c.role == "supervisor", 1),
                        else_=2,
                    ),
                    users.c.name,
                    users.c.email,
                )
            )
            out.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "members": [
                        {**people[m.user_id], "role": m.role}
                        for m in members
                        if m.user_id in people
                    ],
                }
            )
    return {"courses": out, "people": list(people.values())}


# ---- invitations: the welcome page ------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    token_hash: str
    course_id: str | None
    course_name: str | None
    role: str | None
    user_id: str | None  # set: a link to choose a password for this account
    email: str | None


def invitation(conn: Connection, token: str) -> Invitation:
    if not token or len(token) > 200:
        raise NotFound(EXPIRED_LINK)
    row = conn.execute(
        select(invitations, courses.c.name.label("course_name"), users.c.email)
        .outerjoin(courses, courses.c.id == invitations.c.course_id)
        .outerjoin(users, users.c.id == invitations.c.user_id)
        .where(invitations.c.token_hash == sessions.digest(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now():
        raise NotFound(EXPIRED_LINK)
    return Invitation(
        row.token_hash, row.course_id, row.course_name, row.role, row.user_id, row.email
    )


def accept(
    engine: Engine,
    config: ServerConfig,
    token: str,
    *,
    actor: Actor | None,
    name: str = "",
    email: str = "",
    password: str = "",
    password_again: str | None = None,
) -> str:
    """Use a welcome link: choose a password, make an account and join, or (signed in)
    join the course. Returns the account's id; the link cannot be used again. When the
    form asked for the password twice (``password_again``), both must be the same."""
    ph = passwords.hasher(config.argon2_memory_kib, config.argon2_time_cost)
    with reading(engine) as conn:
        invite_ = invitation(conn, token)
    joining_as_self = actor is not None and invite_.user_id is None
    if not joining_as_self and password_again is not None and password_again != password:
        raise InvalidInput(
            "The two passwords are not the same; type the same password in both fields.",
            field="password_again",
        )
    password_hash = None if joining_as_self else passwords.hash_password(ph, password)
    with writing(engine) as conn:
        claimed = conn.execute(
            update(invitations)
            .where(invitations.c.token_hash == invite_.token_hash, invitations.c.used_at.is_(None))
            .values(used_at=now())
        ).rowcount
        if not claimed:
            raise NotFound(EXPIRED_LINK)
        if invite_.user_id is not None:
            user_id = invite_.user_id
            conn.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )
            sessions.revoke_all(conn, user_id)
            audit.record(conn, user_id, "password.set", "user", user_id, owner_id=user_id)
            return user_id
        if actor is not None:
            user_id = actor.id
        else:
            user_id = create_user(conn, email, name, password_hash)
        _join_course(conn, invite_, user_id)
    return user_id


def _join_course(conn: Connection, invite_: Invitation, user_id: str) -> None:
    assert invite_.course_id is not None and invite_.role is not None
    existing = conn.execute(
        select(memberships.c.role).where(
            memberships.c.course_id == invite_.course_id, memberships.c.user_id == user_id
        )
    ).first()
    if existing is None:
        conn.execute(
            memberships.insert().values(
                course_id=invite_.course_id,
                user_id=user_id,
                role=invite_.role,
                created_at=now(),
            )
        )
    else:
        conn.execute(
            update(memberships)
            .where(
                memberships.c.course_id == invite_.course_id,
                memberships.c.user_id == user_id,
            )
            .values(role=invite_.role)
        )
    audit.record(
        conn,
        user_id,
        "invitation.accept",
        "course",
        invite_.course_id,
        owner_id=user_id,
        detail=invite_.role,
    )


def join_verified(conn: Connection, token_hash: str, email: str, name: str) -> str | None:
    """Use a course invitation for someone whose e-mail address the organisation's
    identity provider has verified: their account (made now, without a password, if
    there is none) joins the course. None when the link has expired or was used
    meanwhile, or the account is suspended; nothing is changed then."""
    row = conn.execute(
        select(invitations, courses.c.name.label("course_name"))
        .join(courses, courses.c.id == invitations.c.course_id)
        .where(invitations.c.token_hash == token_hash, invitations.c.user_id.is_(None))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now():
        return None
    person = conn.execute(
        select(users.c.id, users.c.suspended_at).where(users.c.email == email_of(email))
    ).first()
    if person is not None and person.suspended_at is not None:
        return None
    claimed = conn.execute(
        update(invitations)
        .where(invitations.c.token_hash == token_hash, invitations.c.used_at.is_(None))
        .values(used_at=now())
    ).rowcount
    if not claimed:
        return None
    if person is not None:
        user_id = person.id
    else:
        user_id = create_user(conn, email, " ".join(name.split())[:120] or email.split("@")[0])
    invite_ = Invitation(row.token_hash, row.course_id, row.course_name, row.role, None, email)
    _join_course(conn, invite_, user_id)
    return user_id


# ---- signing in -----------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """Signed in: a new session's token and its CSRF token."""

    token: str
    csrf: str


@dataclass(frozen=True)
class Halfway:
    """The password was right and a code is still to be given (``second_step``): the
    token of that half-done sign-in, for a short-lived cookie. ``enrol``: the
    organisation requires a second factor this member has not set up yet."""

    step: str
    enrol: bool


class SecondFactorNeeded(AttuneError):
    """The local app's sign-in needs the code from the member's authenticator app."""

    code = "second_factor_needed"
    http_status = 422


def sign_in(
    engine: Engine,
    config: ServerConfig,
    email: str,
    password: str,
    *,
    address: str | None,
    kind: str = "web",
    label: str = "",
    previous: str | None = None,
    code: str | None = None,
) -> Started | Halfway:
    """Check the password (rate limited) and start a new session, or, when the member
    has a second factor (or the organisation requires one), ask for the code: a browser
    gets a :class:`Halfway`, and the local app sends the code with the password
    (``code``). The session the client brought, if any, is ended: never reused across
    sign-in."""
    from attunement.server import steps, totp

    email = email.strip().lower()[:254]
    ph = passwords.hasher(config.argon2_memory_kib, config.argon2_time_cost)
    with reading(engine) as conn:
        ratelimit.check(conn, config, email, address)
        row = conn.execute(
            select(users.c.id, users.c.password_hash, users.c.suspended_at).where(
                users.c.email == email
            )
        ).first()
        factor = totp.state(conn, row.id) if row is not None else "off"
        needs_code = factor == "on" or totp.required(conn)
    good = passwords.verify(ph, row.password_hash if row else None, password)
    allowed = good and row is not None and row.suspended_at is None
    refusal: AttuneError | None = None
    result: Started | Halfway | None = None
    with writing(engine) as conn:
        sessions.end(conn, previous)
        if not allowed:
            ratelimit.failed(conn, email, address)
            audit.record(
                conn,
                None,
                "signin",
                "user",
                row.id if row else None,
                owner_id=row.id if row else None,
                outcome="refused",
            )
            refusal = InvalidInput(
                "That e-mail address and password do not match an account that can sign in.",
                field="password",
            )
        else:
            assert row is not None
            how = kind
            if needs_code and kind == "web":
                step = steps.start(conn, config, "code", user_id=row.id, label=label or kind)
                result = Halfway(step, enrol=factor != "on")
                audit.record(conn, row.id, "signin.password", "user", row.id, owner_id=row.id)
            elif needs_code and factor != "on":
                refusal = InvalidInput(
                    "Your organisation requires a second factor: sign in once on the team "
                    "server's web page to set it up, then sign in here again.",
                    field="code",
                )
            elif needs_code and not code:
                refusal = SecondFactorNeeded(
                    "Give the 6-digit code from your authenticator app (or a recovery code).",
                    field="code",
                )
            elif needs_code:
                assert code is not None
                used = totp.check(conn, config, row.id, code)
                if used is None:
                    ratelimit.failed(conn, email, address)
                    audit.record(
                        conn, None, "signin", "user", row.id, owner_id=row.id, outcome="refused"
                    )
                    refusal = InvalidInput(totp.WRONG_CODE, field="code")
                how = f"{kind}+{used}"
            if refusal is None and result is None:
                ratelimit.succeeded(conn, config, email)
                token, csrf = sessions.start(conn, config, row.id, kind, label or kind)
                audit.record(conn, row.id, "signin", "user", row.id, owner_id=row.id, detail=how)
                result = Started(token, csrf)
            if good and ph.check_needs_rehash(row.password_hash):
                conn.execute(
                    update(users)
                    .where(users.c.id == row.id)
                    .values(password_hash=ph.hash(password))
                )
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def sign_out(engine: Engine, token: str | None, actor: Actor | None) -> None:
    with writing(engine) as conn:
        if sessions.end(conn, token) and actor is not None:
            audit.record(conn, actor.id, "signout", "user", actor.id, owner_id=actor.id)


def revoke_session(engine: Engine, actor: Actor, public_id: str) -> None:
    with writing(engine) as conn:
        sessions.revoke(conn, actor.id, public_id)
        audit.record(conn, actor.id, "session.revoke", "session", public_id, owner_id=actor.id)


def account(engine: Engine, actor: Actor) -> dict[str, Any]:
    """Who I am, my courses and roles, the people I can share with, my sessions, and
    whether I have a second factor."""
    from attunement.server import totp

    with reading(engine) as conn:
        mine = conn.execute(
            select(courses.c.id, courses.c.name, memberships.c.role)
            .join(memberships, memberships.c.course_id == courses.c.id)
            .where(memberships.c.user_id == actor.id)
            .order_by(courses.c.name)
        ).all()
        return {
            "id": actor.id,
            "name": actor.name,
            "email": actor.email,
            "admin": actor.is_admin,
            "courses": [{"id": c.id, "name": c.name, "role": c.role} for c in mine],
            "readers": readers_for(conn, actor.id),
            "sessions": sessions.of_user(conn, actor.id),
            "current_session": actor.session_id,
            "second_factor": totp.state(conn, actor.id),  # "off", "pending" or "on"
        }


def readers_for(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    """The supervisors and course leads of the courses a person belongs to, with each
    course they share: whom that person may share with."""
    mine = select(memberships.c.course_id).where(memberships.c.user_id == user_id)
    rows = conn.execute(
        select(
            users.c.id,
            users.c.name,
            users.c.email,
            courses.c.id.label("course_id"),
            courses.c.name.label("course"),
            memberships.c.role,
        )
        .join(memberships, memberships.c.user_id == users.c.id)
        .join(courses, courses.c.id == memberships.c.course_id)
        .where(
            memberships.c.course_id.in_(mine),
            memberships.c.role.in_(READER_ROLES),
            users.c.suspended_at.is_(None),
            users.c.id != user_id,
        )
        .order_by(users.c.name, courses.c.name)
    )
    return [
        {
            "id": r.id,
            "name": r.name,
            "email": r.email,
            "course_id": r.course_id,
            "course": r.course,
            "role": r.role,
        }
        for r in rows
    ]
