"""Transcripts: de-identified sessions, stored as their turns, optionally linked to the
journal entry written about them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("caregiver", sa.String(64), nullable=False),
        sa.Column("turns", sa.JSON, nullable=False),
        sa.Column("entry_id", sa.String(16), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_transcripts_owner_created", "transcripts", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_table("transcripts")
