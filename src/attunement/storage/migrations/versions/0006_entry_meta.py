"""Entry metadata: where and in what weather an entry was recorded (a Day One import's
location and weather), kept beside the text instead of in it.

Only the entry holds it: an edit changes the words, never where they were recorded, so
earlier versions (entry_revisions) have nothing of their own to keep.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entries", sa.Column("meta", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("entries", "meta")
