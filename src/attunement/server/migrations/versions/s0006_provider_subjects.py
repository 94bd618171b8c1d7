"""Members bound to the identity provider's stable id for them (``sub``), at their first
sign-in with it.

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "s0006"
down_revision = "s0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_subjects",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("bound_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "issuer"),
        sa.UniqueConstraint("issuer", "subject", name="uq_provider_subjects_subject"),
    )


def downgrade() -> None:
    op.drop_table("provider_subjects")
