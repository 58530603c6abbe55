"""consent before the match widens: the caller's answers, and a question pending

Revision ID: widening_consent
Revises: training_ledger
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "widening_consent"
down_revision = "training_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("other_role_ok", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("other_language_ok", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("consent_asked", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("consent_asked")
        batch.drop_column("other_language_ok")
        batch.drop_column("other_role_ok")
