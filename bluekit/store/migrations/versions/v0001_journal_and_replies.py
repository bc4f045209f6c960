"""Schema version 1: the send journal and the lighting replies (bluekit 0.1), and the record
of versions applied that bluekit kept before Alembic (still written, so that a bluekit of that
time refuses a newer database instead of using it)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(5), nullable=False),  # widened to 20 by version 2
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("year", "kind", "code", name="uq_sends_once"),
    )
    op.create_table(
        "lighting_replies",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("building", sa.Text, nullable=True),
        sa.Column("lit_from", sa.String(5), nullable=True),
        sa.Column("lit_until", sa.String(5), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("lighting_replies", "sends", "schema_version"):
        op.drop_table(table)
