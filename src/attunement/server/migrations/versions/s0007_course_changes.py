"""Course changes: one row per change to what a course's cohort view reads, written by
triggers, so the view keeps its figures until the course's stamp (the rows' summed
weight) moves (server/cohort.py).

Revision ID: s0007
Revises: s0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from attunement.server.schema import COURSE_CHANGES_POSTGRES, COURSE_CHANGES_SQLITE

revision = "s0007"
down_revision = "s0006"
branch_labels = None
depends_on = None

TABLES = ("shares", "memberships", "deadlines", "revisions", "comments", "signoffs", "users")


def upgrade() -> None:
    op.create_table(
        "course_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_course_changes_course", "course_changes", ["course_id", "seq"], unique=False
    )
    dialect = op.get_bind().dialect.name
    for statement in COURSE_CHANGES_POSTGRES if dialect == "postgresql" else COURSE_CHANGES_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS course_changes_on_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS attune_note_member()")
        op.execute("DROP FUNCTION IF EXISTS attune_note_course()")
        op.execute("DROP FUNCTION IF EXISTS attune_note_courses(text[])")
    else:
        for statement in COURSE_CHANGES_SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    op.drop_index("ix_course_changes_course", table_name="course_changes")
    op.drop_table("course_changes")
