"""Schema version 3: the record of review items a person dealt with (`orders review --done`,
`--retry`), so that an item leaves the open list and keeps its original."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_review_handled",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("order_review.id"), primary_key=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_by", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("order_number", sa.String(20), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("order_review_handled")
