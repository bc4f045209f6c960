"""Schema version 4: what `bluekit publish trello` put on its boards (every board, list, card
and attachment by bluekit's own key, with Trello's id), and the run publishing to a board, so
that two runs at the same moment cannot both create a card."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trello_items",
        sa.Column("board", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("trello_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("digest", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "trello_runs",
        sa.Column("board", sa.String(200), primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trello_runs")
    op.drop_table("trello_items")
