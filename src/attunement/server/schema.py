"""The server's tables, in SQLAlchemy Core, the same on SQLite and PostgreSQL.

``migrations/versions`` is the history of this file; a test checks that migrating an
empty database gives exactly these tables. Content (revisions' text, comments) hangs off
``shares`` with ``ON DELETE CASCADE``, so revoking or expiring a share deletes everything
it carried. ``audit`` and ``signoffs`` are append-only: triggers refuse to change a row
(and, for the audit log, to delete one).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from attunement.storage.schema import UtcDateTime

HEAD_REVISION = "s0007"  # s0001 → s0004 → s0002 → s0003 → s0005 → s0006 → s0007
VERSION_TABLE = "attune_server_version"

ROLES = ("trainee", "supervisor", "lead")  # in a course; "admin" is a property of a user
READER_ROLES = ("supervisor", "lead")
KINDS = ("entry", "packet", "practice", "transcript")

metadata = MetaData()

ID = 36  # uuid text

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("suspended_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

courses = Table(
    "courses",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("course_id", String(ID), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_memberships_user", "user_id"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    # A new person joining a course with a role, or (user_id set) an existing person
    # choosing a password: the first admin's sign-in link is one of these.
    Column("course_id", String(ID), ForeignKey("courses.id", ondelete="CASCADE"), nullable=True),
    Column("role", String(16), nullable=True),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("created_by", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie or token
    Column("public_id", String(ID), nullable=False, unique=True),  # to name it for revoking
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),  # "web" (cookie) or "token" (the local app)
    Column("csrf", String(64), nullable=False),
    Column("label", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_sessions_user", "user_id"),
)

signin_failures = Table(
    "signin_failures",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),  # "account:<email>" or "address:<ip>"
    Column("at", UtcDateTime, nullable=False),
    Index("ix_signin_failures_key_at", "key", "at"),
)

# Sign-in options (s0004). A member's TOTP secret is sealed with the server's key file
# (``sealing``), never stored in the clear; recovery codes are kept as SHA-256 digests.
second_factors = Table(
    "second_factors",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", Text, nullable=False),  # sealed
    Column("confirmed_at", UtcDateTime, nullable=True),  # None: being set up
    Column("last_step", Integer, nullable=False),  # time step of the last code accepted
    Column("created_at", UtcDateTime, nullable=False),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_recovery_codes_user", "user_id"),
)

# Which person at the identity provider each member is: the provider's own stable id
# (``sub``) for its issuer, bound at the member's first sign-in with it. An address later
# given to someone else at the provider then signs nobody in to the earlier member.
provider_subjects = Table(
    "provider_subjects",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("issuer", String(500), primary_key=True),
    Column("subject", String(255), nullable=False),
    Column("bound_at", UtcDateTime, nullable=False),
    UniqueConstraint("issuer", "subject", name="uq_provider_subjects_subject"),
)

# A sign-in half done: the password was right and a code is asked for ("code"), or the
# browser was sent to the identity provider ("oidc"). Not a session: it reaches nothing
# but the next step, works once, and ends after a few minutes.
signin_steps = Table(
    "signin_steps",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the browser's cookie
    Column("kind", String(8), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("state", String(128), nullable=True),
    Column("nonce", String(128), nullable=True),
    Column("verifier", String(128), nullable=True),
    Column("invitation", String(64), nullable=True),  # SHA-256 of a welcome link: joining
    Column("label", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_signin_steps_expires", "expires_at"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", String(ID), primary_key=True),  # made by the client: pushes are idempotent
    Column("owner_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("reader_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("course_id", String(ID), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("latest", Integer, nullable=False),
    Index("ix_shares_owner", "owner_id"),
    Index("ix_shares_reader", "reader_id"),
    Index("ix_shares_expires", "expires_at"),
    Index("ix_shares_course", "course_id"),  # the cohort page (s0003)
)

revisions = Table(
    "revisions",
    metadata,
    Column("share_id", String(ID), ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),  # Markdown, as the owner saw it before sending
    Column("sha256", String(64), nullable=False),
    Column("redacted", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

opens = Table(
    "opens",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("share_id", String(ID), ForeignKey("shares.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("reader_id", String(ID), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_opens_share", "share_id"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("share_id", String(ID), ForeignKey("shares.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("parent_id", String(ID), ForeignKey("comments.id", ondelete="SET NULL"), nullable=True),
    Column("author_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # "comment" or "changes" (request changes)
    Column("quote", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_comments_share", "share_id"),
    Index("ix_comments_share_kind", "share_id", "kind", "revision"),  # requests for changes
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("share_id", String(ID), ForeignKey("shares.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),  # of the exact version signed
    Column("signer_id", String(ID), nullable=False),  # kept if the signer later leaves
    Column("signer_name", String(120), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    UniqueConstraint("share_id", "revision", "signer_id", name="uq_signoffs_once"),
)

# What changed about each member's shares, for `GET /api/v1/sync` (server/changes.py):
# one row per new revision, comment, sign-off, open and deleted share, written by
# triggers (below) in the same transaction as the change itself, so no write path can
# forget one. No content, and no foreign key: a deleted share's row says it was deleted.
# ``tx`` is the writing transaction's id on PostgreSQL (0 on SQLite, whose writers are
# serialised); the sync cursor is (tx, seq), see server/changes.py for why.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tx", BigInteger, nullable=False),
    Column("owner_id", String(ID), nullable=False),
    Column("share_id", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),  # revision comment signoff open revoked expired
    Column("object_id", String(64), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_changes_owner_tx_seq", "owner_id", "tx", "seq"),
    sqlite_autoincrement=True,
)

audit = Table(
    "audit",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", String(ID), nullable=True),  # None: someone not signed in
    Column("action", String(40), nullable=False),
    Column("object_type", String(16), nullable=False),
    Column("object_id", String(64), nullable=True),
    Column("owner_id", String(ID), nullable=True),  # whose content the action concerned
    Column("outcome", String(16), nullable=False),  # "ok" or "refused"
    Column("detail", String(200), nullable=True),  # a revision number or digest; no content
    Index("ix_audit_owner", "owner_id"),
    Index("ix_audit_at", "at"),
)

deadlines = Table(
    "deadlines",
    metadata,
    # Set by a course's lead: "a reflection signed off by 15 January". Met by a trainee
    # when an item of ``kind`` they shared in the course (from ``starts_on``, if set) is
    # signed off (or, when ``signoff`` is false, shared) by the end of ``due_on``, UTC.
    Column("id", String(ID), primary_key=True),
    Column("course_id", String(ID), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(120), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("signoff", Boolean, nullable=False),
    Column("starts_on", Date, nullable=True),
    Column("due_on", Date, nullable=False),
    Column("created_by", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_deadlines_course", "course_id"),
)

# How many times something a course's cohort view reads has changed (its trainees,
# shares, revisions, comments, sign-offs, deadlines, and the names and suspensions of its
# members): one row of weight 1 per change, written by triggers (below) in the same
# transaction as the change, so no write path can forget one. The sum of a course's
# weights is its stamp; the cohort view keeps its figures until the stamp moves
# (server/cohort.py). Only ever inserted, so writers never wait on each other for it (a
# counter row would make every writer in a course wait for the one before to commit);
# the minute's sweep folds a course's rows into one row of their summed weight
# (``fold_course_changes``), which leaves the sum as it was. No foreign key: a course's
# last change may come as it is deleted.
course_changes = Table(
    "course_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("course_id", String(ID), nullable=False),
    Column("weight", BigInteger, nullable=False),
    Index("ix_course_changes_course", "course_id", "seq"),
    sqlite_autoincrement=True,
)

notices = Table(
    "notices",
    metadata,
    # What a member is told: new comments on a share, a deadline soon or past. Shown on
    # the home page until dismissed, and mailed once when SMTP is set up. Never content:
    # the text is made when shown, from the share's title or the deadline's.
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(ID), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # "comment", "due_soon" or "overdue"
    Column("share_id", String(ID), ForeignKey("shares.id", ondelete="CASCADE"), nullable=True),
    Column(
        "deadline_id", String(ID), ForeignKey("deadlines.id", ondelete="CASCADE"), nullable=True
    ),
    Column("key", String(200), nullable=False, unique=True),  # one notice per happening
    Column("times", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("mailed_at", UtcDateTime, nullable=True),
    Column("seen_at", UtcDateTime, nullable=True),
    Index("ix_notices_user", "user_id"),
)

APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
       BEGIN SELECT RAISE(ABORT, 'a sign-off cannot be changed'); END""",
]
APPEND_ONLY_POSTGRES = [
    """CREATE FUNCTION attune_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
       FOR EACH ROW EXECUTE FUNCTION attune_refuse_change()""",
    """CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
       FOR EACH ROW EXECUTE FUNCTION attune_refuse_change()""",
]

# The change log's triggers (see ``changes``). A deleted share was "expired" when its
# expiry had passed, else "revoked" (by its owner, or with an erased account).
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
_SQLITE_ON_INSERT = """CREATE TRIGGER changes_on_{table} AFTER INSERT ON {table} BEGIN
       INSERT INTO changes (tx, owner_id, share_id, kind, object_id, at)
       SELECT 0, owner_id, id, '{kind}', CAST(NEW.{object} AS TEXT), NEW.{at}
       FROM shares WHERE id = NEW.share_id; END"""
CHANGES_SQLITE = [
    _SQLITE_ON_INSERT.format(table="revisions", kind="revision", object="number", at="created_at"),
    _SQLITE_ON_INSERT.format(table="comments", kind="comment", object="id", at="created_at"),
    _SQLITE_ON_INSERT.format(table="signoffs", kind="signoff", object="pk", at="signed_at"),
    _SQLITE_ON_INSERT.format(table="opens", kind="open", object="pk", at="at"),
    f"""CREATE TRIGGER changes_on_share_gone AFTER DELETE ON shares BEGIN
       INSERT INTO changes (tx, owner_id, share_id, kind, object_id, at)
       VALUES (0, OLD.owner_id, OLD.id,
               CASE WHEN OLD.expires_at IS NOT NULL AND OLD.expires_at <= {_SQLITE_NOW}
                    THEN 'expired' ELSE 'revoked' END,
               NULL, {_SQLITE_NOW}); END""",
    """CREATE TRIGGER changes_forget_member AFTER DELETE ON users BEGIN
       DELETE FROM changes WHERE owner_id = OLD.id; END""",
]
_PG_TX = "pg_current_xact_id()::text::bigint"
_PG_ON_INSERT = """CREATE TRIGGER changes_on_{table} AFTER INSERT ON {table}
       FOR EACH ROW EXECUTE FUNCTION attune_note_change('{kind}', '{object}', '{at}')"""
CHANGES_POSTGRES = [
    f"""CREATE FUNCTION attune_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE made jsonb := to_jsonb(NEW);
       BEGIN
         INSERT INTO changes (tx, owner_id, share_id, kind, object_id, at)
         SELECT {_PG_TX}, s.owner_id, s.id, TG_ARGV[0], made ->> TG_ARGV[1],
                (made ->> TG_ARGV[2])::timestamptz
         FROM shares s WHERE s.id = made ->> 'share_id';
         RETURN NULL;
       END $$""",
    f"""CREATE FUNCTION attune_note_share_gone() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO changes (tx, owner_id, share_id, kind, object_id, at)
         VALUES ({_PG_TX}, OLD.owner_id, OLD.id,
                 CASE WHEN OLD.expires_at IS NOT NULL AND OLD.expires_at <= now()
                      THEN 'expired' ELSE 'revoked' END,
                 NULL, now());
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION attune_forget_member() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN DELETE FROM changes WHERE owner_id = OLD.id; RETURN NULL; END $$""",
    _PG_ON_INSERT.format(table="revisions", kind="revision", object="number", at="created_at"),
    _PG_ON_INSERT.format(table="comments", kind="comment", object="id", at="created_at"),
    _PG_ON_INSERT.format(table="signoffs", kind="signoff", object="pk", at="signed_at"),
    _PG_ON_INSERT.format(table="opens", kind="open", object="pk", at="at"),
    """CREATE TRIGGER changes_on_share_gone AFTER DELETE ON shares
       FOR EACH ROW EXECUTE FUNCTION attune_note_share_gone()""",
    """CREATE TRIGGER changes_forget_member AFTER DELETE ON users
       FOR EACH ROW EXECUTE FUNCTION attune_forget_member()""",
]

# The course changes' triggers (see ``course_changes``): each names the course(s) a
# changed row belongs to.
_OF_SHARE = "(SELECT course_id FROM shares WHERE id = {row}.share_id)"
_COURSE_OF = {
    "shares": "{row}.course_id",
    "memberships": "{row}.course_id",
    "deadlines": "{row}.course_id",
    "revisions": _OF_SHARE,
    "comments": _OF_SHARE,
    "signoffs": _OF_SHARE,
}
_SQLITE_NOTE = """INSERT INTO course_changes (course_id, weight)
         SELECT DISTINCT course_id, 1 FROM ({courses}) WHERE course_id IS NOT NULL;"""
_USERS_COURSES = """SELECT course_id FROM memberships WHERE user_id = NEW.id
         UNION SELECT course_id FROM shares WHERE reader_id = NEW.id OR owner_id = NEW.id"""


def _sqlite_course_triggers() -> list[str]:
    out = []
    for table, course in _COURSE_OF.items():
        appended = table in ("revisions", "comments", "signoffs")  # rows only ever added
        for event in ("INSERT",) if appended else ("INSERT", "UPDATE", "DELETE"):
            row = "OLD" if event == "DELETE" else "NEW"
            select = f"SELECT {course.format(row=row)} AS course_id"
            out.append(
                f"CREATE TRIGGER course_changes_on_{table}_{event.lower()} AFTER {event} "
                f"ON {table} BEGIN " + _SQLITE_NOTE.format(courses=select) + " END"
            )
    out.append(
        "CREATE TRIGGER course_changes_on_users_update AFTER UPDATE OF name, email, "
        "suspended_at ON users BEGIN " + _SQLITE_NOTE.format(courses=_USERS_COURSES) + " END"
    )
    return out


COURSE_CHANGES_SQLITE = _sqlite_course_triggers()
COURSE_CHANGES_POSTGRES = [
    """CREATE FUNCTION attune_note_courses(ids text[]) RETURNS void LANGUAGE sql AS $$
       INSERT INTO course_changes (course_id, weight)
       SELECT DISTINCT id, 1 FROM unnest(ids) AS id WHERE id IS NOT NULL $$""",
    """CREATE FUNCTION attune_note_course() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE made jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
       BEGIN
         IF made ? 'course_id' THEN
           PERFORM attune_note_courses(ARRAY[made ->> 'course_id']);
         ELSE
           PERFORM attune_note_courses(
             ARRAY(SELECT course_id FROM shares WHERE id = made ->> 'share_id'));
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION attune_note_member() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.name IS DISTINCT FROM OLD.name OR NEW.email IS DISTINCT FROM OLD.email
            OR NEW.suspended_at IS DISTINCT FROM OLD.suspended_at THEN
           PERFORM attune_note_courses(ARRAY(
             SELECT course_id FROM memberships WHERE user_id = NEW.id
             UNION SELECT course_id FROM shares WHERE reader_id = NEW.id OR owner_id = NEW.id));
         END IF;
         RETURN NULL;
       END $$""",
    *(
        f"""CREATE TRIGGER course_changes_on_{table} AFTER {events} ON {table}
       FOR EACH ROW EXECUTE FUNCTION attune_note_course()"""
        for table, events in [
            ("shares", "INSERT OR UPDATE OR DELETE"),
            ("memberships", "INSERT OR UPDATE OR DELETE"),
            ("deadlines", "INSERT OR UPDATE OR DELETE"),
            ("revisions", "INSERT"),
            ("comments", "INSERT"),
            ("signoffs", "INSERT"),
        ]
    ),
    """CREATE TRIGGER course_changes_on_users AFTER UPDATE ON users
       FOR EACH ROW EXECUTE FUNCTION attune_note_member()""",
]
