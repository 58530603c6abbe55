"""the training ledger: refresher dates, tiers 1-3 or trainee, check-ins, CE credits

Revision ID: training_ledger
Revises: blocklist_rotatable_opt_outs
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "training_ledger"
down_revision = "blocklist_rotatable_opt_outs"
branch_labels = None
depends_on = None


def _tier(label: str) -> str:
    """A free-text tier from before this revision as the ledger's "1"-"3" or "trainee"."""
    text = label.strip().lower()
    if digit := re.search(r"[123]", text):
        return digit.group()
    if "train" in text:
        return "trainee"
    if any(word in text for word in ("lead", "senior", "advanced")):
        return "2"
    return "1"  # "peer supporter" and the like: trained peers, the first tier


def upgrade() -> None:
    with op.batch_alter_table("supporters") as batch:
        batch.add_column(sa.Column("refreshed_on", sa.Date(), nullable=True))
    supporters = sa.table(
        "supporters", sa.column("id", sa.String()), sa.column("training_tier", sa.String())
    )
    db = op.get_bind()
    rows = db.execute(
        sa.select(supporters.c.id, supporters.c.training_tier).where(
            supporters.c.training_tier.is_not(None)
        )
    ).all()
    for supporter_id, label in rows:
        db.execute(
            supporters.update()
            .where(supporters.c.id == supporter_id)
            .values(training_tier=_tier(label) if label.strip() else None)
        )
    op.create_table(
        "check_ins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_check_ins_held_on", "check_ins", ["held_on"])
    op.create_table(
        "check_in_attendance",
        sa.Column("check_in_id", sa.String(length=32), nullable=False),
        sa.Column("supporter_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["check_in_id"], ["check_ins.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("check_in_id", "supporter_id"),
    )
    op.create_index("ix_check_in_attendance_supporter_id", "check_in_attendance", ["supporter_id"])
    op.create_table(
        "ce_credits",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("supporter_id", sa.String(length=32), nullable=False),
        sa.Column("earned_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ce_credits_supporter_id", "ce_credits", ["supporter_id"])


def downgrade() -> None:
    op.drop_index("ix_ce_credits_supporter_id", table_name="ce_credits")
    op.drop_table("ce_credits")
    op.drop_index("ix_check_in_attendance_supporter_id", table_name="check_in_attendance")
    op.drop_table("check_in_attendance")
    op.drop_index("ix_check_ins_held_on", table_name="check_ins")
    op.drop_table("check_ins")
    with op.batch_alter_table("supporters") as batch:
        batch.drop_column("refreshed_on")
