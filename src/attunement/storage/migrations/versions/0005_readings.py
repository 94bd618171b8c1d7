"""Readings: the analysis of each entry version, stored so it is computed once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "readings",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "entry_pk",
            sa.Integer,
            sa.ForeignKey("entries.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("reading", sa.JSON, nullable=False),
        sa.Column("signs", sa.Text, nullable=False),
        sa.Column("feelings", sa.Text, nullable=False),
        sa.Column("read_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint(
            "entry_pk", "revision", "version", name="uq_readings_entry_revision_version"
        ),
    )


def downgrade() -> None:
    op.drop_table("readings")
