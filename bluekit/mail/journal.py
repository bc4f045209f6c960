"""The send journal: for each year, kind of message and recipient, whether the message is being
sent, was sent or failed, in the `sends` table of the state database. It is what makes a message
go out once, also when a run is interrupted and run again.

The database and SQLAlchemy are imported where they are used: building messages (as
`bluekit build` does) needs neither, and every command starts faster without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bluekit.mail.sender import Outgoing
    from bluekit.store.database import Store

# "sending" is written before the message is handed to the server and "sent" or "failed" after:
# a run that dies in between leaves "sending", an outcome nobody knows.
Status = Literal["sending", "sent", "failed"]


def state(store: Store, year: int, kind: str, code: str) -> str | None:
    """The status the journal holds for one message, or None when it was never tried."""
    import sqlalchemy as sa

    from bluekit.store.tables import sends

    with store.transaction() as db:
        row = db.execute(
            sa.select(sends.c.status).where(
                sends.c.year == year, sends.c.kind == kind, sends.c.code == code
            )
        ).first()
    return row.status if row else None


def write(
    store: Store,
    year: int,
    kind: str,
    item: Outgoing,
    status: Status,
    message_id: str,
    error: str | None = None,
) -> None:
    """Record a message's status, counting an attempt each time it is being sent."""
    import sqlalchemy as sa

    from bluekit.store.tables import now, sends

    with store.transaction() as db:
        where = (sends.c.year == year, sends.c.kind == kind, sends.c.code == item.code)
        found = db.execute(sa.select(sends.c.attempts).where(*where)).first()
        values = {
            "status": status,
            "email": item.email,
            "message_id": message_id,
            "error": error,
            "updated_at": now(),
        }
        if found is None:
            db.execute(
                sends.insert().values(
                    year=year,
                    kind=kind,
                    code=item.code,
                    attempts=1 if status == "sending" else 0,
                    **values,
                )
            )
        else:
            attempts = found.attempts + (1 if status == "sending" else 0)
            db.execute(sends.update().where(*where).values(attempts=attempts, **values))
