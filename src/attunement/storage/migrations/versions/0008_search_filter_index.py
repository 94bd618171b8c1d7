"""An index that answers a search's filter without reading the entries themselves.

A search walks the full-text index newest match first and checks each match against the
filter (whose entry, in the trash or not, the dates, the prompt, starred) and reads its
date to break ties. Looked up by key in the entries table, every check read the whole row
with its text: 2,000 rows of about a kilobyte for a common word. This index holds the key
and exactly those columns, so SQLite answers the check from it alone (1.6 -> 0.4 ms for
the 2,000 matches of a common word at 100,000 entries).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["pk", "owner", "deleted_at", "created_at", "starred", "prompt_id"]


def upgrade() -> None:
    op.create_index("ix_entries_pk_filter", "entries", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_entries_pk_filter", table_name="entries")
