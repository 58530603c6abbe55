"""the blocklist, and opt-outs that can follow a key rotation

Revision ID: blocklist_rotatable_opt_outs
Revises: console_accounts_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "blocklist_rotatable_opt_outs"
down_revision = "console_accounts_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocked_numbers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number_index", sa.String(length=64), nullable=False),
        sa.Column("number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number_index"),
    )
    # The number itself, encrypted, so `peerline keys rotate` can re-index an opt-out; rows
    # from before this revision have none (the rotation finds their numbers elsewhere).
    with op.batch_alter_table("opt_outs") as batch:
        batch.add_column(sa.Column("number_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opt_outs") as batch:
        batch.drop_column("number_enc")
    op.drop_table("blocked_numbers")
