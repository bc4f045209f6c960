"""Schema version 2: orders with their lines and history, the stock and its ledger, the review
list; the journal's recipient code widened so that an order number fits (order e-mails)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NEW = ("order_counters", "orders", "order_lines", "order_events", "stock_items", "stock_moves",
        "order_review")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not hold VARCHAR to its length
        op.alter_column("sends", "code", type_=sa.String(20), existing_type=sa.String(5),
                        existing_nullable=False)
    op.create_table(
        "order_counters",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    _orders()
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("item", sa.String(40), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_line_quantity"),
    )
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("carrier", sa.String(100), nullable=True),
        sa.Column("tracking", sa.String(100), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])
    _stock()
    _review()


def _orders() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(12), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("telephone", sa.String(40), nullable=True),
        sa.Column("street", sa.Text, nullable=False),
        sa.Column("postcode", sa.String(4), nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("municipality", sa.String(5), nullable=True),
        sa.Column("remarks", sa.Text, nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("source_ref", sa.String(400), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("year", "status", "created_at"):
        op.create_index(f"ix_orders_{column}", "orders", [column])


def _stock() -> None:
    op.create_table(
        "stock_items",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("item", sa.String(40), primary_key=True),
        sa.Column("on_hand", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Integer, nullable=False),
        sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
    )
    op.create_table(
        "stock_moves",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("item", sa.String(40), nullable=False),
        sa.Column("on_hand_change", sa.Integer, nullable=False),
        sa.Column("reserved_change", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["year", "item"], ["stock_items.year", "stock_items.item"]),
    )


def _review() -> None:
    op.create_table(
        "order_review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_ref", sa.String(400), nullable=False, unique=True),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("sender", sa.Text, nullable=True),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("original", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in reversed(_NEW):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("sends", "code", type_=sa.String(5), existing_type=sa.String(20),
                        existing_nullable=False)
