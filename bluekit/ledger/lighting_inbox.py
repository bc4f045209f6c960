"""Replies to the invitations that arrive in the orders mailbox: told from other mail by their
In-Reply-To and References, which name the Message-ID the send journal kept for the invitation
or reminder, and kept with their municipality until a person records the answer
(`lighting record`). Nothing is guessed from the text: staff read it and type the answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

import sqlalchemy as sa

from bluekit.ledger.order_mail import message_text
from bluekit.municipalities import registry
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import lighting_inbox, now, replies, sends

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
KINDS = ("invitation", "reminder")


def invitation_answered(store: Store, year: int, message: EmailMessage) -> str | None:
    """The REFNIS code of the municipality whose invitation (or reminder) this message answers,
    or None when it answers none of them."""
    ids = _MESSAGE_ID.findall(f"{message.get('In-Reply-To', '')} {message.get('References', '')}")
    if not ids:
        return None
    with store.engine.connect() as db:
        row = db.execute(
            sa.select(sends.c.code).where(
                sends.c.year == year, sends.c.kind.in_(KINDS), sends.c.message_id.in_(ids)
            )
        ).first()
    return row.code if row else None


def keep_reply(
    store: Store, year: int, code: str, ref: str, message: EmailMessage, raw: bytes
) -> bool:
    """Keep a reply for a person to record; False when it was kept before (same Message-ID or
    bytes)."""
    try:
        text = message_text(message)
    except (LookupError, UnicodeError, ValueError):
        text = "(the text cannot be decoded: see the original)"
    with store.transaction() as db:
        return insert_ignore(
            db, lighting_inbox, year=year, code=code, source_ref=ref,
            sender=parseaddr(str(message.get("From", "")))[1][:320],
            subject=str(message.get("Subject", ""))[:500], sent_at=_date(message),
            text=text, original=raw, received_at=now(),
        )


def _date(message: EmailMessage) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return _utc(moment)


def _utc(moment: dt.datetime) -> dt.datetime:
    """A moment in UTC; a naive one (as SQLite gives it back) is UTC already."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class InboxReply:
    """A reply waiting to be recorded (or recorded, with `recorded`)."""

    id: int
    code: str
    municipality: str
    sender: str
    subject: str
    sent_at: dt.datetime | None
    text: str
    recorded: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "refnis": self.code, "municipality": self.municipality,
            "from": self.sender, "subject": self.subject,
            "date": self.sent_at.isoformat() if self.sent_at else None,
            "text": self.text, "recorded": self.recorded,
        }


def inbox(store: Store, year: int, *, recorded: bool = False) -> list[InboxReply]:
    """The replies of the year, oldest first; only those whose municipality has no recorded
    answer yet unless `recorded`."""
    with store.engine.connect() as db:
        answered = {
            r.code for r in db.execute(sa.select(replies.c.code).where(replies.c.year == year))
        }
        rows = db.execute(
            sa.select(lighting_inbox).where(lighting_inbox.c.year == year)
            .order_by(lighting_inbox.c.id)
        ).all()
    result = []
    for row in rows:
        if row.code in answered and not recorded:
            continue
        place = registry.by_code(row.code)
        result.append(InboxReply(
            row.id, row.code, place.display_name if place else row.code, row.sender,
            row.subject, _utc(row.sent_at) if row.sent_at else None, row.text,
            row.code in answered,
        ))
    return result
