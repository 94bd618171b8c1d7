"""Practice attempts: each response to a vignette with its feedback scores.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_attempts",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("vignette_id", sa.String(32), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("feedback", sa.JSON, nullable=False),
        sa.Column("checkin_id", sa.String(16), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("tz_offset", sa.Integer, nullable=False),
    )
    op.create_index("ix_practice_owner_created", "practice_attempts", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_table("practice_attempts")
