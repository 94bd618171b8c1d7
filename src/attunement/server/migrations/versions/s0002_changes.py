"""The change log behind `GET /api/v1/sync`: one row per new revision, comment,
sign-off, open and deleted share, written by triggers, so a member's computer asks only
for what changed since its cursor (server/changes.py).

Revision ID: s0002
Revises: s0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from attunement.server.schema import CHANGES_POSTGRES, CHANGES_SQLITE
from attunement.storage.schema import UtcDateTime

revision = "s0002"
down_revision = "s0004"  # after the sign-in options, already on main
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tx", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_changes_owner_tx_seq", "changes", ["owner_id", "tx", "seq"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in CHANGES_POSTGRES if dialect == "postgresql" else CHANGES_SQLITE:
        op.execute(statement)
    # Shares made before the log existed: their current state, once, as changes.
    now = "now()" if dialect == "postgresql" else "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
    tx = "pg_current_xact_id()::text::bigint" if dialect == "postgresql" else "0"
    for table, kind, object_, at in [
        ("revisions", "revision", "number", "created_at"),
        ("comments", "comment", "id", "created_at"),
        ("signoffs", "signoff", "pk", "signed_at"),
        ("opens", "open", "pk", "at"),
    ]:
        op.execute(
            f"INSERT INTO changes (tx, owner_id, share_id, kind, object_id, at) "
            f"SELECT {tx}, s.owner_id, s.id, '{kind}', CAST(t.{object_} AS TEXT), "
            f"COALESCE(t.{at}, {now}) FROM {table} t JOIN shares s ON s.id = t.share_id "
            f"ORDER BY t.{at}"
        )
