"""follow-up and sessions: consent to one follow-up text, the caller's episode, the texts
sent after a call and the de-identified feedback

Revision ID: follow_up
Revises: after_call
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "follow_up"
down_revision = "after_call"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("follow_up_ok", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("episode_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("session_no", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "follow_ups",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("next_request_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_follow_ups_step", "follow_ups", ["step"], unique=False)
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("role_group", sa.String(length=24), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_day", "feedback", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feedback_day", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_follow_ups_step", table_name="follow_ups")
    op.drop_table("follow_ups")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("session_no")
        batch.drop_column("episode_id")
        batch.drop_column("follow_up_ok")
