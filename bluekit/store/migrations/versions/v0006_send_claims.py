"""Schema version 6: the send journal says which run holds a message (so that two runs at once
cannot both send it) and keeps a note (e.g. who recorded it as arrived); a failure that was
temporary (a 4xx answer, a lost connection) becomes "deferred", to be tried again, while one
refused for good (a 5xx answer) stays "failed"."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The journal's columns this revision reads and writes, as they are at version 5 (a revision
# is history: it never imports tables.py).
_sends = sa.table(
    "sends",
    sa.column("status", sa.String(10)),
    sa.column("error", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("sends") as batch:  # on SQLite a plain ADD COLUMN
        # the run that claimed it last, user@host:pid:token
        batch.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("note", sa.Text, nullable=True))
    op.execute(
        _sends.update()
        .where(_sends.c.status == "failed", sa.not_(_sends.c.error.like("5%")))
        .values(status="deferred")
    )


def downgrade() -> None:
    # bluekit before version 6 knew "sending", "sent" and "failed" (and tried a failed message
    # again): what was deferred or only claimed, never handed to a server, becomes "failed"
    op.execute(
        _sends.update().where(_sends.c.status.in_(("deferred", "claimed"))).values(status="failed")
    )
    with op.batch_alter_table("sends") as batch:  # SQLite copies the table without them
        batch.drop_column("note")
        batch.drop_column("claimed_by")
