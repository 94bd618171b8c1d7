"""The first journal schema: entries with tags, revisions and trash; drafts; check-ins;
user decks; and, on SQLite, an FTS5 index over entry titles and bodies.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_SQLITE = [
    """CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, body, content='entries', content_rowid='pk',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts(rowid, title, body) VALUES (new.pk, new.title, new.body);
    END""",
    """CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, body)
        VALUES ('delete', old.pk, old.title, old.body);
    END""",
    """CREATE TRIGGER entries_fts_au AFTER UPDATE OF title, body ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, body)
        VALUES ('delete', old.pk, old.title, old.body);
        INSERT INTO entries_fts(rowid, title, body) VALUES (new.pk, new.title, new.body);
    END""",
]


def _scale(name: str) -> sa.Column:
    return sa.Column(
        name,
        sa.SmallInteger,
        sa.CheckConstraint(f"{name} BETWEEN 0 AND 10", name=f"ck_checkins_{name}_range"),
        nullable=True,
    )


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prompt_id", sa.String(128), nullable=True),
        sa.Column("starred", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_offset", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("updated_offset", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("deleted_at", UtcDateTime, nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.UniqueConstraint("owner", "source", name="uq_entries_owner_source"),
    )
    op.create_index(
        "ix_entries_owner_trash_created", "entries", ["owner", "deleted_at", "created_at"]
    )
    op.create_index("ix_entries_owner_prompt", "entries", ["owner", "prompt_id"])

    op.create_table(
        "entry_tags",
        sa.Column(
            "entry_pk",
            sa.Integer,
            sa.ForeignKey("entries.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(64), primary_key=True),
    )
    op.create_index("ix_entry_tags_tag", "entry_tags", ["tag", "entry_pk"])

    op.create_table(
        "entry_revisions",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "entry_pk",
            sa.Integer,
            sa.ForeignKey("entries.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prompt_id", sa.String(128), nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("starred", sa.Boolean, nullable=False),
        sa.Column("saved_at", UtcDateTime, nullable=False),
        sa.Column("saved_offset", sa.Integer, nullable=False),
        sa.Column("replaced_at", UtcDateTime, nullable=False),
        sa.Column("replaced_offset", sa.Integer, nullable=False),
        sa.UniqueConstraint("entry_pk", "revision", name="uq_entry_revisions_entry_revision"),
    )

    op.create_table(
        "drafts",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(16), nullable=True),
        sa.Column("prompt_id", sa.String(128), nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("tz_offset", sa.Integer, nullable=False),
    )
    op.create_index("ix_drafts_owner_updated", "drafts", ["owner", "updated_at"])

    op.create_table(
        "checkins",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("at_offset", sa.Integer, nullable=False),
        _scale("ease"),
        _scale("presence"),
        _scale("curiosity"),
        _scale("urge_to_fix"),
        _scale("fatigue"),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("moment", sa.String(8), nullable=False),
        sa.CheckConstraint("moment IN ('before', 'after', 'other')", name="ck_checkins_moment"),
    )
    op.create_index("ix_checkins_owner_at", "checkins", ["owner", "at"])

    op.create_table(
        "decks",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("owner", "id", name="uq_decks_owner_id"),
    )

    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS entries_fts")
    for table in ("decks", "checkins", "drafts", "entry_revisions", "entry_tags", "entries"):
        op.drop_table(table)
