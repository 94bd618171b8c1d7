"""The journal's tables, in SQLAlchemy Core, portable between SQLite and PostgreSQL.

Migrations under ``migrations/versions`` are the history of this file; a test checks
that migrating an empty database to ``HEAD_REVISION`` yields exactly these tables.
Every row carries an ``owner`` so the team server can hold many journals in one database;
the local app uses the single owner ``"local"``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from attunement.storage.version import HEAD_REVISION as HEAD_REVISION  # re-exported
from attunement.storage.version import LOCAL_OWNER


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out. SQLite keeps naive UTC text that sorts
    correctly; PostgreSQL keeps ``timestamptz``."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()


def _scale(name: str) -> Column[int]:
    return Column(
        name,
        SmallInteger,
        CheckConstraint(f"{name} BETWEEN 0 AND 10", name=f"ck_checkins_{name}_range"),
        nullable=True,
    )


entries = Table(
    "entries",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("title", Text, nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("prompt_id", String(128), nullable=True),
    Column("starred", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_offset", Integer, nullable=False, default=0),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_offset", Integer, nullable=False, default=0),
    Column("revision", Integer, nullable=False, default=1),
    Column("deleted_at", UtcDateTime, nullable=True),
    Column("source", String(200), nullable=True),
    # Where and in what weather it was recorded (core.meta), apart from the text, so it is
    # never searched or analysed; NULL when there is none.
    Column("meta", JSON, nullable=True),
    UniqueConstraint("owner", "source", name="uq_entries_owner_source"),
    Index("ix_entries_owner_trash_created", "owner", "deleted_at", "created_at"),
    Index("ix_entries_owner_prompt", "owner", "prompt_id"),
    # A search's filter and tie-break answered without reading the entry (migration 0008).
    Index(
        "ix_entries_pk_filter", "pk", "owner", "deleted_at", "created_at", "starred", "prompt_id"
    ),
)

entry_tags = Table(
    "entry_tags",
    metadata,
    Column("entry_pk", Integer, ForeignKey("entries.pk", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(64), primary_key=True),
    Index("ix_entry_tags_tag", "tag", "entry_pk"),
)

entry_revisions = Table(
    "entry_revisions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("entry_pk", Integer, ForeignKey("entries.pk", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("prompt_id", String(128), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("starred", Boolean, nullable=False),
    Column("saved_at", UtcDateTime, nullable=False),
    Column("saved_offset", Integer, nullable=False),
    Column("replaced_at", UtcDateTime, nullable=False),
    Column("replaced_offset", Integer, nullable=False),
    UniqueConstraint("entry_pk", "revision", name="uq_entry_revisions_entry_revision"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("entry_id", String(16), nullable=True),
    Column("prompt_id", String(128), nullable=True),
    Column("title", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("tags", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("tz_offset", Integer, nullable=False, default=0),
    Index("ix_drafts_owner_updated", "owner", "updated_at"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("at", UtcDateTime, nullable=False),
    Column("at_offset", Integer, nullable=False, default=0),
    _scale("ease"),
    _scale("presence"),
    _scale("curiosity"),
    _scale("urge_to_fix"),
    _scale("fatigue"),
    Column("body", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("moment", String(8), nullable=False, default="other"),
    CheckConstraint("moment IN ('before', 'after', 'other')", name="ck_checkins_moment"),
    Index("ix_checkins_owner_at", "owner", "at"),
)

decks = Table(
    "decks",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("format", String(8), nullable=False),
    Column("source_text", Text, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    UniqueConstraint("owner", "id", name="uq_decks_owner_id"),
)

transcripts = Table(
    "transcripts",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("title", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("caregiver", String(64), nullable=False),
    Column("turns", JSON, nullable=False),
    Column("entry_id", String(16), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_transcripts_owner_created", "owner", "created_at"),
)

# A stored session's turns as coded (transcripts/service.py), one row per transcript: the
# analysis version and a digest of the caregiver and turns it was coded from, so that a
# new analysis or other words are coded again. Deleted with its transcript.
transcript_codes = Table(
    "transcript_codes",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column(
        "transcript_pk", Integer, ForeignKey("transcripts.pk", ondelete="CASCADE"), nullable=False
    ),
    Column("version", String(64), nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("codes", JSON, nullable=False),
    Column("coded_at", UtcDateTime, nullable=False),
    UniqueConstraint("transcript_pk", name="uq_transcript_codes_transcript"),
)

practice_attempts = Table(
    "practice_attempts",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("vignette_id", String(32), nullable=False),
    Column("response", Text, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("feedback", JSON, nullable=False),
    Column("checkin_id", String(16), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("tz_offset", Integer, nullable=False, default=0),
    Index("ix_practice_owner_created", "owner", "created_at"),
)

people = Table(
    "people",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("name", String(200), nullable=False),
    UniqueConstraint("owner", "name", name="uq_people_owner_name"),
)

# The analysis of one version of an entry (its revision, whose text hashes to
# ``text_hash``) by one version of the analysis. ``signs`` (marker ids that count) and
# ``feelings`` (Ekman groups), space-separated, repeat what Insights and the packet
# count, so they need not decode the whole reading. Deleted with the entry.
readings = Table(
    "readings",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("entry_pk", Integer, ForeignKey("entries.pk", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("reading", JSON, nullable=False),
    Column("signs", Text, nullable=False),
    Column("feelings", Text, nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    UniqueConstraint("entry_pk", "revision", "version", name="uq_readings_entry_revision_version"),
)

# The team server (storage/shared.py): what this journal shared, and what came home.
# A share is named by the id the server knows it by (server/outgoing.py makes it from
# the server, the item and the reader). ``item`` is the local thing shared (an entry or
# transcript id, "progress", or a packet's digest) and ``item_revision`` the entry's
# version then; ``fingerprint`` is the SHA-256 the server gives the text that was sent
# (of the JSON array [title, body]), so an edit made since is seen. ``state``: "queued"
# (not yet sent: the server could not be reached), "shared", "revoked" or "expired"
# (deleted on the server; what came home is kept here).
shared_items = Table(
    "shared_items",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("share_id", String(36), nullable=False),
    Column("server_url", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item", String(64), nullable=True),
    Column("item_revision", Integer, nullable=True),
    Column("title", Text, nullable=False),
    Column("redacted", Boolean, nullable=False, default=True),
    Column("fingerprint", String(64), nullable=False),
    Column("reader_id", String(36), nullable=False),
    Column("reader_name", Text, nullable=False),
    Column("revision", Integer, nullable=True),  # the server's latest; None while queued
    Column("state", String(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("shared_at", UtcDateTime, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "state IN ('queued', 'shared', 'revoked', 'expired')", name="ck_shared_items_state"
    ),
    UniqueConstraint("owner", "share_id", name="uq_shared_items_owner_share"),
    Index("ix_shared_items_owner_item", "owner", "kind", "item"),
)

# Shares confirmed while the server could not be reached: the exact payload, sent in
# order (``pk``) by the next sync or share, each row deleted once the server has it.
share_queue = Table(
    "share_queue",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("share_id", String(36), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("queued_at", UtcDateTime, nullable=False),
)

# What came home from the server: comments (``kind`` "comment", or "changes" for a
# change request), sign-offs and openings, by the server's id for each, so syncing twice
# adds nothing. ``mine``: a reply the journal's owner wrote on the server.
share_feedback = Table(
    "share_feedback",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False, default=LOCAL_OWNER),
    Column("share_id", String(36), nullable=False),
    Column("server_id", String(80), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("author", Text, nullable=False),
    Column("mine", Boolean, nullable=False, default=False),
    Column("quote", Text, nullable=True),
    Column("body", Text, nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "kind IN ('comment', 'changes', 'signoff', 'open')", name="ck_share_feedback_kind"
    ),
    UniqueConstraint("owner", "share_id", "server_id", name="uq_share_feedback_server_id"),
)

# Where each team server's sync stands: the cursor it gave, when it last answered, and
# the last failure (shown, quietly, on the Team server page); since 0010 also the
# member's name and their deadlines that matter now, as the server last said them (a
# JSON list; NULL when it has not said).
sync_state = Table(
    "sync_state",
    metadata,
    Column("owner", String(64), primary_key=True, default=LOCAL_OWNER),
    Column("server_url", Text, primary_key=True),
    Column("cursor", Text, nullable=True),
    Column("synced_at", UtcDateTime, nullable=True),
    Column("tried_at", UtcDateTime, nullable=True),
    Column("problem", Text, nullable=True),
    Column("member_name", Text, nullable=True),
    Column("deadlines", JSON, nullable=True),
)
