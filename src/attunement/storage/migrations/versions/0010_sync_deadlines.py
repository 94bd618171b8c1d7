"""Deadlines come home: with each sync, the team server says the member's name and
their deadlines that matter now (overdue, or due within the week, and not yet met);
``sync_state`` keeps the latest of both, so `attune today`, `attune server sync` and the
Team server page can say them offline. NULL ``deadlines``: the server has not said (an
older server, or not synced since this version).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_state", sa.Column("member_name", sa.Text(), nullable=True))
    op.add_column("sync_state", sa.Column("deadlines", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("deadlines")
        batch.drop_column("member_name")
