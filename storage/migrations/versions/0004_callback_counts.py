"""call-back tally for the toll-fraud cap

Revision ID: callback_counts
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "callback_counts"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_counts",
        sa.Column("number_index", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number_index", "day"),
    )


def downgrade() -> None:
    op.drop_table("callback_counts")
