"""The tables of bluekit's one database, defined once with SQLAlchemy Core: the send journal,
the lighting replies, the orders with their lines and history, the stock and its ledger, the
review list of messages that were no readable order, and what `bluekit publish trello` put on
its boards.

Which schema version added which table is the business of the revisions in `migrations/versions`
(a test holds the tables they make equal to these); every time column holds a
timezone-aware moment in UTC, and `now()` is the moment to stamp a row with.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

metadata = sa.MetaData()

# The versions applied, as bluekit recorded them before Alembic (which keeps its own
# `alembic_version`): still written, so that a bluekit of that time refuses a newer database.
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per message bluekit tried to send: the journal that makes sending idempotent.
# status: "claimed" (a run took it, nothing handed over yet), "sending" (handed to the server,
# outcome unknown if the run died), "sent", "failed" (refused for good), "deferred" (not sent,
# to try again); mail/journal.py says what each means.
sends = sa.Table(
    "sends",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # invitation, reminder, order-shipped...
    sa.Column("code", sa.String(20), nullable=False),  # REFNIS code, or an order number
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # the run that claimed it last, user@host:pid:token (schema version 6)
    sa.Column("claimed_by", sa.String(200), nullable=True),
    sa.Column("note", sa.Text, nullable=True),  # e.g. who recorded it as arrived (version 6)
    sa.UniqueConstraint("year", "kind", "code", name="uq_sends_once"),
)

# The answer of a municipality to the invitation: one row per campaign year and municipality.
replies = sa.Table(
    "lighting_replies",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(5), primary_key=True),
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("building", sa.Text, nullable=True),
    sa.Column("lit_from", sa.String(5), nullable=True),  # HH:MM
    sa.Column("lit_until", sa.String(5), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)


# --- orders and stock (schema version 2) ---

# The last order number given out per year: numbers are never reused, not even after a cancel.
order_counters = sa.Table(
    "order_counters",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(12), nullable=False, unique=True),  # 2024-0001
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("telephone", sa.String(40), nullable=True),
    sa.Column("street", sa.Text, nullable=False),
    sa.Column("postcode", sa.String(4), nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("municipality", sa.String(5), nullable=True),  # REFNIS code from the postcode
    sa.Column("remarks", sa.Text, nullable=True),
    sa.Column("source", sa.String(10), nullable=False),  # command, csv, email
    # What the order came from (a Message-ID, a CSV row's digest): importing it again is a no-op.
    sa.Column("source_ref", sa.String(400), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column(
        "order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item", sa.String(40), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_line_quantity"),
)

# Every status an order went through, with when and who: the history is never rewritten.
order_events = sa.Table(
    "order_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("carrier", sa.String(100), nullable=True),
    sa.Column("tracking", sa.String(100), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)

# Stock per campaign year and item. The checks make a negative stock impossible in the database
# itself, whatever the code above it does.
stock_items = sa.Table(
    "stock_items",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("item", sa.String(40), primary_key=True),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False),
    sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
)

# The stock ledger: every change to on hand or reserved, with its reason.
stock_moves = sa.Table(
    "stock_moves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("item", sa.String(40), nullable=False),
    sa.Column("on_hand_change", sa.Integer, nullable=False),
    sa.Column("reserved_change", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(12), nullable=False),  # opening, receive, reserve, release, ship
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.ForeignKeyConstraint(["year", "item"], ["stock_items.year", "stock_items.item"]),
)

# Messages that could not be read as an order: kept whole, with the reason, for a person to look at.
order_review = sa.Table(
    "order_review",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("source_ref", sa.String(400), nullable=False, unique=True),
    sa.Column("source_name", sa.Text, nullable=False),  # the file (and message) it came from
    sa.Column("sender", sa.Text, nullable=True),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("original", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)


# A review item dealt with by a person: typed in by hand, imported once the catalogue or the
# rules allowed it, or no order at all. The item and its original stay; it leaves the open list.
order_review_handled = sa.Table(
    "order_review_handled",
    metadata,
    sa.Column("review_id", sa.Integer, sa.ForeignKey("order_review.id"), primary_key=True),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("handled_by", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("order_number", sa.String(20), nullable=True),  # the order it became, if any
)


# --- what bluekit put on Trello (schema version 4) ---

# Every board, list, card and attachment `bluekit publish trello` made, per board (the --board
# name), by bluekit's own key ("board", "list/nl", "card/nl/x/kickoff",
# "file/nl/x/kickoff/wide-1600x900.png"), with Trello's id and a digest of what was written.
# state "creating" is the intent, written before Trello is asked to make the object: a run that
# died before it recorded Trello's answer leaves it, and the next run looks for the object on
# the board (a card by the reference in its description, a list by its name, an attachment by
# its name and size) instead of making a second one. "live" once recorded, "archived" after.
trello_items = sa.Table(
    "trello_items",
    metadata,
    sa.Column("board", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("trello_id", sa.String(64), nullable=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("digest", sa.String(64), nullable=True),  # card: its content; attachment: sha256
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# The run publishing to a board, so that two runs at the same moment cannot both create a card:
# a run holds the board while its heartbeat is recent and its process lives; a crashed run's
# claim lapses.
trello_runs = sa.Table(
    "trello_runs",
    metadata,
    sa.Column("board", sa.String(200), primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=False),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- mailboxes read over IMAP, and the replies to invitations found there (schema version 5) ---

# How far `orders fetch` has read each folder: the folder's UIDVALIDITY and the highest UID whose
# message is committed. A new UIDVALIDITY means the UIDs were given out again: read it all again
# (what was imported is known by its Message-ID or digest, so nothing is added twice).
mailbox_state = sa.Table(
    "mailbox_state",
    metadata,
    sa.Column("host", sa.String(255), primary_key=True),
    sa.Column("mailbox", sa.String(320), primary_key=True),
    sa.Column("folder", sa.String(255), primary_key=True),
    sa.Column("uidvalidity", sa.BigInteger, nullable=False),
    sa.Column("last_uid", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# A reply to an invitation or reminder (matched by In-Reply-To/References to the send journal's
# Message-ID), waiting for a person to record the answer with `lighting record`.
lighting_inbox = sa.Table(
    "lighting_inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("code", sa.String(20), nullable=False),  # the municipality's REFNIS code
    sa.Column("source_ref", sa.String(400), nullable=False, unique=True),
    sa.Column("sender", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),  # the reply's Date
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("original", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)
