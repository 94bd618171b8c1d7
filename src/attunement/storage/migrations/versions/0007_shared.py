"""The team server, on this side: what this journal shared (and what waits to be sent
while the server cannot be reached), what came home (comments, change requests,
sign-offs, openings), and where each server's sync stands.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from attunement.storage.schema import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_items",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("item_revision", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reader_id", sa.String(length=36), nullable=False),
        sa.Column("reader_name", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("shared_at", UtcDateTime(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'shared', 'revoked', 'expired')", name="ck_shared_items_state"
        ),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "share_id", name="uq_shared_items_owner_share"),
    )
    op.create_index(
        "ix_shared_items_owner_item", "shared_items", ["owner", "kind", "item"], unique=False
    )
    op.create_table(
        "share_queue",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_table(
        "share_feedback",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("server_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("mine", sa.Boolean(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('comment', 'changes', 'signoff', 'open')", name="ck_share_feedback_kind"
        ),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "share_id", "server_id", name="uq_share_feedback_server_id"),
    )
    op.create_table(
        "sync_state",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("synced_at", UtcDateTime(), nullable=True),
        sa.Column("tried_at", UtcDateTime(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("owner", "server_url"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("share_feedback")
    op.drop_table("share_queue")
    op.drop_index("ix_shared_items_owner_item", table_name="shared_items")
    op.drop_table("shared_items")
