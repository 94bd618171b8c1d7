"""The course lead's view: deadlines set per course, and notices (new comments,
deadlines soon or past) shown on the home page and mailed when SMTP is set up.

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signoff", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deadlines_course", "deadlines", ["course_id"], unique=False)
    op.create_table(
        "notices",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=True),
        sa.Column("deadline_id", sa.String(length=36), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("mailed_at", UtcDateTime(), nullable=True),
        sa.Column("seen_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["deadline_id"], ["deadlines.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_notices_user", "notices", ["user_id"], unique=False)
    # The cohort page reads a course's shares at once.
    op.create_index("ix_shares_course", "shares", ["course_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shares_course", table_name="shares")
    op.drop_index("ix_notices_user", table_name="notices")
    op.drop_table("notices")
    op.drop_index("ix_deadlines_course", table_name="deadlines")
    op.drop_table("deadlines")
