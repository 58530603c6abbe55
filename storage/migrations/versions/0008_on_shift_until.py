"""AVAILABLE and AWAY expire: when a supporter's texted override ends

Revision ID: on_shift_until
Revises: training_ledger
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "on_shift_until"
down_revision = "training_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supporters") as batch:
        batch.add_column(sa.Column("on_shift_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supporters") as batch:
        batch.drop_column("on_shift_until")
