"""Transcript codes: each stored session's turns as coded, kept so that coding (some 4 ms
a turn: 16 to 25 s for a 5,000-turn session) is done once per version of the analysis,
not on the first view after every start of the app.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_codes",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "transcript_pk",
            sa.Integer,
            sa.ForeignKey("transcripts.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("codes", sa.JSON, nullable=False),
        sa.Column("coded_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("transcript_pk", name="uq_transcript_codes_transcript"),
    )


def downgrade() -> None:
    op.drop_table("transcript_codes")
