"""Indexes for what the home and cohort pages read: a share's requests for changes (the
comments of one kind) without scanning every comment.

Revision ID: s0005
Revises: s0003
Create Date: 2026-12-02
"""

from alembic import op

revision = "s0005"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_comments_share_kind", "comments", ["share_id", "kind", "revision"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_comments_share_kind", table_name="comments")
