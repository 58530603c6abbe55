"""after the call: consent before the match widens, the supporter's self-care check

Revision ID: after_call
Revises: on_shift_until
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "after_call"
down_revision = "on_shift_until"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("other_role_ok", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("other_language_ok", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("consent_asked", sa.String(length=16), nullable=True))
    op.create_table(
        "self_care_checks",
        sa.Column("offer_id", sa.String(length=32), nullable=False),
        sa.Column("supporter_id", sa.String(length=32), nullable=False),
        sa.Column("long_call", sa.Boolean(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("offer_id"),
    )
    op.create_index(
        "ix_self_care_checks_supporter_id", "self_care_checks", ["supporter_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_self_care_checks_supporter_id", table_name="self_care_checks")
    op.drop_table("self_care_checks")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("consent_asked")
        batch.drop_column("other_language_ok")
        batch.drop_column("other_role_ok")
