"""roster, offers, alerts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("ticket", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.String(length=32), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_request_id"), ["request_id"], unique=False)

    op.create_table(
        "coordinators",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_index", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("on_call", sa.JSON(), nullable=False),
        sa.Column("backup_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone_index"),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("supporter_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("caller_leg_sid", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid"),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_supporter_id"), ["supporter_id"], unique=False)
        batch_op.create_index(
            "uq_offers_one_active_per_request",
            ["request_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('ringing', 'accepted')"),
            postgresql_where=sa.text("status IN ('ringing', 'accepted')"),
        )

    op.create_table(
        "supporters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_index", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("languages", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("training_tier", sa.String(length=40), nullable=True),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.Column("trained", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("monthly_cap_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("on_shift", sa.Boolean(), nullable=True),
        sa.Column("cool_off_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_call_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("month_key", sa.String(length=7), nullable=False),
        sa.Column("month_minutes", sa.Integer(), nullable=False),
        sa.Column("busy_offer_id", sa.String(length=32), nullable=True),
        sa.Column("bad_number", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("busy_offer_id"),
        sa.UniqueConstraint("phone_index"),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supporter_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("previous_supporter_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("callback_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("minutes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("minutes")
        batch_op.drop_column("connected_at")
        batch_op.drop_column("acked_at")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("callback_attempts")
        batch_op.drop_column("previous_supporter_id")
        batch_op.drop_column("supporter_id")

    op.drop_table("supporters")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_offers_one_active_per_request",
            sqlite_where=sa.text("status IN ('ringing', 'accepted')"),
            postgresql_where=sa.text("status IN ('ringing', 'accepted')"),
        )
        batch_op.drop_index(batch_op.f("ix_offers_supporter_id"))
        batch_op.drop_index(batch_op.f("ix_offers_request_id"))

    op.drop_table("offers")
    op.drop_table("coordinators")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_request_id"))

    op.drop_table("alerts")
